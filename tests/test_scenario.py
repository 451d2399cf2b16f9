"""Scenario files: ``--set`` parsing, merging, variants, located errors, every scenario runs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import loyaltysim
from loyaltysim.scenario import Scenario, load_scenario, to_toml, variant_names, variant_of
from loyaltysim.scenario.keypaths import deep_merge
from loyaltysim.scenario.load import parse_set
from loyaltysim.scenario.problems import ScenarioError

REPO_ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((REPO_ROOT / "scenarios").glob("*.toml"))
DATA = Path(__file__).resolve().parent / "data"

#: Overrides that make any scenario quick enough for a test.
SHORT = {
    "market.customers": 400,
    "run.days": 25,
    "run.warmup_days": 5,
    "run.replications": 2,
    "output.figures": False,
}

TIMESERIES_COLUMNS = [
    "variant", "replication", "day", "shop", "aware", "buyers", "orders", "revenue", "profit",
    "market_share", "mean_satisfaction", "mean_trust", "repeat_share", "churned", "complaints",
    "complaints_resolved", "wom_positive", "wom_negative", "rating",
]  # fmt: skip


def test_scenarios_folder_is_not_empty():
    assert SCENARIOS, "scenarios/*.toml: no scenario files found"


# --------------------------------------------------------------------------------------------
# parse_set and deep_merge
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "path", "value"),
    [
        ("market.customers=123", ["market", "customers"], 123),
        ("shops.alpha.price=90.5", ["shops", "alpha", "price"], 90.5),
        ("output.figures=false", ["output", "figures"], False),
        ('name="my run"', ["name"], "my run"),
        ("network.kind=well_mixed", ["network", "kind"], "well_mixed"),  # bare word: text
        ("run.seed = 5", ["run", "seed"], 5),  # spaces around key and value
        (" a . b =[1, 2]", ["a", "b"], [1, 2]),
        ("description=a=b", ["description"], "a=b"),  # only the first '=' splits
        ("x.y=-3", ["x", "y"], -3),
        ("x.y=nan", ["x", "y"], "nan"),  # checked: NaN passes parsing, validation rejects it
    ],
)
def test_parse_set(item, path, value):
    parsed = parse_set(item)
    got_value = parsed.value
    assert list(parsed.path) == path
    assert parsed.argument == f"--set {item}"
    if isinstance(value, str) and value == "nan":
        assert isinstance(got_value, float)
        assert math.isnan(got_value)
    else:
        assert got_value == value
        assert type(got_value) is type(value)


@pytest.mark.parametrize("item", ["market.customers", "", "=3", "a..b=1", ".a=1", "a.=1"])
def test_parse_set_rejects_malformed_items(item):
    with pytest.raises(ValueError, match="KEY=VALUE"):
        parse_set(item)


def test_deep_merge_merges_tables_key_by_key():
    base = {"a": {"b": 1, "c": {"d": 2, "e": 3}}, "f": [1, 2]}
    override = {"a": {"c": {"d": 20}, "g": 4}, "f": [9]}
    merged = deep_merge(base, override)
    assert merged == {"a": {"b": 1, "c": {"d": 20, "e": 3}, "g": 4}, "f": [9]}


def test_deep_merge_replaces_non_tables_and_copies():
    base = {"a": 1, "b": {"c": 2}, "lst": [1]}
    override = {"a": {"x": 1}, "b": 5, "new": {"deep": [1, 2]}}
    merged = deep_merge(base, override)
    assert merged == {"a": {"x": 1}, "b": 5, "lst": [1], "new": {"deep": [1, 2]}}
    # Neither input is modified, and the result shares no mutable parts with them.
    assert base == {"a": 1, "b": {"c": 2}, "lst": [1]}
    merged["new"]["deep"].append(3)
    merged["lst"].append(2)
    assert override["new"]["deep"] == [1, 2]
    assert base["lst"] == [1]


# --------------------------------------------------------------------------------------------
# load_scenario, overrides, variants
# --------------------------------------------------------------------------------------------


def test_overrides_as_list_and_mapping_agree(small_scenario_file):
    as_list = load_scenario(small_scenario_file, ["market.customers=123", "shops.dear.price=99"])
    as_map = load_scenario(small_scenario_file, {"market.customers": 123, "shops.dear.price": 99.0})
    assert as_list.market.customers == 123
    assert as_list.shops["dear"].price == 99.0
    assert as_list == as_map
    # Other values keep the file's values.
    assert as_list.shops["cheap"].price == 60.0
    assert as_list.market.regions["remote"].share == 0.3


def test_override_can_reach_into_a_variant(small_scenario_file):
    scenario = load_scenario(small_scenario_file, ["variants.tracking.shops.cheap.price=55.0"])
    assert variant_of(scenario, "tracking").shops["cheap"].price == 55.0
    assert variant_of(scenario, "tracking").shops["cheap"].courier.tracking is True
    assert variant_of(scenario, "base").shops["cheap"].price == 60.0


def test_name_defaults_to_file_stem(tmp_path, small_toml):
    file = tmp_path / "nameless.toml"
    file.write_text(small_toml.replace('name = "small"\n', ""), encoding="utf-8")
    assert load_scenario(file).name == "nameless"


def test_variant_of_applies_overrides_and_base_has_none(small_scenario):
    assert variant_names(small_scenario) == ["base", "tracking"]
    base = variant_of(small_scenario, "base")
    assert base == small_scenario.base()
    assert base.variants == {}
    assert base.shops["cheap"].courier.tracking is False

    tracking = variant_of(small_scenario, "tracking")
    assert tracking.variants == {}
    assert tracking.shops["cheap"].courier.tracking is True
    # Only the overridden value differs.
    assert tracking.shops["cheap"].courier.model_copy(update={"tracking": False}) == (
        base.shops["cheap"].courier
    )
    assert tracking.shops["dear"] == base.shops["dear"]
    assert tracking.market == base.market
    assert tracking.run == base.run
    # The scenario itself is untouched (models are frozen, but check the variant table too).
    assert small_scenario.variants == {
        "tracking": {"shops": {"cheap": {"courier": {"tracking": True}}}}
    }


def test_unknown_variant_is_a_key_error(small_scenario):
    with pytest.raises(KeyError):
        variant_of(small_scenario, "no_such_variant")


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_scenario_round_trips_through_toml(path, tmp_path):
    scenario = load_scenario(path)
    again = tmp_path / "again.toml"
    again.write_text(to_toml(scenario), encoding="utf-8")
    assert load_scenario(again) == scenario
    for name in variant_names(scenario):
        variant_of(scenario, name)  # every variant is valid


# --------------------------------------------------------------------------------------------
# Located errors, one category at a time (in-process; the CLI tests repeat a few end to end)
# --------------------------------------------------------------------------------------------

SHOP = "[shops.alpha]\nprice = 50.0\nquality = 0.6\nunit_cost = 30.0\n"  # lines 1-4 when first

# (id, toml text, line, key path, a fragment of "expected", a fragment of "given")
ERROR_CASES = [
    ("unknown key", "[shops.alpha]\nprice = 5.0\nprise = 5.0\nquality = 0.6\nunit_cost = 3.0\n",
     3, "shops.alpha.prise", "known keys: acquisition_cost", "'prise', did you mean 'price'?"),
    ("text for integer", SHOP + '[run]\ndays = "ten"\n', 6, "run.days", "an integer", '"ten"'),
    ("text for number", '[shops.alpha]\nprice = "50"\nquality = 0.6\nunit_cost = 30.0\n',
     2, "shops.alpha.price", "a number", '"50"'),
    ("bool for number", "[shops.alpha]\nprice = true\nquality = 0.6\nunit_cost = 30.0\n",
     2, "shops.alpha.price", "a number", "true"),
    ("float for integer", SHOP + "[market]\ncustomers = 500.5\n",
     6, "market.customers", "an integer", "500.5"),
    ("negative price", "[shops.alpha]\nprice = -5.0\nquality = 0.6\nunit_cost = 30.0\n",
     2, "shops.alpha.price", "> 0", "-5.0"),
    ("share above 1", SHOP + "initial_awareness = 1.5\n",
     5, "shops.alpha.initial_awareness", "<= 1", "1.5"),
    ("negative rate", SHOP + "[market]\ndeparture_rate = -0.1\n",
     6, "market.departure_rate", ">= 0", "-0.1"),
    ("nan", "[shops.alpha]\nprice = 50.0\nquality = nan\nunit_cost = 30.0\n",
     3, "shops.alpha.quality", "finite", "nan"),
    ("inf", SHOP + "fixed_cost_per_day = inf\n", 5, "shops.alpha.fixed_cost_per_day", "finite",
     "inf"),
    ("missing required", "[shops.alpha]\nprice = 50.0\nunit_cost = 30.0\n",
     1, "shops.alpha.quality", "required", "nothing"),
    ("unknown literal", SHOP + '[network]\nkind = "lattice"\n', 6, "network.kind", "one of",
     '"lattice"'),
    ("region shares", SHOP + "[market.regions.a]\nshare = 0.5\n[market.regions.b]\nshare = 0.4\n",
     5, "market.regions", "add up to 1", "0.9"),
    ("segment shares", SHOP + "[market.segments.young]\nshare = 0.3\n",
     5, "market.segments", "add up to 1", "0.3"),
    ("arrival shares", SHOP + "[market.segments.a]\nshare = 1.0\narrival_share = 0.5\n",
     5, "market.segments", "add up to 1", "0.5"),
    ("unknown next segment",
     SHOP + '[market.segments.a]\nshare = 1.0\nduration_days = 30.0\nnext = "b"\n',
     8, "market.segments.a.next", "one of ['a']", "'b'"),
    ("next without duration",
     SHOP + '[market.segments.a]\nshare = 0.5\nnext = "b"\n[market.segments.b]\nshare = 0.5\n',
     5, "market.segments.a.duration_days", "number of days", "nothing"),
    ("unknown region", SHOP + "[shops.alpha.courier_by_region.mars]\non_time = 0.5\n",
     5, "shops.alpha.courier_by_region.mars", "a region of ['all']", "'mars'"),
    ("courier outcomes", SHOP + "[shops.alpha.courier]\ndamage_rate = 0.7\nloss_rate = 0.6\n",
     5, "shops.alpha.courier", "at most 1", ""),
    ("variant bad value", SHOP + "[variants.v]\nshops.alpha.price = -1.0\n",
     6, "variants.v.shops.alpha.price", "> 0", "-1.0"),
    ("variant unknown key", SHOP + "[variants.v]\nrun.dayz = 3\n",
     6, "variants.v.run.dayz", "known keys: days,", "'dayz', did you mean 'days'?"),
    ("variant region shares", SHOP + "[variants.v]\nmarket.regions.all.share = 0.5\n",
     6, "variants.v.market.regions", "add up to 1", "0.5"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "line", "path", "expected", "given"),
    [case[1:] for case in ERROR_CASES],
    ids=[case[0] for case in ERROR_CASES],
)
def test_each_error_is_located(tmp_path, text, line, path, expected, given):
    file = tmp_path / "bad.toml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(file)
    problems = caught.value.problems
    assert len(problems) == 1, str(caught.value)
    (problem,) = problems
    assert (problem.file, problem.line, problem.path) == (str(file), line, path)
    assert expected in problem.expected
    assert given in problem.given
    message = str(caught.value)
    assert f"{file}:{line}: {path}: expected" in message


def test_all_problems_of_a_file_at_once():
    file = DATA / "bad_multi.toml"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(file)
    located = [(p.line, p.path) for p in caught.value.problems]
    assert located == [
        (5, "run.days"),
        (11, "market.regions"),
        (17, "shops.alpha.prise"),
        (21, "shops.alpha.initial_awareness"),
        (24, "shops.beta.price"),
        (25, "shops.beta.quality"),
        (28, "shops.beta.courier_by_region.mountains"),
    ]
    # The line numbers above are those the file's own comments claim.
    lines = file.read_text(encoding="utf-8").splitlines()
    for line, _ in located:
        assert f"line {line}:" in lines[line - 1]


def test_variant_errors_point_at_the_override_lines():
    file = DATA / "bad_variants.toml"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(file)
    located = [(p.line, p.path) for p in caught.value.problems]
    assert located == [
        (14, "variants.cheaper.shops.alpha.price"),
        (17, "variants.typo.shops.alpha.prise"),
        (20, "variants.slow.run.days"),
        (23, "variants.far.shops.alpha.courier_by_region.mars"),
    ]
    assert "fine" not in str(caught.value)


def test_bad_override_blames_the_set_argument(small_scenario_file):
    # The value comes from --set, not from `customers = 500` on line 11 of the file.
    with pytest.raises(ScenarioError) as caught:
        load_scenario(small_scenario_file, ["market.customers=many"])
    (problem,) = caught.value.problems
    assert problem.path == "market.customers"
    assert problem.line is None
    assert problem.argument == "--set market.customers=many"
    assert problem.expected == "an integer"
    assert '"many"' in problem.given
    assert f"{small_scenario_file} (--set market.customers=many): market.customers:" in str(
        caught.value
    )


def test_malformed_override_is_a_scenario_error(small_scenario_file):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(small_scenario_file, ["market.customers"])
    (problem,) = caught.value.problems
    assert problem.argument == "--set market.customers"
    assert problem.expected.startswith("KEY=VALUE")
    assert problem.given == "'market.customers'"  # said once, not repeated in the message
    assert str(caught.value).count("market.customers") == 2  # the argument and the given


def test_missing_and_undecodable_files(tmp_path):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "missing.toml")
    assert "missing.toml" in str(caught.value)
    assert "readable" in str(caught.value)

    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(b'name = "ok"\n\ndescription = "caf\xe9"\n')
    with pytest.raises(ScenarioError) as caught:
        load_scenario(latin1)
    (problem,) = caught.value.problems
    assert problem.line == 3
    assert "UTF-8" in problem.expected


def test_syntax_error_has_a_line():
    with pytest.raises(ScenarioError) as caught:
        load_scenario(DATA / "bad_syntax.toml")
    (problem,) = caught.value.problems
    assert problem.line == 5
    assert problem.expected == "valid TOML"


def test_model_validation_rejects_cross_reference_errors_directly():
    """Building a Scenario in Python gets the same checks as a file."""
    data = {
        "shops": {"a": {"price": 1.0, "quality": 0.5, "unit_cost": 0.5}},
        "market": {"regions": {"x": {"share": 0.5}}},
    }
    with pytest.raises(ValueError, match=r"market\.regions: expected shares that add up to 1"):
        Scenario.model_validate(data)


# --------------------------------------------------------------------------------------------
# Every scenario in scenarios/ runs and produces complete, consistent tables
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_every_scenario_runs(path):
    scenario = load_scenario(path, SHORT)
    result = loyaltysim.run(scenario)
    variants = variant_names(scenario)
    shops = list(scenario.shops)
    reps, days = scenario.run.replications, scenario.run.days

    ts = result.timeseries
    assert not ts.empty
    assert set(TIMESERIES_COLUMNS) <= set(ts.columns)
    # Exactly one row per variant x replication x day x shop.
    assert len(ts) == len(variants) * reps * days * len(shops)
    assert not ts.duplicated(["variant", "replication", "day", "shop"]).any()
    assert sorted(ts["variant"].unique()) == sorted(variants)
    assert sorted(ts["replication"].unique()) == list(range(reps))
    assert sorted(ts["day"].unique()) == list(range(days))
    assert sorted(ts["shop"].unique()) == sorted(shops)
    assert ts[["orders", "revenue", "aware", "buyers"]].ge(0).all().all()
    assert ts["orders"].sum() > 0

    # Market shares of a day add up to 1 when anyone ordered that day, else to 0.
    day = ts.groupby(["variant", "replication", "day"])[["market_share", "orders"]].sum()
    with_orders = day["orders"] > 0
    assert with_orders.any()
    np.testing.assert_allclose(day.loc[with_orders, "market_share"], 1.0, rtol=0, atol=1e-9)
    assert (day.loc[~with_orders, "market_share"] == 0).all()

    summary = result.summary
    assert not summary.empty
    assert {"variant", "shop", "figure", "mean", "ci_low", "ci_high"} <= set(summary.columns)
    for figure in ("retention", "repurchase_rate", "orders", "revenue", "market_share"):
        rows = summary[summary["figure"] == figure]
        got = set(zip(rows["variant"], rows["shop"], strict=True))
        assert got == {(v, s) for v in variants for s in shops}, figure
        assert len(rows) == len(variants) * len(shops), figure
    assert not summary.duplicated(["variant", "shop", "figure"]).any()
    bounded = summary.dropna(subset=["mean", "ci_low", "ci_high"])
    tol = 1e-9 * (1 + bounded["mean"].abs())
    assert (bounded["ci_low"] <= bounded["mean"] + tol).all()
    assert (bounded["mean"] <= bounded["ci_high"] + tol).all()
    assert summary.loc[summary["figure"] == "orders", "mean"].notna().all()

    assert len(result.replications) == len(variants) * reps * len(shops)
    assert not result.retention.empty
    assert result.retention["retention"].dropna().between(0, 1).all()


# --------------------------------------------------------------------------------------------
# Input that never falls over: each case was a traceback or a problem without a line
# --------------------------------------------------------------------------------------------

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"


def _problems_of(tmp_path, text, sets=()):
    file = tmp_path / "bad.toml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(file, list(sets))
    return caught.value.problems


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (SHOP + "x = " + "[" * 1000 + "1" + "]" * 1000 + "\n", 5),
        (SHOP + "\n\nx = " + "{ a = " * 1000 + "1" + " }" * 1000 + "\n", 7),
        (SHOP + "[[" * 600 + "\n", 5),
    ],
    ids=["nested lists", "nested inline tables", "unclosed headers"],
)
def test_deep_nesting_is_a_located_problem(tmp_path, text, line):
    # Was RecursionError from tomllib (exit 1).
    (problem,) = _problems_of(tmp_path, text)
    assert problem.line == line
    assert "nested" in problem.expected or problem.expected == "valid TOML"


def test_cross_reference_checks_skip_values_of_the_wrong_type(tmp_path):
    # Was TypeError: 'bool' object is not iterable, in the events' shop check.
    text = SHOP + '\n[[events]]\nkind = "data_breach"\nshop = true\nday = 1\n'
    (problem,) = _problems_of(tmp_path, text)
    assert (problem.line, problem.path) == (8, "events[0].shop")
    assert problem.expected == "text"
    assert problem.given == "true (true/false)"


def test_cross_reference_problems_still_found_beside_type_errors(tmp_path):
    text = SHOP + '[run]\ndays = "x"\n[[events]]\nkind = "data_breach"\nshop = "omega"\nday = 1\n'
    located = [(p.line, p.path) for p in _problems_of(tmp_path, text)]
    assert located == [(6, "run.days"), (9, "events[0].shop")]


def test_syntax_error_at_end_of_file_has_the_last_line(tmp_path):
    # tomllib says "at end of document"; the problem used to have no line.
    (problem,) = _problems_of(tmp_path, SHOP + 'name = "abc')
    assert problem.line == 5
    assert problem.expected == "valid TOML"


def test_missing_shops_table_is_reported_at_line_1(tmp_path):
    (problem,) = _problems_of(tmp_path, '# no shops\nname = "x"\n')
    assert (problem.line, problem.path) == (1, "shops")


@pytest.mark.parametrize(
    ("item", "path", "expected"),
    [
        # was OverflowError at run time
        ("run.start_date=9999-12-31", "run.start_date", "a date <= 2200-12-31"),
        ("run.start_date=0001-01-01", "run.start_date", "a date >= 1900-01-01"),
        ("shops.thrift.courier.mean_delay_days=1e26", "shops.thrift.courier.mean_delay_days",
         "<= 365"),  # was ValueError: lam value too large, at run time
        ("market.arrival_rate=1e26", "market.arrival_rate", "<= 1"),
        ("network.mean_degree=1e308", "network.mean_degree", "<= 1000"),
    ],
)  # fmt: skip
def test_values_that_crashed_a_run_are_refused(item, path, expected):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BASELINE, [item])
    (problem,) = caught.value.problems
    assert (problem.path, problem.argument, problem.line) == (path, f"--set {item}", None)
    assert expected in problem.expected


def test_misspelt_key_in_set_says_did_you_mean_and_blames_the_argument():
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BASELINE, ["shops.thrift.prise=3"])
    (problem,) = caught.value.problems
    assert problem.given == "unknown key 'prise', did you mean 'price'?"
    assert problem.argument == "--set shops.thrift.prise=3"
    assert f"{BASELINE} (--set shops.thrift.prise=3): shops.thrift.prise:" in str(caught.value)
    assert "baseline.toml:47" not in str(caught.value)


@pytest.mark.parametrize(
    ("item", "path", "given"),
    [
        ("shops.thirft.price=3", "shops.thirft", "unknown shop 'thirft', did you mean 'thrift'?"),
        ("market.regions.coastl.share=1", "market.regions.coastl", "unknown region 'coastl'"),
        ("shops.thrift.courier_by_region.nowhere.cost=1", "shops.thrift.courier_by_region.nowhere",
         "unknown region 'nowhere'"),
    ],
)  # fmt: skip
def test_misspelt_name_in_set_is_one_problem(item, path, given):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BASELINE, [item])
    (problem,) = caught.value.problems  # not one "required" problem per key of a shop
    assert (problem.path, problem.argument) == (path, f"--set {item}")
    assert problem.given.startswith(given)


def test_set_of_a_whole_new_named_table_is_allowed():
    shop = "{ price = 50.0, quality = 0.5, unit_cost = 30.0 }"
    scenario = load_scenario(BASELINE, [f"shops.newcomer={shop}"])
    assert scenario.shops["newcomer"].price == 50.0


@pytest.mark.parametrize(
    ("sets", "expected", "given"),
    [
        (["network.mean_degree=0.5"], "a whole number for a small_world network", "0.5"),
        (["market.customers=50", "network.mean_degree=365"], "below market.customers (50)",
         "365"),
    ],
)  # fmt: skip
def test_network_the_engine_cannot_build_is_refused(sets, expected, given):
    # Both validated, then raised ValueError when the model built its network.
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BASELINE, sets)
    (problem,) = caught.value.problems
    assert (problem.path, problem.argument) == ("network.mean_degree", f"--set {sets[-1]}")
    assert expected in problem.expected
    assert problem.given == given
    load_scenario(BASELINE, ["network.kind=well_mixed", *sets])  # no network: no such limit
