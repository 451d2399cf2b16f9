"""``loyaltysim run FILE``: run every variant and replication, write a result folder.

``--vary KEY=lo:hi:n`` replaces the file's variants by one key's values
(:mod:`loyaltysim.scenario.vary`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from loyaltysim.experiment.executor import default_workers
from loyaltysim.scenario.problems import UserError

NAME = "run"
HELP = "run a scenario and write a result folder"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``run``."""
    from loyaltysim.cli.common import add_scenario_arguments

    add_scenario_arguments(parser)
    parser.add_argument("--out", type=Path, help="result folder (default: results/<name>)")
    parser.add_argument(
        "--vary",
        metavar="KEY=lo:hi:n",
        help="compare values of one key instead of the file's variants, each value a variant: "
        "lo:hi:n (n values from lo to hi), [a, b, c] or a,b,c; e.g. "
        "--vary shops.middle.price=60:100:5 (default --out: results/<name>_vary_<key>)",
    )
    add_workers_argument(parser)
    parser.add_argument(
        "--resume",
        action="store_true",
        help="reuse replications finished by an interrupted run into --out",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def add_workers_argument(parser: argparse.ArgumentParser) -> None:
    """``--workers N``: local processes (results do not depend on it)."""
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help=f"parallel processes (default: all cores, here {default_workers()})",
    )


def workers_of(args: argparse.Namespace) -> int:
    """The ``--workers`` value, checked."""
    workers = args.workers if args.workers is not None else default_workers()
    if workers < 1:
        raise UserError(f"--workers: expected a whole number >= 1, given {workers}")
    return workers


def execute(args: argparse.Namespace, argv: list[str]) -> int:
    """Run the scenario and print the digest and where the results are."""
    from loyaltysim.experiment.run import run
    from loyaltysim.report.text import headline
    from loyaltysim.scenario import load_scenario
    from loyaltysim.scenario.vary import load_varied

    if args.vary is None:
        scenario = load_scenario(args.file, args.sets)
        default = scenario.name
    else:
        scenario = load_varied(args.file, args.sets, args.vary)
        default = f"{scenario.name}_vary_{args.vary.split('=', 1)[0].rsplit('.', 1)[-1]}"
    out = args.out if args.out is not None else Path("results") / default
    workers = workers_of(args)
    if not args.quiet:
        print(
            f"loyaltysim: running {args.file} into {out}/ with {workers} worker(s)",
            file=sys.stderr,
        )
        if args.vary is not None:
            print(
                f"loyaltysim: variants from --vary (instead of the file's): base, "
                f"{', '.join(scenario.variants)}",
                file=sys.stderr,
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
    tables = ("summary.csv", "timeseries.csv", "customers.csv", "orders.parquet", "meta.json")
    written = ", ".join(name for name in tables if (out / name).exists())
    print(f"\nResults: {out}/  ({written})")
    if scenario.output.figures:
        print(f"Figures: {out / 'figures'}/")
    return 0
