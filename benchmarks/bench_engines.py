"""The current engine against the first engine (commit 345e02d) and the per-agent reference.

Issue 11's side-by-side benchmark. Three subjects run the same scenario file in one run:

- ``current``: the engine of this checkout (``src`` next to this script),
- ``first``: the engine as of commit 345e02d, extracted with ``git archive 345e02d`` into a
  temporary folder whose ``src`` is the child's ``PYTHONPATH``,
- ``per-agent``: ``benchmarks/per_agent_reference.py`` from the same archive (a plain Mesa
  model with one Python ``step()`` per customer), on the 345e02d package it was written for.

Every measurement is a fresh child process, and the repetitions are interleaved between the
subjects (current, first, per-agent, current, ...) so a busy spell on the shared machine slows
all alike. The child uses only the public API (``loyaltysim.load_scenario(file)``,
``loyaltysim.LoyaltyModel(scenario, rng=seed)``, ``.step()`` once per day; the per-agent model
takes the same arguments) and times, as CPU time (``time.process_time``), the construction, the
first step alone ("first-call": what a compiled engine pays to compile) and all the steps
(first included). The parent takes the child's user + system time and peak resident set from
``os.wait4``. A row gives the minimum over ``--repeat`` runs (peak: maximum).

The scenario is ``scenarios/baseline.toml`` *as of the first engine* (the file later gained
keys the first engine does not know, such as the NBD shape of customers' need rates; both
engines run the same rules only from the same file), read as TOML and resized with the keys both
schemas know (``market.customers``, ``run.warmup_days = 0``, ``run.days``; extra shops as in
``bench_step.py``, via ``common.resize_shops``), written to a file both engines load. Sizes:

=======  ============================  =========================  ===========================
size     customers x shops x days      subjects                   target (issue 11)
=======  ============================  =========================  ===========================
small    10,000 x 3 x 365              current, first, per-agent  current >= 50x per-agent
large    300,000 x 10 x 120            current, first             current >= 4x first
huge     1,000,000 x 10 x 365, log on  current                    steps <= 25 s, peak <= 1.5 GiB
=======  ============================  =========================  ===========================

The huge run streams the transaction log to a temporary ``orders.parquet`` as ``bench_orders.py``
does (``common.order_writer``). ``--write`` puts the table into the marked section of
``docs/performance.md``; ``--json FILE`` saves every run::

    python benchmarks/bench_engines.py                      # all sizes, ~6 min on 2 cores
    python benchmarks/bench_engines.py --sizes small --repeat 5
    python benchmarks/bench_engines.py --sizes small --customers 300 --days 5 --subjects current
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import trees  # noqa: E402
from common import logged_rows, order_writer, peak_rss_mib, resize_shops  # noqa: E402

BASELINE = Path("scenarios") / "baseline.toml"
DOC = ROOT / "docs" / "performance.md"
MARKERS = ("<!-- bench_engines:start -->", "<!-- bench_engines:end -->")
FIRST_ENGINE = "345e02d"
PEAK_LIMIT_MIB = 1.5 * 1024  # 1.5 GiB
SUBJECTS = {
    "current": "current engine",
    "first": f"engine at {FIRST_ENGINE}",
    "per-agent": f"per-agent Mesa at {FIRST_ENGINE}",
}


@dataclass(frozen=True)
class Size:
    """One benchmark size, its subjects and issue 11's target for it."""

    customers: int
    shops: int
    days: int
    subjects: tuple[str, ...]
    repeat: int
    log: bool = False
    min_ratio: dict[str, float] = field(default_factory=dict)  # subject -> times slower
    max_steps_s: float | None = None
    max_peak_mib: float | None = None


SIZES = {
    "small": Size(
        10_000, 3, 365, ("current", "first", "per-agent"), 3, min_ratio={"per-agent": 50}
    ),
    "large": Size(300_000, 10, 120, ("current", "first"), 1, min_ratio={"first": 4}),
    "huge": Size(
        1_000_000, 10, 365, ("current",), 1, log=True, max_steps_s=25, max_peak_mib=PEAK_LIMIT_MIB
    ),
}


