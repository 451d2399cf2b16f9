"""``loyaltysim analyze SWEEP_DIR``: sensitivity indices, point means and figures."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "analyze"
HELP = "analyse a finished sweep: Sobol/Morris/RBD-FAST indices, point means, figures"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``analyze``."""
    parser.add_argument("folder", type=Path, help="sweep folder written by loyaltysim sweep")
    parser.add_argument(
        "--output",
        dest="outputs",
        action="append",
        default=[],
        metavar="SHOP.FIGURE",
        help="output to analyse, e.g. premium.retention or market.profit (repeatable; "
        "default: the sweep's outputs)",
    )
    parser.add_argument("--out", type=Path, help="where to write (default: the sweep folder)")
    parser.add_argument("--no-figures", action="store_true", help="tables only")


def execute(args: argparse.Namespace, argv: list[str]) -> int:
    """Analyse, write the tables and figures, print a digest."""
    from loyaltysim.experiment.sweep.analyze import analyze_sweep, digest
    from loyaltysim.scenario.problems import UserError

    try:
        design, result, written = analyze_sweep(
            args.folder, args.outputs or None, args.out, figures=not args.no_figures
        )
    except ValueError as exc:
        raise UserError(str(exc)) from None
    print(digest(design.method, result))
    target = args.out if args.out is not None else args.folder
    tables = ", ".join(p.name for p in written if p.suffix == ".csv")
    figures = sum(p.suffix == ".png" for p in written)
    print(f"\nTables: {target}/ ({tables})")
    if figures:
        print(f"Figures: {target / 'figures'}/ ({figures} PNG)")
    return 0
