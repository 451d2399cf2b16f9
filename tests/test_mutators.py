"""The state's mutators: each change is hand-checked, and the totals always match a recount."""

from dataclasses import fields

import numpy as np
import pytest

from loyaltysim.engine.mutators import Mutators
from loyaltysim.engine.state import ADVERTISING, NEVER, NO_SHOP, NOT_HEARD, CustomerState
from loyaltysim.engine.totals import ShopTotals
from loyaltysim.mechanisms.population import Arrivals


def assert_totals_true(m: Mutators) -> None:
    expected = ShopTotals.count(m.state)
    for field in fields(ShopTotals):
        np.testing.assert_allclose(
            getattr(m.totals, field.name),
            getattr(expected, field.name),
            rtol=0,
            atol=1e-6,
            err_msg=field.name,
        )


def arrivals(k: int, shops: int = 2, aware: bool = True) -> Arrivals:
    return Arrivals(
        segment=np.zeros(k, np.int16),
        region=np.zeros(k, np.int16),
        joined=7,
        stage_end=np.full(k, np.inf),
        price_sensitivity=np.ones(k),
        talkativeness=np.ones(k),
        aware=np.full((k, shops), aware),
        expectation=np.full((k, shops), 0.8),
        trust=0.5,
    )


def market(k: int = 3) -> Mutators:
    """Four slots, two shops; ``k`` customers who know both shops."""
    m = Mutators(CustomerState.empty(4, 2))
    m.arrive(np.arange(k), arrivals(k))
    return m


def test_arrive_fills_slots_with_new_ids_and_counts_them():
    m = market(3)
    s = m.state
    assert s.active.tolist() == [True, True, True, False]
    assert s.uid[:3].tolist() == [0, 1, 2] and s.joined[:3].tolist() == [7, 7, 7]
    np.testing.assert_allclose(s.expectation[:3], 0.8, rtol=1e-6)
    assert m.totals.aware.tolist() == [3.0, 3.0]
    m.arrive(np.array([3]), arrivals(1, aware=False))
    assert s.uid[3] == 3  # ids never repeat
    assert m.totals.aware.tolist() == [3.0, 3.0]
    assert_totals_true(m)


def test_arrive_wipes_the_slots_history():
    m = market(2)
    m.order(np.array([0]), np.array([1]), 5, np.array([10.0]), np.array([2.0]), True)
    m.leave(np.array([0]), 9)
    m.arrive(np.array([0]), arrivals(1))
    s = m.state
    assert s.last_order_day[0, 1] == NEVER and s.orders[0, 1] == 0 and s.uid[0] == 2
    assert_totals_true(m)


def test_arrive_in_a_used_slot_leaves_it_as_in_a_fresh_one():
    used = market(2)
    used.order(np.array([0, 1]), np.array([1, 0]), 5, np.ones(2), np.ones(2), True)
    used.experience(np.array([0]), np.array([1]), np.array([0.9]), np.array([0.7]), np.array([0.6]))
    used.drop(np.array([0]), np.array([0]), 6)
    used.set_main_shop(np.array([0]), np.array([1]), np.array([0]), np.array([2]))
    used.leave(np.array([0]), 9)
    used.arrive(np.array([0]), arrivals(1, aware=False))
    fresh = Mutators(CustomerState.empty(4, 2))
    fresh.arrive(np.array([0]), arrivals(1, aware=False))
    for field in fields(CustomerState):
        if field.name != "uid":
            old, new = getattr(used.state, field.name)[0], getattr(fresh.state, field.name)[0]
            np.testing.assert_array_equal(old, new, err_msg=field.name)
    assert_totals_true(used)


def test_reset_rows_keeps_the_fields_asked_for():
    m = market(2)
    with m.by_hand() as s:
        s.reset_rows(np.array([1]), keep=frozenset({"uid", "expectation"}))
    assert s.uid.tolist()[:2] == [0, 1] and not s.active[1]
    np.testing.assert_allclose(s.expectation[1], 0.8, rtol=1e-6)
    assert s.aware[1].tolist() == [False, False] and s.aware[0].tolist() == [True, True]


def test_leave_ends_ties_logs_the_record_and_frees_the_slot():
    m = market(3)
    # slot 0 bought from both shops, then dropped shop 1; slot 1 bought from shop 0
    m.order(np.array([0, 1]), np.array([0, 0]), 2, np.ones(2), np.ones(2), True)
    m.order(np.array([0]), np.array([1]), 3, np.ones(1), np.ones(1), True)
    m.drop(np.array([0]), np.array([1]), 4)
    ended = m.leave(np.array([0, 1]), 9)
    # ties ended: slot 0 with shop 0 (shop 1 was dropped before), slot 1 with shop 0
    assert sorted(ended.tolist()) == [0, 0]
    s = m.state
    assert s.churn_day[0].tolist() == [9, 4]  # the drop on day 4 is the first loss
    assert s.churn_day[1].tolist() == [9, NEVER]
    assert s.active.tolist() == [False, False, True, False]
    assert len(m.departed.chunks) == 1
    assert m.totals.customers.tolist() == [0.0, 0.0]
    assert_totals_true(m)


