"""What each command needs beyond the core install, checked before the command does any work.

A sweep that runs for an hour and then dies with ``ModuleNotFoundError`` while writing its
table wastes the hour; so :func:`check` runs before a command starts, finds every missing
module with :func:`importlib.util.find_spec` (which imports nothing) and raises a
:class:`UserError` that names the extra to install.

Which extras are in the default install: ``pip install -e .`` (what ``make run`` does)
includes SALib and pyarrow, because ``sweep`` and ``analyze`` cannot work without them and a
researcher's second command after ``make run`` is often a sweep. Dask stays an extra
(``experiments``): it is a large tree of packages that only ``--scheduler`` uses. The
interactive app (``app``) and the notebook tools (``notebooks``) stay extras too.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from loyaltysim.scenario.problems import UserError


@dataclass(frozen=True)
class Need:
    """Modules a command needs for one purpose, and the extra that installs them.

    Attributes:
        modules: Import names (``"SALib"``, ``"distributed"``).
        purpose: What they are for, as a reader would say it.
        extra: The ``[project.optional-dependencies]`` extra, or None for a core dependency
            (then the install itself is incomplete and reinstalling fixes it).

    """

    modules: tuple[str, ...]
    purpose: str
    extra: str | None = None


SWEEP_DESIGNS = Need(("SALib",), "sweep designs and sensitivity indices")
PARQUET = Need(("pyarrow",), "the sweep table (sweep.parquet)")
DASK = Need(("dask", "distributed"), "running on a Dask cluster (--scheduler)", "experiments")
APP = Need(("solara",), "the interactive app (Mesa's SolaraViz)", "app")
ORDERS = Need(("pyarrow",), "the order log (orders.parquet)")
CLV = Need(("lifetimes",), "fitting BG/NBD and Gamma-Gamma (lifetimes)", "clv")

#: Needs that do not depend on the arguments, per command.
FIXED_NEEDS: dict[str, tuple[Need, ...]] = {
    "sweep": (SWEEP_DESIGNS, PARQUET),
    "analyze": (SWEEP_DESIGNS, PARQUET),
    "report": (PARQUET,),  # the report of a sweep folder reads sweep.parquet
    "app": (APP,),
    "export": (ORDERS,),
    "fit-customers": (CLV,),
}


def needs_of(command: str, args: argparse.Namespace) -> tuple[Need, ...]:
    """What ``command`` needs with these arguments (Dask only with ``--scheduler``)."""
    needs = FIXED_NEEDS.get(command, ())
    if getattr(args, "scheduler", None) is not None:
        needs = (*needs, DASK)
    return needs


def missing(needs: Sequence[Need]) -> list[tuple[Need, list[str]]]:
    """The needs with at least one module that cannot be found, with those modules."""
    out = []
    for need in needs:
        absent = [m for m in need.modules if importlib.util.find_spec(m) is None]
        if absent:
            out.append((need, absent))
    return out


def install_hint(extra: str | None) -> str:
    """The pip command, run in the repository, that installs ``extra`` (None: the core)."""
    python = os.path.relpath(sys.executable) if sys.executable else "python"
    python = python if not python.startswith("..") else sys.executable
    target = "." if extra is None else f"'.[{extra}]'"
    return f"{python} -m pip install -e {target}"


def check(command: str, args: argparse.Namespace) -> None:
    """Raise :class:`UserError` naming every missing module of ``command`` and its extra."""
    absent = missing(needs_of(command, args))
    if not absent:
        return
    lines = [f"`loyaltysim {command}` cannot start: missing Python packages"]
    for need, modules in absent:
        names = ", ".join(modules)
        if need.extra is None:
            lines.append(
                f"  {names} ({need.purpose}) belongs to loyaltysim's own dependencies, so the "
                f"install is incomplete; reinstall it: {install_hint(None)}"
            )
        else:
            lines.append(
                f"  {names} ({need.purpose}) comes with the `{need.extra}` extra: "
                f"{install_hint(need.extra)}"
            )
    raise UserError("\n".join(lines))
