"""Scheduled market events: the calendar, today's parameters, one-day shocks, schema errors.

Expected values are worked out by hand from the rules in ``loyaltysim.scenario.events`` and the
tiny scenario of ``strategy_helpers`` (shops ``alpha`` and ``beta``, regions ``city`` and
``remote``; default courier: on time 0.9, mean delay 2 days, damage 0.02, loss 0.005).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from loyaltysim.engine.model import LoyaltyModel
from loyaltysim.engine.params import ShopArrays
from loyaltysim.engine.schedule import EventSchedule
from loyaltysim.scenario import load_scenario
from loyaltysim.scenario.events import Festival
from loyaltysim.scenario.problems import ScenarioError
from strategy_helpers import ALPHA, BETA, assert_totals_consistent, tiny_scenario

CITY, REMOTE = 0, 1


def schedule(events, start=dt.date(2026, 1, 1)):
    """The scenario's schedule and its base shop arrays."""
    scenario = tiny_scenario(run={"start_date": start}, events=events)
    sched = EventSchedule(scenario.events, list(scenario.shops), ["city", "remote"], start)
    return sched, ShopArrays.from_scenario(scenario)


# ============================================================================================
# The festival calendar
# ============================================================================================


def test_festival_by_date_recurs_every_year():
    sched, _ = schedule(
        [{"kind": "festival", "dates": ["11-11"], "length_days": 2}], dt.date(2026, 11, 10)
    )
    # day 0 = 2026-11-10, day 1 = 11-11, day 2 = 11-12 (length 2), day 3 = 11-13
    assert [sched.festival(d) is not None for d in range(4)] == [False, True, True, False]
    # 2026-11-10 + 365 = 2027-11-10 (no 29 February between): day 366 is 11-11 again
    assert [sched.festival(d) is not None for d in (365, 366, 367, 368)] == [
        False,
        True,
        True,
        False,
    ]
    assert isinstance(sched.festival(1), Festival)


def test_festival_date_from_default_start_and_in_warmup():
    # default start 2026-01-01: 06-18 is day 31+28+31+30+31 + 17 = 168
    sched, _ = schedule([{"kind": "festival", "dates": ["06-18"]}])
    hits = [d for d in range(365) if sched.festival(d) is not None]
    assert hits == [168]
    # warm-up days are negative: with day 0 = 11-12, day -1 is 11-11
    sched, _ = schedule([{"kind": "festival", "dates": ["11-11"]}], dt.date(2026, 11, 12))
    assert sched.festival(-1) is not None
    assert sched.festival(0) is None


def test_festival_by_days_and_need_multiplier():
    sched, _ = schedule(
        [{"kind": "festival", "days": [5, 40], "length_days": 3, "demand_multiplier": 2.5}]
    )
    days = [d for d in range(60) if sched.festival(d) is not None]
    assert days == [5, 6, 7, 40, 41, 42]
    assert sched.need_multiplier(6) == pytest.approx(2.5)
    assert sched.need_multiplier(8) == pytest.approx(1.0)
    # the default demand multiplier is 3
    sched, _ = schedule([{"kind": "festival", "days": [0]}])
    assert (sched.need_multiplier(0), sched.need_multiplier(1)) == (3.0, 1.0)


# ============================================================================================
# apply(): today's parameters
# ============================================================================================


def test_apply_festival_congestion_hits_every_shop_and_region():
    sched, base = schedule(
        [{"kind": "festival", "days": [3], "on_time_factor": 0.7, "extra_delay_days": 1.5}]
    )
    today = sched.apply(base, 3)
    # on time 0.9 x 0.7 = 0.63 and delay 2 + 1.5 = 3.5 everywhere
    np.testing.assert_allclose(today.on_time, np.full((2, 2), 0.63))
    np.testing.assert_allclose(today.mean_delay_days, np.full((2, 2), 3.5))
    np.testing.assert_allclose(today.damage_rate, base.damage_rate)
    # other days: unchanged (and the base arrays are not mutated)
    other = sched.apply(base, 4)
    np.testing.assert_allclose(other.on_time, 0.9)
    np.testing.assert_allclose(other.mean_delay_days, 2.0)
    np.testing.assert_allclose(base.on_time, 0.9)


