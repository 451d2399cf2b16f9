"""Running per-shop totals: hand-checked counts, incremental updates, model recounts.

The model test recounts after every phase of every day, with every lever and event on.
"""

import datetime
from dataclasses import fields

import numpy as np
import pytest

from loyaltysim.engine import phases
from loyaltysim.engine.model import LoyaltyModel
from loyaltysim.engine.state import CustomerState
from loyaltysim.engine.totals import ShopTotals
from loyaltysim.mechanisms import awareness, population
from loyaltysim.scenario import validate
from loyaltysim.strategies import REGISTRY

NAMES = [f.name for f in fields(ShopTotals)]


def assert_totals_equal(a, b, atol=1e-6):
    for name in NAMES:
        np.testing.assert_allclose(
            getattr(a, name), getattr(b, name), rtol=0, atol=atol, err_msg=name
        )


def small_state():
    """Four slots, two shops (slot 3 inactive)."""
    state = CustomerState.empty(4, 2)
    state.active[:3] = True
    # slot 0: knows both, ordered from and experienced shop 0
    state.aware[0] = True
    state.last_order_day[0, 0] = 3
    state.experiences[0, 0] = 2
    state.satisfaction[0, 0], state.trust[0, 0] = 0.8, 0.6
    # slot 1: bought from shop 0 and dropped it
    state.aware[1, 0] = state.dropped[1, 0] = True
    state.last_order_day[1, 0] = 1
    state.experiences[1, 0] = 1
    state.satisfaction[1, 0], state.trust[1, 0] = 0.2, 0.05
    # slot 2: bought from shop 1
    state.aware[2, 1] = True
    state.last_order_day[2, 1] = 5
    state.experiences[2, 1] = 1
    state.satisfaction[2, 1], state.trust[2, 1] = 0.9, 0.7
    # slot 3: inactive, must not count
    state.aware[3] = True
    state.last_order_day[3] = 1
    state.experiences[3] = 1
    return state


def test_count_hand_checked():
    t = ShopTotals.count(small_state())
    # aware (and not dropped): shop 0 slot 0 -> 1; shop 1 slots 0, 2 -> 2
    np.testing.assert_array_equal(t.aware, [1, 2])
    # customers (ordered, not dropped): shop 0 slot 0 -> 1; shop 1 slot 2 -> 1
    np.testing.assert_array_equal(t.customers, [1, 1])
    # experienced (dropped or not): shop 0 slots 0, 1 -> 2; shop 1 slot 2 -> 1
    np.testing.assert_array_equal(t.experienced, [2, 1])
    # sums over experienced: satisfaction 0.8 + 0.2 = 1.0, 0.9; trust 0.6 + 0.05 = 0.65, 0.7
    np.testing.assert_allclose(t.satisfaction_sum, [1.0, 0.9], rtol=1e-6)
    np.testing.assert_allclose(t.trust_sum, [0.65, 0.7], rtol=1e-6)
    # means: 1.0/2 = 0.5, 0.9/1; 0.65/2 = 0.325, 0.7
    np.testing.assert_allclose(t.mean("satisfaction"), [0.5, 0.9], rtol=1e-6)
    np.testing.assert_allclose(t.mean("trust"), [0.325, 0.7], rtol=1e-6)


def test_mean_is_nan_without_experienced_customers():
    t = ShopTotals.zeros(2)
    assert np.isnan(t.mean("satisfaction")).all()
    t.experienced[1] = 2
    t.trust_sum[1] = 1.2
    m = t.mean("trust")
    assert np.isnan(m[0]) and m[1] == pytest.approx(0.6)


def test_count_of_empty_state():
    t = ShopTotals.count(CustomerState.empty(3, 2))
    assert_totals_equal(t, ShopTotals.zeros(2), atol=0)


def test_add_rows_in_parts_equals_count():
    state = small_state()
    t = ShopTotals.zeros(2)
    t.add_rows(state, np.array([0, 1]), +1)
    t.add_rows(state, np.array([2]), +1)
    assert_totals_equal(t, ShopTotals.count(state))
    # slot 1 leaves the market
    t.add_rows(state, np.array([1]), -1)
    state.active[1] = False
    assert_totals_equal(t, ShopTotals.count(state))
    t.add_rows(state, np.empty(0, np.int64), -1)  # nobody: no change
    assert_totals_equal(t, ShopTotals.count(state))


