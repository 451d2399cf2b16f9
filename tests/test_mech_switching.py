"""Main-shop switching after ``switch_after`` wins in a row, and churn."""

import math

import numpy as np
import pytest

from loyaltysim.engine.phases import market
from loyaltysim.engine.state import NO_SHOP
from loyaltysim.mechanisms import breaches
from loyaltysim.mechanisms.breaches import Shelter, loss_share, patronage
from loyaltysim.mechanisms.switching import (
    ChurnRule,
    churn_probability,
    churns,
    held_back,
    update_main_shop,
)
from loyaltysim.scenario.problems import ScenarioError
from loyaltysim.strategies.crm import Crm
from loyaltysim.strategies.membership import Membership
from strategy_helpers import ALPHA, FakeContext, assert_totals_consistent, tiny_model, tiny_scenario


def i16(*values):
    return np.array(values, np.int16)


def buy_sequence(main, purchases, switch_after):
    """Feed one customer's purchases in order; return (main, challenger, wins) after each."""
    m, c, w = i16(main), i16(NO_SHOP), i16(0)
    out = []
    for shop in purchases:
        m, c, w = update_main_shop(m, c, w, np.array([shop]), switch_after)
        out.append((int(m[0]), int(c[0]), int(w[0])))
    return out


def test_first_purchase_makes_the_main_shop():
    assert buy_sequence(NO_SHOP, [2], 2) == [(2, NO_SHOP, 0)]


def test_switch_only_after_two_wins_in_a_row():
    # main 0; shop 1 wins once -> challenger; twice -> new main shop
    assert buy_sequence(0, [1, 1], 2) == [(0, 1, 1), (1, NO_SHOP, 0)]


def test_run_broken_by_the_main_shop():
    assert buy_sequence(0, [1, 0, 1], 2) == [(0, 1, 1), (0, NO_SHOP, 0), (0, 1, 1)]


def test_run_broken_by_another_challenger():
    # 1 wins, then 2 wins: 2 is the challenger with a run of 1; then 2 again -> switch
    assert buy_sequence(0, [1, 2, 2], 2) == [(0, 1, 1), (0, 2, 1), (2, NO_SHOP, 0)]


def test_switch_after_one_and_three():
    assert buy_sequence(0, [1], 1) == [(1, NO_SHOP, 0)]
    assert buy_sequence(0, [1, 1, 1], 3) == [(0, 1, 1), (0, 1, 2), (1, NO_SHOP, 0)]


def test_buying_at_the_main_shop_keeps_it():
    assert buy_sequence(0, [0, 0], 2) == [(0, NO_SHOP, 0), (0, NO_SHOP, 0)]


def test_vectorised_over_customers():
    # customers: new (no main), main 0 first win of 1, main 0 second win of 1, main 0 buys 0
    main, chall, wins = update_main_shop(
        i16(NO_SHOP, 0, 0, 0),
        i16(NO_SHOP, NO_SHOP, 1, 1),
        i16(0, 0, 1, 1),
        np.array([1, 1, 1, 0]),
        2,
    )
    np.testing.assert_array_equal(main, [1, 0, 1, 0])
    np.testing.assert_array_equal(chall, [NO_SHOP, 1, NO_SHOP, NO_SHOP])
    np.testing.assert_array_equal(wins, [0, 1, 0, 0])
    assert main.dtype == chall.dtype == wins.dtype == np.int16


def test_update_main_shop_empty():
    out = update_main_shop(i16(), i16(), i16(), np.empty(0, int), 2)
    assert all(a.size == 0 for a in out)


# --------------------------------------------------------------------------- churns
def test_churn_on_bad_experience_and_on_trust_below_floor():
    # threshold 0.25 (strict), propensity 1, floor 0.1 (strict)
    experience = np.array([0.1, 0.25, 0.5, 0.9, 0.9])
    trust = np.array([0.5, 0.5, 0.5, 0.09, 0.1])
    out = churns(np.random.default_rng(0), experience, trust, ChurnRule(0.25, 1.0, 0.1, 0.0))
    np.testing.assert_array_equal(out, [True, False, False, True, False])


def test_trust_below_floor_churns_for_sure():
    # propensity 0: bad experiences alone never churn, low trust always does
    out = churns(
        np.random.default_rng(0),
        np.array([0.0, 0.0]),
        np.array([0.05, 0.5]),
        ChurnRule(0.25, 0.0, 0.1, 0.0),
    )
    np.testing.assert_array_equal(out, [True, False])


def test_churn_propensity_share():
    # all experiences bad, trust fine: churn share 0.3, SE = sqrt(0.21 / 40000) = 0.00229
    n = 40000
    out = churns(
        np.random.default_rng(5), np.zeros(n), np.full(n, 0.5), ChurnRule(0.25, 0.3, 0.1, 0.0)
    )
    assert abs(out.mean() - 0.3) < 5 * math.sqrt(0.3 * 0.7 / n)


