"""Shared fixtures: a small, fast scenario, a finished run of it, and a CLI runner.

The small scenario (500 customers, 2 shops, 40 recorded days after 5 warm-up days, 2
replications, one variant) runs in well under a second, so tests can afford several runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

REPO_ROOT = Path(__file__).resolve().parents[1]
SCENARIO_DIR = REPO_ROOT / "scenarios"
DATA_DIR = Path(__file__).resolve().parent / "data"

SMALL_BASE_TOML = """\
name = "small"
description = "Tiny fast scenario for tests."

[run]
days = 40
warmup_days = 5
seed = 7
replications = 2

[market]
customers = 500
arrival_rate = 0.001
departure_rate = 0.001
outside_utility = 1.0

[market.regions.city]
share = 0.7
delivery_days = 1.0
[market.regions.remote]
share = 0.3
delivery_days = 3.0
shipping_factor = 1.5

[network]
kind = "small_world"
mean_degree = 6

[shops.cheap]
price = 60.0
quality = 0.55
unit_cost = 40.0
initial_awareness = 0.4
[shops.cheap.courier]
on_time = 0.7
tracking = false

[shops.dear]
price = 120.0
quality = 0.9
unit_cost = 70.0
initial_awareness = 0.3
[shops.dear.courier_by_region.remote]
on_time = 0.8

[output]
customers = "first_replication"
figures = true
"""

SMALL_VARIANTS_TOML = """
[variants.tracking]
shops.cheap.courier.tracking = true
"""

#: The small scenario with one variant (``base`` and ``tracking``).
SMALL_TOML = SMALL_BASE_TOML + SMALL_VARIANTS_TOML


@pytest.fixture(scope="session")
def small_toml() -> str:
    """Text of the small scenario (with its ``tracking`` variant)."""
    return SMALL_TOML


@pytest.fixture(scope="session")
def write_scenario() -> Callable[..., Path]:
    """``write_scenario(path, variants=True)``: write the small scenario to ``path``."""

    def write(path: Path, *, variants: bool = True) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(SMALL_TOML if variants else SMALL_BASE_TOML, encoding="utf-8")
        return path

    return write


@pytest.fixture
def small_scenario_file(tmp_path: Path, write_scenario: Callable[..., Path]) -> Path:
    """The small scenario written to ``tmp_path/small.toml``."""
    return write_scenario(tmp_path / "small.toml")


@pytest.fixture
def small_scenario(small_scenario_file: Path):
    """The small scenario, loaded and validated."""
    from loyaltysim.scenario import load_scenario

    return load_scenario(small_scenario_file)


@pytest.fixture(scope="session")
def small_result(tmp_path_factory: pytest.TempPathFactory, write_scenario):
    """One in-memory run of the small scenario (workers=1, no result folder); read only."""
    from loyaltysim import run
    from loyaltysim.scenario import load_scenario

    file = write_scenario(tmp_path_factory.mktemp("small_result") / "small.toml")
    return run(load_scenario(file))


class Cli:
    """Runs ``python -m loyaltysim.cli`` with this interpreter (the project's venv)."""

    def __init__(self) -> None:
        self.env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONNOUSERSITE": "1"}

    @staticmethod
    def command(*args: str | os.PathLike[str]) -> list[str]:
        """The argv of ``loyaltysim ARGS``."""
        return [sys.executable, "-m", "loyaltysim.cli", *map(str, args)]

    def run(
        self, *args: str | os.PathLike[str], cwd: Path | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """Run ``loyaltysim ARGS`` to completion, capturing stdout and stderr as text."""
        return subprocess.run(
            self.command(*args),
            cwd=cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture(scope="session")
def cli() -> Cli:
    """The command line, run in subprocesses (``cli.run(...)``, ``cli.command(...)``)."""
    return Cli()