# --------------------------------------------------------------------------- child
def measure(subject: str, scenario_file: Path, archive: Path, log: bool) -> dict[str, Any]:
    """One run in this (fresh) process: CPU seconds of construction, first step and steps."""
    import loyaltysim

    home = ROOT / "src" if subject == "current" else archive / "src"
    if not Path(loyaltysim.__file__).resolve().is_relative_to(home.resolve()):
        raise SystemExit(f"{subject}: loyaltysim imported from {loyaltysim.__file__}, not {home}")
    scenario = loyaltysim.load_scenario(scenario_file)
    seed, days = scenario.run.seed, scenario.run.days
    if subject == "per-agent":
        sys.path.insert(0, str(archive / "benchmarks"))
        import per_agent_reference

        if not Path(per_agent_reference.__file__).resolve().is_relative_to(archive.resolve()):
            raise SystemExit(f"per-agent reference imported from {per_agent_reference.__file__}")
        build = per_agent_reference.PerAgentModel
        options: dict[str, Any] = {}
    else:
        build = loyaltysim.LoyaltyModel
        options = {"log_orders": True} if log else {}
    with order_writer(log) as (writer, path):
        start = time.process_time()
        model = build(scenario, rng=seed, **options)
        built = time.process_time()
        agents = {kind.__name__: len(group) for kind, group in model.agents_by_type.items()}
        model.step()
        first = time.process_time()
        if writer is None:
            for _ in range(days - 1):
                model.step()
        else:
            from loyaltysim.experiment.orders import run_model

            run_model(model, days - 1, writer)
        done = time.process_time()
        rows = logged_rows(path)
    return {
        "subject": subject,
        "loyaltysim": loyaltysim.__file__,
        "customers": scenario.market.customers,
        "shops": len(scenario.shops),
        "days": days,
        "warmup_days": scenario.run.warmup_days,
        "agents": agents,  # right after construction
        "build_s": built - start,
        "first_s": first - built,
        "steps_s": done - built,
        "orders_logged": rows,
        "vm_hwm_mib": peak_rss_mib(),
    }


# --------------------------------------------------------------------------- parent
def scenario_file(customers: int, shops: int, days: int, folder: Path, archive: Path) -> Path:
    """The first engine's baseline, resized with keys both schemas know, in ``folder``."""
    import tomli_w

    data = tomllib.loads((archive / BASELINE).read_text(encoding="utf-8"))
    data["market"]["customers"] = customers
    data["run"]["warmup_days"] = 0
    data["run"]["days"] = days
    if shops != len(data["shops"]):
        data = resize_shops(data, shops)
    path = folder / f"bench_{customers}x{shops}x{days}.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def run_child(subject: str, scenario: Path, archive: Path, log: bool) -> dict[str, Any]:
    """One measurement in a fresh interpreter; adds its user + system CPU and ru_maxrss."""
    home = ROOT / "src" if subject == "current" else archive / "src"
    env = {**os.environ, "PYTHONPATH": str(home)}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", subject]
    cmd += ["--scenario", str(scenario), "--archive", str(archive)] + (["--log"] if log else [])
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        if child.returncode != 0:
            sys.stderr.write(err.read())
            raise SystemExit(f"{subject} failed (exit {child.returncode}): {' '.join(cmd)}")
        result = json.loads(out.read().strip().splitlines()[-1])
    result["process_cpu_s"] = usage.ru_utime + usage.ru_stime
    result["peak_mib"] = usage.ru_maxrss / 1024  # KiB on Linux
    return result


def summarise(name: str, size: Size, runs: dict[str, list[dict[str, Any]]]) -> list[dict]:
    """One row per subject: minima over the runs, the ratio to ``current`` and the target."""
    best = {
        s: {k: min(r[k] for r in rs) for k in ("build_s", "first_s", "steps_s")}
        for s, rs in runs.items()
    }
    rows = []
    for subject, subject_runs in runs.items():
        row = {"size": name, "subject": subject, **best[subject]}
        row["process_cpu_s"] = min(r["process_cpu_s"] for r in subject_runs)
        row["peak_mib"] = max(r["peak_mib"] for r in subject_runs)
        row["us_per_customer_day"] = row["steps_s"] / (size.customers * size.days) * 1e6
        row["ratio"] = row["steps_s"] / best["current"]["steps_s"]
        row["runs"] = len(subject_runs)
        checks: dict[str, bool] = {}  # part of the target -> met
        if subject in size.min_ratio:
            row["target"] = f"current ≥ {size.min_ratio[subject]:g}× faster"
            checks["ratio"] = row["ratio"] >= size.min_ratio[subject]
        elif subject == "current" and size.max_steps_s is not None:
            row["target"] = f"steps ≤ {size.max_steps_s:g} s, peak ≤ {size.max_peak_mib:,.0f} MiB"
            checks["steps"] = row["steps_s"] <= size.max_steps_s
            checks["peak"] = row["peak_mib"] <= size.max_peak_mib
        else:
            row["target"] = ""
        row["met"] = all(checks.values()) if checks else None
        row["checks"] = checks
        rows.append(row)
    return rows


