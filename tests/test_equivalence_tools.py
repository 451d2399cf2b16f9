"""scripts/equivalence.py and benchmarks/bench_crn.py on a tiny market; their statistics by hand.

The tools compare engines through children that import ``loyaltysim`` from a given tree. The
runs here are 300 customers x 20 days x 3 replications: enough to check the tables' structure
and the two exact facts the tools rest on: a tree compared with itself gives identical samples
(every difference exactly 0), and a variant equal to the base with common seeds gives paired
differences of exactly 0. No time is asserted.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import key_figures  # noqa: E402
from bench_crn import ratio_cis  # noqa: E402

TINY = ["--customers", "300", "--days", "20", "--set", "run.warmup_days=0", "--replications", "3"]
HAS_GIT = (ROOT / ".git").exists()


def tool(path: str, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / path), *options], capture_output=True, text=True, check=False
    )


def markdown_rows(stdout: str) -> tuple[list[str], list[list[str]]]:
    lines = [line for line in stdout.splitlines() if line.startswith("|")]
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    return cells[0], cells[2:]


@pytest.mark.skipif(not HAS_GIT, reason="needs the git history for --before HEAD")
def test_equivalence_of_head_and_the_checkout_has_a_row_per_variant_shop_and_figure() -> None:
    done = tool(
        "scripts/equivalence.py", "--before", "HEAD", "--after", str(ROOT), *TINY, "--markdown"
    )
    assert done.returncode == 0, done.stderr
    header, rows = markdown_rows(done.stdout)
    assert header[:3] == ["variant", "shop", "figure"]
    assert len(header) == 8
    per_variant = 3 * len(key_figures.SHOP_FIGURES) + len(key_figures.MARKET_FIGURES)
    assert len(rows) == 2 * per_variant  # base and thrift_reliable_courier
    assert {row[0] for row in rows} == {"base", "thrift_reliable_courier"}
    assert {row[1] for row in rows} == {"thrift", "premium", "middle", "market"}
    assert all(row[6] in {"yes", "no"} and row[7] in {"yes", "no"} for row in rows)
    # each child imported its own tree: the archive's src, then this checkout's
    before, after = (line for line in done.stdout.splitlines()[:2])
    assert str(ROOT / "src") not in before and "/src/loyaltysim/__init__.py" in before
    assert str(ROOT / "src" / "loyaltysim" / "__init__.py") in after


def test_a_tree_against_itself_differs_by_exactly_zero() -> None:
    done = tool(
        "scripts/equivalence.py", "--before", str(ROOT), "--after", str(ROOT), *TINY, "--markdown"
    )
    assert done.returncode == 0, done.stderr
    _, rows = markdown_rows(done.stdout)
    assert rows
    for row in rows:
        assert row[3] == row[4], row  # identical means and intervals
        assert row[5].startswith("0 ["), row  # the difference is exactly 0
        assert row[6] == "yes" and row[7] == "yes", row


def test_bench_crn_base_against_itself_has_zero_paired_differences_with_common_seeds() -> None:
    done = tool("benchmarks/bench_crn.py", "--variant", "base", *TINY, "--markdown")
    assert done.returncode == 0, done.stderr
    header, rows = markdown_rows(done.stdout)
    assert header[0] == "figure" and len(header) == 9
    assert [row[0] for row in rows] == [
        *(f"thrift.{f}" for f in ("retention", "market_share", "profit", "clv")),
        *(f"market.{f}" for f in ("orders", "profit", "hhi")),
    ]
    for row in rows:
        assert row[1] == "0 [0, 0]" and row[3] == "0", row  # common seeds: identical runs
        assert row[5] == "inf", row  # a variance over a variance of exactly 0
    # independent seeds: the same model on other streams differs somewhere
    assert any(float(row[4].replace(",", "")) > 0 for row in rows)


def test_bad_input_is_a_message_and_status_2() -> None:
    done = tool("scripts/equivalence.py", "--before", "no-such-revision", "--after", str(ROOT))
    assert done.returncode == 2
    assert "neither a folder with src/loyaltysim nor a git revision" in done.stderr
    done = tool("benchmarks/bench_crn.py", "--shop", "nosuchshop")
    assert done.returncode == 2
    assert "no shop 'nosuchshop'" in done.stderr
    done = tool("benchmarks/bench_crn.py", "--variant", "nosuch", *TINY)
    assert done.returncode == 2
    assert "no variant 'nosuch'" in done.stderr
    assert "Traceback" not in done.stderr


def test_welch_interval_by_hand() -> None:
    # before 0, 2 and after 1, 3: difference 1; each mean's variance 2/2 = 1, so se = sqrt(2);
    # Welch-Satterthwaite dof = 2^2 / (1^2/1 + 1^2/1) = 2, t(0.975, 2) = 4.302653
    diff, low, high = key_figures.welch_ci(np.array([0.0, 2.0]), np.array([1.0, 3.0]))
    assert diff == 1.0
    assert low == pytest.approx(1 - 4.302653 * 2**0.5, abs=1e-5)
    assert high == pytest.approx(1 + 4.302653 * 2**0.5, abs=1e-5)
    assert key_figures.welch_ci(np.ones(3), np.ones(3)) == (0.0, 0.0, 0.0)


def test_variance_ratio_and_its_f_interval_by_hand() -> None:
    # variances 1 and 4: ratio 4; F(2, 2) has CDF x / (1 + x), so its 2.5 % and 97.5 %
    # points are 1/39 and 39, and the interval is [4/39, 4 * 39]
    ratio, boot, f_ci = ratio_cis(np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0]))
    assert ratio == pytest.approx(4.0)
    assert f_ci == pytest.approx((4 / 39, 4 * 39))
    assert boot[0] == pytest.approx(4.0) and boot[1] == pytest.approx(4.0)  # d_indep = 2 d_common


def test_market_figures_combine_the_shops_of_each_replication() -> None:
    records = [
        {"variant": "base", "replication": 0, "shop": s, "orders": o, "profit": p,
         "complaints": c, "market_share": m, "retention": 1.0, "clv": 1.0,
         "repurchase_rate": 0.5, "mean_satisfaction": 0.5}
        for s, o, p, c, m in [("a", 6, 10.0, 1, 0.6), ("b", 4, -3.0, 2, 0.4)]
    ]  # fmt: skip
    table = key_figures.long_table(records)
    market = table[table["shop"] == "market"].set_index("figure")["value"]
    assert market.to_dict() == pytest.approx(
        {"orders": 10, "profit": 7.0, "complaints": 3, "hhi": 0.36 + 0.16}
    )
    assert len(table) == 2 * len(key_figures.SHOP_FIGURES) + len(key_figures.MARKET_FIGURES)
    assert isinstance(table, pd.DataFrame)
