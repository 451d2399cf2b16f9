"""Delivery: parcel outcomes and delivery score (the parcel queue: test_parcel_queue.py)."""

import math

import numpy as np
import pytest
from validation.experience import LEGACY as ORIGINAL_RULES

from loyaltysim import LoyaltyModel, load_scenario
from loyaltysim.engine.params import ShopArrays
from loyaltysim.mechanisms.delivery import (
    Outcome,
    Scoring,
    days_early,
    delivery_score,
    draw_outcomes,
)


def full(n, value):
    return np.full(n, value, dtype=np.float64)


# --------------------------------------------------------------------------- draw_outcomes
def test_draw_outcomes_empty():
    outcome, delay = draw_outcomes(
        np.random.default_rng(0), full(0, 0.9), full(0, 0.0), full(0, 0.0), full(0, 2.0)
    )
    assert outcome.shape == delay.shape == (0,)
    assert outcome.dtype == np.int8
    assert delay.dtype == np.int32


def test_draw_outcomes_certain_cases():
    # parcels 0-2 perfect courier, 3-5 always lost, 6-8 always damaged, 9-11 always late by 1
    g = np.random.default_rng(1)
    on_time = np.array([1.0] * 3 + [1.0] * 3 + [1.0] * 3 + [0.0] * 3)
    damage = np.array([0.0] * 3 + [0.0] * 3 + [1.0] * 3 + [0.0] * 3)
    loss = np.array([0.0] * 3 + [1.0] * 3 + [0.0] * 3 + [0.0] * 3)
    mean_delay = full(12, 1.0)  # 1 + Poisson(0) = exactly 1 day
    outcome, delay = draw_outcomes(g, on_time, damage, loss, mean_delay)
    expected = [Outcome.ON_TIME] * 3 + [Outcome.LOST] * 3 + [Outcome.DAMAGED] * 3
    expected += [Outcome.LATE] * 3
    np.testing.assert_array_equal(outcome, expected)
    # on time and damaged parcels are not late; lost ones carry the give-up delay
    np.testing.assert_array_equal(delay, [0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1])


def test_draw_outcomes_shares_and_delays():
    # loss 0.02, damage 0.05, on_time 0.8 among intact parcels:
    # lost 0.02, damaged 0.05, late 0.93 * 0.2 = 0.186, on time 0.93 * 0.8 = 0.744
    n = 40000
    g = np.random.default_rng(2)
    outcome, delay = draw_outcomes(g, full(n, 0.8), full(n, 0.05), full(n, 0.02), full(n, 3.0))
    for code, p in [
        (Outcome.LOST, 0.02),
        (Outcome.DAMAGED, 0.05),
        (Outcome.LATE, 0.186),
        (Outcome.ON_TIME, 0.744),
    ]:
        # SE = sqrt(p (1-p) / n), e.g. 0.0007 for lost, 0.00218 for on time
        assert abs(np.mean(outcome == code) - p) < 5 * math.sqrt(p * (1 - p) / n)
    assert np.all(delay[(outcome == Outcome.ON_TIME) | (outcome == Outcome.DAMAGED)] == 0)
    late = delay[outcome == Outcome.LATE]
    assert late.min() >= 1
    # late delay = 1 + Poisson(3 - 1): mean 3, variance 2; SE(mean) = sqrt(2 / n_late)
    assert abs(late.mean() - 3.0) < 5 * math.sqrt(2.0 / late.size)
    # Var(sample variance) ~ (mu4 - sigma^4) / n; Poisson(2): mu4 = l + 3 l^2 = 14, sigma^4 = 4
    # -> SE = sqrt(10 / n_late)
    assert abs(late.var(ddof=1) - 2.0) < 5 * math.sqrt(10.0 / late.size)
    lost = delay[outcome == Outcome.LOST]
    assert lost.min() >= 1
    assert abs(lost.mean() - 3.0) < 5 * math.sqrt(2.0 / lost.size)