def test_make_aware_and_undrop():
    m = Mutators(CustomerState.empty(3, 2))
    m.arrive(np.arange(3), arrivals(3, aware=False))
    m.make_aware(np.array([0, 2]), np.array([1, 1]), np.array([0.6, 0.7]), 0.4, ADVERTISING)
    s = m.state
    assert s.aware[:, 1].tolist() == [True, False, True]
    assert s.heard_first[:, 1].tolist() == [ADVERTISING, NOT_HEARD, ADVERTISING]
    np.testing.assert_allclose(s.expectation[[0, 2], 1], [0.6, 0.7], rtol=1e-6)
    assert s.trust[0, 1] == np.float32(0.4)
    assert m.totals.aware.tolist() == [0.0, 2.0]
    m.order(np.array([0]), np.array([1]), 1, np.ones(1), np.ones(1), True)
    m.drop(np.array([0]), np.array([1]), 2)
    assert m.totals.aware.tolist() == [0.0, 1.0] and m.totals.customers.tolist() == [0.0, 0.0]
    m.undrop(np.array([0]), np.array([1]))
    assert not s.dropped[0, 1] and s.aware[0, 1]
    assert m.totals.aware.tolist() == [0.0, 2.0] and m.totals.customers.tolist() == [0.0, 1.0]
    assert_totals_true(m)


def test_drop_loses_the_main_shop_and_keeps_the_first_churn_day():
    m = market(2)
    m.set_main_shop(np.array([0, 1]), np.array([1, 0]), np.full(2, NO_SHOP), np.zeros(2))
    m.drop(np.array([0, 1]), np.array([1, 1]), 5)
    s = m.state
    assert s.main_shop[:2].tolist() == [NO_SHOP, 0]  # slot 1's main shop was shop 0
    assert s.churn_day[:2, 1].tolist() == [5, 5]
    m.undrop(np.array([0]), np.array([1]))
    m.drop(np.array([0]), np.array([1]), 8)
    assert s.churn_day[0, 1] == 5  # retention counts the first loss
    assert_totals_true(m)


def test_order_books_money_only_while_recording():
    m = market(2)
    first = m.order(np.array([0]), np.array([0]), -3, np.array([50.0]), np.array([9.0]), False)
    assert first.tolist() == [True]
    s = m.state
    assert s.orders[0, 0] == 0 and s.spend[0, 0] == 0.0  # warm-up: days only
    assert s.first_order_day[0, 0] == s.last_order_day[0, 0] == -3
    first = m.order(np.array([0]), np.array([0]), 65, np.array([50.0]), np.array([9.0]), True)
    assert first.tolist() == [False]
    assert s.orders[0, 0] == 1 and s.spend[0, 0] == 50.0 and s.margin[0, 0] == 9.0
    assert s.order_months[0, 0] == 1 << 2  # day 65 is in recorded month 2 (days 60-89)
    assert s.first_order_day[0, 0] == -3 and s.last_order_day[0, 0] == 65
    m.charge(np.array([0]), np.array([0]), np.array([4.0]))
    assert s.margin[0, 0] == 5.0
    assert m.totals.customers.tolist() == [1.0, 0.0]
    assert_totals_true(m)


def test_experience_first_and_later():
    m = market(1)
    one = zero = np.array([0])
    # first experience: satisfaction 0.6 and trust 0.55 enter the sums whole
    m.experience(one, zero, np.array([0.6]), np.array([0.55]), np.array([0.7]))
    assert m.totals.experienced.tolist() == [1.0, 0.0]
    np.testing.assert_allclose(m.totals.satisfaction_sum, [0.6, 0.0], rtol=1e-6)
    # a later one moves the sums by the change: 0.6 -> 0.9, 0.55 -> 0.45
    m.experience(zero, zero, np.array([0.9]), np.array([0.45]), np.array([0.75]))
    s = m.state
    assert s.experiences[0, 0] == 2
    assert s.expectation[0, 0] == np.float32(0.75)
    np.testing.assert_allclose(m.totals.satisfaction_sum, [0.9, 0.0], rtol=1e-6)
    np.testing.assert_allclose(m.totals.trust_sum, [0.45, 0.0], rtol=1e-6)
    assert_totals_true(m)


def test_hear_moves_trust_sums_only_for_experienced_customers():
    m = market(2)
    m.experience(np.array([0]), np.array([0]), np.array([0.5]), np.array([0.5]), np.array([0.5]))
    m.hear(np.array([0, 1]), np.array([0, 0]), np.array([0.9, 0.9]), np.array([0.8, 0.7]))
    s = m.state
    np.testing.assert_allclose(s.trust[:2, 0], [0.8, 0.7], rtol=1e-6)
    np.testing.assert_allclose(m.totals.trust_sum, [0.8, 0.0], rtol=1e-6)  # slot 1 unexperienced
    assert_totals_true(m)


