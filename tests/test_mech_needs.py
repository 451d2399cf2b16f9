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


def test_needers_own_rates_scale_the_segments():
    # segment rate 0.5; customers' multipliers 0 (never), 2 (certain: 0.5 x 2 = 1), 1 (half)
    active = np.ones(3, bool)
    segment = np.zeros(3, np.int16)
    scale = np.array([0.0, 2.0, 1.0], np.float32)
    hits = np.zeros(3)
    rng = np.random.default_rng(3)
    for _ in range(4000):
        hits[needers(rng, active, segment, np.array([0.5]), scale=scale)] += 1
    assert hits[0] == 0 and hits[1] == 4000
    # half of 4000 days: SE sqrt(0.25 / 4000) = 0.0079
    assert abs(hits[2] / 4000 - 0.5) < 5 * np.sqrt(0.25 / 4000)


def test_needers_skip_customers_who_left_the_category():
    active = np.ones(4, bool)
    alive = np.array([True, False, True, False])
    out = needers(
        np.random.default_rng(0), active, np.zeros(4, np.int16), np.array([1.0]), alive=alive
    )
    np.testing.assert_array_equal(out, [0, 2])


def test_needers_share_with_gamma_rates_is_the_mean_rate():
    # rates Gamma(shape 0.5) around 0.02: the daily share of needers is 0.02 on average
    n = 200_000
    rng = np.random.default_rng(5)
    scale = rng.gamma(0.5, 2.0, n).astype(np.float32)
    out = needers(rng, np.ones(n, bool), np.zeros(n, np.int16), np.array([0.02]), scale=scale)
    expected = float(np.minimum(0.02 * scale, 1.0).sum())
    assert abs(out.size - expected) < 5 * np.sqrt(expected)


def test_needers_with_keyed_numbers_slot_needs_when_its_number_is_below_its_rate():
    # the compiled pass bounds each slot by its own rate (Gamma scales make a few slots
    # heavy buyers); what comes out is still exactly "number below own probability"
    from loyaltysim.engine.draws import Decision, Draws

    n = 20_000
    g = np.random.default_rng(3)
    active, alive = g.random(n) < 0.9, g.random(n) < 0.95
    segment = (np.arange(n) % 2).astype(np.int16)
    rate, scale = np.array([0.02, 0.05]), g.gamma(0.4, 2.5, n).astype(np.float32)

    def stream():
        return Draws.of(np.random.default_rng(0)).stream(Decision.NEED, 9, np.arange(n))

    out = needers(stream(), active, segment, rate, scale=scale, alive=alive)
    u = stream().random()
    expected = np.flatnonzero(active & alive & (u < np.minimum(rate[segment] * scale, 1.0)))
    np.testing.assert_array_equal(out, expected)
