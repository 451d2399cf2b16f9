"""Sweep throughput, executor overhead and parent memory (``docs/performance.md``, "Sweeps").

Three measurements, each in a fresh subprocess so pools, caches and RSS do not carry over:

``throughput``
    The baseline scenario (10,000 customers, 180 warm-up + 365 recorded days) swept over
    ``--runs`` runs (a 4-point grid over the thrift shop's price x runs/4 replications),
    with 1 and 2 local worker processes, and optionally on a Dask LocalCluster of 2
    single-threaded workers with and without Dask's ``MALLOC_TRIM_THRESHOLD_``. Reports
    runs per minute of wall time (pool start-up and the final gather included), the steady
    rate once the first round of runs is done (from the run files' modification times; what
    a long sweep runs at), and the speed-up of 2 workers over 1 by both.

``overhead``
    From the same sweeps: what the executor adds to each run. Inside a worker, a run's
    wall and CPU time are measured around ``run_point`` (build the point's scenario,
    simulate, reduce to figures). The parent's CPU time (scheduling, pickling, unpickling,
    writing one JSON file per run, the progress bar, the final gather) per run is the
    executor's cost, given as a share of a run's CPU time; with 1 worker the runs' own CPU
    time is subtracted, since they ran in the parent. The wall overhead is the wall time
    times the workers, minus the runs' wall time, over the runs' wall time: it adds the
    fixed costs of a sweep (pool start-up, the last run running alone, the gather) and
    fsync waits, so it shrinks as sweeps grow.

``memory``
    A sweep of ``--memory-runs`` small runs (300 customers, 10 days; a Latin hypercube of
    that many points) with 2 workers; the parent's resident set size is read from
    ``/proc/self/statm`` each time a run is stored. Flat means results are streamed to disk,
    not held.

Examples::

    python benchmarks/bench_sweep.py                       # all three, as in docs/performance.md
    python benchmarks/bench_sweep.py throughput --runs 24 --dask
    python benchmarks/bench_sweep.py memory --memory-runs 1000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
PAGE = os.sysconf("SC_PAGE_SIZE")

THROUGHPUT_SWEEP = """
[sweep]
design = "grid"
replications = {replications}
outputs = ["thrift.market_share"]
[sweep.parameters]
"shops.thrift.price" = {{ values = [55.0, 60.0, 65.0, 70.0] }}
"""

MEMORY_SWEEP = """
[sweep]
design = "lhs"
samples = {runs}
replications = 1
outputs = ["thrift.market_share"]
[sweep.parameters]
"shops.thrift.price" = {{ low = 45.0, high = 75.0 }}
"shops.premium.price" = {{ low = 110.0, high = 150.0 }}
"""


def rss_mib() -> float:
    """Current resident set size of this process."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * PAGE / 2**20