def test_nudge_closes_a_share_of_the_gap_to_one():
    m = market(3)
    m.experience(np.array([0]), np.array([1]), np.array([0.6]), np.array([0.5]), np.array([0.5]))
    with m.by_hand() as s:
        s.active[2] = False  # left: skipped
    m.nudge(np.array([0, 1, 2]), 1, satisfaction=0.5, trust=0.2)
    s = m.state
    # slot 0: satisfaction 0.6 + 0.5 * 0.4 = 0.8; trust 0.5 + 0.2 * 0.5 = 0.6
    assert s.satisfaction[0, 1] == pytest.approx(0.8, rel=1e-6)
    assert s.trust[0, 1] == pytest.approx(0.6, rel=1e-6)
    # slot 1 never experienced shop 1: satisfaction stays, trust 0.5 + 0.2 * 0.5 = 0.6
    assert s.satisfaction[1, 1] == np.float32(0.5)
    assert s.trust[1, 1] == pytest.approx(0.6, rel=1e-6)
    assert s.trust[2, 1] == np.float32(0.5)
    assert_totals_true(m)


def test_shock_hits_everyone_who_knows_the_shop():
    m = market(3)
    m.experience(np.array([0]), np.array([0]), np.array([0.8]), np.array([0.5]), np.array([0.5]))
    m.order(np.array([1]), np.array([0]), 1, np.ones(1), np.ones(1), True)
    m.drop(np.array([1]), np.array([0]), 2)  # dropped, but still knows the shop
    hurt = m.shock(0, trust_loss=0.5, satisfaction_loss=0.25)
    s = m.state
    assert hurt.tolist() == [0]  # the only one who experienced it
    np.testing.assert_allclose(s.trust[:3, 0], [0.25, 0.25, 0.25], rtol=1e-6)
    assert s.satisfaction[0, 0] == pytest.approx(0.6, rel=1e-6)
    assert s.trust[:3, 1].tolist() == [0.5, 0.5, 0.5]  # other shop untouched
    assert_totals_true(m)


def test_shock_shares_out_the_losses():
    # shares 1, 0.5, 0.25 of a 0.5 trust loss: 0.5 x (1 - 0.5), (1 - 0.25), (1 - 0.125);
    # only slot 0 experienced the shop: satisfaction 0.8 x (1 - 0.25 x 1)
    m = market(3)
    m.experience(np.array([0]), np.array([0]), np.array([0.8]), np.array([0.5]), np.array([0.5]))
    share = np.array([1.0, 0.5, 0.25])
    hurt = m.shock(0, trust_loss=0.5, satisfaction_loss=0.25, share=share)
    s = m.state
    assert hurt.tolist() == [0]
    np.testing.assert_allclose(s.trust[:3, 0], [0.25, 0.375, 0.4375], rtol=1e-6)
    assert s.satisfaction[0, 0] == pytest.approx(0.6, rel=1e-6)
    assert_totals_true(m)


def test_set_stage_and_reset_recording():
    m = market(2)
    m.set_stage(np.array([1]), np.array([3], np.int16), np.array([40.0]))
    assert m.state.segment[1] == 3 and m.state.stage_end[1] == 40.0
    m.order(np.array([0]), np.array([0]), 5, np.array([50.0]), np.array([9.0]), True)
    m.reset_recording()
    assert m.state.orders.sum() == 0 and m.state.spend.sum() == 0.0
    assert m.state.last_order_day[0, 0] == 5  # days keep counting


def test_every_array_is_read_only_outside_the_mutators():
    m = market(2)
    for field in fields(CustomerState):
        with pytest.raises(ValueError, match="read-only"):
            getattr(m.state, field.name)[0] = 0
    with m.by_hand() as s:
        s.dropped[0, 0] = True
    assert m.totals.aware.tolist() == [1.0, 2.0]  # recounted on the way out


def test_pair_mutators_write_the_same_cells_as_two_index_arrays():
    """The flat positions of (slot, shop) pairs are the cells a 2-D index would reach."""
    m = market(3)
    slot, shop = np.array([2, 0, 1]), np.array([1, 0, 1])
    m.order(slot, shop, 40, np.array([10.0, 20.0, 30.0]), np.array([1.0, 2.0, 3.0]), True)
    assert np.argwhere(m.state.orders).tolist() == [[0, 0], [1, 1], [2, 1]]
    assert m.state.spend[slot, shop].tolist() == [10.0, 20.0, 30.0]
    assert m.state.last_order_day[slot, shop].tolist() == [40, 40, 40]
    assert_totals_true(m)


def test_a_view_that_would_be_a_copy_is_refused():
    """A write into a copy would be lost: the flat view of a strided array raises instead."""
    from loyaltysim.engine.mutators import _flat

    with pytest.raises(ValueError, match="copy"):
        _flat(np.zeros((4, 3))[:, :2])