def test_apply_courier_disruption_only_listed_shops_regions_and_days():
    event = {
        "kind": "courier_disruption",
        "shops": ["alpha"],
        "regions": ["remote"],
        "start_day": 10,
        "end_day": 20,
        "on_time_factor": 0.5,
        "extra_delay_days": 2.0,
        "damage_factor": 3.0,
    }
    sched, base = schedule([event])
    for day in (9, 21):
        outside = sched.apply(base, day)
        np.testing.assert_allclose(outside.on_time, base.on_time)
        np.testing.assert_allclose(outside.mean_delay_days, base.mean_delay_days)
        np.testing.assert_allclose(outside.damage_rate, base.damage_rate)
    for day in (10, 15, 20):  # the window includes both ends
        hit = sched.apply(base, day)
        # alpha x remote only: 0.9 x 0.5 = 0.45, 2 + 2 = 4 days, damage 0.02 x 3 = 0.06
        np.testing.assert_allclose(hit.on_time, [[0.9, 0.45], [0.9, 0.9]])
        np.testing.assert_allclose(hit.mean_delay_days, [[2.0, 4.0], [2.0, 2.0]])
        np.testing.assert_allclose(hit.damage_rate, [[0.02, 0.06], [0.02, 0.02]])
        np.testing.assert_allclose(hit.loss_rate, base.loss_rate)  # 0.005 <= 1 - 0.06


def test_apply_courier_disruption_everywhere_caps_damage():
    event = {"kind": "courier_disruption", "start_day": 0, "end_day": 0, "damage_factor": 60.0}
    sched, base = schedule([event])
    hit = sched.apply(base, 0)
    # no shops/regions listed: all hit; damage 0.02 x 60 = 1.2 -> capped at 1; the loss rate
    # then fits in what is left: min(0.005, 1 - 1) = 0; defaults 0.5 and +2 days
    np.testing.assert_allclose(hit.damage_rate, 1.0)
    np.testing.assert_allclose(hit.loss_rate, 0.0)
    np.testing.assert_allclose(hit.on_time, 0.45)
    np.testing.assert_allclose(hit.mean_delay_days, 4.0)


def test_apply_price_war_only_listed_shops_within_window():
    sched, base = schedule(
        [{"kind": "price_war", "shops": ["beta"], "start_day": 3, "end_day": 5, "discount": 0.2}]
    )
    np.testing.assert_allclose(sched.apply(base, 2).price, [100.0, 80.0])
    # beta: 80 x (1 - 0.2) = 64 on days 3..5
    for day in (3, 4, 5):
        np.testing.assert_allclose(sched.apply(base, day).price, [100.0, 64.0])
    np.testing.assert_allclose(sched.apply(base, 6).price, [100.0, 80.0])


def test_apply_closed_shop_has_no_advertising_before_entry():
    sched, base = schedule([{"kind": "shop_entry", "shop": "beta", "day": 5}])
    reach = base.advertising_reach  # default 0.002 each
    assert sched.closed(4).tolist() == [False, True]
    assert sched.closed(5).tolist() == [False, False]
    np.testing.assert_allclose(sched.apply(base, 4).advertising_reach, [reach[ALPHA], 0.0])
    np.testing.assert_allclose(sched.apply(base, 5).advertising_reach, reach)


# ============================================================================================
# Events in a running model
# ============================================================================================


def entry_model(seed: int = 3) -> LoyaltyModel:
    """A busy tiny market in which ``beta`` (cheaper) opens on day 5."""
    scenario = tiny_scenario(
        market={
            "customers": 40,
            "outside_utility": -2.0,
            "segments": {"all": {"share": 1.0, "purchase_rate": 0.5}},
        },
        shops={"beta": {"advertising_reach": 0.2}},
        events=[{"kind": "shop_entry", "shop": "beta", "day": 5}],
    )
    return LoyaltyModel(scenario, rng=seed, create_agents=False)


def test_shop_entry_closed_shop_is_unknown_and_gets_no_orders_before_its_day():
    model = entry_model()
    # initial_awareness of beta is 1, but nobody knows a shop that has not opened
    assert not model.state.aware[:, BETA].any()
    before = []
    while model.day < 5:
        model.step()
        before.append(model.ledger.values["orders"].copy())
        assert not model.state.aware[:, BETA].any(), model.day
        assert_totals_consistent(model)
    before = np.array(before)
    assert before[:, BETA].sum() == 0
    assert before[:, ALPHA].sum() > 0  # the market is busy
    after = []
    for _ in range(5):
        model.step()
        after.append(model.ledger.values["orders"].copy())
    # opened on day 5: everyone becomes aware (initial_awareness 1) and beta sells
    assert model.state.aware[model.state.active, BETA].all()
    assert np.array(after)[:, BETA].sum() > 0
    assert model.totals.aware[BETA] > 0
    assert_totals_consistent(model)


