"""benchmarks/bench_engines.py on a tiny population: the table's shape and one scenario for all.

No time is asserted: the point is that the current engine and the engine of commit 345e02d
(extracted by the script with ``git archive``) both load the generated scenario file and run
it, each from its own ``src``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "bench_engines.py"

pytestmark = pytest.mark.skipif(
    not (ROOT / ".git").exists(), reason="needs the git history for commit 345e02d"
)


def bench(*options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *options], capture_output=True, text=True, check=False
    )


def test_both_engines_run_the_same_tiny_scenario(tmp_path: Path) -> None:
    out = tmp_path / "engines.json"
    done = bench(
        "--sizes", "small", "--subjects", "current,first", "--repeat", "1",
        "--customers", "300", "--days", "5", "--json", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == [
        "subject", "size (customers × shops × days)", "construction s", "first-call s",
        "steps CPU s", "µs per customer-day", "process CPU s", "peak MiB", "ratio", "target",
        "met",
    ]  # fmt: skip
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    assert [row[0] for row in rows] == ["current engine", "engine at 345e02d"]
    assert all(row[1] == "300 × 3 × 5" and len(row) == len(header) for row in rows)
    assert rows[0][8] == "1.0×"

    saved = json.loads(out.read_text())
    current, first = (saved["runs"]["small"][name][0] for name in ("current", "first"))
    for run in (current, first):
        assert (run["customers"], run["shops"], run["days"], run["warmup_days"]) == (300, 3, 5, 0)
        assert run["agents"] == {"Customer": 300, "Shop": 3}
        assert run["steps_s"] >= run["first_s"] >= 0 and run["peak_mib"] > 0
    assert Path(current["loyaltysim"]).is_relative_to(ROOT / "src")
    assert not Path(first["loyaltysim"]).is_relative_to(ROOT)
    assert saved["environment"]["first_engine"].startswith("345e02d")


def test_an_unknown_size_is_a_clear_error() -> None:
    done = bench("--sizes", "small,tiny")
    assert done.returncode == 2
    assert "unknown size tiny; choose from small, large, huge" in done.stderr
