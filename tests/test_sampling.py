"""Event-driven sampling: bernoulli_indices and thinned_indices.

Statistical checks use a fixed seed and a tolerance of 5 standard errors, with the standard
error written out next to each check.
"""

import numpy as np
import pytest

from loyaltysim.engine.sampling import bernoulli_indices, thinned_indices


def rng(seed=0):
    return np.random.default_rng(seed)


# --------------------------------------------------------------------------- bernoulli_indices
@pytest.mark.parametrize(("n", "p"), [(0, 0.5), (-3, 0.5), (10, 0.0), (10, -0.1)])
def test_bernoulli_indices_empty(n, p):
    out = bernoulli_indices(rng(), n, p)
    assert out.shape == (0,)
    assert out.dtype == np.int64


@pytest.mark.parametrize("p", [1.0, 1.5])
def test_bernoulli_indices_probability_one_takes_everyone(p):
    np.testing.assert_array_equal(bernoulli_indices(rng(), 7, p), np.arange(7))


def test_bernoulli_indices_sorted_unique_in_range():
    g = rng(1)
    for _ in range(200):
        out = bernoulli_indices(g, 40, 0.4)
        assert out.dtype == np.int64
        assert np.all(np.diff(out) > 0)  # sorted, no index twice
        assert out.size == 0 or (out[0] >= 0 and out[-1] < 40)


def test_bernoulli_indices_count_is_binomial():
    # n = 50, p = 0.3: count ~ Binomial(50, 0.3), mean 15, variance n p (1-p) = 10.5.
    n, p, draws = 50, 0.3, 4000
    g = rng(2)
    counts = np.array([bernoulli_indices(g, n, p).size for _ in range(draws)])
    # SE(mean) = sqrt(10.5 / 4000) = 0.0512 -> 5 SE = 0.256
    assert abs(counts.mean() - 15.0) < 5 * np.sqrt(10.5 / draws)
    # SE(sample variance) ~ sigma^2 sqrt(2 / (R-1)) = 10.5 * 0.02236 = 0.235 -> 5 SE = 1.17
    # (the binomial's excess kurtosis (1 - 6 p q) / (n p q) = -0.025 is negligible)
    assert abs(counts.var(ddof=1) - 10.5) < 5 * 10.5 * np.sqrt(2 / (draws - 1))


def test_bernoulli_indices_each_index_independent_with_probability_p():
    n, p, draws = 50, 0.3, 4000
    g = rng(3)
    hits = np.zeros((draws, n), bool)
    for k in range(draws):
        hits[k, bernoulli_indices(g, n, p)] = True
    # each index: frequency ~ p, SE = sqrt(0.3 * 0.7 / 4000) = 0.00725 -> 5 SE = 0.036
    np.testing.assert_array_less(np.abs(hits.mean(axis=0) - p), 5 * np.sqrt(p * (1 - p) / draws))
    # pairs, near and far: P(both) = p^2 = 0.09, SE = sqrt(0.09 * 0.91 / 4000) = 0.00452
    se_pair = np.sqrt(p**2 * (1 - p**2) / draws)
    for i, j in [(0, 1), (0, 49), (17, 33)]:
        assert abs((hits[:, i] & hits[:, j]).mean() - p**2) < 5 * se_pair


# --------------------------------------------------------------------------- thinned_indices
def test_thinned_indices_keeps_each_index_with_its_probability():
    prob = np.array([0.0, 0.1, 0.25, 0.5, 0.5, 0.05])
    draws = 20000
    g = rng(4)
    hits = np.zeros((draws, prob.size), bool)
    for k in range(draws):
        hits[k, thinned_indices(g, prob.size, 0.5, lambda idx: prob[idx])] = True
    freq = hits.mean(axis=0)
    assert freq[0] == 0.0  # probability 0: never
    # SE_i = sqrt(p_i (1 - p_i) / 20000), at most sqrt(0.25 / 20000) = 0.0035
    se = np.sqrt(prob * (1 - prob) / draws)
    np.testing.assert_array_less(np.abs(freq - prob)[1:], 5 * se[1:])
    # independence of two indices kept at 0.5 each: P(both) = 0.25, SE = sqrt(.25*.75/20000)
    assert abs((hits[:, 3] & hits[:, 4]).mean() - 0.25) < 5 * np.sqrt(0.25 * 0.75 / draws)


def test_thinned_indices_probability_one_and_p_max_above_one():
    prob = np.ones(5)
    out = thinned_indices(rng(), 5, 2.0, lambda idx: prob[idx])
    np.testing.assert_array_equal(out, np.arange(5))


def test_thinned_indices_zero_p_max_and_empty():
    calls = []

    def probability_of(idx):
        calls.append(idx.size)
        return np.zeros(idx.size)

    assert thinned_indices(rng(), 100, 0.0, probability_of).size == 0
    assert thinned_indices(rng(), 0, 0.5, probability_of).size == 0
    assert sum(calls) == 0  # nothing was ever looked at


def test_thinned_indices_only_looks_at_candidates():
    # n = 1e6 at p_max = 1e-4: about 100 candidates, never the whole population.
    seen = []

    def probability_of(idx):
        seen.append(idx.copy())
        return np.full(idx.size, 1e-4)

    out = thinned_indices(rng(5), 1_000_000, 1e-4, probability_of)
    looked = np.concatenate(seen)
    # candidates ~ Binomial(1e6, 1e-4): mean 100, sd 10 -> far below 1e6
    assert looked.size < 200
    np.testing.assert_array_equal(out, looked)  # p_i = p_max: every candidate kept