def test_shop_entry_closed_shop_is_unavailable_even_to_customers_who_know_it():
    model = entry_model()
    with model.mutate.by_hand() as state:
        state.aware[state.active, BETA] = True  # told about it somehow
    orders = np.zeros(2)
    while model.day < 5:
        model.step()
        orders += model.ledger.values["orders"]
    assert orders[BETA] == 0
    assert orders[ALPHA] > 0
    assert_totals_consistent(model)


def shock_model(event: dict) -> LoyaltyModel:
    """A quiet market: nobody buys, no ads, no word of mouth, no reconsideration.

    The breach hits everyone alike (no relief by patronage: ``tests/test_mech_switching.py``
    checks the shares).
    """
    scenario = tiny_scenario(
        market={"segments": {"all": {"share": 1.0, "purchase_rate": 0.0}}},
        experience={
            "negative_propensity": 0.0,
            "reconsider_rate": 0.0,
            "breach_patronage_relief": 0.0,
        },
        shops={
            "alpha": {
                "initial_awareness": 0.5,
                "advertising_reach": 0.0,
                "breach_trust_loss": 0.4,
                "breach_satisfaction_loss": 0.25,
            },
            "beta": {"advertising_reach": 0.0},
        },
        events=[event],
    )
    model = LoyaltyModel(scenario, rng=11, create_agents=False)
    with model.mutate.by_hand() as state:
        # slot 0: an experienced customer of alpha; slot 1: dropped it (but still knows it)
        state.aware[[0, 1], ALPHA] = True
        state.experiences[0, ALPHA] = 1
        state.last_order_day[[0, 1], ALPHA] = -10
        state.satisfaction[0, ALPHA] = 0.8
        state.trust[0, ALPHA] = 0.6
        state.dropped[1, ALPHA] = True
        state.trust[[0, 1, 2], BETA] = [0.7, 0.7, 0.7]
        state.experiences[2, BETA] = 1
    return model


def unaware_of_alpha(model: LoyaltyModel) -> np.ndarray:
    state = model.state
    slots = np.flatnonzero(state.active & ~state.aware[:, ALPHA] & ~state.dropped[:, ALPHA])
    assert slots.size > 0  # initial_awareness 0.5 of 20 customers
    return slots


def test_data_breach_on_its_day_lowers_trust_of_those_who_know_the_shop():
    model = shock_model({"kind": "data_breach", "shop": "alpha", "day": 2})
    state = model.state
    unaware = unaware_of_alpha(model)
    aware_only = np.flatnonzero(state.active & state.aware[:, ALPHA])
    aware_only = aware_only[aware_only > 1]
    trust0 = state.trust.copy()
    model.step()
    model.step()  # days 0 and 1: nothing happens
    np.testing.assert_array_equal(state.trust, trust0)
    model.step()  # day 2: the breach
    assert model.ledger.values["breaches"].tolist() == [1.0, 0.0]
    # slot 0: trust 0.6 x (1 - 0.4) = 0.36; satisfaction 0.8 x (1 - 0.25) = 0.6
    assert state.trust[0, ALPHA] == pytest.approx(0.36)
    assert state.satisfaction[0, ALPHA] == pytest.approx(0.6)
    # slot 1 dropped alpha but knows it: 0.5 x 0.6 = 0.3; no experience: satisfaction stays
    assert state.trust[1, ALPHA] == pytest.approx(0.3)
    assert state.satisfaction[1, ALPHA] == pytest.approx(0.5)
    # other aware customers: initial trust 0.5 x 0.6 = 0.3
    np.testing.assert_allclose(state.trust[aware_only, ALPHA], 0.3, rtol=1e-6)
    # those who never heard of alpha, and trust in beta, are untouched
    np.testing.assert_array_equal(state.trust[unaware, ALPHA], trust0[unaware, ALPHA])
    np.testing.assert_array_equal(state.trust[:, BETA], trust0[:, BETA])
    assert_totals_consistent(model)


