"""Population: departures, life-cycle stages, free slots and newcomers."""

import math
from dataclasses import fields, replace

import numpy as np
import pandas as pd
import pytest

from loyaltysim.engine.model import LoyaltyModel
from loyaltysim.engine.mutators import Mutators
from loyaltysim.engine.params import SegmentArrays, ShopArrays, segment_arrays_class
from loyaltysim.engine.state import NO_SHOP, CustomerState
from loyaltysim.engine.totals import ShopTotals
from loyaltysim.mechanisms.awareness import FirstImpression
from loyaltysim.mechanisms.population import (
    Newcomers,
    advance_stages,
    arrivals,
    buying_habits,
    categorical,
    free_slots,
    left_category,
    random_departures,
)
from loyaltysim.scenario import validate
from loyaltysim.scenario.problems import ScenarioError
from loyaltysim.scenario.steady_state import arrival_flows, time_in_stage


def segments(**changes):
    # baby (10 days) -> toddler (20 days) -> leaves; adult forever
    base = dict(
        names=["baby", "toddler", "adult"],
        share=np.array([0.25, 0.25, 0.5]),
        arrival_share=np.array([1.0, 0.0, 0.0]),
        purchase_rate=np.array([0.1, 0.1, 0.1]),
        purchase_rate_shape=np.full(3, np.inf),
        dropout_a=np.zeros(3),
        dropout_b=np.zeros(3),
        quality_weight=np.ones(3),
        price_weight=np.ones(3),
        delivery_weight=np.array([1.0, 0.0, 3.0]),
        duration_days=np.array([10.0, 20.0, np.inf]),
        next_segment=np.array([1, -1, -1], np.int16),
    )
    base.update(changes)
    return segment_arrays_class()(**base)


def shops():
    scenario = validate(
        {
            "shops": {
                "a": {"price": 50.0, "quality": 0.6, "promise": 0.7, "unit_cost": 30.0},
                "b": {"price": 90.0, "quality": 0.8, "unit_cost": 50.0},
            }
        }
    )
    # shop a: nobody knows it at the start; shop b: everybody
    return replace(ShopArrays.from_scenario(scenario), initial_awareness=np.array([0.0, 1.0]))


NEWCOMERS = Newcomers(
    region_share=np.array([0.4, 0.6]),
    price_sensitivity=1.5,
    price_sensitivity_spread=0.0,
    talkativeness_spread=0.0,
)


def impression(shop_arrays, segs):
    return FirstImpression(shop_arrays.promise, segs.delivery_weight, initial_trust=0.5)


# --------------------------------------------------------------------------- departures
def test_random_departures_edges():
    active = np.array([True, False, True, True, False])
    g = np.random.default_rng(0)
    assert random_departures(g, active, 0.0).size == 0
    np.testing.assert_array_equal(random_departures(g, active, 1.0), [0, 2, 3])


def test_random_departures_rate():
    # 20000 slots, half active; rate 0.1 -> Binomial(10000, 0.1): mean 1000, sd 30
    active = np.arange(20000) % 2 == 0
    out = random_departures(np.random.default_rng(1), active, 0.1)
    assert active[out].all()
    assert abs(out.size - 1000) < 5 * math.sqrt(10000 * 0.1 * 0.9)


# --------------------------------------------------------------------------- stages
def test_advance_stages():
    state = CustomerState.empty(5, 2)
    state.active[:4] = True
    state.segment[:] = [0, 0, 1, 2, 0]
    state.stage_end[:] = [5.0, 7.0, 5.0, np.inf, 0.0]
    # slot 4 is inactive (ignored)
    moving, _, _, leaving = advance_stages(state, segments(), 4)
    assert moving.size == leaving.size == 0  # nothing ends before day 5
    moving, segment, stage_end, leaving = advance_stages(state, segments(), 5)
    # slot 0: baby ends -> toddler, stage ends 5 + 20 = 25; slot 1 (ends day 7) unchanged
    # slot 2: toddler ends, last stage -> leaves; slot 3: adult forever
    np.testing.assert_array_equal(moving, [0])
    np.testing.assert_array_equal(segment, [1])
    np.testing.assert_array_equal(stage_end, [25.0])
    np.testing.assert_array_equal(leaving, [2])
    # deciding changes nothing: the population phase moves and removes them
    np.testing.assert_array_equal(state.segment, [0, 0, 1, 2, 0])
    assert state.active[2]


