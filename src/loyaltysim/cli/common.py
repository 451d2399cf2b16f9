"""What the sub-commands of ``loyaltysim`` share: the scenario file and ``--set`` arguments.

A command module has ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``execute(args, argv) -> int``. Raising :class:`loyaltysim.scenario.problems.UserError` reports bad
input with exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


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


def write_or_print(text: str, out: Path | None, note: str) -> None:
    """``text`` to stdout, or atomically into ``out`` with the one-line ``note`` on stdout."""
    if out is None:
        sys.stdout.write(text)
        return
    from loyaltysim.experiment.store import write_atomic

    write_atomic(out, text)
    print(note)
