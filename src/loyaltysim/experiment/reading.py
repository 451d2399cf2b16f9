"""Reading a finished result folder back: the tables, the resolved scenario, ``meta.json``.

The report and notebooks work from the files a run wrote, not from a live run, so a report
can be made long after the run, on another machine. The scenario is read as plain TOML
(not re-validated), so a folder written by an older or newer loyaltysim still opens.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from loyaltysim.scenario.problems import UserError

#: Columns of ``customers.csv`` the figures and findings use (the file has more).
CUSTOMER_COLUMNS = (
    "variant",
    "replication",
    "customer",
    "shop",
    "left",
    "experiences",
    "satisfaction",
    "trust",
    "orders",
    "spend",
    "margin",
    "first_order_day",
    "order_months",
)
#: Files that make a folder a sweep (``loyaltysim sweep`` / ``loyaltysim analyze``).
SWEEP_FILES = ("sensitivity.csv", "sweep.parquet", "sweep.csv", "design.json")


class NotAResultError(UserError):
    """The folder is neither a run result nor a sweep result."""


def kind_of(folder: str | Path) -> str:
    """``"run"`` or ``"sweep"``; a clear error for anything else.

    Raises:
        NotAResultError: The folder is missing or holds neither kind of result.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise NotAResultError(f"{folder}: no such folder; give a run or sweep result folder")
    if any((folder / name).exists() for name in SWEEP_FILES):
        return "sweep"
    if (folder / "summary.csv").exists():
        return "run"
    raise NotAResultError(
        f"{folder}: not a loyaltysim result folder: expected summary.csv (written by "
        "`loyaltysim run`) or sweep.parquet / design.json and sensitivity.csv (written by "
        "`loyaltysim sweep` and `loyaltysim analyze`)"
    )


def read_scenario(folder: Path) -> dict[str, Any]:
    """The resolved scenario of the folder as a plain dict (empty if there is none)."""
    path = folder / "scenario.toml"
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not readable TOML ({exc})") from None


def read_meta(folder: Path) -> dict[str, Any]:
    """``meta.json`` of the folder (empty if there is none)."""
    path = folder / "meta.json"
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not readable JSON ({exc})") from None


def _csv(path: Path, **kwargs: Any) -> pd.DataFrame:
    try:
        return pd.read_csv(path, **kwargs)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise UserError(f"{path}: cannot be read as a table ({exc})") from None


def _in_scenario_order(frame: pd.DataFrame, shops: list[str]) -> pd.DataFrame:
    """Make ``shop`` categorical in scenario order, so shops keep their colours."""
    if "shop" in frame and shops:
        extra = [s for s in dict.fromkeys(frame["shop"].astype(str)) if s not in shops]
        frame["shop"] = pd.Categorical(frame["shop"].astype(str), categories=[*shops, *extra])
    return frame


@dataclass
class RunFolder:
    """The contents of a run result folder."""

    path: Path
    scenario: dict[str, Any]
    meta: dict[str, Any]
    summary: pd.DataFrame
    timeseries: pd.DataFrame
    retention: pd.DataFrame
    customers: pd.DataFrame | None

    @property
    def days(self) -> int:
        """Recorded days of the run."""
        run = self.scenario.get("run", {})
        return int(self.meta.get("days", run.get("days", self.timeseries["day"].max() + 1)))

    @property
    def variants(self) -> list[str]:
        """Variants in run order, ``base`` first."""
        return [str(v) for v in dict.fromkeys(self.summary["variant"])]

    @property
    def shops(self) -> list[str]:
        """Shops in scenario order."""
        return [str(s) for s in dict.fromkeys(self.summary["shop"])]


def load_run(folder: str | Path) -> RunFolder:
    """Read a run result folder (``customers`` is None if the run did not keep it)."""
    folder = Path(folder)
    scenario = read_scenario(folder)
    shops = list(scenario.get("shops", {}))
    for name in ("summary.csv", "timeseries.csv", "retention.csv"):
        if not (folder / name).exists():
            raise UserError(f"{folder}: {name} is missing; is the run complete?")
    customers = None
    path = folder / "customers.csv"
    if path.exists():
        header = _csv(path, nrows=0).columns
        columns = [c for c in CUSTOMER_COLUMNS if c in header]
        dtypes = {"order_months": "uint64"} if "order_months" in columns else {}
        customers = _in_scenario_order(_csv(path, usecols=columns, dtype=dtypes), shops)
    return RunFolder(
        path=folder,
        scenario=scenario,
        meta=read_meta(folder),
        summary=_in_scenario_order(_csv(folder / "summary.csv"), shops),
        timeseries=_in_scenario_order(_csv(folder / "timeseries.csv"), shops),
        retention=_in_scenario_order(_csv(folder / "retention.csv"), shops),
        customers=customers,
    )
