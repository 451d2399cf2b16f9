"""The result folder: tables, resolved scenario, ``meta.json`` and figures, written safely.

Everything is first written into a hidden partial folder beside the result folder, each
file atomically; ``publish`` then swaps the finished folder into place. A folder is only
replaced if it is itself a loyaltysim result (it holds ``meta.json``), so a mistyped
``--out`` never wipes someone's data.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loyaltysim.experiment.seeds import describe, replication_seed
from loyaltysim.experiment.store import write_atomic
from loyaltysim.scenario.problems import UserError
from loyaltysim.scenario.schema import to_toml, variant_names

if TYPE_CHECKING:
    from loyaltysim.experiment.run import RunResult

PACKAGES = ("loyaltysim", "mesa", "numpy", "pandas", "scipy", "networkx", "matplotlib", "pydantic")


class OutputError(UserError):
    """The result folder cannot be written as asked."""


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


def publish(partial: Path, out: Path) -> None:
    """Swap the finished folder into place (the old result, if any, is removed after)."""
    shutil.rmtree(partial / "parts", ignore_errors=True)
    old = out.parent / f".{out.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        os.replace(out, old)
    os.replace(partial, out)
    shutil.rmtree(old, ignore_errors=True)


def _csv(frame: Any, path: Path) -> None:
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
    _csv(result.timeseries, folder / "timeseries.csv")
    _csv(result.replications, folder / "replications.csv")
    _csv(result.summary, folder / "summary.csv")
    _csv(result.retention, folder / "retention.csv")
    if result.customers is not None:
        _csv(result.customers, folder / "customers.csv")
    figures: list[str] = []
    if scenario.output.figures:
        from loyaltysim.plots import save_run_figures

        figures = save_run_figures(result, folder / "figures")
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
        "started": _iso(started),
        "finished": _iso(time.time()),
        "wall_seconds": round(time.time() - started, 3),
        "versions": _versions(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "git_commit": _git_commit(),
        "files": sorted(p.name for p in folder.iterdir() if p.is_file()) + figures,
    }
    write_atomic(folder / "meta.json", json.dumps(meta, indent=2))


def _iso(stamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))


def _versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _git_commit() -> str | None:
    """The commit of the loyaltysim checkout this code runs from, if it is one."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None
