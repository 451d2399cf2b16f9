"""The C library's exp, expm1, log1p, cos and pow, the same on every CPU (engine/libm.py).

The reference is Python's :mod:`math`, which calls the same C functions one value at a time:
numpy's own vectorised float64 ``exp`` on AVX-512 CPUs differs from it in the last bit for
some arguments, which is what these loops are for.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from loyaltysim.engine import libm
from loyaltysim.engine.draws import Decision, Draws

RNG = np.random.default_rng(20261203)
X = RNG.normal(0.0, 4.0, 20_000)


@pytest.mark.parametrize(
    ("ours", "reference", "x"),
    [
        (libm.exp, math.exp, X),
        (libm.expm1, math.expm1, X),
        (libm.log1p, math.log1p, np.abs(X)),
        (libm.cos, math.cos, 50.0 * X),
    ],
    ids=["exp", "expm1", "log1p", "cos"],
)
def test_each_value_is_the_c_librarys(ours, reference, x):
    np.testing.assert_array_equal(ours(x), [reference(v) for v in x])


def test_power_is_the_c_librarys_and_broadcasts():
    base, exponent = RNG.random(5_000), RNG.normal(0.0, 3.0, 5_000)
    np.testing.assert_array_equal(
        libm.power(base, exponent), [math.pow(b, e) for b, e in zip(base, exponent, strict=True)]
    )
    # a scalar base against integer counts (word of mouth: (1 - influence) ** messages)
    np.testing.assert_array_equal(libm.power(0.5, np.arange(4)), [1.0, 0.5, 0.25, 0.125])
    # an array against a scalar exponent; 0 gives exactly 1 (the talk curve's default)
    share = np.array([[0.0, 0.25], [0.5, 1.0]])
    np.testing.assert_array_equal(libm.power(share, 0.0), np.ones((2, 2)))
    np.testing.assert_array_equal(libm.power(share, 2.0), share * share)


def test_exp_writes_in_place_and_keeps_the_shape():
    x = np.array([[0.0, 1.0, -1.0], [2.0, -745.2, 709.0]])
    expected = np.array([[math.exp(v) for v in row] for row in x])
    out = libm.exp(x, out=x)
    assert out is x
    np.testing.assert_array_equal(x, expected)
    assert libm.exp(0.0).shape == ()
    with pytest.raises(ValueError, match="C-contiguous float64 array of shape"):
        libm.exp(np.zeros(3), out=np.zeros(4))


def test_float32_is_computed_in_float64_and_rounded_back():
    # numpy would use its own float32 routines, which differ between CPUs as its float64
    # ones do; a Python float does not widen the array (numpy's rule)
    share = np.array([0.1, 0.5, 0.9], np.float32)
    got = libm.power(share, 1.7)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, np.float32([math.pow(float(v), 1.7) for v in share]))
    np.testing.assert_array_equal(libm.exp(np.arange(3)), [1.0, math.e, math.exp(2.0)])
    with pytest.raises(ValueError, match="out is float64 only"):
        libm.exp(share, out=np.zeros(3))


def test_keyed_lognormal_and_normal_use_the_c_library():
    # the baskets' sizes: exp of a Box-Muller normal, every step the C library's
    uid = np.arange(3_000)
    keyed = Draws(np.array([7, 9], np.uint32))
    u0, u1 = keyed.stream(Decision.BASKET, 4, uid)._pair(None)
    pairs = zip(u0, u1, strict=True)
    normal = [math.sqrt(-2.0 * math.log1p(-a)) * math.cos(2.0 * math.pi * b) for a, b in pairs]
    again = Draws(np.array([7, 9], np.uint32))
    np.testing.assert_array_equal(again.stream(Decision.BASKET, 4, uid).normal(), normal)
    third = Draws(np.array([7, 9], np.uint32))
    baskets = third.stream(Decision.BASKET, 4, uid).lognormal(-0.045, 0.3)
    np.testing.assert_array_equal(baskets, [math.exp(-0.045 + 0.3 * z) for z in normal])
