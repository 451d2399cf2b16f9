"""``loyaltysim report FOLDER``: one self-contained HTML report of a run or a sweep."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "report"
HELP = "write a self-contained HTML report of a run or sweep result folder"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``report``."""
    parser.add_argument("folder", type=Path, help="result folder of `loyaltysim run` or a sweep")
    parser.add_argument("--out", type=Path, help="HTML file to write (default: FOLDER/report.html)")
    parser.add_argument("--quiet", action="store_true", help="no progress display")


def execute(args: argparse.Namespace, argv: list[str]) -> int:
    """Build the report and say where it is."""
    from loyaltysim.experiment.progress import ticking
    from loyaltysim.report.html import write_report

    with ticking(f"report of {args.folder}", enabled=not args.quiet):
        out = write_report(args.folder, args.out)
    print(f"Report: {out}")
    return 0
