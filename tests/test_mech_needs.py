"""Needs: each active customer needs to buy with its segment's daily purchase rate."""

import numpy as np

from loyaltysim.mechanisms.needs import needers


def test_needers_rate_zero_nobody():
    active = np.ones(5, bool)
    segment = np.zeros(5, np.int16)
    out = needers(np.random.default_rng(0), active, segment, np.array([0.0, 0.0]))
    assert out.size == 0


def test_needers_rate_one_every_active_customer_of_that_segment():
    active = np.array([True, True, False, True, True, False])
    segment = np.array([0, 1, 0, 0, 1, 1], np.int16)
    # segment 0 always needs, segment 1 never: active segment-0 slots 0 and 3
    out = needers(np.random.default_rng(0), active, segment, np.array([1.0, 0.0]))
    np.testing.assert_array_equal(out, [0, 3])


def test_needers_empty_population():
    out = needers(
        np.random.default_rng(0), np.zeros(0, bool), np.zeros(0, np.int16), np.array([0.5])
    )
    assert out.size == 0


def test_needers_daily_probability_per_segment():
    # slots: 0 seg0 active, 1 seg1 active, 2 seg0 inactive, 3 seg1 active
    active = np.array([True, True, False, True])
    segment = np.array([0, 1, 0, 1], np.int16)
    rate = np.array([0.2, 0.05])
    days = 20000
    g = np.random.default_rng(7)
    hits = np.zeros((days, 4), bool)
    for d in range(days):
        out = needers(g, active, segment, rate)
        assert np.all(np.diff(out) > 0)  # sorted
        hits[d, out] = True
    freq = hits.mean(axis=0)
    assert freq[2] == 0.0  # inactive never needs
    # SE = sqrt(p (1 - p) / 20000): 0.00283 for p = 0.2, 0.00154 for p = 0.05
    expected = np.array([0.2, 0.05, 0.0, 0.05])
    se = np.sqrt(expected * (1 - expected) / days)
    for i in (0, 1, 3):
        assert abs(freq[i] - expected[i]) < 5 * se[i]
