"""Exponentials, logarithms, cosines and powers that give the same bits on every CPU.

numpy picks how it computes ``exp``, ``log1p``, ``expm1``, ``cos`` and ``power`` by the CPU it
finds when imported: on a CPU with AVX-512 its float64 ``exp`` is numpy's own vectorised
routine and the others Intel's SVML, elsewhere each is the C library's function, one value
at a time. Both are accurate to about half a unit in the last place, but not always the same
unit: a basket size's last bit is a different revenue. The golden digests of the thirteen
scenarios with ``basket_spread`` (log-normal baskets) written on an AVX-512 machine did not
hold on an AVX2 one (AMD EPYC) of the same kind, with the same packages.

So the simulation computes these functions here: small loops compiled by numba that call the
C library's function (glibc's libm, which Python's :mod:`math` calls too) on every element,
on every CPU. Without AVX-512 that is exactly what numpy computes, so the numbers there did
not move; with it, a loop is a little slower than numpy's vectorised one, which the
simulation's arrays (the day's buyers or parcels) hardly notice. ``sqrt`` and arithmetic are
exact IEEE operations in numpy on every CPU and stay numpy's.

The result has numpy's type for the arguments (Python numbers do not widen an array): float64
for float64 or integer arrays; for float32 ones (a state's attitudes, handed to a mechanism
by a validation script) the float64 value rounded to float32, which is also the same on
every CPU, where numpy's own float32 routines are not.
"""

from __future__ import annotations

import math

import numpy as np

from loyaltysim.engine.jit import kernel


def exp(x: np.ndarray | float, out: np.ndarray | None = None) -> np.ndarray:
    """``e ** x``, elementwise (into ``out``, which may be ``x``, if given)."""
    return _apply(_exp, (x,), out)


def expm1(x: np.ndarray | float) -> np.ndarray:
    """``e ** x - 1``, elementwise, accurate for small ``x``."""
    return _apply(_expm1, (x,))


def log1p(x: np.ndarray | float) -> np.ndarray:
    """``log(1 + x)``, elementwise, accurate for small ``x``."""
    return _apply(_log1p, (x,))


def cos(x: np.ndarray | float) -> np.ndarray:
    """Cosine of ``x`` radians, elementwise."""
    return _apply(_cos, (x,))


def power(base: np.ndarray | float, exponent: np.ndarray | float) -> np.ndarray:
    """``base ** exponent``, elementwise, the two broadcast against each other."""
    return _apply(_pow, (base, exponent))


def _apply(loop, args: tuple, out: np.ndarray | None = None) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Run a compiled elementwise ``loop`` over ``args`` broadcast to one shape, in float64."""
    kind = np.result_type(*args)
    arrays = [np.asarray(a).astype(np.float64, copy=False) for a in args]
    if kind.kind == "f" and kind.itemsize < 8:
        if out is not None:
            raise ValueError(f"out is float64 only, the arguments are {kind}")
        return _apply(loop, tuple(arrays)).astype(kind)
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    if out is None:
        out = np.empty(shape)
    elif out.shape != shape or out.dtype != np.float64 or not out.flags.c_contiguous:
        raise ValueError(f"out must be a C-contiguous float64 array of shape {shape}")
    flat = (
        np.ascontiguousarray(a if a.shape == shape else np.broadcast_to(a, shape)).reshape(-1)
        for a in arrays
    )
    loop(*flat, out.reshape(-1))
    return out


# One written-out loop per function, not one made by a factory: numba caches a kernel by its
# name and place in the file, which closures from one factory would share.


@kernel
def _exp(x, out):  # type: ignore[no-untyped-def]
    for i in range(x.shape[0]):
        out[i] = math.exp(x[i])


@kernel
def _expm1(x, out):  # type: ignore[no-untyped-def]
    for i in range(x.shape[0]):
        out[i] = math.expm1(x[i])


@kernel
def _log1p(x, out):  # type: ignore[no-untyped-def]
    for i in range(x.shape[0]):
        out[i] = math.log1p(x[i])


@kernel
def _cos(x, out):  # type: ignore[no-untyped-def]
    for i in range(x.shape[0]):
        out[i] = math.cos(x[i])


@kernel
def _pow(base, exponent, out):  # type: ignore[no-untyped-def]
    for i in range(base.shape[0]):
        out[i] = math.pow(base[i], exponent[i])
