"""The figure registry: one entry per figure, and every table built from it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from loyaltysim.analysis.labels import label_of
from loyaltysim.engine import figures
from loyaltysim.engine.agents import Shop
from loyaltysim.engine.figures import (
    AcrossShops,
    Counter,
    Derived,
    Figure,
    PerRun,
    cost_names,
    counter_names,
    daily_figures,
    market_level_figures,
    names,
    run_figures,
)
from loyaltysim.engine.ledger import DailyLedger
from loyaltysim.engine.model import LoyaltyModel
from loyaltysim.experiment.replication import simulate

#: The columns of timeseries.csv as they have always been (the golden digests hash them).
TIMESERIES = [
    *("aware", "customers", "buyers", "orders", "revenue", "profit", "market_share"),
    *("mean_satisfaction", "mean_trust", "repeat_share", "new_customers", "churned"),
    *("complaints", "complaints_resolved", "wom_positive", "wom_negative"),
    *("aware_by_advertising", "aware_by_word_of_mouth", "rating"),
    *("refunds", "cost_of_goods", "shipping_cost", "compensation", "advertising"),
    *("acquisition", "fixed_costs", "deliveries", "late", "damaged", "lost", "ratings"),
    *("breaches", "discounts", "strategy_cost"),
]


def _timeseries(scenario, days: int = 12) -> pd.DataFrame:
    model = LoyaltyModel(scenario, rng=np.random.default_rng(3))
    for _ in range(scenario.run.warmup_days + days):
        model.step()
    return model.datacollector.get_agenttype_vars_dataframe(Shop).reset_index(drop=True)


def test_daily_figures_are_the_timeseries_columns_in_their_order():
    assert names(daily_figures()) == TIMESERIES


def test_every_figure_is_well_formed():
    all_names = [f.name for f in figures.REGISTRY]
    assert len(set(all_names)) == len(all_names)
    for f in figures.REGISTRY:
        assert f.label and f.description, f.name
        assert set(f.of) <= set(all_names), f.name
        if PerRun.RATIO in (f.per_run, f.across_shops) or f.across_shops is AcrossShops.RATIO:
            assert len(f.of) == 2, f.name
        if f.per_run is PerRun.SHARE or f.across_shops is AcrossShops.SQUARES:
            assert len(f.of) == 1, f.name
        # a market sum adds up per-run values, so it needs them
        if f.across_shops is AcrossShops.SUM:
            assert f.per_run is PerRun.SUM, f.name


def test_run_and_market_figures_keep_their_order():
    assert names(run_figures()) == [
        *("orders", "revenue", "profit", "new_customers", "churned", "complaints"),
        *("complaints_resolved", "wom_positive", "wom_negative", "compensation", "lost"),
        *("damaged", "late", "discounts", "strategy_cost", "shipping_cost"),
        *("aware", "customers", "mean_satisfaction", "mean_trust", "rating"),
        *("market_share", "resolution_share"),
        *("buyers_total", "repurchase_rate", "acquired", "retention", "clv"),
    ]
    assert names(market_level_figures()) == [*names(run_figures())[:16], "resolution_share", "hhi"]


def test_labels_come_from_the_registry():
    assert label_of("strategy_cost").axis == "strategy cost (currency)"
    assert label_of("retention").kind == "share"
    assert label_of("made_up").axis == "made up (number)"


def test_derived_figures_match_their_definitions(small_scenario):
    ts = _timeseries(small_scenario)
    assert list(ts.columns) == ["day", "shop", *TIMESERIES]
    assert ts["aware"].dtype == np.int64 and ts["customers"].dtype == np.int64
    costs = ts[list(cost_names())].sum(axis=1)
    np.testing.assert_allclose(ts["profit"], ts["revenue"] - costs)
    orders = ts["orders"].to_numpy()
    repeat = np.where(orders > 0, (orders - ts["new_customers"]) / np.maximum(orders, 1), 0.0)
    np.testing.assert_allclose(ts["repeat_share"], repeat)
    by_day = ts.groupby("day")["orders"].transform("sum")
    np.testing.assert_allclose(ts["market_share"], np.where(by_day > 0, orders / by_day, 0.0))
    assert (ts["orders"] == ts["buyers"]).all()  # one order per customer and day


def test_aware_counts_active_customers_aware_and_not_churned(small_scenario):
    model = LoyaltyModel(small_scenario, rng=np.random.default_rng(3))
    for _ in range(small_scenario.run.warmup_days + 20):
        model.step()
    state = model.state
    counted = (state.active[:, None] & state.aware & ~state.dropped).sum(axis=0)
    assert counted.min() > 0 and state.dropped[state.active].any()
    last = model.datacollector.get_agenttype_vars_dataframe(Shop).groupby("shop").last()
    assert last.loc[["cheap", "dear"], "aware"].tolist() == counted.tolist()


def test_the_ledger_has_every_counter_and_nothing_else():
    assert set(DailyLedger(2).values) == set(counter_names())
    assert "repeat_orders" not in counter_names()  # repeat_share is derived


def test_a_new_counter_is_one_registry_entry(small_scenario, monkeypatch):
    """Add a per-day cost and a derived figure: both are columns, profit pays the cost."""
    before = _timeseries(small_scenario)
    rent = Figure(
        "rent",
        "rent",
        "money",
        "the shop's price, paid every day (a test figure)",
        Counter(cost=True, per_day="price"),
        per_run=PerRun.SUM,
        across_shops=AcrossShops.SUM,
    )
    prospects = Figure(
        "prospects",
        "prospects",
        "count",
        "aware customers who have not ordered (a test figure)",
        Derived(lambda day: day.totals.aware - day.totals.customers),
    )
    monkeypatch.setattr(figures, "REGISTRY", (*figures.REGISTRY, rent, prospects))
    after = _timeseries(small_scenario)
    assert list(after.columns) == ["day", "shop", *TIMESERIES, "rent", "prospects"]
    price = after["shop"].map({"cheap": 60.0, "dear": 120.0})
    np.testing.assert_array_equal(after["rent"], price)  # booked once per recorded day
    pd.testing.assert_frame_equal(
        after[before.columns.drop("profit")], before.drop(columns="profit")
    )
    np.testing.assert_allclose(after["profit"], before["profit"] - price)
    np.testing.assert_array_equal(after["prospects"], after["aware"] - after["customers"])
    # summed per run, after the figures replications.csv has always had
    run = simulate(small_scenario, "base", 0).figures
    assert run.columns[-1] == "rent"
    assert run["rent"].tolist() == pytest.approx([60.0 * 40, 120.0 * 40])


class _CountingBoard:
    """A rating board that counts how often its rating is read."""

    def __init__(self) -> None:
        self.reads = 0

    @property
    def rating(self) -> np.ndarray:
        self.reads += 1
        return np.array([4.0, 3.0])


def test_a_day_is_closed_once_and_its_ratings_read_once():
    """The market's row closes the day again: the same figures, no second rating."""
    from types import SimpleNamespace

    from loyaltysim.engine.ledger import close_day
    from loyaltysim.engine.totals import ShopTotals

    ledger, board = DailyLedger(2), _CountingBoard()
    per_day = [f.daily.per_day for f in daily_figures() if getattr(f.daily, "per_day", None)]
    params = SimpleNamespace(**{name: np.array([1.0, 2.0]) for name in per_day})  # all it reads
    first = close_day(ledger, ShopTotals.zeros(2), board, params)
    assert close_day(ledger, ShopTotals.zeros(2), board, params) is first
    assert board.reads == 1


def test_the_markets_summed_columns_are_each_figures_own_sum():
    """One row-sum of the stacked figures gives each figure's own ``sum()``, bit for bit."""
    from loyaltysim.engine.ledger import MarketDay
    from loyaltysim.engine.totals import ShopTotals

    rng = np.random.default_rng(5)
    daily = {f.name: rng.standard_normal(3) * 10.0 ** rng.uniform(-3, 6) for f in daily_figures()}
    daily["orders"] = np.array([3, 4, 2**40], np.int64)
    daily["mean_trust"] = np.array([np.nan, 0.5, 0.25])
    day = MarketDay(0, daily, ShopTotals.zeros(3), 10)
    assert day.sums["orders"] == 4 + 3 + 2**40
    assert np.isnan(day.sums["mean_trust"])
    for name, values in daily.items():
        if name != "mean_trust":
            assert day.sums[name] == float(values.sum()), name
