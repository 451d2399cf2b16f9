"""Choice: multinomial logit over considered shops plus the outside option."""

import math

import numpy as np
import pytest

from loyaltysim.mechanisms.choice import (
    OUTSIDE,
    ChoiceWeights,
    choice_probabilities,
    choose,
    utilities,
)

WEIGHTS = ChoiceWeights(
    quality=3.0,
    trust=2.0,
    satisfaction=2.0,
    rating=0.5,
    switching_cost=0.8,
    reference_price=100.0,
    outside_utility=0.0,
)


def test_utilities_hand_checked():
    u = utilities(
        WEIGHTS,
        rows=np.array([0, 1]),
        expectation=np.array([[0.8, 0.6], [0.5, 0.5]]),
        trust=np.array([[0.5, 0.7], [0.2, 0.2]]),
        satisfaction=np.array([[0.9, 0.2], [0.1, 0.5]]),
        experiences=np.array([[2, 0], [1, 3]], np.int32),
        main_shop=np.array([0, 1], np.int16),
        rating=np.array([4.0, 3.0]),
        price_paid=np.array([[60.0, 100.0], [60.0, 100.0]]),
        price_sensitivity=np.array([1.5, 0.5]),
        quality_weight=np.array([1.0, 2.0]),
    )
    # customer 0, shop 0: 3*1*0.8 + 2*0.5 + 2*(0.9-0.5) + 0.5*(4-3) - 1.5*60/100 + 0.8
    #                   = 2.4 + 1.0 + 0.8 + 0.5 - 0.9 + 0.8 = 4.6
    # customer 0, shop 1: 3*0.6 + 2*0.7 + 0 (no experience: satisfaction 0.2 ignored)
    #                   + 0.5*(3-3) - 1.5*100/100 = 1.8 + 1.4 - 1.5 = 1.7
    # customer 1, shop 0: 3*2*0.5 + 2*0.2 + 2*(0.1-0.5) + 0.5 - 0.5*0.6
    #                   = 3.0 + 0.4 - 0.8 + 0.5 - 0.3 = 2.8
    # customer 1, shop 1: 3.0 + 0.4 + 2*(0.5-0.5) + 0 - 0.5*1.0 + 0.8 = 3.7
    np.testing.assert_allclose(u, [[4.6, 1.7], [2.8, 3.7]], rtol=0, atol=1e-12)


def test_switching_cost_is_the_main_shop_bonus():
    base = dict(
        rows=np.array([0]),
        expectation=np.full((1, 2), 0.5),
        trust=np.full((1, 2), 0.5),
        satisfaction=np.full((1, 2), 0.5),
        experiences=np.zeros((1, 2), np.int32),
        rating=np.array([3.0, 3.0]),
        price_paid=np.full((1, 2), 100.0),
        price_sensitivity=np.ones(1),
        quality_weight=np.ones(1),
    )
    u = utilities(WEIGHTS, main_shop=np.array([0], np.int16), **base)
    assert u[0, 0] - u[0, 1] == pytest.approx(0.8)


def test_utilities_read_the_rows_where_they_lie_and_round_as_numpy_does():
    # ten customers of twenty, attitudes in float32 as in CustomerState: the compiled pass
    # must give the array expression's numbers to the last bit (the weights take the type
    # of the arrays they multiply, as Python floats do in numpy)
    rng = np.random.default_rng(11)
    customers, shops = 20, 3
    attitudes = {
        name: rng.random((customers, shops)).astype(np.float32)
        for name in ("expectation", "trust", "satisfaction")
    }
    experiences = rng.integers(0, 3, (customers, shops)).astype(np.int32)
    main_shop = rng.integers(-1, shops, customers).astype(np.int16)  # -1: none
    rows = np.sort(rng.choice(customers, 10, replace=False))
    rating = rng.uniform(1, 5, shops)
    price_paid = rng.uniform(20, 200, (10, shops))
    sensitivity = rng.random(10).astype(np.float32) * rng.uniform(0.5, 2, 10)
    quality_weight = rng.uniform(0.5, 2, 10)
    # weights whose products round (a power of two, like 2.0, multiplies exactly in any type)
    w = ChoiceWeights(2.7, 1.3, 1.7, 0.45, 0.8, 97.0, 0.0)
    e, t, s = (attitudes[name][rows] for name in ("expectation", "trust", "satisfaction"))
    want = w.quality * quality_weight[:, None] * e
    want += w.trust * t
    want += w.satisfaction * np.where(experiences[rows] > 0, s - 0.5, 0.0)
    want += w.rating * (rating[None, :] - 3.0)
    want -= sensitivity[:, None] * price_paid / w.reference_price
    want += w.switching_cost * (main_shop[rows, None] == np.arange(shops))
    got = utilities(
        w,
        rows,
        experiences=experiences,
        main_shop=main_shop,
        rating=rating,
        price_paid=price_paid,
        price_sensitivity=sensitivity,
        quality_weight=quality_weight,
        **attitudes,
    )
    assert got.dtype == want.dtype == np.float64
    np.testing.assert_array_equal(got.view(np.uint64), want.view(np.uint64))