def test_advance_stages_into_a_forever_stage():
    segs = segments(next_segment=np.array([2, -1, -1], np.int16))
    state = CustomerState.empty(1, 1)
    state.active[0] = True
    state.stage_end[0] = 3.0
    moving, segment, stage_end, leaving = advance_stages(state, segs, 3)
    assert leaving.size == 0
    assert moving.tolist() == [0] and segment.tolist() == [2]
    assert stage_end[0] == np.inf


# --------------------------------------------------------------------------- free slots
def test_categorical_draws_as_generator_choice():
    share = np.array([2.0, 0.0, 1.0, 1.0])
    a, b = np.random.default_rng(5), np.random.default_rng(5)
    drawn = categorical(a, share, 7)
    assert drawn.tolist() == b.choice(4, size=7, p=share / share.sum()).tolist()
    assert 1 not in drawn.tolist()  # a zero share is never drawn
    assert a.random() == b.random()  # one uniform per draw, as choice takes
    u = np.random.default_rng(5).random(3)  # by hand: cumulative shares 0.5, 0.5, 0.75, 1
    assert categorical(np.random.default_rng(5), share, 3).tolist() == [
        0 if x < 0.5 else 2 if x < 0.75 else 3 for x in u
    ]
    assert categorical(a, share, 0).shape == (0,)


def test_free_slots():
    active = np.array([True, False, True, False, False])
    np.testing.assert_array_equal(free_slots(active, 2), [1, 3])
    np.testing.assert_array_equal(free_slots(active, 10), [1, 3, 4])
    assert free_slots(active, 0).size == 0


# --------------------------------------------------------------------------- arrivals
def populate(rng, state, rows, day, **kwargs):
    """Draw arrivals for ``rows`` and move them in, as the population phase does."""
    Mutators(state).arrive(rows, arrivals(rng, rows.shape[0], day, **kwargs))


def test_populate_newcomers_hand_checked():
    shop_arrays = shops()
    state = CustomerState.empty(6, 2)
    state.main_shop[:] = 1  # left over from a previous customer: must be reset
    state.dropped[:] = True
    state.experiences[:] = 3
    rows = np.array([2, 5])
    populate(
        np.random.default_rng(0),
        state,
        rows,
        40,
        newcomers=NEWCOMERS,
        segments=segments(),
        shops=shop_arrays,
        impression=impression(shop_arrays, segments()),
        initial=False,
    )
    assert state.active.tolist() == [False, False, True, False, False, True]
    # arrivals all in "baby" (arrival_share 1, 0, 0), a full stage: ends 40 + 10 = 50
    np.testing.assert_array_equal(state.segment[rows], [0, 0])
    np.testing.assert_array_equal(state.stage_end[rows], [50.0, 50.0])
    np.testing.assert_array_equal(state.joined[rows], [40, 40])
    # spread 0: lognormal(0, 0) = 1 -> sensitivity exactly the median 1.5, talkativeness 1
    np.testing.assert_allclose(state.price_sensitivity[rows], 1.5)
    np.testing.assert_allclose(state.talkativeness[rows], 1.0)
    # awareness 0 and 1; expectation = the promise delivered on time, babies' delivery
    # weight 1: a promises 0.7 -> (0.7 + 1*1)/2 = 0.85, b honest 0.8 -> (0.8 + 1)/2 = 0.9;
    # trust 0.5
    np.testing.assert_array_equal(state.aware[rows], [[False, True], [False, True]])
    np.testing.assert_allclose(shop_arrays.promise, [0.7, 0.8])
    np.testing.assert_allclose(state.expectation[rows], [[0.85, 0.9], [0.85, 0.9]], rtol=1e-6)
    np.testing.assert_allclose(state.trust[rows], 0.5)
    # the slot's history is wiped
    np.testing.assert_array_equal(state.main_shop[rows], [NO_SHOP, NO_SHOP])
    assert not state.dropped[rows].any()
    assert not state.experiences[rows].any()
    # other slots untouched
    assert state.main_shop[0] == 1 and state.dropped[0].all()


