"""Unit tests of the membership lever's reward psychology, with numbers worked out by hand.

The log-linear goal gradient (Kivetz, Urminsky & Zheng 2006), the forfeit basis of the
switching bonus, and endowed points on joining (Nunes & Drèze 2006): each on a
``FakeContext`` of ten customers (see ``strategy_helpers``), the legacy forms alongside.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from loyaltysim.scenario.problems import ScenarioError
from loyaltysim.strategies.membership import Membership
from strategy_helpers import ALPHA, BETA, FakeContext, offer, orders, tiny_scenario

ONE_TIER = [{"name": "member", "spend": 0.0}]


def membership(**config):
    return FakeContext().add(Membership, **config)


def make_member(ms, slots, *, points=0.0, tier=0):
    slots = np.asarray(slots)
    ms.member[slots] = True
    ms.points[slots] = points
    ms.tier[slots] = tier


def test_log_linear_gradient_follows_the_share_of_the_card_filled():
    ms = membership(goal_gradient_form="log_linear", goal_gradient=0.5, reward_points=1000.0)
    make_member(ms, [0], points=300.0)
    make_member(ms, [1], points=1000.0)  # a reward due: the next card is empty
    make_member(ms, [2], points=1500.0)  # due, and half of the next card
    ms.points[3] = 800.0  # no member: no boost
    boost = ms.need_boost(np.array([0, 1, 2, 3]))
    # exp(0.5 x 0.3); exp(0); exp(0.5 x 0.5); 1
    np.testing.assert_allclose(boost, [math.exp(0.15), 1.0, math.exp(0.25), 1.0])
    assert ms.max_need_boost() == pytest.approx(math.exp(0.5))


def test_log_linear_gradient_shortens_the_last_interval_by_the_published_share():
    g = math.log(1.25) / 0.8  # the published value: 20% shorter after stamp 9 than stamp 1
    ms = membership(goal_gradient_form="log_linear", goal_gradient=g, reward_points=10.0)
    make_member(ms, [0], points=1.0)  # one stamp of ten
    make_member(ms, [1], points=9.0)  # nine stamps
    first, last = ms.need_boost(np.array([0, 1]))
    # the daily need rate scales with the boost, so the mean interval with 1 / boost:
    # (1 / exp(0.9 g)) / (1 / exp(0.1 g)) = exp(-0.8 g) = 1 / 1.25 = 0.8
    assert first / last == pytest.approx(0.8)


def test_the_original_cubic_gradient():
    ms = membership(goal_gradient=2.0, goal_gradient_form="cubic", reward_points=1000.0)
    make_member(ms, [0], points=500.0)
    make_member(ms, [1], points=1000.0)
    # 1 + 2 x 0.5^3 = 1.25; a due reward counts as progress 1: 1 + 2 = 3
    np.testing.assert_allclose(ms.need_boost(np.array([0, 1])), [1.25, 3.0])


def test_the_defaults_are_the_published_ones():
    config = membership().config
    assert config.goal_gradient_form == "log_linear"
    assert config.goal_gradient == pytest.approx(np.log(1.25) / 0.8, abs=1e-4)
    assert config.forfeit_basis == "earned"
    assert config.endowed_points == 0.0


def test_earned_basis_counts_the_points_this_order_earns():
    ms = membership(
        forfeit_basis="earned",
        switching_weight=1.5,
        points_per_currency=2.0,
        point_value=0.01,
        reward_points=1000.0,
        tiers=[ONE_TIER[0], {"name": "silver", "spend": 500.0, "discount": 0.1}],
    )
    make_member(ms, [0], points=500.0)  # tier 0, no reward due
    make_member(ms, [1], points=500.0, tier=1)  # 10% off
    make_member(ms, [2], points=1000.0)  # reward of 1000 x 0.01 = 10 due
    o = offer([0, 1, 2, 3])
    ms.offer(o)
    # bonus = 1.5 x goods x 2 points x 0.01 / 100 (reference price):
    # slot 0: goods 100 -> 2.0 -> 0.03; slot 1: goods 90 (the discount is in the price,
    # not counted again) -> 1.8 -> 0.027; slot 2: goods 100 - 10 = 90 -> 0.027; slot 3: 0
    np.testing.assert_allclose(o.bonus[:, ALPHA], [0.03, 0.027, 0.027, 0.0])
    np.testing.assert_allclose(o.bonus[:, BETA], 0.0)


def test_held_basis_counts_points_held_and_the_tier_saving():
    ms = membership(
        forfeit_basis="held",
        switching_weight=1.5,
        points_per_currency=2.0,
        point_value=0.01,
        reward_points=1000.0,
        tiers=[ONE_TIER[0], {"name": "silver", "spend": 500.0, "discount": 0.1}],
    )
    make_member(ms, [0], points=500.0)
    make_member(ms, [1], points=500.0, tier=1)
    o = offer([0, 1])
    ms.offer(o)
    # slot 0: 1.5 x 500 x 0.01 / 100 = 0.075; slot 1: 1.5 x (5 + 0.1 x 100) / 100 = 0.225
    np.testing.assert_allclose(o.bonus[:, ALPHA], [0.075, 0.225])


def test_endowed_points_are_credited_on_joining_only():
    ms = membership(join_share=1.0, endowed_points=200.0, reward_points=1000.0)
    make_member(ms, [1], points=50.0)
    ms.after_purchase(orders([0, 1, 2], 100.0, first_ever=[True, False, False]))
    # slot 0 joins: 200 endowed + 100 earned; slot 1 was a member: 50 + 100;
    # slot 2 is a returning non-member: nothing
    np.testing.assert_allclose(ms.points[[0, 1, 2]], [300.0, 150.0, 0.0])


def test_endowed_points_count_towards_the_reward():
    ms = membership(join_share=1.0, endowed_points=200.0, reward_points=1000.0, point_value=0.1)
    ms.after_purchase(orders([0], 100.0, first_ever=True))  # 200 + 100 = 300 points
    for _ in range(7):
        ms.after_purchase(orders([0], 100.0))  # 300 + 7 x 100 = 1000: a reward due
    o = offer([0])
    ms.offer(o)
    # reward 1000 x 0.1 = 100: after eight paid orders (joining and seven more) the next is free
    assert o.goods[0, ALPHA] == pytest.approx(0.0)


@pytest.mark.parametrize("endowed", [1000.0, 1500.0])
def test_endowed_points_must_leave_the_card_unfinished(endowed):
    section = {"endowed_points": endowed, "reward_points": 1000.0}
    with pytest.raises(ScenarioError) as caught:
        tiny_scenario(shops={"alpha": {"strategies": {"membership": section}}})
    (problem,) = caught.value.problems
    assert problem.path == "shops.alpha.strategies.membership"
    assert "endowed_points must be below reward_points" in problem.expected


@pytest.mark.parametrize(
    ("key", "value"), [("goal_gradient_form", "hyperbolic"), ("forfeit_basis", "all")]
)
def test_unknown_forms_are_located_problems(key, value):
    with pytest.raises(ScenarioError) as caught:
        tiny_scenario(shops={"alpha": {"strategies": {"membership": {key: value}}}})
    (problem,) = caught.value.problems
    assert problem.path == f"shops.alpha.strategies.membership.{key}"
