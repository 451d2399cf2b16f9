"""Mesa habits: batch_run gives market rows, a keyword constructor, nothing Mesa 4 removes."""

from __future__ import annotations

import ast
import math
import re
import warnings

import mesa
import numpy as np
import pandas as pd
import pytest

import loyaltysim
from conftest import REPO_ROOT
from loyaltysim import LoyaltyModel, ScenarioError, Shop, load_scenario
from loyaltysim.engine import figures
from loyaltysim.engine.figures import AcrossShops, Counter, Figure, PerRun
from loyaltysim.engine.ledger import MarketDay, market_columns
from loyaltysim.engine.totals import ShopTotals

#: The market columns, after day: registry order, the shops' shares last.
MARKET = [
    *("customers", "orders", "revenue", "profit", "mean_satisfaction", "mean_trust"),
    *("new_customers", "churned", "complaints", "complaints_resolved", "wom_positive"),
    *("wom_negative", "shipping_cost", "compensation", "late", "damaged", "lost", "discounts"),
    "strategy_cost",
]


def _stepped(scenario, days: int, rng: int = 3) -> LoyaltyModel:
    model = LoyaltyModel(scenario, rng=rng)
    for _ in range(scenario.run.warmup_days + days):
        model.step()
    return model


# ------------------------------------------------------------------ the market rows
def test_the_batch_run_of_the_issue_gives_one_row_per_step_and_iteration(monkeypatch):
    monkeypatch.chdir(REPO_ROOT)  # the issue's call, word for word
    sc = loyaltysim.load_scenario("scenarios/baseline.toml", overrides={"market.customers": 500})
    rows = mesa.batch_run(
        loyaltysim.LoyaltyModel, parameters={"scenario": [sc]}, rng=[None] * 2, max_steps=5
    )
    assert [(r["iteration"], r["Step"], r["day"]) for r in rows] == [(0, 5, -176), (1, 5, -176)]
    assert set(MARKET) <= set(rows[0])  # the last step of each iteration (the default period)
    every = mesa.batch_run(
        LoyaltyModel,
        parameters={"scenario": [sc]},
        rng=[None] * 2,
        max_steps=5,
        data_collection_period=1,
        display_progress=False,
    )
    table = pd.DataFrame(every)
    assert (
        len(table) == 10
        and table.groupby("iteration")["day"].apply(list).tolist()
        == [[-180, -179, -178, -177, -176]] * 2
    )
    assert table["customers"].between(490, 510).all() and (table["orders"] >= 0).all()
    shares = table[["thrift.market_share", "premium.market_share", "middle.market_share"]]
    assert np.allclose(shares.sum(axis=1)[table["orders"] > 0], 1.0)


def test_market_columns_from_a_hand_made_day():
    """Two shops: 3 and 1 orders, 2 experienced customers each with satisfaction sums 1.0, 1.6."""
    totals = ShopTotals.zeros(2)
    totals.experienced[:] = [2, 2]
    totals.satisfaction_sum[:] = [1.0, 1.6]
    totals.trust_sum[:] = [0.5, 0.3]
    daily = {f.name: np.zeros(2) for f in figures.daily_figures()}
    daily.update(orders=np.array([3.0, 1.0]), revenue=np.array([150.0, 120.0]))
    daily["market_share"] = np.array([0.75, 0.25])
    day = MarketDay(day=4, figures=daily, totals=totals, customers=17)
    columns = market_columns(["a", "b"])
    assert list(columns) == ["day", *MARKET, "a.market_share", "b.market_share"]
    row = {name: column(day) for name, column in columns.items()}
    assert (row["day"], row["customers"], row["orders"], row["revenue"]) == (4, 17, 4.0, 270.0)
    assert row["mean_satisfaction"] == pytest.approx(2.6 / 4)  # pooled over the four pairs
    assert row["mean_trust"] == pytest.approx(0.2)
    assert (row["a.market_share"], row["b.market_share"]) == (0.75, 0.25)
    assert math.isnan(MarketDay(0, daily, ShopTotals.zeros(2), 0).mean("trust"))