def test_populate_initial_population_distribution():
    # initial customers: segment shares 0.25/0.25/0.5, regions 0.4/0.6, uniform remaining stage
    shop_arrays = shops()
    n = 4000
    state = CustomerState.empty(n, 2)
    newcomers = Newcomers(np.array([0.4, 0.6]), 1.5, 0.5, 0.5)
    populate(
        np.random.default_rng(3),
        state,
        np.arange(n),
        0,
        newcomers=newcomers,
        segments=segments(),
        shops=shop_arrays,
        impression=impression(shop_arrays, segments()),
        initial=True,
    )
    assert state.active.all()
    for s, p in [(0, 0.25), (1, 0.25), (2, 0.5)]:
        # SE = sqrt(p (1-p) / n): 0.0068 for 0.25, 0.0079 for 0.5
        assert abs(np.mean(state.segment == s) - p) < 5 * math.sqrt(p * (1 - p) / n)
    assert abs(np.mean(state.region == 0) - 0.4) < 5 * math.sqrt(0.24 / n)
    # babies: remaining stage uniform on [0, 10): mean 5, sd 10/sqrt(12) = 2.887
    baby = state.stage_end[state.segment == 0]
    assert baby.min() >= 0.0 and baby.max() < 10.0
    assert abs(baby.mean() - 5.0) < 5 * (10 / math.sqrt(12)) / math.sqrt(baby.size)
    assert np.all(np.isinf(state.stage_end[state.segment == 2]))
    # log sensitivity ~ Normal(log 1.5, 0.5): SE of its mean = 0.5 / sqrt(n) = 0.0079
    log_ps = np.log(state.price_sensitivity.astype(np.float64))
    assert abs(log_ps.mean() - math.log(1.5)) < 5 * 0.5 / math.sqrt(n)
    assert abs(np.log(state.talkativeness.astype(np.float64)).mean()) < 5 * 0.5 / math.sqrt(n)
    # awareness: nobody knows shop a, everybody knows shop b
    assert not state.aware[:, 0].any() and state.aware[:, 1].all()
    # expectation by segment's delivery weight w: (promise + w) / (1 + w)
    # baby w=1: 0.85, 0.9; toddler w=0: the promise 0.7, 0.8; adult w=3: 0.925, 0.95
    for s, expected in [(0, [0.85, 0.9]), (1, [0.7, 0.8]), (2, [0.925, 0.95])]:
        got = state.expectation[state.segment == s]
        np.testing.assert_allclose(got, np.tile(expected, (got.shape[0], 1)), rtol=1e-6)


def test_populate_initial_awareness_share():
    shop_arrays = replace(shops(), initial_awareness=np.array([0.3, 0.0]))
    n = 10000
    state = CustomerState.empty(n, 2)
    populate(
        np.random.default_rng(4),
        state,
        np.arange(n),
        0,
        newcomers=NEWCOMERS,
        segments=segments(),
        shops=shop_arrays,
        impression=impression(shop_arrays, segments()),
        initial=True,
    )
    # SE = sqrt(0.3 * 0.7 / 10000) = 0.00458
    assert abs(state.aware[:, 0].mean() - 0.3) < 5 * math.sqrt(0.21 / n)
    assert not state.aware[:, 1].any()


def test_populate_nobody():
    shop_arrays = shops()
    state = CustomerState.empty(3, 2)
    populate(
        np.random.default_rng(0),
        state,
        np.empty(0, np.int64),
        0,
        newcomers=NEWCOMERS,
        segments=segments(),
        shops=shop_arrays,
        impression=impression(shop_arrays, segments()),
        initial=False,
    )
    assert not state.active.any()


@pytest.mark.parametrize("initial", [True, False])
def test_populate_share_normalised(initial):
    # shares that do not add up to 1 are normalised: only segment 2 can be drawn here
    shop_arrays = shops()
    segs = segments(share=np.array([0.0, 0.0, 3.0]), arrival_share=np.array([0.0, 0.0, 2.0]))
    state = CustomerState.empty(20, 2)
    populate(
        np.random.default_rng(0),
        state,
        np.arange(20),
        0,
        newcomers=NEWCOMERS,
        segments=segs,
        shops=shop_arrays,
        impression=impression(shop_arrays, segs),
        initial=initial,
    )
    assert np.all(state.segment == 2)