def test_shift_follows_single_pair_changes():
    state = small_state()
    t = ShopTotals.count(state)
    # slot 2 drops shop 1: aware and customers fall by one
    t.shift("aware", np.array([1]), -1.0)
    t.shift("customers", np.array([1]), -1.0)
    state.dropped[2, 1] = True
    assert_totals_equal(t, ShopTotals.count(state))
    # slot 0 gets its first delivery from shop 1 (satisfaction 0.4) and slot 0's shop-0
    # satisfaction moves 0.8 -> 0.5: amounts per event
    t.shift("experienced", np.array([1]))
    t.shift("satisfaction_sum", np.array([1, 0]), np.array([0.4, 0.5 - 0.8]))
    t.shift("trust_sum", np.array([1]), np.float32(0.5))
    state.experiences[0, 1] = 1
    state.satisfaction[0, 1] = 0.4
    state.satisfaction[0, 0] = 0.5
    state.trust[0, 1] = 0.5
    assert_totals_equal(t, ShopTotals.count(state))
    np.testing.assert_allclose(t.satisfaction_sum, [0.7, 1.3], rtol=1e-6)  # 0.5+0.2, 0.9+0.4


def test_shift_with_no_events():
    t = ShopTotals.zeros(3)
    t.shift("aware", np.empty(0, np.int64))
    assert_totals_equal(t, ShopTotals.zeros(3), atol=0)


# --------------------------------------------------------------------------- the model
SCENARIO = {
    "run": {"days": 100, "warmup_days": 20, "seed": 1},
    "market": {
        "customers": 300,
        "arrival_rate": 0.01,
        "departure_rate": 0.005,
        "outside_utility": 0.5,
        "segments": {
            "baby": {
                "share": 0.5,
                "arrival_share": 0.8,
                "duration_days": 40.0,
                "next": "toddler",
                "purchase_rate": 0.2,
            },
            "toddler": {
                "share": 0.5,
                "arrival_share": 0.2,
                "duration_days": 60.0,
                "purchase_rate": 0.15,
                "delivery_weight": 2.0,
            },
        },
        "regions": {"city": {"share": 0.7}, "remote": {"share": 0.3, "delivery_days": 4.0}},
    },
    "network": {"kind": "small_world", "mean_degree": 6, "tie_strength": 0.5},
    "experience": {
        "reconsider_rate": 0.05,
        "positive_propensity": 0.5,
        "negative_propensity": 0.8,
    },
    "shops": {
        "poor": {
            "price": 60.0,
            "quality": 0.5,
            "promise": 0.8,
            "unit_cost": 40.0,
            "initial_awareness": 0.5,
            "advertising_reach": 0.01,
            "privacy_breach_rate": 0.03,
            "courier": {"on_time": 0.6, "loss_rate": 0.05, "damage_rate": 0.1, "tracking": False},
        },
        "good": {"price": 100.0, "quality": 0.8, "unit_cost": 60.0, "initial_awareness": 0.4},
        "middle": {
            "price": 80.0,
            "quality": 0.7,
            "unit_cost": 50.0,
            "initial_awareness": 0.3,
            "privacy_breach_rate": 0.02,
        },
    },
}


#: Every lever on some shop, every kind of event on some day (days count recorded days).
EVERYTHING = {
    **SCENARIO,
    "run": {"days": 80, "warmup_days": 10, "seed": 1, "start_date": datetime.date(2026, 11, 1)},
    "events": [
        {"kind": "festival", "dates": ["11-11"], "length_days": 2, "demand_multiplier": 3.0},
        {"kind": "courier_disruption", "start_day": 5, "end_day": 20, "on_time_factor": 0.5},
        {"kind": "data_breach", "shop": "good", "day": 3},
        {"kind": "shop_entry", "shop": "late", "day": 15},
        {
            "kind": "price_war",
            "shops": ["poor", "good"],
            "start_day": 30,
            "end_day": 40,
            "discount": 0.1,
        },
        {
            "kind": "product_recall",
            "shop": "middle",
            "day": 25,
            "trust_loss": 0.3,
            "satisfaction_loss": 0.2,
        },
    ],
}
EVERYTHING["shops"] = {
    **SCENARIO["shops"],
    "late": {"price": 70.0, "quality": 0.7, "unit_cost": 45.0, "initial_awareness": 0.2},
}
LEVERS = {
    "poor": ["promotions", "crm", "service"],
    "good": ["membership", "free_shipping", "care"],
    "middle": ["logistics", "privacy", "community"],
}