def test_choice_probabilities_softmax_with_outside():
    # U = (1, 0), outside 0: exp weights e, 1, 1 -> e/(e+2), 1/(e+2), 1/(e+2)
    p = choice_probabilities(np.array([[1.0, 0.0]]), np.ones((1, 2), bool), 0.0)
    e = math.e
    np.testing.assert_allclose(p, [[e / (e + 2), 1 / (e + 2), 1 / (e + 2)]], rtol=1e-12)


def test_unavailable_shop_has_probability_zero():
    # shop 1 (utility 5) unknown: e^1, 0, e^0 -> e/(e+1), 0, 1/(e+1)
    p = choice_probabilities(np.array([[1.0, 5.0]]), np.array([[True, False]]), 0.0)
    e = math.e
    np.testing.assert_allclose(p, [[e / (e + 1), 0.0, 1 / (e + 1)]], rtol=1e-12)


def test_no_shop_available_means_outside_for_sure():
    p = choice_probabilities(np.array([[9.0, 9.0]]), np.zeros((1, 2), bool), -3.0)
    np.testing.assert_array_equal(p, [[0.0, 0.0, 1.0]])
    out = choose(np.random.default_rng(0), np.full((50, 2), 9.0), np.zeros((50, 2), bool), -3.0)
    assert np.all(out == OUTSIDE)


def test_choice_probabilities_large_utilities_do_not_overflow():
    p = choice_probabilities(np.array([[1000.0, 1000.0]]), np.ones((1, 2), bool), 0.0)
    np.testing.assert_allclose(p, [[0.5, 0.5, 0.0]], atol=1e-12)
    assert np.all(np.isfinite(p))


def test_choose_empty():
    out = choose(np.random.default_rng(0), np.zeros((0, 3)), np.zeros((0, 3), bool), 0.0)
    assert out.shape == (0,)


def test_choose_reproduces_logit_probabilities():
    # weights exp(U): shop 0 3, shop 1 1, shop 2 unavailable, outside exp(0) = 1
    # -> P = 3/5, 1/5, 0, 1/5
    n = 20000
    utility = np.tile([math.log(3.0), 0.0, 5.0], (n, 1))
    available = np.tile([True, True, False], (n, 1))
    out = choose(np.random.default_rng(11), utility, available, 0.0)
    assert set(np.unique(out)) <= {0, 1, OUTSIDE}  # unavailable shop 2 never chosen
    # SE = sqrt(p (1-p) / n): 0.00346 for p = 0.6, 0.00283 for p = 0.2
    for code, p in [(0, 0.6), (1, 0.2), (OUTSIDE, 0.2)]:
        assert abs(np.mean(out == code) - p) < 5 * math.sqrt(p * (1 - p) / n)


def test_choose_never_picks_unavailable_first_shop():
    # an unavailable shop in the first column has cumulative probability 0
    n = 20000
    utility = np.tile([50.0, 0.0], (n, 1))
    available = np.tile([False, True], (n, 1))
    out = choose(np.random.default_rng(12), utility, available, 0.0)
    assert not np.any(out == 0)
    # shop 1 vs outside at equal utility: 1/2 each, SE = sqrt(0.25 / n) = 0.00354
    assert abs(np.mean(out == 1) - 0.5) < 5 * math.sqrt(0.25 / n)


class FixedUniform:
    """A stand-in generator whose uniform numbers are all ``value`` (edges of [0, 1))."""

    def __init__(self, value):
        self.value = value

    def random(self, n):
        return np.full(n, self.value)


@pytest.mark.parametrize("u", [0.0, 0.5, np.nextafter(1.0, 0.0)])
def test_choose_edges_of_the_uniform_never_pick_an_unavailable_shop(u):
    # shop 0 unavailable, shop 1 and the outside option at 1/2 each; u = 0 must not land on
    # the zero-width interval of shop 0. u in [0, 1/2) -> shop 1, u in [1/2, 1) -> outside
    out = choose(FixedUniform(u), np.zeros((3, 2)), np.tile([False, True], (3, 1)), 0.0)
    expected = 1 if u < 0.5 else OUTSIDE
    np.testing.assert_array_equal(out, [expected] * 3)


def test_choose_picks_the_interval_of_the_cumulative_probabilities_that_holds_u():
    # against a plain numpy statement of the rule, on 2,000 customers x 5 shops with a
    # fifth of the shops unavailable; the uniforms are the generator's, in order
    g = np.random.default_rng(21)
    utility, available = g.normal(0.0, 2.0, (2_000, 5)), g.random((2_000, 5)) < 0.8
    out = choose(np.random.default_rng(4), utility, available, 0.5)
    u = np.random.default_rng(4).random(2_000)
    cumulative = np.cumsum(choice_probabilities(utility, available, 0.5), axis=1)
    expected = np.minimum((cumulative <= u[:, None]).sum(axis=1), 5)
    np.testing.assert_array_equal(out, np.where(expected == 5, OUTSIDE, expected))
    assert available[np.flatnonzero(out >= 0), out[out >= 0]].all()
