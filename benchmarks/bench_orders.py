"""What the transaction log costs: CPU time of a run with and without ``orders.parquet``.

Runs the baseline at ``--customers`` for ``--days`` recorded days (plus its warm-up), with
the order log off and on (written in chunks to a temporary parquet file as
``loyaltysim run`` does), alternating ``--repeat`` times in one process so both see the same
machine load, and prints the CPU seconds of each and their ratio::

    python benchmarks/bench_orders.py --customers 100000 --days 365
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import loyaltysim
from loyaltysim.engine.model import LoyaltyModel
from loyaltysim.experiment.orders import OrderWriter, run_model

ROOT = Path(__file__).resolve().parents[1]


def one_run(scenario, log: bool, folder: Path) -> tuple[float, int]:
    """CPU seconds of building and running one model, and the orders it logged."""
    start = time.process_time()
    model = LoyaltyModel(scenario, rng=np.random.default_rng(1), log_orders=log)
    writer = OrderWriter(folder / "orders.parquet", "base", 0) if log else None
    run_model(model, scenario.run.warmup_days + scenario.run.days, writer)
    rows = 0
    if log:
        import pyarrow.parquet as pq

        rows = pq.ParquetFile(folder / "orders.parquet").metadata.num_rows
    return time.process_time() - start, rows


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    scenario = loyaltysim.load_scenario(
        ROOT / "scenarios" / "baseline.toml",
        overrides=[f"market.customers={args.customers}", f"run.days={args.days}"],
    )
    times: dict[bool, list[float]] = {False: [], True: []}
    rows = 0
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            for log in (False, True):
                seconds, n = one_run(scenario, log, Path(tmp))
                times[log].append(seconds)
                rows = max(rows, n)
    off, on = min(times[False]), min(times[True])
    print(
        f"{args.customers:,} customers x {args.days} days (+ warm-up), CPU seconds (min of "
        f"{args.repeat}): log off {off:.1f}, log on {on:.1f}, ratio {on / off:.3f}; "
        f"{rows:,} orders logged"
    )


if __name__ == "__main__":
    main()