def test_the_market_rows_add_up_the_shop_rows(small_scenario):
    model = _stepped(small_scenario, days=12)
    market = model.datacollector.get_model_vars_dataframe()
    shops = model.datacollector.get_agenttype_vars_dataframe(Shop).reset_index(drop=True)
    assert market["day"].tolist() == list(range(-5, 12))  # every step, the warm-up too
    assert shops["day"].min() == 0 and len(shops) == 2 * 12  # the shop rows: recorded days
    recorded = market[market["day"] >= 0].set_index("day")
    by_day = shops.groupby("day")
    for name in ("orders", "revenue", "profit", "churned", "late", "discounts"):
        np.testing.assert_allclose(recorded[name], by_day[name].sum(), err_msg=name)
    wide = shops.pivot(index="day", columns="shop", values="market_share")
    np.testing.assert_allclose(recorded["cheap.market_share"], wide["cheap"])
    np.testing.assert_allclose(recorded["dear.market_share"], wide["dear"])
    # the last day, recounted from the customers' state
    state = model.state
    served = state.active[:, None] & (state.experiences > 0)
    last = recorded.iloc[-1]
    assert last["customers"] == state.active.sum()
    assert last["mean_satisfaction"] == pytest.approx(state.satisfaction[served].mean(), rel=1e-5)
    assert last["mean_trust"] == pytest.approx(state.trust[served].mean(), rel=1e-5)


def test_every_row_pays_the_daily_costs_the_warm_up_too(small_scenario_file):
    """Fixed costs of 10 and 5 a day change nothing but profit, by 15 on every row."""
    rows = {}
    for cheap, dear in ((0, 0), (10, 5)):
        scenario = load_scenario(
            small_scenario_file,
            overrides={
                "shops.cheap.fixed_cost_per_day": cheap,
                "shops.dear.fixed_cost_per_day": dear,
            },
        )
        rows[cheap + dear] = _stepped(scenario, days=3).datacollector.get_model_vars_dataframe()
    assert (rows[0]["day"] < 0).sum() == 5
    np.testing.assert_allclose(rows[0]["profit"] - rows[15]["profit"], [15.0] * 8)
    pd.testing.assert_frame_equal(rows[0].drop(columns="profit"), rows[15].drop(columns="profit"))


def test_a_new_figure_is_a_market_column_with_no_other_edit(small_scenario, monkeypatch):
    rent = Figure(
        "rent",
        "rent",
        "money",
        "the shop's price, paid every day (a test figure)",
        Counter(cost=True, per_day="price"),
        per_run=PerRun.SUM,
        across_shops=AcrossShops.SUM,
    )
    monkeypatch.setattr(figures, "REGISTRY", (*figures.REGISTRY, rent))
    market = _stepped(small_scenario, days=2).datacollector.get_model_vars_dataframe()
    assert market["rent"].tolist() == [60.0 + 120.0] * 7  # both shops' prices, every day


# ------------------------------------------------------------------ the keyword constructor
def test_keywords_are_set_overrides(small_scenario_file):
    model = LoyaltyModel.from_file(
        small_scenario_file,
        rng=5,
        shops__cheap__price=55,
        shops__dear={"price": np.float64(99.5), "quality": 0.8},
        **{"market.customers": np.int64(300)},
    )
    same = load_scenario(
        small_scenario_file,
        overrides=[
            "shops.cheap.price=55",
            "shops.dear.price=99.5",
            "shops.dear.quality=0.8",
            "market.customers=300",
        ],
    )
    assert model.config == same
    assert isinstance(model.config.market.customers, int) and model.state.active.sum() == 300


@pytest.mark.parametrize(
    ("keywords", "says"),
    [
        ({"shops__chaep__price": 55}, "unknown shop 'chaep', did you mean 'cheap'?"),
        ({"market__customer": 5}, "unknown key 'customer', did you mean 'customers'?"),
        ({"market__customers": "many"}, "market.customers: expected an integer"),
        ({"market__customers": None}, "(market__customers=None): market.customers: expected a"),
    ],
)
def test_bad_keywords_raise_the_scenario_error_of_set(small_scenario_file, keywords, says):
    with pytest.raises(ScenarioError) as caught:
        LoyaltyModel.from_file(small_scenario_file, **keywords)
    assert says in str(caught.value)
    assert str(small_scenario_file) in str(caught.value)


def test_the_keyword_constructor_in_batch_run_with_two_prices(small_scenario_file):
    rows = mesa.batch_run(
        LoyaltyModel.from_file,
        parameters={"path": str(small_scenario_file), "shops__cheap__price": [50.0, 70.0]},
        rng=[11],
        max_steps=5 + 4,
        data_collection_period=1,
        display_progress=False,
    )
    table = pd.DataFrame(rows)
    assert table.groupby("shops__cheap__price").size().to_dict() == {50.0: 9, 70.0: 9}
    for price in (50.0, 70.0):
        scenario = load_scenario(small_scenario_file, overrides={"shops.cheap.price": price})
        direct = _stepped(scenario, days=4, rng=11).datacollector.get_model_vars_dataframe()
        ran = table[table["shops__cheap__price"] == price].reset_index(drop=True)
        pd.testing.assert_frame_equal(ran[direct.columns], direct)
    recorded = table[table["day"] >= 0].groupby("shops__cheap__price")["revenue"].sum()
    assert recorded[50.0] != recorded[70.0]


