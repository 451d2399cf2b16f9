"""The result folder: written safely, and read back.

A run writes its tables, resolved scenario, ``meta.json`` and figures; the report and
notebooks read them back (``load_run``), long after the run and on another machine if need
be. The scenario is read back as plain TOML (not re-validated), so a folder written by an
older or newer loyaltysim still opens.

Everything is first written into a hidden partial folder beside the result folder, each
file atomically; ``publish`` then swaps the finished folder into place. A folder is only
replaced if it is itself a loyaltysim result (it holds ``meta.json``), so a mistyped
``--out`` never wipes someone's data.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from loyaltysim.experiment.provenance import environment, iso
from loyaltysim.experiment.seeds import describe, replication_seed
from loyaltysim.experiment.store import OutputError, cannot_write, write_atomic
from loyaltysim.scenario import to_toml, variant_names
from loyaltysim.scenario.problems import UserError

if TYPE_CHECKING:
    from loyaltysim.experiment.results import RunResult

PACKAGES = ("loyaltysim", "mesa", "numpy", "pandas", "scipy", "networkx", "matplotlib", "pydantic")


def partial_dir(out: Path) -> Path:
    """Where a run into ``out`` keeps its work until it is finished."""
    return out.parent / f".{out.name}.partial"


def check_replaceable(out: Path) -> None:
    """Refuse to overwrite a folder that is not a loyaltysim result."""
    if out.exists() and (
        not out.is_dir() or (any(out.iterdir()) and not (out / "meta.json").exists())
    ):
        raise OutputError(
            f"{out}: exists and is not a loyaltysim result folder (no meta.json); "
            "choose another --out or remove it"
        )


def clear_partial(out: Path) -> None:
    """Remove what an earlier, unfinished run into ``out`` left (call it holding the lock)."""
    partial = partial_dir(out)
    try:
        if partial.exists():
            shutil.rmtree(partial)
    except OSError as exc:
        raise cannot_write(partial, exc) from None


def publish(partial: Path, out: Path) -> None:
    """Swap the finished folder into place (the old result, if any, is removed after).

    Raises:
        OutputError: the swap failed; ``out`` then still holds the previous result.

    """
    shutil.rmtree(partial / "parts", ignore_errors=True)
    old = out.parent / f".{out.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    try:
        if out.exists():
            os.replace(out, old)
        try:
            os.replace(partial, out)
        except OSError:
            if old.exists() and not out.exists():
                os.replace(old, out)  # put the previous result back
            raise
    except OSError as exc:
        raise cannot_write(out, exc) from None
    shutil.rmtree(old, ignore_errors=True)


def _write_csv(frame: Any, path: Path) -> None:
    write_atomic(path, frame.to_csv(index=False, float_format="%.6g"))


def write_outputs(
    result: RunResult,
    folder: Path,
    *,
    started: float,
    workers: int,
    command: list[str] | None,
) -> None:
    """Write every table, the resolved scenario, figures and ``meta.json`` into ``folder``."""
    scenario = result.scenario
    write_atomic(folder / "scenario.toml", to_toml(scenario))
    _write_csv(result.timeseries, folder / "timeseries.csv")
    _write_csv(result.replications, folder / "replications.csv")
    _write_csv(result.summary, folder / "summary.csv")
    _write_csv(result.retention, folder / "retention.csv")
    if result.customers is not None:
        _write_csv(result.customers, folder / "customers.csv")
    figures: list[str] = []
    if scenario.output.figures:
        from loyaltysim.plots import run_figure_pngs

        for name, png in run_figure_pngs(result):
            write_atomic(folder / "figures" / name, png)
            figures.append(f"figures/{name}")
    meta = {
        "status": "complete",
        "scenario": scenario.name,
        "variants": variant_names(scenario),
        "replications": scenario.run.replications,
        "days": scenario.run.days,
        "warmup_days": scenario.run.warmup_days,
        "seed": scenario.run.seed,
        "replication_seeds": [
            describe(replication_seed(scenario.run.seed, k))
            for k in range(scenario.run.replications)
        ],
        "workers": workers,
        "command": command if command is not None else sys.argv,
        "started": iso(started),
        "finished": iso(time.time()),
        "wall_seconds": round(time.time() - started, 3),
        **environment(PACKAGES),
        "files": sorted(p.name for p in folder.iterdir() if p.is_file()) + figures,
    }
    write_atomic(folder / "meta.json", json.dumps(meta, indent=2))


# ---------------------------------------------------------------- reading a folder back
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


def _read_csv(path: Path, **kwargs: Any) -> pd.DataFrame:
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
        header = _read_csv(path, nrows=0).columns
        columns = [c for c in CUSTOMER_COLUMNS if c in header]
        dtypes = {"order_months": "uint64"} if "order_months" in columns else {}
        customers = _in_scenario_order(_read_csv(path, usecols=columns, dtype=dtypes), shops)
    return RunFolder(
        path=folder,
        scenario=scenario,
        meta=read_meta(folder),
        summary=_in_scenario_order(_read_csv(folder / "summary.csv"), shops),
        timeseries=_in_scenario_order(_read_csv(folder / "timeseries.csv"), shops),
        retention=_in_scenario_order(_read_csv(folder / "retention.csv"), shops),
        customers=customers,
    )