# --------------------------------------------------------------------------- switching costs
def rule(propensity=0.3, floor=0.1, weight=1.0):
    return ChurnRule(
        churn_threshold=0.25,
        churn_propensity=propensity,
        trust_floor=floor,
        switching_cost_weight=weight,
    )


def test_held_back_is_exp_of_minus_the_weighted_forfeit():
    # weight 2, forfeit ln(3) / 2 -> exp(-ln 3) = 1/3; forfeit 0 -> 1
    np.testing.assert_allclose(
        held_back(np.array([math.log(3.0) / 2.0, 0.0]), rule(weight=2.0)), [1 / 3, 1.0]
    )


def test_churn_probability_cuts_the_odds():
    # p 0.3, factor 1/3: 0.3 x 1/3 / (0.7 + 0.1) = 0.1 / 0.8 = 0.125; factor 1: 0.3; 0: 0
    np.testing.assert_allclose(
        churn_probability(np.array([1 / 3, 1.0, 0.0]), rule()), [0.125, 0.3, 0.0]
    )
    # p 1 (churn for sure) stays certain, unless the factor is 0
    np.testing.assert_allclose(churn_probability(np.array([0.5, 0.0]), rule(1.0)), [1.0, 0.0])
    # p 0.999, factor 1e-6: 0.999e-6 / (0.001 + 0.999e-6) = 0.000998
    np.testing.assert_allclose(
        churn_probability(np.array([1e-6]), rule(0.999)), 0.999e-6 / 0.001000999
    )


def test_forfeit_lowers_the_churn_of_bad_experiences_draw_by_draw():
    # forfeit ln 3 (weight 1): churn if the draw is below 0.125 instead of 0.3
    n = 2000
    draws = np.random.default_rng(3).random(n)
    forfeit = np.full(n, math.log(3.0))
    out = churns(np.random.default_rng(3), np.zeros(n), np.full(n, 0.5), rule(), forfeit)
    np.testing.assert_array_equal(out, draws < 0.125)
    assert 0 < out.sum() < (draws < 0.3).sum()


def test_forfeit_lowers_the_trust_floor():
    # floor 0.1, forfeit ln 2 -> floor 0.05: trust 0.06 stays, 0.04 leaves; without, both leave
    good, trust = np.full(2, 0.9), np.array([0.06, 0.04])
    held = churns(np.random.default_rng(0), good, trust, rule(), np.full(2, math.log(2.0)))
    free = churns(np.random.default_rng(0), good, trust, rule(), None)
    np.testing.assert_array_equal(held, [False, True])
    np.testing.assert_array_equal(free, [True, True])


def test_weight_zero_is_the_rule_without_switching_costs():
    n = 500
    rng_args = np.zeros(n), np.random.default_rng(9).random(n)
    with_forfeit = churns(np.random.default_rng(1), *rng_args, rule(weight=0.0), np.ones(n))
    without = churns(np.random.default_rng(1), *rng_args, rule(weight=0.0))
    np.testing.assert_array_equal(with_forfeit, without)


def test_held_back_share_of_bad_experiences():
    # forfeit ln 3: churn share 0.125, SE = sqrt(0.125 x 0.875 / 40000) = 0.00165
    n = 40000
    out = churns(
        np.random.default_rng(5), np.zeros(n), np.full(n, 0.5), rule(), np.full(n, math.log(3.0))
    )
    assert abs(out.mean() - 0.125) < 5 * math.sqrt(0.125 * 0.875 / n)


# --------------------------------------------------------------------------- membership hooks
def test_membership_switching_cost_is_points_and_tier_discount_on_the_basket():
    ms = FakeContext().add(Membership, point_value=0.01)
    ms.member[[0, 1]] = True
    ms.points[[0, 1]] = [500.0, 300.0]
    ms.tier[0] = 2  # gold: 4% off
    # slot 0: 500 x 0.01 + 0.04 x 100 = 9; slot 1 (tier 0, no discount): 3; slot 2: 0
    np.testing.assert_allclose(ms.switching_cost(np.array([0, 1, 2]), 100.0), [9.0, 3.0, 0.0])


def test_membership_standing_gives_the_tier_rank():
    ms = FakeContext().add(Membership)  # five tiers
    ms.member[[0, 1, 3]] = True
    ms.tier[[0, 3]] = [2, 4]
    ms.points[[0, 1, 2]] = [40.0, 5.0, 7.0]
    level, points = ms.standing(np.array([0, 1, 2, 3]))
    np.testing.assert_array_equal(level, [2, 0, -1, 4])
    np.testing.assert_array_equal(points, [40.0, 5.0, np.nan, 0.0])
    # gold (2): 3/5; member (0): 1/5; non-member: 0; diamond (4): 1
    np.testing.assert_allclose(breaches.tier_rank(level, 5), [0.6, 0.2, 0.0, 1.0])