def test_the_batch_run_example_of_the_docs_runs(monkeypatch):
    text = (REPO_ROOT / "docs" / "experiments.md").read_text(encoding="utf-8")
    section = text.split("## Mesa's `batch_run`", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    monkeypatch.chdir(REPO_ROOT)
    scope: dict = {}
    exec(compile(code, "docs/experiments.md", "exec"), scope)
    table = scope["table"]
    assert len(table) == 2 * 2 * 30  # prices x seeds x days
    assert table.groupby("shops__thrift__price")["day"].max().tolist() == [29, 29]


# ------------------------------------------------------------------ ready for Mesa 4
#: Modules that Mesa 4 removes (the legacy spaces, the batch runner, the Simulators).
REMOVED_MODULES = ("mesa.space", "mesa.batchrunner", "mesa.experimental.devs")


def _removed_use(node: ast.AST) -> str | None:
    """What ``node`` uses that Mesa 4 removes, if anything."""
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if (name == "__init__" or name.endswith("Model")) and any(
            k.arg == "seed" for k in node.keywords
        ):
            return "seed="
        return "reset_randomizer" if name == "reset_randomizer" else None
    if isinstance(node, ast.Attribute):
        base = node.value
        on_model = (isinstance(base, ast.Name) and base.id in ("model", "self")) or (
            isinstance(base, ast.Attribute) and base.attr in ("model", "_model")
        )
        if node.attr == "steps" and on_model:
            return ".steps"
        return "batch_run" if node.attr == "batch_run" else None
    if isinstance(node, ast.Import | ast.ImportFrom):
        names = [getattr(node, "module", None) or "", *(a.name for a in node.names)]
        if any(
            n.startswith(REMOVED_MODULES) or n.endswith(("Simulator", "batch_run")) for n in names
        ):
            return f"import {', '.join(filter(None, names))}"
        return None
    indexed = isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute)
    return "AgentSet indexing" if indexed and node.value.attr == "agents" else None


def mesa4_removals(source: str) -> list[str]:
    """``line: use`` for each use of a Mesa API that Mesa 4 removes: ``seed=``,
    ``model.steps``, the Simulators, ``batch_run``, ``mesa.space``, indexing an AgentSet."""
    return [
        f"{node.lineno}: {use}"
        for node in ast.walk(ast.parse(source))
        if (use := _removed_use(node)) is not None
    ]


def test_the_scanner_finds_each_removed_api():
    source = """
from mesa.experimental.devs import ABMSimulator
from mesa import batch_run
import mesa.space
class M(mesa.Model):
    def __init__(self, seed=None):
        super().__init__(seed=seed)
        self.reset_randomizer(3)
    def step(self):
        if self.steps > 3 or self.model.steps:
            first = self.agents[0]
mesa.batch_run(M, {})
"""
    kinds = sorted(hit.split(": ", 1)[1].split()[0] for hit in mesa4_removals(source))
    assert kinds == [
        *(".steps", ".steps", "AgentSet", "batch_run", "import", "import", "import"),
        *("reset_randomizer", "seed="),
    ]


def test_the_package_uses_no_api_that_mesa_4_removes():
    found = {
        str(path.relative_to(REPO_ROOT)): hits
        for path in sorted((REPO_ROOT / "src" / "loyaltysim").rglob("*.py"))
        if (hits := mesa4_removals(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_a_model_runs_with_mesas_deprecations_as_errors(small_scenario_file):
    with warnings.catch_warnings():
        for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
            warnings.simplefilter("error", category)
        model = LoyaltyModel.from_file(small_scenario_file, rng=2, market__customers=200)
        model.run_for(7)  # Mesa 4's way to advance time: the market rows come along
        assert model.datacollector.get_model_vars_dataframe()["day"].tolist() == list(range(-5, 2))
        assert len(model.agents_by_type[Shop].to_list()) == 2
        assert model.network.G.number_of_nodes() == model.state.slots
        model.datacollector.get_agenttype_vars_dataframe(Shop)


def test_the_readme_states_the_supported_mesa_range():
    pinned = re.search(r'"mesa>=([\d.]+),<([\d.]+)"', (REPO_ROOT / "pyproject.toml").read_text())
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert pinned is not None
    assert f"Mesa {pinned.group(1)}" in readme and f"<{pinned.group(2)}" in readme.replace(" ", "")
