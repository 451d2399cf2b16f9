"""Awareness: learning of shops, advertising, reconsidering dropped shops."""

import math

import numpy as np
import pytest

from loyaltysim.engine.state import CustomerState
from loyaltysim.mechanisms.awareness import FirstImpression, advertise, learn_of, reconsider

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


def test_learn_of_hand_checked():
    state = state_of(4)
    state.active[3] = False
    state.segment[:] = [0, 0, 1, 0]
    state.aware[1, 0] = True  # already knows shop 0, with its own attitudes
    state.expectation[1, 0], state.trust[1, 0] = 0.9, 0.8
    state.dropped[2, 1] = True  # dropped shop 1: word of mouth does not bring it back
    rows = np.array([0, 1, 2, 3, 0, 2])
    shop = np.array([0, 0, 1, 0, 0, 0])
    new = learn_of(state, rows, shop, IMPRESSION)
    # (0,0) new (its repeat is not new again); (1,0) known; (2,1) dropped; slot 3 inactive;
    # (2,0) new
    np.testing.assert_array_equal(new, [True, False, False, False, False, True])
    np.testing.assert_array_equal(state.aware, [[1, 0], [1, 0], [1, 0], [0, 0]])
    # slot 0 (segment 0): (0.7 + 1)/2 = 0.85; slot 2 (segment 1): 0.7; trust 0.5
    assert state.expectation[0, 0] == pytest.approx(0.85, rel=1e-6)
    assert state.expectation[2, 0] == pytest.approx(0.7, rel=1e-6)
    assert state.trust[0, 0] == state.trust[2, 0] == np.float32(0.5)
    # the known pair keeps its attitudes
    assert state.expectation[1, 0] == np.float32(0.9)
    assert state.trust[1, 0] == np.float32(0.8)
    assert not state.aware[2, 1]


def test_learn_of_empty():
    state = state_of(3)
    new = learn_of(state, np.empty(0, np.int64), np.empty(0, np.int64), IMPRESSION)
    assert new.size == 0
    assert not state.aware.any()


def test_advertise_reach_zero_and_one():
    state = state_of(5)
    state.active[4] = False
    state.aware[0, 1] = True  # already aware: not counted again
    counts = advertise(np.random.default_rng(0), state, np.array([0.0, 1.0]), IMPRESSION)
    # shop 0: nobody; shop 1: the 3 active customers not yet aware (slots 1, 2, 3)
    np.testing.assert_array_equal(counts, [0, 3])
    np.testing.assert_array_equal(state.aware[:, 1], [True, True, True, True, False])
    assert not state.aware[:, 0].any()


def test_advertise_reach_share():
    # 20000 unaware customers, reach 0.1: Binomial(20000, 0.1), mean 2000, sd 42.4
    state = state_of(20000, shops=1)
    one = FirstImpression(np.array([0.7]), np.array([1.0]), 0.5)
    counts = advertise(np.random.default_rng(1), state, np.array([0.1]), one)
    assert abs(counts[0] - 2000) < 5 * math.sqrt(20000 * 0.1 * 0.9)
    assert counts[0] == state.aware.sum()


def test_reconsider_rate_one_brings_back_every_active_churner():
    state = state_of(4)
    state.active[3] = False
    state.dropped[[0, 2, 3], [1, 0, 0]] = True
    state.aware[[0, 2, 3], [1, 0, 0]] = True
    state.trust[0, 1] = 0.05  # the attitude that made it leave
    rows, shop = reconsider(np.random.default_rng(0), state, 1.0)
    np.testing.assert_array_equal(rows, [0, 2])
    np.testing.assert_array_equal(shop, [1, 0])
    assert not state.dropped[:3].any()
    assert state.dropped[3, 0]  # inactive slot untouched
    assert state.aware[0, 1] and state.aware[2, 0]
    assert state.trust[0, 1] == np.float32(0.05)  # attitudes kept


def test_reconsider_rate_zero():
    state = state_of(3)
    state.dropped[:] = True
    rows, shop = reconsider(np.random.default_rng(0), state, 0.0)
    assert rows.size == shop.size == 0
    assert state.dropped.all()


def test_reconsider_rate_share():
    # 5000 customers x 2 shops all dropped, rate 0.2: share 0.2, SE = sqrt(0.16 / 10000) = 0.004
    state = state_of(5000)
    state.dropped[:] = True
    rows, shop = reconsider(np.random.default_rng(2), state, 0.2)
    assert abs(rows.size / 10000 - 0.2) < 5 * math.sqrt(0.2 * 0.8 / 10000)
    assert (~state.dropped).sum() == rows.size
    # both shops come back at the same rate: shop 0 share of those back 0.5, SE sqrt(.25/k)
    assert abs(np.mean(shop == 0) - 0.5) < 5 * math.sqrt(0.25 / rows.size)