def everything_scenario():
    data = {**EVERYTHING, "shops": {k: dict(v) for k, v in EVERYTHING["shops"].items()}}
    for shop, levers in LEVERS.items():
        data["shops"][shop]["strategies"] = {lever: {} for lever in levers}
    data["shops"]["good"]["strategies"]["free_shipping"] = {"eligibility": "members"}
    return validate(data)


def test_every_lever_and_event_is_on():
    scenario = everything_scenario()
    on = {st.key for shop in scenario.shops.values() for st in _levers(shop)}
    assert on == {cls.key for cls in REGISTRY}
    kinds = {event.kind for event in scenario.events}
    assert kinds == {
        "festival",
        "courier_disruption",
        "data_breach",
        "shop_entry",
        "price_war",
        "product_recall",
    }


def _levers(shop):
    return [cls for cls in REGISTRY if getattr(shop.strategies, cls.key) is not None]


def test_totals_match_a_recount_after_every_phase():
    """Every phase of every day, with every lever and event on: the totals stay true."""
    scenario = everything_scenario()
    model = LoyaltyModel(scenario, rng=3, create_agents=False)
    assert_totals_equal(model.totals, ShopTotals.count(model.state))
    days = scenario.run.days + scenario.run.warmup_days
    ledger_sums: dict[str, float] = {}
    for _ in range(days):
        for phase in phases.DAY:
            phase(model)
            assert_totals_equal(model.totals, ShopTotals.count(model.state))
        for name, value in model.ledger.values.items():
            ledger_sums[name] = ledger_sums.get(name, 0.0) + value.sum()
    # the run exercised every kind of bookkeeping
    for name in (
        "breaches",
        "churned",
        "wom_positive",
        "wom_negative",
        "lost",
        "orders",
        "strategy_cost",
        "complaints_resolved",
        "new_customers",
    ):
        assert ledger_sums[name] > 0, name
    assert int(model.state.uid.max()) + 1 > scenario.market.customers  # arrivals
    assert model.departed.chunks  # departures


def test_writing_the_state_behind_the_mutators_back_fails():
    """A rule that forgets the mutators cannot silently skew the totals: the write raises."""
    model = LoyaltyModel(validate(SCENARIO), rng=3, create_agents=False)
    for name in ("aware", "dropped", "satisfaction", "trust", "experiences", "active"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(model.state, name)[0] = 1
    with model.mutate.by_hand() as state:  # the way for tests and scripted set-ups
        state.aware[0] = True
        state.dropped[0, 0] = True
    assert_totals_equal(model.totals, ShopTotals.count(model.state), atol=0)


@pytest.mark.parametrize("kind", ["small_world", "well_mixed"])
def test_model_totals_always_match_a_recount(kind, monkeypatch):
    data = {**SCENARIO, "network": {**SCENARIO["network"], "kind": kind}}
    scenario = validate(data)
    seen = {"reconsidered": 0, "moved_stage": 0}
    reconsidering, advance = awareness.reconsidering, population.advance_stages

    def counting_reconsider(rng, state, rate):
        rows, shop = reconsidering(rng, state, rate)
        seen["reconsidered"] += rows.size
        return rows, shop

    def counting_advance(state, segments, day):
        moving, segment, stage_end, leaving = advance(state, segments, day)
        seen["moved_stage"] += moving.size
        return moving, segment, stage_end, leaving

    monkeypatch.setattr(awareness, "reconsidering", counting_reconsider)
    monkeypatch.setattr(population, "advance_stages", counting_advance)

    model = LoyaltyModel(scenario, rng=3)
    assert_totals_equal(model.totals, ShopTotals.count(model.state))
    ledger_sums = {}
    days = scenario.run.days + scenario.run.warmup_days
    for _ in range(days):
        model.step()
        assert_totals_equal(model.totals, ShopTotals.count(model.state))
        for name, value in model.ledger.values.items():
            ledger_sums[name] = ledger_sums.get(name, 0.0) + value.sum()
    # the run exercised every kind of bookkeeping
    created = int(model.state.uid.max()) + 1  # uids count every customer ever created
    assert created > scenario.market.customers  # arrivals
    assert created > model.state.active.sum()  # departures
    assert seen["moved_stage"] > 0  # life-cycle moves to "next"
    assert seen["reconsidered"] > 0
    for name in ("breaches", "churned", "wom_positive", "wom_negative", "lost", "orders"):
        assert ledger_sums[name] > 0, name