# --------------------------------------------------------------------------- delivery_score
def scoring(late=0.15, relief=0.5, damaged=0.2, reference="parcel", on_time=1.0):
    return Scoring(
        late_penalty=late,
        tracking_relief=relief,
        damaged_score=damaged,
        delivery_reference=reference,
        on_time_score=on_time,
    )


def test_delivery_score_hand_checked():
    outcome = np.array(
        [Outcome.ON_TIME, Outcome.LATE, Outcome.LATE, Outcome.LATE, Outcome.DAMAGED, Outcome.LOST],
        np.int8,
    )
    delay = np.array([0, 2, 2, 10, 0, 3], np.int32)
    tracking = np.array([False, False, True, False, True, True])
    rules = scoring()
    early = days_early(delay + 3, delay, np.full(6, 3.0), rules)  # judged against the parcel
    np.testing.assert_array_equal(early, -delay)
    score = delivery_score(outcome, early, tracking, rules)
    # on time: 1
    # 2 days late, no tracking: 1 - 0.15*2 = 0.7
    # 2 days late, tracking: penalty 0.15*(1 - 0.5) = 0.075 -> 1 - 0.15 = 0.85 (softer)
    # 10 days late: 1 - 1.5 -> clipped to 0
    # damaged: damaged_score 0.2; lost: 0 even with tracking
    np.testing.assert_allclose(score, [1.0, 0.7, 0.85, 0.0, 0.2, 0.0], atol=1e-12)


def test_tracking_softens_every_delay():
    delay = np.arange(1, 6)
    outcome = np.full(5, Outcome.LATE, np.int8)
    without = delivery_score(outcome, -delay, np.zeros(5, bool), scoring(late=0.1))
    with_ = delivery_score(outcome, -delay, np.ones(5, bool), scoring(late=0.1))
    # 1 - 0.1 d versus 1 - 0.05 d
    np.testing.assert_allclose(without, 1 - 0.1 * delay)
    np.testing.assert_allclose(with_, 1 - 0.05 * delay)


def test_days_early_against_the_promise():
    # promised 3 days: arrived in 1 (express) -> 2 early; in 3 -> 0; in 5 (2 days late) -> -2.
    # Judged against the parcel itself, the express parcel (delay 0) is merely on time.
    days, delay = np.array([1, 3, 5], np.int32), np.array([0, 0, 2], np.int32)
    promised = np.full(3, 3.0)
    promise = scoring(reference="promise")
    np.testing.assert_array_equal(days_early(days, delay, promised, promise), [2, 0, -2])
    np.testing.assert_array_equal(days_early(days, delay, promised, scoring()), [0, 0, -2])


def test_early_delivery_scores_above_the_promise():
    # on_time_score 0.7, 0.15 a day: 2 days early -> 0.7 + 0.3 = 1.0; 1 early -> 0.85;
    # on the day -> 0.7; 1 late -> 0.55; 1 late with tracking -> 0.7 - 0.075 = 0.625;
    # 3 early -> 1.15, clipped to 1
    outcome = np.full(6, Outcome.ON_TIME, np.int8)
    early = np.array([2.0, 1.0, 0.0, -1.0, -1.0, 3.0])
    tracking = np.array([False, False, False, False, True, True])
    score = delivery_score(outcome, early, tracking, scoring(reference="promise", on_time=0.7))
    np.testing.assert_allclose(score, [1.0, 0.85, 0.7, 0.55, 0.625, 1.0], atol=1e-12)


def test_a_day_early_wins_what_a_day_late_loses():
    # symmetric per day in the score (without tracking): the asymmetry is the
    # disconfirmation's loss aversion, applied once (mechanisms.experience)
    outcome = np.full(2, Outcome.ON_TIME, np.int8)
    rules = scoring(reference="promise", on_time=0.7)
    score = delivery_score(outcome, np.array([1.0, -1.0]), np.zeros(2, bool), rules)
    assert score[0] - 0.7 == pytest.approx(0.7 - score[1]) == pytest.approx(0.15)


