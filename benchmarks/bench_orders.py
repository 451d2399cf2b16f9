"""What the transaction log costs: CPU time and peak memory with and without ``orders.parquet``.

Runs the baseline at ``--customers`` and ``--shops`` (extra shops as in ``bench_step.py``) for
``--days`` recorded days (no warm-up, as there), with the order log off and on
(written in chunks to a temporary parquet file as ``loyaltysim run`` does). Each run is a
fresh subprocess, so its peak resident set (``VmHWM``) is its own; the runs alternate
``--repeat`` times so both settings see the same machine load. Prints the CPU seconds and
peak MiB of each and their ratios::

    python benchmarks/bench_orders.py --customers 100000 --days 365
    python benchmarks/bench_orders.py --customers 1000000 --shops 10 --days 365 --repeat 1

On a shared machine the spread of separate runs (±20% with two cores and a load of 5) hides
a cost of a few percent, whatever the minimum of a few. ``--paired`` therefore also builds
both models in one process and steps them in lockstep (log off and on, the order swapped
every day), summing each one's CPU per step: both see the same moment's load, so their
ratio (over the days, construction left out) holds to about 1% from run to run::

    python benchmarks/bench_orders.py --customers 100000 --days 365 --paired
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def one_run(customers: int, shops: int, days: int, log: bool) -> dict[str, float]:
    """Build and run one model in this process; CPU seconds, orders logged, peak MiB."""
    import numpy as np

    from bench_step import BASELINE, bench_scenario
    from common import logged_rows, order_writer, peak_rss_mib
    from loyaltysim.engine.model import LoyaltyModel
    from loyaltysim.experiment.orders import run_model

    scenario = bench_scenario(BASELINE, customers, shops, days)
    with order_writer(log) as (writer, path):
        start = time.process_time()
        model = LoyaltyModel(scenario, rng=np.random.default_rng(1), log_orders=log)
        run_model(model, scenario.run.warmup_days + scenario.run.days, writer)
        cpu = time.process_time() - start
        rows = logged_rows(path)
    return {"cpu": cpu, "rows": rows, "peak_mib": peak_rss_mib()}


def paired_run(customers: int, shops: int, days: int) -> dict[str, float]:
    """Both models stepped in lockstep in this process; CPU seconds of each one's days."""
    import numpy as np

    from bench_step import BASELINE, bench_scenario
    from loyaltysim.engine.model import LoyaltyModel
    from loyaltysim.experiment.orders import OrderWriter, chunk_due

    scenario = bench_scenario(BASELINE, customers, shops, days)
    cpu = {"off": 0.0, "on": 0.0}
    models = {
        log: LoyaltyModel(scenario, rng=np.random.default_rng(1), log_orders=log == "on")
        for log in cpu
    }
    with tempfile.TemporaryDirectory() as tmp:
        writer = OrderWriter(Path(tmp) / "orders.parquet", "base", 0)
        for day in range(scenario.run.warmup_days + scenario.run.days):
            for log in ("off", "on") if day % 2 else ("on", "off"):
                start = time.process_time()
                models[log].step()
                if log == "on" and chunk_due(models[log], day + 1):
                    writer.write(models[log])
                cpu[log] += time.process_time() - start
        start = time.process_time()
        writer.close(models["on"])
        cpu["on"] += time.process_time() - start
    return cpu


def main() -> None:
    """Measure in subprocesses and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--shops", type=int, default=3)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--paired", action="store_true", help="also step both in lockstep")
    parser.add_argument("--worker", choices=["on", "off"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        result = one_run(args.customers, args.shops, args.days, args.worker == "on")
        print(json.dumps(result))
        return
    runs: dict[str, list[dict[str, float]]] = {"off": [], "on": []}
    for _ in range(args.repeat):
        for log in ("off", "on"):
            command = [sys.executable, __file__, "--worker", log]
            command += ["--customers", str(args.customers), "--shops", str(args.shops)]
            command += ["--days", str(args.days)]
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            runs[log].append(json.loads(out.splitlines()[-1]))
    cpu = {k: min(r["cpu"] for r in v) for k, v in runs.items()}
    peak = {k: max(r["peak_mib"] for r in v) for k, v in runs.items()}
    rows = max(r["rows"] for r in runs["on"])
    print(
        f"{args.customers:,} customers x {args.shops} shops x {args.days} days, "
        f"min of {args.repeat}: CPU s log off {cpu['off']:.1f}, on {cpu['on']:.1f}, ratio "
        f"{cpu['on'] / cpu['off']:.3f}; peak MiB off {peak['off']:,.0f}, on {peak['on']:,.0f}; "
        f"{rows:,} orders logged"
    )
    if args.paired:
        for _ in range(args.repeat):
            days = paired_run(args.customers, args.shops, args.days)
            print(
                f"paired, the days only: CPU s log off {days['off']:.2f}, "
                f"on {days['on']:.2f}, ratio {days['on'] / days['off']:.3f}"
            )


if __name__ == "__main__":
    main()
