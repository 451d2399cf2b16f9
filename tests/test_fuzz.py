"""Property-based fuzz test of the input layer: mutated scenario files never make it fall over.

The project's own ``scenarios/*.toml`` are mutated at the text level (the mutations of
``scripts/fuzz_scenarios.py``, the long-run version: lines deleted or duplicated, values of
other types or extreme numbers, misspelt keys, deep nesting, truncation, garbage). For each,
``loyaltysim validate`` must exit 0 or 2 without a traceback, every problem must carry a line
(or name the ``--set`` argument it comes from), and an accepted file must run a few days at
tiny size. Derandomized, so a failure reproduces; 1,000 files, half a minute alone and
about two beside the rest of the suite (2,000 took four there, an eighth of the suite's
work). The long run is ``python scripts/fuzz_scenarios.py --files 10000``.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "fuzz_scenarios", ROOT / "scripts" / "fuzz_scenarios.py"
)
assert _spec is not None and _spec.loader is not None
fuzz = importlib.util.module_from_spec(_spec)
sys.modules["fuzz_scenarios"] = fuzz
_spec.loader.exec_module(fuzz)

SOURCES = {p.name: p.read_text(encoding="utf-8") for p in fuzz.SCENARIOS}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=st.sampled_from(sorted(SOURCES)), rng=st.randoms(use_true_random=False))
def test_mutated_scenarios_never_fall_over(folder: Path, name: str, rng: random.Random) -> None:
    path = folder / name
    path.write_text(fuzz.mutate(SOURCES[name], rng), encoding="utf-8")
    outcome = fuzz.check_file(path)
    assert not outcome.crash, outcome.crash
    assert outcome.status in (0, 2), outcome.stderr
    assert not outcome.unlocated, outcome.stderr


def test_problems_from_set_name_the_argument(folder: Path) -> None:
    status, stderr, crash = fuzz._validate(ROOT / "scenarios" / "baseline.toml", ("run.days=x",))
    assert (status, crash) == (2, "")
    assert "(--set run.days=x): run.days: expected an integer" in stderr
    assert fuzz.unlocated_problems(stderr) == []


def test_unlocated_problems_are_found() -> None:
    stderr = "loyaltysim: 2 problems in a.toml:\n  a.toml:3: x: expected 1, given 2\n  a.toml: y\n"
    assert fuzz.unlocated_problems(stderr) == ["  a.toml: y"]