def test_product_recall_lowers_trust_and_satisfaction():
    model = shock_model(
        {
            "kind": "product_recall",
            "shop": "alpha",
            "day": 1,
            "trust_loss": 0.3,
            "satisfaction_loss": 0.2,
        }
    )
    state = model.state
    unaware = unaware_of_alpha(model)
    trust0 = state.trust.copy()
    model.step()
    np.testing.assert_array_equal(state.trust, trust0)
    model.step()  # day 1: the recall (not a breach)
    assert model.ledger.values["breaches"].tolist() == [0.0, 0.0]
    # slot 0: trust 0.6 x 0.7 = 0.42, satisfaction 0.8 x 0.8 = 0.64; slot 1: 0.5 x 0.7 = 0.35
    assert state.trust[0, ALPHA] == pytest.approx(0.42)
    assert state.satisfaction[0, ALPHA] == pytest.approx(0.64)
    assert state.trust[1, ALPHA] == pytest.approx(0.35)
    np.testing.assert_array_equal(state.trust[unaware, ALPHA], trust0[unaware, ALPHA])
    np.testing.assert_array_equal(state.trust[:, BETA], trust0[:, BETA])
    assert_totals_consistent(model)


def test_festival_in_the_model_sets_festival_today_and_congestion():
    scenario = tiny_scenario(
        run={"start_date": dt.date(2026, 11, 10)},
        events=[{"kind": "festival", "dates": ["11-11"], "on_time_factor": 0.5}],
    )
    model = LoyaltyModel(scenario, rng=2, create_agents=False)
    model.step()  # day 0: 11-10
    assert not model.festival_today
    np.testing.assert_allclose(model.shop_params.on_time, 0.9)
    model.step()  # day 1: 11-11
    assert model.festival_today
    np.testing.assert_allclose(model.shop_params.on_time, 0.45)  # 0.9 x 0.5
    model.step()
    assert not model.festival_today
    assert_totals_consistent(model)


# ============================================================================================
# Schema errors, located in the file
# ============================================================================================

HEAD = """\
[market]
customers = 20
[market.regions.city]
share = 1.0

[shops.alpha]
price = 100.0
quality = 0.8
unit_cost = 50.0
"""  # 9 lines; the events start on line 11


@pytest.mark.parametrize(
    ("event", "line", "path", "expected", "given"),
    [
        (  # line 11 is [[events]], 12 kind, 13 start_day, 14 end_day
            'kind = "courier_disruption"\nstart_day = 10\nend_day = 5\n',
            14,
            "events[0].end_day",
            "on or after start_day (10)",
            "5",
        ),
        (
            'kind = "price_war"\nshops = ["alpha"]\nstart_day = 3\nend_day = 2\n',
            15,
            "events[0].end_day",
            "on or after start_day (3)",
            "2",
        ),
        ('kind = "festival"\ndates = ["11-31"]\n', 13, "events[0].dates", '"MM-DD"', "11-31"),
        ('kind = "festival"\ndates = ["1111"]\n', 13, "events[0].dates", '"MM-DD"', "1111"),
        ('kind = "festival"\ndates = ["+1-11"]\n', 13, "events[0].dates", '"MM-DD"', "+1-11"),
        (
            'kind = "data_breach"\nshop = "gamma"\nday = 3\n',
            13,
            "events[0].shop",
            "'alpha'",
            "gamma",
        ),
        (
            'kind = "courier_disruption"\nstart_day = 1\nend_day = 2\nregions = ["mars"]\n',
            15,
            "events[0].regions",
            "'city'",
            "mars",
        ),
        (
            'kind = "price_war"\nstart_day = 1\nend_day = 2\nshops = ["alpha", "omega"]\n',
            15,
            "events[0].shops",
            "'alpha'",
            "omega",
        ),
    ],
)
def test_event_schema_errors_name_the_event_and_line(
    tmp_path: Path, event, line, path, expected, given
):
    file = tmp_path / "bad.toml"
    file.write_text(HEAD + "\n[[events]]\n" + event, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(file)
    problems = caught.value.problems
    assert len(problems) == 1, str(caught.value)
    (problem,) = problems
    assert (problem.file, problem.line, problem.path) == (str(file), line, path)
    assert expected in problem.expected
    assert given in problem.given
    assert f"{file}:{line}: {path}: expected" in str(caught.value)


def test_second_event_is_indexed(tmp_path: Path):
    file = tmp_path / "bad.toml"
    text = (
        HEAD
        + '\n[[events]]\nkind = "data_breach"\nshop = "alpha"\nday = 3\n'
        + '\n[[events]]\nkind = "shop_entry"\nshop = "nobody"\nday = 4\n'
    )
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(file)
    (problem,) = caught.value.problems
    # line 16 = [[events]], 17 kind, 18 shop
    assert (problem.line, problem.path) == (18, "events[1].shop")
