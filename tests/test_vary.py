"""``loyaltysim run --vary KEY=lo:hi:n``: one key's values as the variants of a run."""

from __future__ import annotations

import pandas as pd
import pytest

from loyaltysim.cli import main
from loyaltysim.scenario.problems import ScenarioError
from loyaltysim.scenario.vary import load_varied, variant_name, vary_values

USAGE_ERROR = 2
PRICE = ("shops", "cheap", "price")


@pytest.mark.parametrize(
    ("item", "values"),
    [
        ("shops.cheap.price=50:70:5", [50, 55, 60, 65, 70]),  # whole steps stay integers
        ("shops.cheap.price=0:1:5", [0.0, 0.25, 0.5, 0.75, 1.0]),
        ("shops.cheap.price=0.1:0.3:3", [0.1, 0.2, 0.3]),  # not 0.30000000000000004
        ("shops.cheap.price=[55, 65.5]", [55, 65.5]),
        ("shops.cheap.price=55,65.5", [55, 65.5]),
        ("network.kind=small_world,well_mixed", ["small_world", "well_mixed"]),
        ("shops.cheap.price=80", [80]),
    ],
)
def test_the_three_forms(item, values):
    path, found = vary_values(item)
    assert path == tuple(item.split("=")[0].split("."))
    assert found == values
    assert [type(v) for v in found] == [type(v) for v in values]


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("shops.cheap.price=50:70", "lo:hi:n"),
        ("shops.cheap.price=50:70:1", "lo:hi:n"),
        ("shops.cheap.price=50:70:2.5", "lo:hi:n"),
        ("shops.cheap.price=a:b:3", "lo:hi:n"),
        ("shops.cheap.price=[50, 50]", "values that differ (given price=50, price=50)"),
        ("shops.cheap.price", "KEY=VALUE"),
    ],
)
def test_malformed_arguments(item, expected):
    with pytest.raises(ValueError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        vary_values(item)


def test_variant_names_are_the_values():
    assert variant_name(PRICE, 80) == "price=80"
    assert variant_name(PRICE, 0.1 + 0.2) == "price=0.3"
    assert variant_name(("output", "figures"), False) == "figures=false"


def test_the_values_replace_the_files_variants(small_scenario_file):
    scenario = load_varied(small_scenario_file, ["run.days=10"], "shops.cheap.price=50:70:3")
    assert scenario.run.days == 10  # --set applies to the base, so to every variant
    assert scenario.shops["cheap"].price == 60.0  # the base keeps the file's value
    assert scenario.variants == {  # the file's `tracking` variant is not run
        "price=50": {"shops": {"cheap": {"price": 50}}},
        "price=60": {"shops": {"cheap": {"price": 60}}},
        "price=70": {"shops": {"cheap": {"price": 70}}},
    }


def test_bad_values_are_checked_like_set_and_name_the_argument(small_scenario_file):
    with pytest.raises(ScenarioError) as caught:
        load_varied(small_scenario_file, [], "shops.cheap.price=-10:10:3")
    assert [str(p) for p in caught.value.problems] == [
        f"{small_scenario_file} (--vary shops.cheap.price=-10:10:3): shops.cheap.price: "
        "expected a number > 0, given -10",
        f"{small_scenario_file} (--vary shops.cheap.price=-10:10:3): shops.cheap.price: "
        "expected a number > 0, given 0",
    ]


def test_a_misspelt_shop_gets_a_did_you_mean(main_in):
    status, out, err = main_in("run", "small.toml", "--vary", "shops.chep.price=50:70:3")
    assert status == USAGE_ERROR
    assert "small.toml (--vary shops.chep.price=50:70:3): shops.chep: " in err
    assert "did you mean 'cheap'?" in err
    assert err.count("shops.chep:") == 1  # one problem, not one per value
    assert out == ""


def test_a_varied_run_compares_each_value_with_the_base(main_in, tmp_path):
    status, out, _ = main_in(
        "run", "small.toml", "--vary", "shops.cheap.price=[60, 90]", "--quiet", "--workers", "1"
    )
    assert status == 0
    folder = tmp_path / "results" / "small_vary_price"
    assert "[price=90]" in out
    replications = pd.read_csv(folder / "replications.csv")
    assert list(replications["variant"].unique()) == ["base", "price=60", "price=90"]
    # The file's price is 60: that variant is the base, draw for draw (common random numbers).
    base = replications[replications["variant"] == "base"].drop(columns="variant")
    same = replications[replications["variant"] == "price=60"].drop(columns="variant")
    pd.testing.assert_frame_equal(base.reset_index(drop=True), same.reset_index(drop=True))
    summary = pd.read_csv(folder / "summary.csv")
    assert set(summary["variant"]) == {"base", "price=60", "price=90"}


@pytest.fixture
def main_in(tmp_path, monkeypatch, capsys, small_toml):
    """``main_in(*argv)`` -> (status, stdout, stderr), run in a folder with small.toml."""
    (tmp_path / "small.toml").write_text(small_toml, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    def call(*argv: str) -> tuple[int, str, str]:
        status = main(list(argv))
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return call