# --------------------------------------------------------------------------- buying habits
def test_buying_habits_gamma_rates_and_beta_dropout():
    # shape 0.25: the multiplier has mean 1 and variance 1/0.25 = 4; Beta(0.8, 2.4): mean 0.25,
    # variance ab / ((a+b)^2 (a+b+1)) = 1.92 / (10.24 * 4.2) = 0.04464
    n = 200_000
    segs = segments(
        purchase_rate_shape=np.array([0.25, np.inf, np.inf]),
        dropout_a=np.array([0.8, 0.0, 0.0]),
        dropout_b=np.array([2.4, 0.0, 0.0]),
    )
    segment = np.zeros(n, np.int16)
    scale, dropout = buying_habits(np.random.default_rng(1), segment, segs)
    # SE of the mean: sqrt(4 / n) = 0.0045; of the Beta mean sqrt(0.0446 / n) = 0.00047
    assert abs(scale.mean() - 1.0) < 5 * np.sqrt(4 / n)
    assert abs(scale.var() / 4.0 - 1.0) < 0.1  # a heavy tail: the variance is noisy
    assert abs(dropout.mean() - 0.25) < 5 * np.sqrt(0.04464 / n)
    assert abs(dropout.var() - 0.04464) < 0.002
    # other segments keep all-equal rates and no dropout
    scale, dropout = buying_habits(np.random.default_rng(1), np.full(5, 2, np.int16), segs)
    assert np.all(scale == 1.0) and np.all(dropout == 0.0)


def test_buying_habits_draw_nothing_when_off():
    rng = np.random.default_rng(7)
    before = rng.bit_generator.state
    scale, dropout = buying_habits(rng, np.zeros(10, np.int16), segments())
    assert (scale, dropout) == (1.0, 0.0)
    assert rng.bit_generator.state == before  # older scenarios draw the same numbers


# --------------------------------------------------------------------------- steady state
# The toy: baby (10 days) -> toddler (20 days) -> leaves the market; adult forever.
TOY_DURATION = [10.0, 20.0, math.inf]
TOY_NEXT = [1, -1, -1]
HALF_LIFE_10 = math.log(2) / 10  # half the babies survive their stage, a quarter the toddlers


def toy_market(share, departure_rate, customers=2000, **market):
    names = ["baby", "toddler", "adult"]
    segs = {
        name: {"share": s, "purchase_rate": 0.0}
        | ({"duration_days": d} if math.isfinite(d) else {})
        for name, s, d in zip(names, share, TOY_DURATION, strict=True)
    }
    segs["baby"]["next"] = "toddler"
    return validate(
        {
            "run": {"days": 60, "warmup_days": 0},
            "market": {
                "customers": customers,
                "steady_state": True,
                "departure_rate": departure_rate,
                "segments": segs,
            }
            | market,
            "network": {"kind": "well_mixed"},
            "shops": {"a": {"price": 50.0, "quality": 0.6, "unit_cost": 30.0}},
        }
    )


def test_arrival_flows_hand_checked_without_departures():
    # d = 0: a baby stays 10 days, a toddler 20. Shares 0.2 / 0.6 / 0.2 per customer: babies
    # enter at 0.2 / 10 = 0.02 a day, all from outside; toddlers at 0.6 / 20 = 0.03 a day, of
    # which 0.02 are grown babies, so 0.01 arrive; adults never leave: no arrivals
    flows = arrival_flows([0.2, 0.6, 0.2], TOY_DURATION, TOY_NEXT, 0.0)
    np.testing.assert_allclose(flows, [0.02, 0.01, 0.0], atol=1e-15)


def test_arrival_flows_hand_checked_with_departures():
    # d = ln 2 / 10: time in stage L = (1 - e^{-dD}) / d = 0.5 / d for babies, 0.75 / d for
    # toddlers, 1 / d for adults. Shares 0.4 / 0.4 / 0.2: babies enter at 0.4 d / 0.5 = 0.8 d;
    # toddlers at 0.4 d / 0.75 = 8/15 d, half the babies' 0.8 d grow up (0.4 d), so 2/15 d
    # arrive; adults 0.2 d
    d = HALF_LIFE_10
    flows = arrival_flows([0.4, 0.4, 0.2], TOY_DURATION, TOY_NEXT, d)
    np.testing.assert_allclose(flows, [0.8 * d, 2 / 15 * d, 0.2 * d], rtol=1e-12)
    assert time_in_stage(10.0, d) == pytest.approx(0.5 / d)
    assert time_in_stage(math.inf, d) == pytest.approx(1 / d)
    assert time_in_stage(10.0, 0.0) == 10.0


