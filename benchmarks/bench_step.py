"""Time LoyaltyModel's daily step at a given size, optionally against a per-agent Mesa model.

For each requested number of customers the baseline scenario (``scenarios/baseline.toml``) is
resized (``market.customers``, no warm-up, ``run.days``) and, for more than three shops, given
extra shops copied from the three baseline shops with varied prices and qualities. Each
measurement runs in a fresh Python subprocess, so the peak resident set size
(``ru_maxrss``) belongs to that size and implementation alone, and one run cannot warm caches
or leave garbage for the next. A measurement reports:

- construction time (scenario arrays, network, initial population, Customer agents),
- the time of ``days`` calls to ``model.step()`` and the cost in µs per customer-day,
  as wall time (``perf_counter``) and CPU time (``process_time``, less disturbed when the
  machine is shared),
- peak RSS after construction and at the end (MiB).

The header gives the versions, CPU count, ``OPENBLAS_CORETYPE``, the git commit and the load
average; ``--json FILE`` saves everything, with threadpoolctl's report if it is installed.

``--reference`` also times :class:`per_agent_reference.PerAgentModel` (one Python ``step()`` per
customer, ``shuffle_do``) at the same size and prints the speed ratio measured in this run,
plus a sanity comparison of both models' order shares and mean satisfaction per shop.
``--no-agents`` builds LoyaltyModel with ``create_agents=False`` to show what the Customer
agents cost. ``--phases`` times the parts of the step (exclusive time per phase of the day);
``--profile`` writes a cProfile of the first run's steps to ``--profile-dir`` and prints the
top functions.

Examples::

    python benchmarks/bench_step.py --customers 10000 --reference
    python benchmarks/bench_step.py --customers 100000
    python benchmarks/bench_step.py --customers 1000000 --shops 10 --phases
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import resize_shops  # noqa: E402

BASELINE = ROOT / "scenarios" / "baseline.toml"
MIB = 1024.0  # ru_maxrss is in KiB on Linux


# --------------------------------------------------------------------------- scenario
def bench_scenario(path: Path, customers: int, shops: int, days: int):
    """The scenario at the requested size; extra shops are varied copies of the file's shops."""
    from loyaltysim.scenario import load_scenario, validate

    scenario = load_scenario(
        path,
        overrides={"market.customers": customers, "run.warmup_days": 0, "run.days": days},
    )
    if shops == len(scenario.shops):
        return scenario
    data = resize_shops(scenario.model_dump(mode="python", exclude_none=True), shops)
    return validate(data, file=f"{path} (resized to {shops} shops)")


# --------------------------------------------------------------------------- instrumentation
class PhaseTimer:
    """Exclusive wall time per wrapped callable (time in nested wrapped calls is subtracted)."""

    def __init__(self) -> None:
        self.total: dict[str, float] = {}  # exclusive
        self.inclusive: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._stack: list[float] = []  # time spent in children of each open call

    def wrap(self, name: str, func):
        """``func`` timed under ``name``."""

        def timed(*args, **kwargs):
            self._stack.append(0.0)
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                children = self._stack.pop()
                self.total[name] = self.total.get(name, 0.0) + elapsed - children
                self.inclusive[name] = self.inclusive.get(name, 0.0) + elapsed
                self.calls[name] = self.calls.get(name, 0) + 1
                if self._stack:
                    self._stack[-1] += elapsed

        return timed


def instrument(model) -> PhaseTimer:
    """Wrap every phase of the day (and the shared word-of-mouth step) for this process."""
    from loyaltysim.engine import phases
    from loyaltysim.engine.phases import deliveries, market, talk

    timer = PhaseTimer()
    phases.DAY = tuple(timer.wrap(phase.__name__, phase) for phase in phases.DAY)
    spread = timer.wrap("talk.spread", talk.spread)
    market.spread = deliveries.spread = spread
    model.datacollector.collect = timer.wrap("datacollector.collect", model.datacollector.collect)
    return timer


