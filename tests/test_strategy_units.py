"""Unit tests of the loyalty strategies' hooks, with numbers worked out by hand.

Each test builds one strategy on a ``FakeContext`` (10 customers and two free slots, shops
``alpha`` and ``beta``; see ``strategy_helpers``), sets a few customers' arrays by hand and
calls the strategy's hooks on an ``Offer`` or ``Orders`` it made itself: no model. Every
expected value is derived in a comment from the rule in the strategy's module docstring.
The model's side of the context (read-only views, the ledger, nudge and reconsider keeping
the running totals) is tested at the end on a tiny model.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pytest

from loyaltysim.engine.context import ModelContext
from loyaltysim.engine.draws import Decision
from loyaltysim.engine.params import ShopArrays
from loyaltysim.scenario.problems import ScenarioError
from loyaltysim.strategies import REGISTRY
from loyaltysim.strategies.base import CouponBook, is_birthday
from loyaltysim.strategies.care import Care
from loyaltysim.strategies.community import Community
from loyaltysim.strategies.crm import Crm
from loyaltysim.strategies.free_shipping import FreeShipping
from loyaltysim.strategies.logistics import Logistics
from loyaltysim.strategies.membership import Membership
from loyaltysim.strategies.privacy import Privacy
from loyaltysim.strategies.promotions import Promotions
from loyaltysim.strategies.service import Service
from strategy_helpers import (
    ALPHA,
    BETA,
    FakeContext,
    assert_totals_consistent,
    experienced,
    offer,
    orders,
    tiny_model,
    tiny_scenario,
)

# ============================================================================================
# Membership
# ============================================================================================


def membership(**config):
    return FakeContext().add(Membership, **config)


def make_member(ms, slots, *, points=0.0, spend=0.0, tier=0, last_order=0):
    slots = np.asarray(slots)
    ms.member[slots] = True
    ms.points[slots] = points
    ms.spend[slots] = spend
    ms.tier[slots] = tier
    ms.last_order[slots] = last_order


@pytest.mark.parametrize(("share", "joined"), [(1.0, [True, True, False]), (0.0, [False] * 3)])
def test_membership_join_share(share, joined):
    ms = membership(join_share=share)
    # slots 0 and 1 buy for the first time, slot 2 is a returning (non-member) buyer:
    # join_share 1 -> every first-time buyer joins; 0 -> nobody; returning buyers never join
    ms.after_purchase(orders([0, 1, 2], 50.0, first_ever=[True, True, False]))
    assert ms.member[[0, 1, 2]].tolist() == joined
    assert not ms.member[3:].any()


def test_membership_points_accrue_per_currency_for_members_only():
    ms = membership(join_share=1.0, points_per_currency=2.0)
    ms.after_purchase(orders([0, 1], [150.0, 80.0], first_ever=[True, False]))
    # slot 0 joins: 150 x 2 = 300 points; slot 1 is no member: 0
    assert ms.points[0] == pytest.approx(300.0)
    assert ms.points[1] == 0.0
    ms.after_purchase(orders([0], 50.0))
    # 300 + 50 x 2 = 400 points; cumulative spend 150 + 50 = 200
    assert ms.points[0] == pytest.approx(400.0)
    assert ms.spend[0] == pytest.approx(200.0)
    assert ms.spend[1] == 0.0


def test_membership_reward_redeemed_when_points_reach_reward_points():
    ms = membership(reward_points=1000.0, point_value=0.01, switching_weight=0.0)
    make_member(ms, [0], points=1200.0)
    make_member(ms, [1], points=999.0)
    make_member(ms, [2], points=1000.0)
    # slot 2 buys a double basket (quantity 2 at 100 = 200 goods)
    o = offer([0, 1, 2], quantity=np.array([1.0, 1.0, 2.0]))
    ms.offer(o)
    # reward = 1000 points x 0.01 = 10 off the goods (tier 0: no discount):
    # slot 0: 100 - 10 = 90; slot 1 (999 < 1000): 100; slot 2: 200 - 10 = 190
    np.testing.assert_allclose(o.goods[:, ALPHA], [90.0, 100.0, 190.0])
    np.testing.assert_allclose(o.unit_price[:, ALPHA], [90.0, 100.0, 95.0])
    np.testing.assert_allclose(o.goods[:, BETA], [80.0, 80.0, 160.0])  # other shop untouched
    # after the purchase: points - 1000 (redeemed) + goods x 1 point
    ms.after_purchase(orders([0, 1, 2], [90.0, 100.0, 190.0]))
    np.testing.assert_allclose(ms.points[[0, 1, 2]], [1200 - 1000 + 90, 999 + 100, 190.0])


def test_membership_reward_never_exceeds_the_goods():
    ms = membership(reward_points=100.0, point_value=2.0, switching_weight=0.0)
    make_member(ms, [0], points=100.0)
    o = offer([0])
    ms.offer(o)
    # reward 100 x 2 = 200 > goods 100: the goods become free, not negative
    assert o.goods[0, ALPHA] == pytest.approx(0.0)


def test_membership_tiers_by_cumulative_spend():
    ms = membership(join_share=1.0)
    # default tiers: member 0, silver 500, gold 1500, platinum 4000, diamond 10000
    ms.after_purchase(orders([0], 499.0, first_ever=True))
    assert ms.tier[0] == 0  # 499 < 500
    steps = [(1.0, 1), (999.0, 1), (1.0, 2), (2500.0, 3), (5999.0, 3), (1.0, 4)]
    total = 499.0
    for goods, tier in steps:
        ms.after_purchase(orders([0], goods))
        total += goods
        assert ms.spend[0] == pytest.approx(total)
        assert ms.tier[0] == tier, total
    # one big first order can jump tiers: 5000 >= 4000 -> platinum
    ms.after_purchase(orders([1], 5000.0, first_ever=True))
    assert ms.tier[1] == 3
    # a non-member's spend does not count
    ms.after_purchase(orders([2], 5000.0))
    assert (ms.tier[2], ms.spend[2]) == (0, 0.0)


def test_membership_tier_discount_and_free_shipping_in_offer():
    ms = membership(switching_weight=0.0)
    make_member(ms, [1], spend=500.0, tier=1)  # silver: 2% off, pays shipping
    make_member(ms, [2], spend=1500.0, tier=2)  # gold: 4% off, free shipping
    make_member(ms, [3], spend=10000.0, tier=4)  # diamond: 8% off, free shipping
    o = offer([0, 1, 2, 3])
    ms.offer(o)
    # non-member 100; 100 x 0.98 = 98; 100 x 0.96 = 96; 100 x 0.92 = 92
    np.testing.assert_allclose(o.unit_price[:, ALPHA], [100.0, 98.0, 96.0, 92.0])
    np.testing.assert_allclose(o.fee[:, ALPHA], [10.0, 10.0, 0.0, 0.0])
    # the other shop's column is untouched
    np.testing.assert_allclose(o.unit_price[:, BETA], 80.0)
    np.testing.assert_allclose(o.fee[:, BETA], 8.0)


def test_membership_switching_bonus_is_what_leaving_forfeits():
    ms = membership(
        switching_weight=2.0, point_value=0.01, reward_points=1000.0, forfeit_basis="held"
    )
    make_member(ms, [0], points=500.0, spend=1500.0, tier=2)  # gold, 4% off
    make_member(ms, [1], points=300.0)  # tier 0: no discount
    o = offer([0, 1, 2], quantity=np.array([1.0, 1.0, 1.0]))
    ms.offer(o)
    # forfeit = points x point_value + tier discount x basket; bonus = weight x forfeit / 100
    # slot 0: 500 x 0.01 + 0.04 x 100 = 5 + 4 = 9 -> 2 x 9 / 100 = 0.18
    # slot 1: 300 x 0.01 + 0 = 3 -> 0.06; slot 2 (no member): 0
    np.testing.assert_allclose(o.bonus[:, ALPHA], [0.18, 0.06, 0.0])
    np.testing.assert_allclose(o.bonus[:, BETA], 0.0)


def test_membership_faster_dispatch_shortens_lead_days_never_below_zero():
    ms = membership()
    make_member(ms, [0], spend=4000.0, tier=3)  # platinum: 0.5 days faster
    make_member(ms, [1], spend=10000.0, tier=4)  # diamond: 1 day faster
    make_member(ms, [2], spend=0.0, tier=0)  # member tier: no faster dispatch
    o = orders([0, 1, 2, 3], 10.0, lead_days=[2.0, 0.6, 2.0, 2.0])
    ms.after_purchase(o)
    # 2 - 0.5 = 1.5; max(0.6 - 1, 0) = 0; 2; slot 3 is no member: 2
    np.testing.assert_allclose(o.lead_days, [1.5, 0.0, 2.0, 2.0])


def test_membership_goal_gradient_need_boost():
    # the original cubic form (tests/test_membership_rewards.py has the log-linear default)
    ms = membership(goal_gradient=2.0, goal_gradient_form="cubic", reward_points=1000.0)
    make_member(ms, [0], points=500.0)
    make_member(ms, [1], points=1500.0)
    make_member(ms, [2], points=0.0)
    ms.points[3] = 800.0  # not a member: no boost
    boost = ms.need_boost(np.array([0, 1, 2, 3]))
    # 1 + 2 x 0.5^3 = 1.25; progress capped at 1: 1 + 2 = 3; 1; 1
    np.testing.assert_allclose(boost, [1.25, 3.0, 1.0, 1.0])
    assert ms.max_need_boost() == pytest.approx(3.0)


def test_membership_demotion_after_idle_days():
    ms = membership(demotion_days=30)
    make_member(ms, [0], spend=2000.0, tier=2, last_order=0)  # gold
    make_member(ms, [1], spend=2000.0, tier=2, last_order=10)  # ordered later
    ms.on_day(29)
    assert ms.tier[0] == 2  # 29 idle days < 30
    ms.on_day(30)
    # one tier down, spend reset to the new tier's threshold (silver: 500)
    assert (ms.tier[0], ms.spend[0]) == (1, 500.0)
    assert (ms.tier[1], ms.spend[1]) == (2, 2000.0)  # only 20 idle days
    ms.on_day(40)
    assert (ms.tier[1], ms.spend[1]) == (1, 500.0)  # 30 idle days
    ms.on_day(60)
    assert (ms.tier[0], ms.spend[0]) == (0, 0.0)  # another 30: member tier, threshold 0
    ms.on_day(90)
    assert (ms.tier[0], ms.spend[0]) == (0, 0.0)  # no tier below the first
    assert ms.member[0]


def test_membership_points_expire_after_idle_days():
    ms = membership(points_expiry_days=45)
    make_member(ms, [0], points=700.0, last_order=5)
    ms.on_day(49)  # idle 44 days
    assert ms.points[0] == 700.0
    ms.on_day(50)  # idle 45 days: expired
    assert ms.points[0] == 0.0


def test_is_birthday_formula():
    # (uid x 7919 + 13) mod 365: uid 3 -> 23770 = 65 x 365 + 45 -> day 45 (and 410, 775...)
    uid = np.array([3, 4, 368])
    np.testing.assert_array_equal(is_birthday(uid, 45), [True, False, True])
    np.testing.assert_array_equal(is_birthday(uid, 45 + 365), [True, False, True])
    assert not is_birthday(uid, 46).any()
    # uid 4 -> 31689 = 86 x 365 + 299
    assert is_birthday(np.array([4]), 299).all()


def test_membership_birthday_gift_cost_and_nudge():
    ms = membership(gift_effect=0.05, cost_per_member_day=0.5)
    ctx = ms.context
    state = ctx.customers
    assert state.uid[3] == 3 and state.uid[5] == 5  # uid = slot
    experienced(state, [3, 5, 6], ALPHA, satisfaction=0.6, trust=0.4, last_order_day=45)
    make_member(ms, [3], spend=1500.0, tier=2, last_order=45)  # gold gift 10, birthday 45
    make_member(ms, [5], spend=1500.0, tier=2, last_order=45)  # birthday on day 188
    make_member(ms, [6], last_order=45)  # member tier has no gift
    state.uid[6] = 368  # born on day 45 too, but no gift at the member tier
    ms.on_day(45)
    # one gift of 10 + 3 members x 0.5 per day = 11.5
    assert ctx.paid[ALPHA] == pytest.approx(11.5)
    # slot 3: 0.6 + 0.05 x (1 - 0.6) = 0.62; trust unchanged
    assert state.satisfaction[3, ALPHA] == pytest.approx(0.62)
    assert state.trust[3, ALPHA] == pytest.approx(0.4)
    assert state.satisfaction[[5, 6], ALPHA] == pytest.approx([0.6, 0.6])
    assert ctx.nudges == [([3], ALPHA, 0.05, 0.0)]


def test_membership_forget_clears_state():
    ms = membership()
    make_member(ms, [0, 1], points=500.0, spend=2000.0, tier=2)
    ms.forget(np.array([0]))
    assert (ms.member[0], ms.points[0], ms.spend[0], ms.tier[0]) == (False, 0.0, 0.0, 0)
    assert (ms.member[1], ms.points[1], ms.spend[1], ms.tier[1]) == (True, 500.0, 2000.0, 2)


@pytest.mark.parametrize(
    "tiers",
    [
        [{"name": "a", "spend": 100.0}],  # does not start at 0
        [{"name": "a", "spend": 0.0}, {"name": "b", "spend": 0.0}],  # does not rise
        [{"name": "a", "spend": 0.0}, {"name": "b", "spend": 900.0}, {"name": "c", "spend": 500.0}],
    ],
)
def test_membership_tiers_must_start_at_zero_and_ascend(tiers):
    with pytest.raises(ScenarioError) as caught:
        tiny_scenario(shops={"alpha": {"strategies": {"membership": {"tiers": tiers}}}})
    (problem,) = caught.value.problems
    assert problem.path == "shops.alpha.strategies.membership"
    assert "start at 0" in problem.expected


# ============================================================================================
# Free shipping
# ============================================================================================


def free_shipping(**config):
    ctx = FakeContext()
    if config.get("eligibility") == "members":
        ctx.add(Membership, switching_weight=0.0)
    return ctx.add(FreeShipping, **config)


def test_free_shipping_for_all():
    fs = free_shipping(eligibility="all")
    o = offer([0, 1])
    fs.offer(o)
    np.testing.assert_allclose(o.fee, [[0.0, 8.0], [0.0, 8.0]])


def test_free_shipping_for_members_uses_the_shops_membership():
    fs = free_shipping(eligibility="members")
    ctx = fs.context
    ms = ctx.strategy_of(ALPHA, "membership")
    assert fs.membership is ms
    ms.member[1] = True
    o = offer([0, 1])
    fs.offer(o)
    np.testing.assert_allclose(o.fee, [[10.0, 8.0], [0.0, 8.0]])


def test_free_shipping_threshold_tops_up_when_it_pays():
    # threshold 99, no overshoot (target = 99), top_up_value 0.5, fee 10:
    # a short basket tops up when (99 - goods) x (1 - 0.5) < 10, i.e. goods > 79
    fs = free_shipping(eligibility="threshold", threshold=99.0, overshoot=0.0)
    goods = np.array([120.0, 99.0, 90.0, 80.5, 79.0, 70.0])
    o = offer(np.arange(6))
    o.unit_price[:, ALPHA] = goods  # quantity 1: goods = unit price
    fs.offer(o)
    # 120, 99: at/above the threshold, free, unchanged; 90 -> 99 (short 9, 4.5 < 10);
    # 80.5 -> 99 (short 18.5, 9.25 < 10); 79: 10 is not < 10, keeps the fee; 70: 14.5 > 10
    np.testing.assert_allclose(o.goods[:, ALPHA], [120.0, 99.0, 99.0, 99.0, 79.0, 70.0])
    np.testing.assert_allclose(o.fee[:, ALPHA], [0.0, 0.0, 0.0, 0.0, 10.0, 10.0])
    # extra_value = shortfall x top_up_value: 9 x 0.5, 18.5 x 0.5
    np.testing.assert_allclose(o.extra_value[:, ALPHA], [0.0, 0.0, 4.5, 9.25, 0.0, 0.0])
    # the quantity rises so that the goods (unit price x quantity) reach the target
    np.testing.assert_allclose(o.quantity[:, ALPHA], [1.0, 1.0, 1.1, 99.0 / 80.5, 1.0, 1.0])
    # the other shop is untouched
    np.testing.assert_allclose(o.fee[:, BETA], 8.0)
    np.testing.assert_allclose(o.quantity[:, BETA], 1.0)


def test_free_shipping_threshold_overshoot_lands_in_the_band():
    fs = free_shipping(eligibility="threshold", threshold=99.0, overshoot=0.1)
    k = 200
    o = offer(np.zeros(k, np.int64), quantity=np.full(k, 0.9))  # goods 90 each
    fs.offer(o)
    topped = o.goods[:, ALPHA]
    # target in [99, 99 x 1.1 = 108.9]: shortfall at most 18.9 -> 9.45 < 10, all top up
    assert topped.min() >= 99.0
    assert topped.max() <= 108.9 + 1e-9
    assert topped.std() > 1.0  # spread over the band, not all at the threshold
    np.testing.assert_allclose(o.extra_value[:, ALPHA], (topped - 90.0) * 0.5)
    np.testing.assert_allclose(o.fee[:, ALPHA], 0.0)


def test_free_shipping_threshold_makes_baskets_bunch_above_it():
    fs = free_shipping(eligibility="threshold", threshold=99.0, overshoot=0.05)
    rng = np.random.default_rng(5)
    k = 5000
    basket = rng.lognormal(-(0.5**2) / 2, 0.5, k)  # as the model draws baskets
    o = offer(np.zeros(k, np.int64), quantity=basket)
    band = (99.0, 99.0 * 1.05)

    def share_in_band(goods):
        return float(np.mean((goods >= band[0]) & (goods <= band[1])))

    before = share_in_band(o.goods[:, ALPHA])
    fs.offer(o)
    after = share_in_band(o.goods[:, ALPHA])
    # before: about the log-normal mass in [0.99, 1.04] (~4%); after: plus the short baskets
    # that top up (~20%)
    assert after > 3 * before
    assert after - before > 0.1
    goods0 = 100.0 * basket
    goods1 = o.goods[:, ALPHA]
    # every basket in (99 - 20 + 4.95, 99) surely tops up ((target - g) x 0.5 < 10), so none
    # is left there; none below 79 can top up ((99 - g) x 0.5 > 10)
    assert not np.any((goods1 > 83.95) & (goods1 < 99.0))
    low = goods0 < 79.0
    np.testing.assert_allclose(goods1[low], goods0[low])
    np.testing.assert_allclose(o.fee[low, ALPHA], 10.0)


# ============================================================================================
# Coupons
# ============================================================================================


def test_coupon_book_give_valid_use():
    book = CouponBook(4)
    book.give(np.array([0, 1]), 0.1, day=0, until=10)
    np.testing.assert_allclose(book.valid(np.array([0, 1, 2]), 5), [0.1, 0.1, 0.0])
    np.testing.assert_allclose(book.valid(np.array([0, 1]), 10), [0.1, 0.1])  # last day
    np.testing.assert_allclose(book.valid(np.array([0, 1]), 11), [0.0, 0.0])  # expired
    # a better coupon replaces the valid one (with its own validity)
    book.give(np.array([0]), 0.2, day=5, until=8)
    assert book.valid(np.array([0]), 6)[0] == pytest.approx(0.2)
    assert book.valid(np.array([0]), 9)[0] == 0.0
    # a worse coupon does not replace a better valid one: 0.1 until 10 is kept
    book.give(np.array([1]), 0.05, day=5, until=20)
    assert book.valid(np.array([1]), 7)[0] == pytest.approx(0.1)
    assert book.valid(np.array([1]), 15)[0] == 0.0
    # ...but replaces an expired one
    book.give(np.array([1]), 0.05, day=12, until=20)
    assert book.valid(np.array([1]), 15)[0] == pytest.approx(0.05)
    # used: gone
    book.give(np.array([2]), 0.3, day=0, until=30)
    book.use(np.array([2]))
    assert book.valid(np.array([2]), 1)[0] == 0.0
    book.give(np.array([3]), 0.3, day=0, until=30)
    book.forget(np.array([3]))
    assert book.valid(np.array([3]), 1)[0] == 0.0


# ============================================================================================
# Promotions
# ============================================================================================


def promotions(**config):
    return FakeContext().add(Promotions, **config)


def test_promotions_permanent_discount():
    pr = promotions(discount=0.1)
    ctx = pr.context
    experienced(ctx.customers, [0, 1], ALPHA)
    o = offer([0, 1])
    pr.offer(o)
    np.testing.assert_allclose(o.unit_price, [[90.0, 80.0], [90.0, 80.0]])


def test_promotions_new_customer_coupon_only_for_first_orders_at_the_shop():
    pr = promotions(discount=0.1, new_customer_coupon=0.2)
    ctx = pr.context
    experienced(ctx.customers, [1], ALPHA)  # has ordered from alpha
    experienced(ctx.customers, [2], BETA)  # ordered only from beta: still new to alpha
    o = offer([0, 1, 2])
    pr.offer(o)
    # new: 100 x 0.9 x 0.8 = 72; returning: 100 x 0.9 = 90
    np.testing.assert_allclose(o.unit_price[:, ALPHA], [72.0, 90.0, 72.0])
    np.testing.assert_allclose(o.unit_price[:, BETA], 80.0)


def test_promotions_festival_discount_only_on_festival_days():
    pr = promotions(discount=0.1, festival_discount=0.3)
    ctx = pr.context
    experienced(ctx.customers, [0], ALPHA)
    ctx.festival_today = False
    o = offer([0])
    pr.offer(o)
    assert o.unit_price[0, ALPHA] == pytest.approx(90.0)
    ctx.festival_today = True
    o = offer([0])
    pr.offer(o)
    # 100 x (1 - 0.1) x (1 - 0.3) = 63
    assert o.unit_price[0, ALPHA] == pytest.approx(63.0)


def test_promotions_winback_coupon_on_the_lapse_day_and_reconsideration():
    pr = promotions(
        winback_coupon=0.25, winback_after_days=30, winback_valid_days=10, winback_cost=0.5
    )
    ctx = pr.context
    state = ctx.customers
    experienced(ctx.customers, [0, 4], ALPHA, last_order_day=5)
    experienced(ctx.customers, [1], ALPHA, last_order_day=6)
    experienced(ctx.customers, [3], BETA, last_order_day=5)  # lapsed at the other shop
    state.dropped[4, ALPHA] = True  # churned from alpha
    state.last_order_day[11, ALPHA] = 5  # a free (inactive) slot
    pr.on_day(34)  # 34 - 30 = 4: nobody lapsed today
    assert ctx.paid[ALPHA] == 0.0
    pr.on_day(35)  # 35 - 30 = 5: slots 0 and 4
    np.testing.assert_allclose(
        pr.coupons.valid(np.array([0, 1, 3, 4, 11]), 35), [0.25, 0.0, 0.0, 0.25, 0.0]
    )
    # two coupons sent at 0.5 each
    assert ctx.paid[ALPHA] == pytest.approx(1.0)
    # the churned customer considers alpha again
    assert not state.dropped[4, ALPHA]
    assert state.aware[4, ALPHA]
    # valid until 35 + 10 = 45
    np.testing.assert_allclose(pr.coupons.valid(np.array([0, 4]), 45), [0.25, 0.25])
    np.testing.assert_allclose(pr.coupons.valid(np.array([0, 4]), 46), [0.0, 0.0])
    # in the offer: 100 x (1 - 0.25) = 75; slot 1 got none
    ctx.day = 40
    o = offer([0, 1])
    pr.offer(o)
    np.testing.assert_allclose(o.unit_price[:, ALPHA], [75.0, 100.0])
    # an order uses the coupon up
    pr.after_purchase(orders([0], 75.0))
    o = offer([0, 4])
    pr.offer(o)
    np.testing.assert_allclose(o.unit_price[:, ALPHA], [100.0, 75.0])
    # leavers lose theirs
    pr.forget(np.array([4]))
    assert pr.coupons.valid(np.array([4]), 40)[0] == 0.0


# ============================================================================================
# Care
# ============================================================================================


def care(**config):
    return FakeContext().add(Care, **config)


def test_care_birthday_greetings_only_to_customers_on_their_birthday():
    ca = care(birthday_greetings=True, greeting_effect=0.03, greeting_cost=0.2)
    ctx = ca.context
    state = ctx.customers
    experienced(ctx.customers, [3, 5], ALPHA, satisfaction=0.6, trust=0.5)
    state.uid[8] = 368  # born on day 45 like uid 3, but not a customer of alpha
    experienced(ctx.customers, [9], ALPHA, satisfaction=0.6, trust=0.5)
    state.uid[9] = 3 + 2 * 365  # a customer born on day 45 too
    state.dropped[9, ALPHA] = True  # ...who has dropped alpha
    ca.on_day(44)
    assert ctx.paid[ALPHA] == 0.0
    ca.on_day(45)  # uid 3's birthday (see test_is_birthday_formula)
    # slot 3: sat 0.6 + 0.03 x 0.4 = 0.612, trust 0.5 + 0.03 x 0.5 = 0.515
    assert state.satisfaction[3, ALPHA] == pytest.approx(0.612)
    assert state.trust[3, ALPHA] == pytest.approx(0.515)
    assert state.satisfaction[5, ALPHA] == pytest.approx(0.6)
    assert state.trust[[5, 8, 9], ALPHA] == pytest.approx([0.5, 0.5, 0.5])
    assert ctx.paid[ALPHA] == pytest.approx(0.2)
    assert ctx.nudges == [([3], ALPHA, 0.03, 0.03)]


def test_care_notices_every_n_days():
    ca = care(notice_every_days=7, notice_effect=0.02, notice_cost=0.05)
    ctx = ca.context
    state = ctx.customers
    experienced(ctx.customers, [0, 1, 2], ALPHA, satisfaction=0.4, trust=[0.5, 0.0, 0.9])
    ca.on_day(13)
    assert ctx.paid[ALPHA] == 0.0
    ca.on_day(14)
    # trust + 0.02 x (1 - trust): 0.51, 0.02, 0.902; satisfaction unchanged
    assert state.trust[[0, 1, 2], ALPHA] == pytest.approx([0.51, 0.02, 0.902])
    assert state.satisfaction[[0, 1, 2], ALPHA] == pytest.approx([0.4] * 3)
    assert state.trust[3, ALPHA] == pytest.approx(0.5)  # not a customer
    assert ctx.paid[ALPHA] == pytest.approx(3 * 0.05)


def test_care_free_trial_with_first_orders():
    ca = care(free_trials=True, trial_effect=0.05, trial_cost=5.0)
    ctx = ca.context
    state = ctx.customers
    experienced(ctx.customers, [1], ALPHA, trust=0.8)
    ca.after_purchase(orders([0, 1], 50.0, first_ever=[True, False]))
    # slot 0: not yet experienced, trust 0.5 + 0.05 x 0.5 = 0.525; satisfaction stays 0.5
    assert state.trust[0, ALPHA] == pytest.approx(0.525)
    assert state.satisfaction[0, ALPHA] == pytest.approx(0.5)
    assert state.trust[1, ALPHA] == pytest.approx(0.8)
    assert ctx.paid[ALPHA] == pytest.approx(5.0)
    assert ctx.nudges == [([0], ALPHA, 0.0, 0.05)]


# ============================================================================================
# Service, logistics, privacy, community: set-up adjustments
# ============================================================================================


def adjusted(cls, scenario=None, **config):
    """The tiny scenario's shop arrays, those after ``cls``'s ``adjust`` on alpha, and it."""
    raw = ShopArrays.from_scenario(tiny_scenario(**(scenario or {})))
    strategy = FakeContext().add(cls, **config)
    return raw, strategy.adjust(raw), strategy


def test_service_overrides_only_the_shops_service():
    raw, adj, service = adjusted(
        Service, response_days=0.1, resolution_rate=0.95, complaint_voice=2.0, cost_per_day=40.0
    )
    # default service: response 2 days, resolution 0.6, recovery 0.7, compensation 0.2
    np.testing.assert_allclose(adj.response_days, [0.1, 2.0])
    np.testing.assert_allclose(adj.resolution_rate, [0.95, 0.6])
    np.testing.assert_allclose(adj.complaint_voice, [2.0, 1.0])
    np.testing.assert_allclose(adj.recovery, raw.recovery)
    np.testing.assert_allclose(adj.compensation, raw.compensation)
    np.testing.assert_allclose(raw.response_days, [2.0, 2.0])  # the input is not mutated
    service.on_day(0)
    np.testing.assert_allclose(service.context.paid, [40.0, 0.0])


@pytest.mark.parametrize(
    ("regions", "lead", "cost"),
    [
        # lead = dispatch 1 + transit (1 city, 3 remote); express takes 0.4 of the transit:
        # remote 4 - 3 x 0.6 = 2.2; city 2 - 1 x 0.6 = 1.4
        # courier cost 6 x factor (1, 1.5) plus 6 x factor: city 6 + 6 = 12, remote 9 + 9 = 18
        (["remote"], [2.0, 2.2], [6.0, 18.0]),
        (None, [1.4, 2.2], [12.0, 18.0]),
    ],
)
def test_logistics_express_regions(regions, lead, cost):
    config = {"transit_factor": 0.4, "extra_cost": 6.0, "on_time": 0.99, "tracking": False}
    if regions is not None:
        config["express_regions"] = regions
    raw, adj, _ = adjusted(Logistics, **config)
    np.testing.assert_allclose(raw.lead_days, [[2.0, 4.0], [2.0, 4.0]])
    np.testing.assert_allclose(adj.lead_days[ALPHA], lead)
    np.testing.assert_allclose(adj.shipping_cost[ALPHA], cost)
    express = np.array([regions is None or "city" in regions, True])
    np.testing.assert_allclose(adj.on_time[ALPHA], np.where(express, 0.99, 0.9))
    np.testing.assert_array_equal(adj.tracking[ALPHA], ~express)  # default tracking on
    np.testing.assert_allclose(adj.damage_rate, raw.damage_rate)  # not configured
    for name in ("lead_days", "shipping_cost", "on_time", "tracking"):
        np.testing.assert_array_equal(getattr(adj, name)[BETA], getattr(raw, name)[BETA])


def test_privacy_cuts_the_shops_breach_rate():
    both = {"privacy_breach_rate": 0.01}
    _, adj, privacy = adjusted(
        Privacy,
        {"shops": {"alpha": both, "beta": dict(both)}},
        breach_reduction=0.8,
        cost_per_day=50.0,
    )
    # 0.01 x (1 - 0.8) = 0.002; beta keeps 0.01
    np.testing.assert_allclose(adj.privacy_breach_rate, [0.002, 0.01])
    privacy.on_day(3)
    np.testing.assert_allclose(privacy.context.paid, [50.0, 0.0])


def test_community_boosts_talk_and_reach():
    _, adj, community = adjusted(
        Community, talk_multiplier=2.0, reach_multiplier=1.5, cost_per_day=30.0
    )
    np.testing.assert_allclose(adj.talk_boost, [2.0, 1.0])
    np.testing.assert_allclose(adj.reach_boost, [1.5, 1.0])
    community.on_day(0)
    np.testing.assert_allclose(community.context.paid, [30.0, 0.0])


# ============================================================================================
# CRM
# ============================================================================================


def crm(**config):
    return FakeContext().add(Crm, **config)


def at_risk_market(ctx):
    # satisfaction of experienced customers 0..5; slot 4 (0.7) is not at risk (< 0.6)
    state = ctx.customers
    experienced(state, np.arange(6), ALPHA, satisfaction=[0.2, 0.5, 0.3, 0.1, 0.7, 0.55])
    state.last_order_day[6, ALPHA] = 0  # a customer without a delivery yet: not targeted
    state.satisfaction[6, ALPHA] = 0.05
    experienced(ctx.customers, [7], ALPHA, satisfaction=0.0)
    state.dropped[7, ALPHA] = True  # churned: not a customer any more


def test_crm_at_risk_targets_lowest_satisfaction_within_budget():
    cr = crm(
        target="at_risk", every_days=7, budget=3.0, cost_per_offer=1.0, coupon=0.15,
        care_effect=0.02, risk_threshold=0.6, valid_days=14,
    )  # fmt: skip
    ctx = cr.context
    at_risk_market(ctx)
    state = ctx.customers
    cr.on_day(8)  # not a multiple of 7
    assert ctx.paid[ALPHA] == 0.0
    cr.on_day(7)
    # 3 // 1 = 3 offers to the lowest: slot 3 (0.1), slot 0 (0.2), slot 2 (0.3)
    got = cr.coupons.valid(np.arange(8), 7)
    np.testing.assert_allclose(got, [0.15, 0, 0.15, 0.15, 0, 0, 0, 0])
    assert ctx.paid[ALPHA] == pytest.approx(3.0)
    # contact adds 0.02 of missing satisfaction: 0.1 + 0.02 x 0.9 = 0.118
    assert state.satisfaction[3, ALPHA] == pytest.approx(0.118)
    assert state.satisfaction[1, ALPHA] == pytest.approx(0.5)
    assert ctx.nudges == [([3, 0, 2], ALPHA, 0.02, 0.0)]
    # the coupon: 100 x 0.85 = 85 in the offer, valid until 7 + 14 = 21, used by an order
    ctx.day = 21
    o = offer([3, 1])
    cr.offer(o)
    np.testing.assert_allclose(o.unit_price[:, ALPHA], [85.0, 100.0])
    cr.after_purchase(orders([3], 85.0))
    o = offer([3, 0])
    cr.offer(o)
    np.testing.assert_allclose(o.unit_price[:, ALPHA], [100.0, 85.0])
    ctx.day = 22
    o = offer([0])
    cr.offer(o)
    assert o.unit_price[0, ALPHA] == pytest.approx(100.0)  # expired


@pytest.mark.parametrize(("budget", "offers"), [(2.5, 2), (100.0, 5), (0.9, 0)])
def test_crm_number_of_offers_is_budget_over_cost_capped_by_eligible(budget, offers):
    cr = crm(target="at_risk", every_days=1, budget=budget, cost_per_offer=1.0)
    ctx = cr.context
    at_risk_market(ctx)
    cr.on_day(3)
    # min(budget // 1, 5 eligible): 2.5 -> 2, 100 -> 5, 0.9 -> 0
    assert int((cr.coupons.valid(np.arange(12), 3) > 0).sum()) == offers
    assert ctx.paid[ALPHA] == pytest.approx(offers * 1.0)


def test_crm_valuable_targets_highest_spend():
    cr = crm(target="valuable", every_days=7, budget=4.0, cost_per_offer=2.0)
    ctx = cr.context
    experienced(ctx.customers, np.arange(5), ALPHA, satisfaction=0.9)
    ctx.customers.spend[:5, ALPHA] = [10.0, 500.0, 50.0, 300.0, 0.0]
    ctx.customers.spend[5, BETA] = 9999.0  # spend at another shop does not count
    cr.on_day(14)
    # 4 // 2 = 2 offers: spend 500 (slot 1) and 300 (slot 3)
    got = cr.coupons.valid(np.arange(6), 14) > 0
    assert got.tolist() == [False, True, False, True, False, False]
    assert ctx.paid[ALPHA] == pytest.approx(4.0)
    assert ctx.nudges == [([1, 3], ALPHA, 0.02, 0.0)]


# ============================================================================================
# Cross-field checks, each in its lever's module
# ============================================================================================


def test_free_shipping_for_members_needs_membership():
    members = {"eligibility": "members"}
    assert FreeShipping.problems(members, {"free_shipping": members}, ["city"]) == [
        (
            ("eligibility",),
            "a [shops.<name>.strategies.membership] section for 'members'",
            "no membership programme",
        )
    ]
    levers = {"free_shipping": members, "membership": {}}
    assert FreeShipping.problems(members, levers, ["city"]) == []
    everyone = {"eligibility": "all"}
    assert FreeShipping.problems(everyone, {"free_shipping": everyone}, ["city"]) == []


def test_logistics_express_regions_must_be_the_markets():
    section = {"express_regions": ["remote", "moon", "city", 3]}
    expected = "regions of ['city', 'remote']"
    # regions named in sorted order in the expectation; each stranger is one problem
    assert Logistics.problems(section, {"logistics": section}, ["remote", "city"]) == [
        (("express_regions",), expected, "'moon'"),
        (("express_regions",), expected, "3"),
    ]
    assert Logistics.problems({"express_regions": "city"}, {}, ["city"]) == []  # a type error
    assert Logistics.problems({}, {}, ["city"]) == []


def test_cross_field_problems_are_located_under_the_shop():
    with pytest.raises(ScenarioError) as caught:
        tiny_scenario(
            shops={
                "beta": {
                    "strategies": {
                        "free_shipping": {"eligibility": "members"},
                        "logistics": {"express_regions": ["moon"]},
                    }
                }
            }
        )
    found = [(p.path, p.given) for p in caught.value.problems]
    assert found == [
        ("shops.beta.strategies.free_shipping.eligibility", "no membership programme"),
        ("shops.beta.strategies.logistics.express_regions", "'moon'"),
    ]


def test_levers_without_cross_field_rules_have_none():
    quiet = [cls for cls in REGISTRY if cls not in (FreeShipping, Logistics)]
    assert all(cls.problems({}, {}, ["city"]) == [] for cls in quiet)


# ============================================================================================
# The model's side of the context
# ============================================================================================


def test_model_context_shows_the_state_read_only_and_books_costs():
    model = tiny_model({"privacy": {"cost_per_day": 7.0}})
    (privacy,) = model.strategies
    context = privacy.context
    assert isinstance(context, ModelContext)
    assert (context.day, context.festival_today) == (0, False)
    # a lever's numbers are the model's keyed ones, for the customers it names
    slots = np.array([2, 0])
    mine = context.keyed(Decision.MEMBERSHIP_JOIN, slots).random()
    twin = tiny_model({"privacy": {"cost_per_day": 7.0}})  # same seed, same keys
    np.testing.assert_array_equal(mine, twin.keyed(Decision.MEMBERSHIP_JOIN, slots).random())
    with model.mutate.by_hand() as state:
        state.satisfaction[2, ALPHA] = 0.25
    view = context.state
    assert view.satisfaction[2, ALPHA] == 0.25  # a view of the live state, not a copy
    assert view.slots == model.state.slots
    with pytest.raises(ValueError, match="read-only"):
        view.satisfaction[2, ALPHA] = 1.0
    privacy.on_day(0)
    privacy.pay(np.array([1.5, 2.0]))
    # 7 per day + 1.5 + 2 = 10.5, all in alpha's strategy_cost
    np.testing.assert_allclose(model.ledger.values["strategy_cost"], [10.5, 0.0])


def test_model_context_finds_strategies_configured_before():
    model = tiny_model({"membership": {}, "free_shipping": {"eligibility": "members"}})
    membership, free_shipping = model.strategies
    assert free_shipping.membership is membership
    assert free_shipping.context.strategy_of(ALPHA, "membership") is membership
    with pytest.raises(LookupError, match="'beta' has no membership strategy"):
        free_shipping.context.strategy_of(BETA, "membership")


def test_nudge_moves_satisfaction_only_after_an_experience():
    model = tiny_model()
    with model.mutate.by_hand() as state:
        experienced(state, [0], ALPHA, satisfaction=0.2, trust=0.2)
        state.trust[1, ALPHA] = 0.6  # aware, no experience
    model.mutate.nudge(np.array([0, 1, 22]), ALPHA, satisfaction=0.5, trust=0.25)  # 22: free slot
    # sat 0.2 + 0.5 x 0.8 = 0.6; trust 0.2 + 0.25 x 0.8 = 0.4; slot 1 trust 0.6 + 0.1 = 0.7
    assert state.satisfaction[0, ALPHA] == pytest.approx(0.6)
    assert state.trust[0, ALPHA] == pytest.approx(0.4)
    assert state.satisfaction[1, ALPHA] == pytest.approx(0.5)
    assert state.trust[1, ALPHA] == pytest.approx(0.7)
    assert state.trust[22, ALPHA] == 0.0  # free slots are not touched
    assert_totals_consistent(model)


def test_promotions_winback_reconsideration_through_the_model_keeps_totals():
    model = tiny_model({"promotions": {"winback_coupon": 0.2, "winback_after_days": 3}})
    with model.mutate.by_hand() as state:
        experienced(state, [0, 1, 2], ALPHA, last_order_day=-3)
        state.first_order_day[[0, 1, 2], ALPHA] = -3
        state.dropped[[0, 1], ALPHA] = True
        state.aware[1, ALPHA] = False  # churned and forgotten
    model.step()  # day 0 = -3 + 3: coupons sent, 0 and 1 consider alpha again
    assert not state.dropped[[0, 1], ALPHA].any()
    assert state.aware[[0, 1], ALPHA].all()
    assert_totals_consistent(model)


def test_the_example_of_adding_a_strategy_works(monkeypatch):
    text = (Path(__file__).parents[1] / "docs" / "adding-a-strategy.md").read_text("utf-8")
    module = types.ModuleType("tenth_gift")  # a real module: pydantic resolves names in it
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(text.split("```python\n")[1].split("```")[0], module.__dict__)  # step 1's module
    gift = FakeContext().add(module.TenthGift, every=10, effect=0.05, cost=8.0)
    ctx = gift.context
    experienced(ctx.customers, [0, 1, 2], ALPHA, satisfaction=0.6)
    ctx.customers.orders[[0, 1, 2], ALPHA] = [10, 9, 20]
    gift.after_purchase(orders([0, 1, 2], 50.0))
    # orders 10 and 20 are multiples of 10: slots 0 and 2 get a gift of 8 each;
    # satisfaction 0.6 + 0.05 x 0.4 = 0.62
    assert ctx.paid[ALPHA] == pytest.approx(16.0)
    assert ctx.nudges == [([0, 2], ALPHA, 0.05, 0.0)]
    np.testing.assert_allclose(ctx.customers.satisfaction[[0, 1, 2], ALPHA], [0.62, 0.6, 0.62])