def test_arrival_flows_negative_when_earlier_stages_overfill():
    # d = 0, shares 0.5 / 0.3 / 0.2: babies enter at 0.05 a day and all become toddlers,
    # who would then number 0.05 * 20 = 1.0 of the market, more than 0.3: -0.05 + 0.015
    flows = arrival_flows([0.5, 0.3, 0.2], TOY_DURATION, TOY_NEXT, 0.0)
    assert flows[1] == pytest.approx(0.3 / 20 - 0.05)


def test_steady_state_shares_that_cannot_hold_are_a_located_problem():
    with pytest.raises(ScenarioError) as caught:
        toy_market([0.5, 0.3, 0.2], 0.0)
    assert "market.segments.toddler.share" in str(caught.value)
    with pytest.raises(ScenarioError) as caught:
        toy_market([0.4, 0.4, 0.2], HALF_LIFE_10, arrival_rate=0.01)
    assert "market.arrival_rate" in str(caught.value)


def test_newcomers_of_a_steady_market():
    # 2000 customers at the flows above: 2000 * (0.8 + 2/15 + 0.2) d = 2266.7 d a day,
    # split 0.8 : 2/15 : 0.2 (70.6% / 11.8% / 17.6%)
    scenario = toy_market([0.4, 0.4, 0.2], HALF_LIFE_10)
    segs = SegmentArrays.from_scenario(scenario)
    newcomers = Newcomers.of(scenario.market, segs, 0.0)
    total = 0.8 + 2 / 15 + 0.2
    assert newcomers.per_day == pytest.approx(2000 * total * HALF_LIFE_10)
    np.testing.assert_allclose(newcomers.arrival_share, np.array([0.8, 2 / 15, 0.2]) / total)
    assert newcomers.stage_age_decay == HALF_LIFE_10
    assert not newcomers.replace_dropouts  # nobody drops out in the toy
    legacy = Newcomers.of(scenario.market.model_copy(update={"steady_state": False}), segs, 0.0)
    assert legacy.per_day == 0.0 and legacy.arrival_share is None
    assert legacy.stage_age_decay == 0.0


def test_initial_customers_age_in_stage_from_the_steady_state():
    # age density e^{-d a} on [0, 10] with d = ln 2 / 10: mean age 1/d - D e^{-dD} / (1 -
    # e^{-dD}) = 14.427 - 10 = 4.427, so 5.573 days left on average (uniform: 5)
    n, d = 20000, HALF_LIFE_10
    shop_arrays = shops()
    segs = segments(share=np.array([1.0, 0.0, 0.0]))
    state = CustomerState.empty(n, 2)
    populate(
        np.random.default_rng(5),
        state,
        np.arange(n),
        0,
        newcomers=replace(NEWCOMERS, stage_age_decay=d),
        segments=segs,
        shops=shop_arrays,
        impression=impression(shop_arrays, segs),
        initial=True,
    )
    left = state.stage_end.astype(np.float64)
    assert left.min() >= 0.0 and left.max() <= 10.0
    mean_left = 10.0 - (1 / d - 10.0 * 0.5 / 0.5)
    assert mean_left == pytest.approx(5.573, abs=1e-3)
    # the sd of the days left is below the uniform's 2.887
    assert abs(left.mean() - mean_left) < 5 * 2.887 / math.sqrt(n)
    # P(left <= 5) = P(age >= 5) = (e^{-0.5 ln 2} - 0.5) / 0.5 = 0.4142
    assert abs(np.mean(left <= 5.0) - 0.4142) < 5 * math.sqrt(0.25 / n)


def test_arrivals_replacing_in_kind():
    shop_arrays = shops()
    state = CustomerState.empty(4, 2)
    rows = np.array([1, 3])
    populate(
        np.random.default_rng(0),
        state,
        rows,
        12,
        newcomers=NEWCOMERS,
        segments=segments(),
        shops=shop_arrays,
        impression=impression(shop_arrays, segments()),
        initial=False,
        replacing=(np.array([1, 2], np.int16), np.array([17.5, np.inf])),
    )
    # the stage and the days left in it are those of the replaced; joined today
    np.testing.assert_array_equal(state.segment[rows], [1, 2])
    np.testing.assert_array_equal(state.stage_end[rows], [17.5, np.inf])
    np.testing.assert_array_equal(state.joined[rows], [12, 12])