def table(rows: list[dict[str, Any]], sizes: dict[str, Size]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| subject | size (customers × shops × days) | construction s | first-call s"
        " | steps CPU s | µs per customer-day | process CPU s | peak MiB | ratio | target | met |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    for row in rows:
        size = sizes[row["size"]]
        shape = f"{size.customers:,} × {size.shops} × {size.days}" + (" (log)" if size.log else "")
        met = {None: "", True: "yes", False: "**no**"}[row["met"]]
        if len(row["checks"]) > 1 and not row["met"]:
            met += (
                " ("
                + ", ".join(f"{k} {'yes' if ok else 'no'}" for k, ok in row["checks"].items())
                + ")"
            )
        lines.append(
            f"| {SUBJECTS[row['subject']]} | {shape} | {row['build_s']:.2f} | {row['first_s']:.3f}"
            f" | {row['steps_s']:.2f} | {row['us_per_customer_day']:.3f}"
            f" | {row['process_cpu_s']:.2f}"
            f" | {row['peak_mib']:,.0f} | {row['ratio']:.1f}× | {row['target']} | {met} |"
        )
    return "\n".join(lines)


def write_doc(text: str) -> None:
    """Replace the marked section of docs/performance.md with ``text``."""
    doc = DOC.read_text(encoding="utf-8")
    start, end = (doc.find(marker) for marker in MARKERS)
    if start < 0 or end < start:
        raise SystemExit(f"{DOC} has no section between {MARKERS[0]} and {MARKERS[1]}")
    DOC.write_text(
        doc[: start + len(MARKERS[0])] + "\n" + text + "\n" + doc[end:], encoding="utf-8"
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default=",".join(SIZES), help="comma-separated: small,large,huge"
    )
    parser.add_argument("--subjects", default=",".join(SUBJECTS), help="restrict the subjects")
    parser.add_argument(
        "--repeat", type=int, help="runs per subject (min); default 3 small, 1 others"
    )
    parser.add_argument("--customers", type=int, help="override every size's customers")
    parser.add_argument("--days", type=int, help="override every size's days")
    parser.add_argument("--write", action="store_true", help=f"write the table into {DOC.name}")
    parser.add_argument("--json", type=Path, help="write every run to this JSON file")
    parser.add_argument("--worker", choices=list(SUBJECTS), help=argparse.SUPPRESS)
    parser.add_argument("--scenario", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--archive", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--log", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.sizes = args.sizes.split(",")
    args.subjects = args.subjects.split(",")
    for given, known, what in ((args.sizes, SIZES, "size"), (args.subjects, SUBJECTS, "subject")):
        unknown = [name for name in given if name not in known]
        if unknown:
            parser.error(f"unknown {what} {', '.join(unknown)}; choose from {', '.join(known)}")
    if "current" not in args.subjects:
        parser.error("--subjects must include current: every ratio is to it")
    for option in ("repeat", "customers", "days"):
        if getattr(args, option) is not None and getattr(args, option) < 1:
            parser.error(f"--{option} must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.worker:
        print(json.dumps(measure(args.worker, args.scenario, args.archive, args.log)))
        return
    from bench_step import environment

    env = environment()
    sizes = {
        name: replace(
            size,
            customers=args.customers or size.customers,
            days=args.days or size.days,
            subjects=tuple(s for s in size.subjects if s in args.subjects),
            repeat=args.repeat or size.repeat,
        )
        for name, size in SIZES.items()
        if name in args.sizes
    }
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "first"
        archive.mkdir()
        env["first_engine"] = trees.extract(FIRST_ENGINE, archive)
        print(
            f"python {env['python']}, numpy {env['numpy']}, scipy {env['scipy']},"
            f" mesa {env['mesa']},"
            f" {env['cpus']} CPUs, git {env['git']}, first engine {env['first_engine'][:10]};"
            f" load average {env['load_average_at_start'][0]:.2f}",
            flush=True,
        )
        for name, size in sizes.items():
            scenario = scenario_file(size.customers, size.shops, size.days, Path(tmp), archive)
            runs[name] = {subject: [] for subject in size.subjects}
            for repeat in range(size.repeat):
                for subject in size.subjects:
                    result = run_child(subject, scenario, archive, size.log)
                    runs[name][subject].append(result)
                    print(
                        f"  {name} {subject} run {repeat + 1}/{size.repeat}:"
                        f" build {result['build_s']:.2f} s, steps {result['steps_s']:.2f} s CPU,"
                        f" agents {result['agents']}, load {os.getloadavg()[0]:.2f}",
                        flush=True,
                    )
    env["load_average_at_end"] = os.getloadavg()
    rows = [row for name, size in sizes.items() for row in summarise(name, size, runs[name])]
    load = f"{env['load_average_at_start'][0]:.2f} → {env['load_average_at_end'][0]:.2f}"
    facts = (
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by"
        f" `benchmarks/bench_engines.py` at git `{env['git']}` (first engine"
        f" `{env['first_engine'][:10]}`), {env['cpus']} CPUs ({env['cpu']}), 1-minute load"
        f" average {load};"
        f" python {env['python']}, numpy {env['numpy']}, mesa {env['mesa']}. CPU seconds, minimum"
        " over the runs of each row (peak: maximum); ratio = the subject's steps CPU / the current"
        " engine's; steps include the first call."
    )
    text = facts + "\n\n" + table(rows, sizes)
    print("\n" + text)
    if args.write:
        write_doc(text)
        print(f"\nwritten to {DOC}")
    if args.json:
        args.json.write_text(json.dumps({"environment": env, "rows": rows, "runs": runs}, indent=1))
        print(f"results written to {args.json}")


if __name__ == "__main__":
    main()