# --------------------------------------------------------------------------- one measurement
def vector_summary(model) -> dict[str, Any]:
    import numpy as np

    from loyaltysim.engine.agents import Shop

    state = model.state
    orders = np.zeros(model.n_shops)
    records = model.datacollector.get_agenttype_vars_dataframe(Shop)
    if len(records):
        orders = records.groupby("shop", sort=False)["orders"].sum()
        orders = orders.reindex(model.shop_params.names).to_numpy()
    experienced = state.active[:, None] & (state.experiences > 0)
    count = np.maximum(experienced.sum(axis=0), 1)
    considered = (state.active[:, None] & state.aware & ~state.dropped).sum(axis=0)
    return {
        "names": list(model.shop_params.names),
        "order_share": (orders / max(orders.sum(), 1)).tolist(),
        "mean_satisfaction": ((state.satisfaction * experienced).sum(axis=0) / count).tolist(),
        "mean_trust": ((state.trust * experienced).sum(axis=0) / count).tolist(),
        "considered_share": (considered / max(int(state.active.sum()), 1)).tolist(),
        "rating": model.ratings.rating.tolist(),
        "orders": orders.tolist(),
    }


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Build and run one model in this process; return the figures as a dict."""
    rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scenario = bench_scenario(args.scenario, args.customers, args.shops, args.days)
    seed = scenario.run.seed
    start, cpu_start = time.perf_counter(), time.process_time()
    if args.impl == "reference":
        from per_agent_reference import PerAgentModel

        model = PerAgentModel(scenario, rng=seed)
    else:
        from loyaltysim.engine.model import LoyaltyModel

        model = LoyaltyModel(scenario, rng=seed, create_agents=args.impl == "vector")
    built, cpu_built = time.perf_counter(), time.process_time()
    rss_built = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    timer = instrument(model) if args.phases and args.impl != "reference" else None
    profiler = cProfile.Profile() if args.profile_out else None
    step_start, cpu_step_start = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    for _ in range(args.days):
        model.step()
    if profiler is not None:
        profiler.disable()
    step_s = time.perf_counter() - step_start
    step_cpu_s = time.process_time() - cpu_step_start
    rss_end = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    summary = model.summary() if args.impl == "reference" else vector_summary(model)
    result = {
        "impl": args.impl,
        "agents": args.impl != "vector-no-agents",
        "customers": args.customers,
        "shops": args.shops,
        "days": args.days,
        "build_s": built - start,
        "step_s": step_s,
        "build_cpu_s": cpu_built - cpu_start,
        "step_cpu_s": step_cpu_s,
        "us_per_customer_day": step_s / (args.customers * args.days) * 1e6,
        "ms_per_day": step_s / args.days * 1e3,
        "rss_imports_mib": rss_start / MIB,
        "rss_built_mib": rss_built / MIB,
        "peak_rss_mib": rss_end / MIB,
        "summary": summary,
    }
    if args.impl != "reference":
        result["state_mib"] = model.state.nbytes() / 2**20
        result["slots"] = model.state.slots
    if timer is not None:
        result["phases"] = {
            name: {
                "s": timer.total[name],
                "inclusive_s": timer.inclusive[name],
                "calls": timer.calls[name],
            }
            for name in timer.total
        }
    if profiler is not None:
        profiler.dump_stats(args.profile_out)
        result["profile"] = str(args.profile_out)
    return result


# --------------------------------------------------------------------------- driver
IMPLS = {
    "vector": "LoyaltyModel",
    "vector-no-agents": "LoyaltyModel, no agents",
    "reference": "per-agent Mesa",
}


def run_worker(args: argparse.Namespace, impl: str, customers: int, repeat: int) -> dict:
    """Run one measurement in a fresh interpreter and return its JSON result."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        impl,
        "--customers",
        str(customers),
        "--shops",
        str(args.shops),
        "--days",
        str(args.days),
        "--scenario",
        str(args.scenario),
    ]
    if args.phases and impl != "reference":
        cmd.append("--phases")
    if args.profile and impl == "vector" and repeat == 0:
        args.profile_dir.mkdir(parents=True, exist_ok=True)
        out = args.profile_dir / f"profile_{customers}x{args.shops}x{args.days}.prof"
        cmd += ["--profile-out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"worker failed: {' '.join(cmd)}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def git_state() -> str:
    """The commit measured, with ``+dirty`` if the working tree has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "src"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def cpu_model() -> str:
    """The CPU's model name and numpy's widest SIMD level on it (hosts of one kind differ)."""
    from numpy._core._multiarray_umath import __cpu_features__

    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            name = next(line for line in info if line.startswith("model name"))
        name = name.split(":", 1)[1].strip()
    except (OSError, StopIteration):
        name = platform.processor() or "unknown CPU"
    levels = [level for level in ("X86_V4", "X86_V3", "X86_V2") if __cpu_features__.get(level)]
    return f"{name}, {levels[0] if levels else 'no x86 SIMD level'}"


def environment() -> dict[str, Any]:
    import mesa
    import numpy as np
    import scipy

    info: dict[str, Any] = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "mesa": mesa.__version__,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "cpu": cpu_model(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "load_average_at_start": os.getloadavg(),
        "git": git_state(),
    }
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        info["threadpoolctl"] = "not installed"
    else:
        info["threadpoolctl"] = threadpool_info()
    return info


def median_of(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


HEADER = (
    f"{'model':<24} {'customers':>10} {'shops':>5} {'days':>5} {'build s':>8} {'steps s':>9}"
    f" {'min s':>8} {'cpu s':>8} {'us/c-day':>8} {'ms/day':>9} {'peak MiB':>9}"
)


def print_row(runs: list[dict[str, Any]]) -> None:
    steps = [r["step_s"] for r in runs]
    first = runs[0]
    print(
        f"{IMPLS[first['impl']]:<24} {first['customers']:>10,} {first['shops']:>5}"
        f" {first['days']:>5} {median_of(runs, 'build_s'):>8.2f} {statistics.median(steps):>9.2f}"
        f" {min(steps):>8.2f} {median_of(runs, 'step_cpu_s'):>8.2f}"
        f" {median_of(runs, 'us_per_customer_day'):>8.3f}"
        f" {median_of(runs, 'ms_per_day'):>9.2f} {max(r['peak_rss_mib'] for r in runs):>9.0f}",
        flush=True,
    )


def print_phases(run: dict[str, Any]) -> None:
    phases = run.get("phases")
    if not phases:
        return
    total = sum(value["s"] for value in phases.values())
    print(
        f"\n  exclusive time per phase of the day ({IMPLS[run['impl']]}, first run,"
        f" {total:.2f} s of steps with timers):"
    )
    for name, value in sorted(phases.items(), key=lambda kv: -kv[1]["s"]):
        share = 100 * value["s"] / total
        print(f"    {name:<24} {value['s']:8.2f} s {share:5.1f} % {value['calls']:>7,} calls")
    print()


def print_profile(path: str, top: int = 25) -> None:
    print(f"\n  cProfile of the steps ({path}), top {top} by own time:")
    stats = pstats.Stats(path)
    stats.sort_stats("tottime").print_stats(top)


def print_sanity(vector: dict[str, Any], reference: dict[str, Any]) -> None:
    print("\nsanity check after the run (printed, not asserted; different random streams):")
    print(
        f"  {'':<12} {'order share':>21} {'mean satisfaction':>21} {'mean trust':>21}\n"
        f"  {'shop':<12}" + " {:>10} {:>10}".format("vector", "per-agent") * 3
    )
    for i, name in enumerate(vector["names"]):
        cells = [
            f" {vector[key][i]:>10.3f} {reference[key][i]:>10.3f}"
            for key in ("order_share", "mean_satisfaction", "mean_trust")
        ]
        print(f"  {name:<12}" + "".join(cells))
    print(
        f"  orders in the run: vector {sum(vector['orders']):,.0f},"
        f" per-agent {sum(reference['orders']):,.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Time LoyaltyModel's step (and optionally a per-agent Mesa reference)."
    )
    parser.add_argument("--customers", type=int, nargs="+", default=[10_000])
    parser.add_argument("--shops", type=int, default=3)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument(
        "--reference",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="also time the per-agent Mesa model at the same size and print the speed ratio",
    )
    parser.add_argument("--repeat", type=int, default=1, help="fresh runs per measurement")
    parser.add_argument(
        "--no-agents",
        action="store_true",
        help="also measure LoyaltyModel(create_agents=False): the Customer agents' cost",
    )
    parser.add_argument("--phases", action="store_true", help="time each part of the step")
    parser.add_argument("--profile", action="store_true", help="cProfile the first run's steps")
    parser.add_argument("--profile-dir", type=Path, default=Path("."))
    parser.add_argument("--scenario", type=Path, default=BASELINE)
    parser.add_argument("--json", type=Path, help="write every result to this JSON file")
    parser.add_argument("--worker", choices=list(IMPLS), help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:  # one measurement in this (fresh) process
        args.impl = args.worker
        args.customers = args.customers[0]
        print(json.dumps(measure(args)))
        return

    env = environment()
    print(
        f"python {env['python']}, numpy {env['numpy']}, scipy {env['scipy']}, mesa {env['mesa']},"
        f" {env['cpus']} CPUs, OPENBLAS_CORETYPE={env['OPENBLAS_CORETYPE']}, git {env['git']},"
        f" threadpoolctl: {'see --json' if isinstance(env['threadpoolctl'], list) else 'n/a'}"
    )
    print(
        f"scenario {args.scenario}, {args.repeat} fresh run(s) per row (median; min of steps);"
        f" load average {env['load_average_at_start'][0]:.2f}\n"
    )
    impls = ["vector"] + (["vector-no-agents"] if args.no_agents else [])
    impls += ["reference"] if args.reference else []
    results: list[dict[str, Any]] = []
    for size, customers in enumerate(args.customers):
        print(("\n" if size else "") + HEADER, flush=True)
        runs = {impl: [] for impl in impls}
        for repeat in range(args.repeat):
            for impl in impls:
                runs[impl].append(run_worker(args, impl, customers, repeat))
        for impl in impls:
            print_row(runs[impl])
            results += runs[impl]
        if args.no_agents:
            with_agents = median_of(runs["vector"], "build_s")
            without = median_of(runs["vector-no-agents"], "build_s")
            rss = max(r["peak_rss_mib"] for r in runs["vector"]) - max(
                r["peak_rss_mib"] for r in runs["vector-no-agents"]
            )
            print(
                f"  Customer agents: {with_agents - without:.2f} s of construction"
                f" ({(with_agents - without) / customers * 1e6:.2f} us each),"
                f" {rss:.0f} MiB peak RSS"
            )
        if args.reference:
            vec = median_of(runs["vector"], "step_s")
            ref = median_of(runs["reference"], "step_s")
            vec_total = vec + median_of(runs["vector"], "build_s")
            ref_total = ref + median_of(runs["reference"], "build_s")
            best = min(r["step_s"] for r in runs["reference"]) / min(
                r["step_s"] for r in runs["vector"]
            )
            cpu = median_of(runs["reference"], "step_cpu_s") / median_of(
                runs["vector"], "step_cpu_s"
            )
            print(
                f"  speed ratio per-agent / LoyaltyModel at {customers:,} customers, steps:"
                f" {ref / vec:.1f}x (median wall), {best:.1f}x (fastest wall),"
                f" {cpu:.1f}x (median CPU); construction + steps {ref_total / vec_total:.1f}x"
            )
        print_phases(runs["vector"][0])
        if args.no_agents:
            print_phases(runs["vector-no-agents"][0])
        if args.profile:
            print_profile(runs["vector"][0]["profile"])
        if args.reference:
            print_sanity(runs["vector"][0]["summary"], runs["reference"][0]["summary"])
    env["load_average_at_end"] = os.getloadavg()
    print(f"\nload average at the end: {env['load_average_at_end'][0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"environment": env, "results": results}, indent=1))
        print(f"\nresults written to {args.json}")


if __name__ == "__main__":
    main()
