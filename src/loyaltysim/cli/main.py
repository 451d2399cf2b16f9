"""The ``loyaltysim`` command line; one module of :mod:`loyaltysim.cli` per sub-command.

Bad input (a scenario file with errors, a bad ``--set``, an output folder that is not ours)
and a missing optional package (:mod:`loyaltysim.cli.extras`) end with a plain message on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from importlib import metadata

from loyaltysim.cli import (
    analyze,
    app,
    calibrate,
    export,
    extras,
    fit_customers,
    report,
    run,
    sweep,
    validate,
)
from loyaltysim.scenario.problems import UserError

USAGE_ERROR = 2

#: The sub-commands, one module each: ``NAME``, ``HELP``, ``add_arguments(parser)`` and
#: ``execute(args, argv) -> int``.
COMMANDS = (run, validate, report, sweep, analyze, calibrate, app, export, fit_customers)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="loyaltysim",
        description="Agent-based simulation of customer loyalty in e-commerce.",
    )
    parser.add_argument(
        "--version", action="version", version=f"loyaltysim {metadata.version('loyaltysim')}"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_arguments(sub.add_parser(command.NAME, help=command.HELP))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``loyaltysim`` console script."""
    argv = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(argv)
    command = next(c for c in COMMANDS if c.NAME == args.command)
    try:
        extras.check(command.NAME, args)  # before any work: never an hour, then a crash
        return command.execute(args, argv)
    except UserError as exc:
        print(f"loyaltysim: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("loyaltysim: interrupted; rerun with --resume to continue", file=sys.stderr)
        return 130