def _scenario_file(folder: Path, sweep: str, overrides: dict[str, Any]) -> Path:
    from loyaltysim.scenario import load_scenario, to_toml

    text = BASELINE.read_text(encoding="utf-8")
    text = text[: text.index("# Variants:")] + sweep
    path = folder / "bench.toml"
    path.write_text(text, encoding="utf-8")
    resized = load_scenario(path, overrides)
    path.write_text(to_toml(resized), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- in the subprocess
def measure_throughput(args: argparse.Namespace) -> dict[str, Any]:
    from loyaltysim.experiment.sweep.run import run_sweep
    from loyaltysim.scenario import load_scenario

    folder = Path(tempfile.mkdtemp(prefix="bench_sweep_"))
    path = _scenario_file(folder, THROUGHPUT_SWEEP.format(replications=args.runs // 4), {})
    scenario = load_scenario(path)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    client_context = None
    if args.executor == "dask":
        import dask
        import distributed

        from loyaltysim.experiment.dask_executor import NUMPY_FRIENDLY

        config = NUMPY_FRIENDLY if not args.malloc_trim else {}
        with dask.config.set(config):
            cluster = distributed.LocalCluster(
                n_workers=args.workers, threads_per_worker=1, processes=True,
                dashboard_address=None,
            )  # fmt: skip
        client_context = distributed.Client(cluster)
        trim = set(client_context.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_")).values())
        result = run_sweep(scenario, folder / "out", file=path, client=client_context)
        client_context.close()
        cluster.close()
    else:
        trim = {os.environ.get("MALLOC_TRIM_THRESHOLD_")}
        result = run_sweep(scenario, folder / "out", file=path, workers=args.workers)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    parent_cpu = usage.ru_utime + usage.ru_stime - cpu0
    files = sorted((folder / "out" / "runs").glob("*.json"))
    runs = [json.loads(p.read_text()) for p in files]
    # Steady state: runs finished after the first round, over the time they took (leaves out
    # pool start-up and the first round, which a long sweep pays only once).
    done = sorted(p.stat().st_mtime for p in files)
    first = args.workers
    steady = 60 * (len(done) - first) / (done[-1] - done[first - 1]) if len(done) > first else 0
    run_wall = [r["seconds"] for r in runs]
    run_cpu = [r["cpu_seconds"] for r in runs]
    if args.executor == "local" and args.workers == 1:
        parent_cpu -= sum(run_cpu)  # the runs ran in this process: keep only the executor's
    return {
        "executor": args.executor,
        "workers": args.workers,
        "malloc_trim_threshold": sorted(map(str, trim)),
        "runs": result.ran,
        "failed": result.failed,
        "wall_s": wall,
        "runs_per_minute": 60 * result.ran / wall,
        "steady_runs_per_minute": steady,
        "run_wall_mean_s": statistics.mean(run_wall),
        "run_cpu_mean_s": statistics.mean(run_cpu),
        "parent_cpu_s": parent_cpu,
        "parent_cpu_per_run_ms": 1000 * parent_cpu / result.ran,
        "overhead_cpu_pct": 100 * parent_cpu / sum(run_cpu),
        "overhead_wall_pct": 100 * (wall * args.workers - sum(run_wall)) / sum(run_wall),
        "load_end": os.getloadavg(),
    }


def measure_memory(args: argparse.Namespace) -> dict[str, Any]:
    from loyaltysim.experiment.sweep import store as sweep_store
    from loyaltysim.experiment.sweep.run import run_sweep
    from loyaltysim.scenario import load_scenario

    folder = Path(tempfile.mkdtemp(prefix="bench_sweep_mem_"))
    small = {"market.customers": 300, "run.days": 10, "run.warmup_days": 2}
    path = _scenario_file(folder, MEMORY_SWEEP.format(runs=args.memory_runs), small)
    samples: list[tuple[int, float]] = []
    save = sweep_store.SweepFolder.save

    def recording_save(self: Any, record: Any) -> None:
        save(self, record)
        samples.append((len(samples) + 1, rss_mib()))

    sweep_store.SweepFolder.save = recording_save  # type: ignore[method-assign]
    rss_start = rss_mib()
    result = run_sweep(load_scenario(path), folder / "out", file=path, workers=args.workers)
    rss_end = rss_mib()
    marks = sorted({10, 100, 250, 500, 750, args.memory_runs} & {n for n, _ in samples})
    at = dict(samples)
    return {
        "runs": result.ran,
        "workers": args.workers,
        "rss_before_mib": rss_start,
        "rss_at_runs_mib": {n: at[n] for n in marks},
        "rss_growth_100_to_end_mib": at[max(marks)] - at[100] if 100 in at else None,
        "rss_after_gather_mib": rss_end,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "wall_s": result.wall_seconds,
    }


# --------------------------------------------------------------------------- the driver
def _child(args: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", nargs="?", default="all",
                        choices=["all", "throughput", "overhead", "memory"])  # fmt: skip
    parser.add_argument("--runs", type=int, default=24, help="runs per throughput sweep")
    parser.add_argument("--repeat", type=int, default=1, help="throughput sweeps per setting")
    parser.add_argument("--dask", action="store_true", help="also time Dask LocalClusters")
    parser.add_argument("--memory-runs", type=int, default=1000)
    parser.add_argument("--json", type=Path, help="write every result here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--executor", default="local", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--malloc-trim", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        found = measure_memory(args) if args.what == "memory" else measure_throughput(args)
        print(json.dumps(found))
        return

    print(f"cpus {os.cpu_count()}, load {os.getloadavg()}, python {sys.version.split()[0]}")
    results: dict[str, Any] = {"load_start": os.getloadavg(), "throughput": [], "memory": None}
    if args.what in ("all", "throughput", "overhead"):
        settings = [("local", 1, False), ("local", 2, False)]
        if args.dask:
            settings += [("dask", 2, False), ("dask", 2, True)]
        for _ in range(args.repeat):
            for executor, workers, trim in settings:
                extra = ["--malloc-trim"] if trim else []
                found = _child(["throughput", "--runs", str(args.runs), "--executor", executor,
                                "--workers", str(workers), *extra])  # fmt: skip
                results["throughput"].append(found)
                print(
                    f"{executor:5} {workers} worker(s){' MALLOC_TRIM' if trim else '':12} "
                    f"{found['runs']} runs in {found['wall_s']:6.1f} s = "
                    f"{found['runs_per_minute']:5.1f} runs/min (steady "
                    f"{found['steady_runs_per_minute']:5.1f}); run {found['run_wall_mean_s']:.2f} "
                    f"s wall / {found['run_cpu_mean_s']:.2f} s CPU; parent "
                    f"{found['parent_cpu_per_run_ms']:.1f} ms CPU per run = "
                    f"{found['overhead_cpu_pct']:.2f}% of a run; wall overhead "
                    f"{found['overhead_wall_pct']:.1f}%; load {found['load_end'][0]:.1f}",
                    flush=True,
                )
        for key, label in (("runs_per_minute", "sweep"), ("steady_runs_per_minute", "steady")):
            by: dict[int, list[float]] = {}
            for found in results["throughput"]:
                if found["executor"] == "local":
                    by.setdefault(found["workers"], []).append(found[key])
            if 1 in by and 2 in by:
                speedup = statistics.median(by[2]) / statistics.median(by[1])
                results[f"speedup_2_vs_1_{label}"] = speedup
                print(f"speed-up, 2 workers vs 1 ({label}, medians): {speedup:.2f}x")
    if args.what in ("all", "memory"):
        found = _child(["memory", "--memory-runs", str(args.memory_runs), "--workers", "2"])
        results["memory"] = found
        marks = ", ".join(f"{n}: {v:.1f}" for n, v in found["rss_at_runs_mib"].items())
        growth = found["rss_growth_100_to_end_mib"]
        print(
            f"parent RSS (MiB) after runs {marks}; after gather "
            f"{found['rss_after_gather_mib']:.1f}; growth from run 100 to {found['runs']}: "
            f"{growth:+.1f} MiB"
        )
    results["load_end"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
