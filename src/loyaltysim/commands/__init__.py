"""Sub-commands of ``loyaltysim``: one module each, listed in :data:`COMMANDS`.

A command module has ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``execute(args, argv) -> int``. Raising :class:`loyaltysim.errors.UserError` reports bad
input with exit status 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from loyaltysim.commands import analyze, app, calibrate, report, run, sweep, validate

COMMANDS = (run, validate, report, sweep, analyze, calibrate, app)


def add_scenario_arguments(parser: argparse.ArgumentParser) -> None:
    """The scenario file and ``--set`` overrides, shared by commands that read scenarios."""
    parser.add_argument("file", type=Path, help="scenario file (TOML)")
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a value, e.g. --set shops.alpha.price=90 (repeatable)",
    )