# --------------------------------------------------------------------------- promised days
def test_promised_days_default_to_the_normal_arrival_and_can_be_set_by_region():
    # baseline: dispatch 1 day; city 1, province 2, remote 4 transit days -> promises 2, 3, 5.
    # middle promises 4 days everywhere, remote 6: its row is [4, 4, 6]
    scenario = load_scenario(
        "scenarios/baseline.toml",
        {
            "shops.middle.courier.promised_days": 4.0,
            "shops.middle.courier_by_region.remote.promised_days": 6.0,
        },
    )
    params = ShopArrays.from_scenario(scenario)
    assert params.names == ["thrift", "premium", "middle"]
    np.testing.assert_array_equal(params.promised_days, [[2, 3, 5], [2, 3, 5], [4, 4, 6]])
    np.testing.assert_array_equal(params.lead_days[:2], params.promised_days[:2])


def test_half_day_leads_round_as_parcels_travel():
    # dispatch 0.5 + city 1 = 1.5 days -> parcels take rint(1.5) = 2 days, the promise too;
    # province 2.5 -> 2 (round half to even, as np.rint does for the parcels)
    scenario = load_scenario("scenarios/baseline.toml", {"shops.thrift.courier.dispatch_days": 0.5})
    promised = ShopArrays.from_scenario(scenario).promised_days
    np.testing.assert_array_equal(promised[0], [2, 2, 4])


# --------------------------------------------------------------------------- through the model
@pytest.mark.parametrize(
    ("promised", "felt"),
    [
        # E = (0.6 + 0.85)/2 = 0.725 for everyone (honest shop, first impression);
        # parcels take 2 days. Promise 3: a day early, score 0.85 + 0.15 = 1, P = 0.8,
        # x = 0.725 + 1.3*0.075 = 0.8225. Promise 2: on the day, P = E, x = 0.725.
        # Promise 1: a day late, score 0.7, P = 0.65, x = 0.725 - 1.3*2.25*0.075 = 0.505625
        (3.0, 0.8225),
        (2.0, 0.725),
        (1.0, 0.505625),
    ],
)
def test_first_experience_against_the_promise_hand_checked(promised, felt):
    settings = {
        "experience.disconfirmation": "prospect",
        "experience.gain": 1.3,
        "experience.loss_aversion": 2.25,
        "experience.delivery_reference": "promise",
        "experience.on_time_score": 0.85,
    }
    np.testing.assert_allclose(_first_experiences(promised, settings), felt, atol=1e-6)


@pytest.mark.parametrize("promised", [1.0, 3.0])
def test_the_original_rules_ignore_the_promise(promised):
    # E = P = (0.6 + 1)/2 = 0.8 whatever the shop promises: x = P = 0.8
    np.testing.assert_allclose(_first_experiences(promised, ORIGINAL_RULES), 0.8, atol=1e-6)


def _first_experiences(promised: float, settings: dict) -> np.ndarray:
    """Satisfaction of the middle shop's customers after exactly one (noise-free) delivery."""
    scenario = load_scenario(
        "scenarios/baseline.toml",
        {
            "market.customers": 500,
            "market.regions.city.share": 1.0,
            "market.regions.province.share": 0.0,
            "market.regions.remote.share": 0.0,
            "run.warmup_days": 0,
            "experience.quality_noise": 0.0,
            "experience.complaint_propensity": 0.0,
            "experience.positive_propensity": 0.0,  # no word of mouth moves expectations
            "experience.negative_propensity": 0.0,
            "shops.middle.quality": 0.6,
            "shops.middle.courier.on_time": 1.0,
            "shops.middle.courier.damage_rate": 0.0,
            "shops.middle.courier.loss_rate": 0.0,
            "shops.middle.courier.tracking": False,
            "shops.middle.courier.promised_days": promised,
            **settings,
        },
    )
    model = LoyaltyModel(scenario, rng=3, create_agents=False)
    for _ in range(30):
        model.step()
    once = model.state.active & (model.state.experiences[:, 2] == 1)
    assert once.sum() > 10
    return model.state.satisfaction[once, 2]