def test_other_strategies_add_no_switching_cost_and_no_standing():
    context = FakeContext()
    crm = context.add(Crm)
    assert crm.switching_cost(np.arange(3), 100.0) is None
    assert crm.standing(np.arange(3)) is None and crm.tier_names == ()


# --------------------------------------------------------------------------- in the engine
def churn_everything(weight):
    """A tiny model where every experience churns unless switching costs hold it back."""
    return tiny_model(
        {"membership": {"join_share": 0.5}},
        seed=4,
        experience={
            "churn_threshold": 1.0,
            "churn_propensity": 0.999,
            "quality_noise": 0.0,
            "switching_cost_weight": weight,
        },
    )


@pytest.mark.parametrize("weight", [0.0, 1e4])
def test_members_are_held_and_others_leave(weight):
    # first order of 100 earns a member 100 points = 1 of forfeit = 0.01 per reference price;
    # weight 1e4 -> factor exp(-100), churn 0.999 e^-100 / 0.001 ~ 4e-41: members stay;
    # non-members (forfeit 0) churn with 0.999 (all of them, with this seed)
    model = churn_everything(weight)
    programme = model.strategies[0]
    for _ in range(20):
        model.step()
    state = model.state
    tried = state.active & (state.experiences[:, ALPHA] > 0)
    members = tried & programme.member
    assert members.any() and (tried & ~programme.member).any()
    assert state.dropped[tried & ~programme.member, ALPHA].all()
    if weight == 0.0:
        assert state.dropped[members, ALPHA].all()
    else:
        assert not state.dropped[members, ALPHA].any()


def test_programme_end_forfeits_points_and_stops_the_lever():
    model = tiny_model(
        {"membership": {"join_share": 1.0}},
        events=[{"kind": "programme_end", "shop": "alpha", "day": 15}],
    )
    programme = model.strategies[0]
    for _ in range(15):
        model.step()
    assert programme.points.sum() > 0 and programme in model.strategies
    model.step()  # day 15
    assert programme not in model.strategies
    assert programme.points.sum() == 0 and not programme.member.any()
    for _ in range(5):
        model.step()
    assert not programme.member.any()  # nobody joins a closed programme


def test_programme_end_needs_a_membership_programme():
    with pytest.raises(ScenarioError) as caught:
        tiny_scenario(events=[{"kind": "programme_end", "shop": "beta", "day": 5}])
    (problem,) = caught.value.problems
    assert problem.path == "events[0].shop"
    assert "membership programme" in problem.expected and "'beta'" in problem.given


# --------------------------------------------------------------------------- breaches
def test_patronage_is_relative_to_the_mean_customer_with_any():
    # counted with deliveries: 2, 4, 6 -> mean 4; slot 4 is not counted
    experiences = np.array([0, 2, 4, 6, 8])
    counted = np.array([True, True, True, True, False])
    np.testing.assert_allclose(patronage(experiences, counted), [0.0, 0.5, 1.0, 1.5, 0.0])
    np.testing.assert_allclose(patronage(np.zeros(3), np.ones(3, bool)), 0.0)


def test_loss_share_divides_by_one_plus_the_reliefs():
    shelter = Shelter(breach_patronage_relief=1.0, breach_tier_relief=2.0)
    # 1 / (1 + 1 x patronage + 2 x standing)
    share = loss_share(np.array([0.0, 1.0, 1.0, 0.5]), np.array([0.0, 0.0, 0.5, 1.0]), shelter)
    np.testing.assert_allclose(share, [1.0, 0.5, 1 / 3, 1 / 3.5])
    assert Shelter(0.0, 0.0).uniform and not shelter.uniform


def test_breach_spares_loyal_customers():
    # relief 1 per patronage: slots 0, 1, 2 with 1, 2, 3 deliveries (mean 2) take 1/1.5,
    # 1/2, 1/2.5 of the 0.4 trust loss; slot 3 knows the shop but never bought: all of it
    model = tiny_model(
        shops={"alpha": {"breach_trust_loss": 0.4, "breach_satisfaction_loss": 0.2}},
        experience={"breach_patronage_relief": 1.0},
    )
    with model.mutate.by_hand() as state:
        state.aware[:, ALPHA] = False
        state.aware[:4, ALPHA] = True
        state.trust[:4, ALPHA] = 0.5
        state.satisfaction[:3, ALPHA] = 0.5
        state.experiences[:, ALPHA] = 0
        state.experiences[:3, ALPHA] = [1, 2, 3]
    market._breach(model, ALPHA)
    share = np.array([1 / 1.5, 1 / 2, 1 / 2.5, 1.0])
    np.testing.assert_allclose(model.state.trust[:4, ALPHA], 0.5 * (1 - 0.4 * share), rtol=1e-6)
    np.testing.assert_allclose(
        model.state.satisfaction[:3, ALPHA], 0.5 * (1 - 0.2 * share[:3]), rtol=1e-6
    )
    assert_totals_consistent(model)