def test_left_category_skips_those_already_leaving():
    state = CustomerState.empty(5, 1)
    state.active[:4] = True
    state.alive[:] = [True, False, False, True, False]  # slot 4 is free
    np.testing.assert_array_equal(left_category(state, np.array([2])), [1])


def stage_counts(model):
    state = model.state
    return np.bincount(state.segment[state.active], minlength=3)


def test_steady_market_holds_its_stage_shares():
    # 2000 customers, 40/40/20, a baby's stage half-life 10 days: 157 arrivals a day. In the
    # steady state each stage's count is Poisson (M/G/inf): 800 +- 28, 400 +- 20 at most
    scenario = toy_market([0.4, 0.4, 0.2], HALF_LIFE_10)
    model = LoyaltyModel(scenario, rng=11, create_agents=False)
    counts = [stage_counts(model)]
    for _ in range(60):
        model.step()
        counts.append(stage_counts(model))
    counts = np.array(counts)
    target = np.array([800, 800, 400])
    assert np.all(np.abs(counts - target) < 5 * np.sqrt(target))
    # the mean over days 20-60 (several stage lengths after the start) is on target too
    assert np.all(np.abs(counts[20:].mean(axis=0) - target) < 3 * np.sqrt(target))
    # legacy reading (no steady state) of the same shares with these arrivals drifts: half the
    # babies become toddlers who stay twice as long, but nobody arrives
    legacy = LoyaltyModel(
        scenario.model_copy(
            update={"market": scenario.market.model_copy(update={"steady_state": False})}
        ),
        rng=11,
        create_agents=False,
    )
    for _ in range(60):
        legacy.step()
    assert stage_counts(legacy).sum() < 0.2 * 2000


def test_steady_market_replaces_who_leaves_the_category():
    # everyone needs to buy every day and drops out with chance ~Beta(2, 2) after a repeat
    # purchase: without replacement the buying population would vanish within days
    segs = {"all": {"share": 1.0, "purchase_rate": 1.0, "dropout_a": 2.0, "dropout_b": 2.0}}
    scenario = validate(
        {
            "run": {"days": 30, "warmup_days": 0},
            "market": {
                "customers": 500,
                "steady_state": True,
                "departure_rate": 0.01,
                "outside_utility": -20.0,
                "segments": segs,
            },
            "network": {"kind": "well_mixed"},
            "shops": {
                "a": {"price": 50.0, "quality": 0.6, "unit_cost": 30.0, "initial_awareness": 1.0}
            },
        }
    )
    model = LoyaltyModel(scenario, rng=3, create_agents=False)
    for _ in range(30):
        model.step()
        state = model.state
        # those who dropped out today leave tomorrow: the alive count is the whole market
        # minus today's dropouts; the market is Poisson(500): 500 +- 22
        assert abs(int(state.active.sum()) - 500) < 5 * math.sqrt(500)
        # leaving and replacing go through the mutators: the running totals stay a recount
        recount = ShopTotals.count(state)
        for field in fields(ShopTotals):
            got, want = getattr(model.totals, field.name), getattr(recount, field.name)
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-3, err_msg=field.name)
    departed = pd.DataFrame(model.departed.rows())
    # many left the category (alive false) and went; their replacements got new ids
    assert (~departed["alive"]).sum() > 500
    assert model.state.uid[model.state.active].max() > 500
    # a customer leaves once, and no one still here has a leaver's id
    leavers = np.concatenate([customers["uid"] for customers, _ in model.departed.chunks])
    assert np.unique(leavers).shape[0] == leavers.shape[0]
    assert not np.isin(model.state.uid[model.state.active], leavers).any()


def test_union_of_leavers_without_a_sort_when_one_side_is_empty():
    from loyaltysim.engine.phases.market import _union

    none, some = np.empty(0, np.int64), np.array([2, 5])
    assert _union(some, none) is some and _union(none, some) is some
    assert _union(np.array([1, 5]), np.array([2, 5, 7])).tolist() == [1, 2, 5, 7]
    assert _union(none, none).dtype == np.union1d(none, none).dtype
