"""The ``loyaltysim`` command: ``run`` a scenario, ``validate`` a file.

Bad input (a scenario file with errors, a bad ``--set``, an output folder that is not ours)
ends with a plain message on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from loyaltysim.errors import ScenarioError
from loyaltysim.experiment.executor import default_workers
from loyaltysim.experiment.store import StaleStoreError
from loyaltysim.outputs import OutputError

USAGE_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="loyaltysim",
        description="Agent-based simulation of customer loyalty in e-commerce.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a scenario and write a result folder")
    run.add_argument("file", type=Path, help="scenario file (TOML)")
    run.add_argument("--out", type=Path, help="result folder (default: results/<name>)")
    run.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a value, e.g. --set shops.alpha.price=90 (repeatable)",
    )
    run.add_argument(
        "--workers",
        type=int,
        default=None,
        help=f"parallel processes (default: all cores, here {default_workers()})",
    )
    run.add_argument(
        "--resume",
        action="store_true",
        help="reuse replications finished by an interrupted run into --out",
    )
    run.add_argument("--quiet", action="store_true", help="no progress lines")

    validate = sub.add_parser("validate", help="check a scenario file without running it")
    validate.add_argument("file", type=Path)
    validate.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``loyaltysim`` console script."""
    argv = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args)
        return _run(args, argv)
    except (ScenarioError, OutputError, StaleStoreError) as exc:
        print(f"loyaltysim: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("loyaltysim: interrupted; rerun with --resume to continue", file=sys.stderr)
        return 130


def _validate(args: argparse.Namespace) -> int:
    from loyaltysim.scenario import load_scenario, variant_names

    scenario = load_scenario(args.file, args.sets)
    print(
        f"{args.file}: valid — {len(scenario.shops)} shops, "
        f"{scenario.market.customers} customers, {scenario.run.days} days, "
        f"{scenario.run.replications} replications, variants: "
        f"{', '.join(variant_names(scenario))}"
    )
    return 0


def _run(args: argparse.Namespace, argv: list[str]) -> int:
    from loyaltysim.experiment.runner import run
    from loyaltysim.report_text import headline
    from loyaltysim.scenario import load_scenario

    scenario = load_scenario(args.file, args.sets)
    out = args.out if args.out is not None else Path("results") / scenario.name
    workers = args.workers if args.workers is not None else default_workers()
    if workers < 1:
        print("loyaltysim: --workers: expected a whole number >= 1", file=sys.stderr)
        return USAGE_ERROR
    if not args.quiet:
        print(
            f"loyaltysim: running {args.file} into {out}/ with {workers} worker(s)", file=sys.stderr
        )
    result = run(
        scenario,
        out,
        workers=workers,
        resume=args.resume,
        progress=not args.quiet,
        command=["loyaltysim", *argv],
    )
    print(headline(result))
    print(f"\nResults: {out}/  (summary.csv, timeseries.csv, customers.csv, meta.json)")
    if scenario.output.figures:
        print(f"Figures: {out / 'figures'}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
