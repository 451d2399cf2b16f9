"""Awareness: who learns of shops, whom advertising reaches, who reconsiders dropped shops.

The rules only decide; writing the state is the mutators' job (tests/test_mutators.py).
"""

import math

import numpy as np

from loyaltysim.engine.state import CustomerState
from loyaltysim.mechanisms.awareness import (
    FirstImpression,
    advertised,
    newly_aware,
    reconsidering,
)

# shop 0 promises 0.7, shop 1 0.6; segment 0 weighs delivery 1, segment 1 weighs it 0
IMPRESSION = FirstImpression(
    promise=np.array([0.7, 0.6]), delivery_weight=np.array([1.0, 0.0]), initial_trust=0.5
)


def state_of(n, shops=2, active=True):
    state = CustomerState.empty(n, shops)
    state.active[:] = active
    return state


def test_first_impression_expectation():
    # the promise delivered on time: (promise + w * 1) / (1 + w)
    # segment 0 (w=1): shop 0 (0.7 + 1)/2 = 0.85, shop 1 (0.6 + 1)/2 = 0.8
    # segment 1 (w=0): the promise itself, 0.7 and 0.6
    e = IMPRESSION.expectation(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]))
    np.testing.assert_allclose(e, [0.85, 0.8, 0.7, 0.6])


def test_newly_aware_hand_checked():
    state = state_of(4)
    state.active[3] = False
    state.aware[1, 0] = True  # already knows shop 0
    state.dropped[2, 1] = True  # dropped shop 1: word of mouth does not bring it back
    rows = np.array([0, 1, 2, 3, 0, 2])
    shop = np.array([0, 0, 1, 0, 0, 0])
    new = newly_aware(state, rows, shop)
    # (0,0) new (its repeat is not new again); (1,0) known; (2,1) dropped; slot 3 inactive;
    # (2,0) new
    np.testing.assert_array_equal(new, [True, False, False, False, False, True])
    assert not state.aware[0, 0]  # deciding writes nothing


def test_newly_aware_empty():
    new = newly_aware(state_of(3), np.empty(0, np.int64), np.empty(0, np.int64))
    assert new.size == 0


def test_advertised_reach_zero_and_one():
    rows, shop = advertised(np.random.default_rng(0), 5, np.array([0.0, 1.0]))
    # shop 0: nobody; shop 1: every slot (active or not: newly_aware filters), shop by shop
    np.testing.assert_array_equal(rows, [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(shop, [1, 1, 1, 1, 1])


def test_advertised_reach_share():
    # 20000 slots, reach 0.1: Binomial(20000, 0.1), mean 2000, sd 42.4; distinct slots
    rows, shop = advertised(np.random.default_rng(1), 20000, np.array([0.1]))
    assert abs(rows.size - 2000) < 5 * math.sqrt(20000 * 0.1 * 0.9)
    assert np.unique(rows).size == rows.size
    assert (shop == 0).all()


def test_reconsider_rate_one_brings_back_every_active_churner():
    state = state_of(4)
    state.active[3] = False
    state.dropped[[0, 2, 3], [1, 0, 0]] = True
    state.aware[[0, 2, 3], [1, 0, 0]] = True
    rows, shop = reconsidering(np.random.default_rng(0), state, 1.0)
    # the inactive slot 3 does not come back
    np.testing.assert_array_equal(rows, [0, 2])
    np.testing.assert_array_equal(shop, [1, 0])


def test_reconsider_rate_zero():
    state = state_of(3)
    state.dropped[:] = True
    rows, shop = reconsidering(np.random.default_rng(0), state, 0.0)
    assert rows.size == shop.size == 0


def test_reconsider_rate_share():
    # 5000 customers x 2 shops all dropped, rate 0.2: share 0.2, SE = sqrt(0.16 / 10000) = 0.004
    state = state_of(5000)
    state.dropped[:] = True
    rows, shop = reconsidering(np.random.default_rng(2), state, 0.2)
    assert abs(rows.size / 10000 - 0.2) < 5 * math.sqrt(0.2 * 0.8 / 10000)
    assert np.unique(rows * 2 + shop).size == rows.size  # distinct pairs
    # both shops come back at the same rate: shop 0 share of those back 0.5, SE sqrt(.25/k)
    assert abs(np.mean(shop == 0) - 0.5) < 5 * math.sqrt(0.25 / rows.size)
