"""The compiled loops of the keyed random numbers (see :mod:`loyaltysim.engine.draws`).

Kept apart so that numba (about 0.3 s to import, 110 MB) is loaded on the first keyed draw,
not by every command that imports the package: validating a scenario or writing a report
does not pay for it. Compiled once per machine (``cache=True``) and loaded by every later
process.
"""

from __future__ import annotations

import numba
import numpy as np

_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)  # Philox4x32 multipliers
_W0, _W1 = np.uint32(0x9E3779B9), np.uint32(0xBB67AE85)  # Weyl key increments
_LOW = np.uint64(0xFFFFFFFF)


@numba.njit(cache=True, inline="always")
def _philox(c0, c1, c2, c3, k0, k1):  # type: ignore[no-untyped-def]
    """Ten Philox rounds on one counter (uint32 words; products in uint64)."""
    for r in range(10):
        if r:
            k0 = numba.uint32(k0 + _W0)
            k1 = numba.uint32(k1 + _W1)
        p0 = _M0 * numba.uint64(c0)
        p1 = _M1 * numba.uint64(c2)
        c0, c1, c2, c3 = (
            numba.uint32((p1 >> 32) ^ c1 ^ k0),
            numba.uint32(p1 & _LOW),
            numba.uint32((p0 >> 32) ^ c3 ^ k1),
            numba.uint32(p0 & _LOW),
        )
    return c0, c1, c2, c3


@numba.njit(cache=True)
def philox_rows(counter, k0, k1, out):  # type: ignore[no-untyped-def]
    """Philox4x32-10 of each row of ``(n, 4)`` counters into ``out`` (the bare generator)."""
    for i in range(counter.shape[0]):
        x = _philox(counter[i, 0], counter[i, 1], counter[i, 2], counter[i, 3], k0, k1)
        out[i, 0], out[i, 1], out[i, 2], out[i, 3] = x


@numba.njit(cache=True, inline="always")
def _row_words(uid, sub, lane, i, c1, c2, k0, k1):  # type: ignore[no-untyped-def]
    """The four words of row ``i``: its counter (uid, day, call, shop and lane), permuted.

    ``sub`` and ``lane`` of length 1 stand for every row (no broadcast array to walk).
    """
    s = sub[0] if sub.shape[0] == 1 else sub[i]
    g = lane[0] if lane.shape[0] == 1 else lane[i]
    c3 = numba.uint32(s & 0xFFFF) | numba.uint32((g & 0xFFFF) << 16)
    return _philox(numba.uint32(uid[i] & 0xFFFFFFFF), c1, c2, c3, k0, k1)


@numba.njit(cache=True, inline="always")
def _unit(high, low):  # type: ignore[no-untyped-def]
    """A uniform on [0, 1) from two words, 53 bits (numpy's construction)."""
    return ((high >> 5) * 67108864.0 + (low >> 6)) / 9007199254740992.0


def _uniform_rows(uid, sub, lane, c1, c2, k0, k1, out):  # type: ignore[no-untyped-def]
    """Two uniforms on [0, 1) per row, from the row's four words."""
    for i in numba.prange(uid.shape[0]):
        x0, x1, x2, x3 = _row_words(uid, sub, lane, i, c1, c2, k0, k1)
        out[0, i] = _unit(x0, x1)
        out[1, i] = _unit(x2, x3)


serial_uniforms = numba.njit(cache=True)(_uniform_rows)
parallel_uniforms = numba.njit(cache=True, parallel=True)(_uniform_rows)


#: Rows per block of :func:`rows_below`: numbers first (a loop LLVM vectorises), then the scan.
_BLOCK = 512


@numba.njit(cache=True)
def _block_uniforms(uid, c3, c1, c2, k0, k1, start, out):  # type: ignore[no-untyped-def]
    """The first uniform of rows ``start, start + 1, ...`` into ``out``, all under word c3.

    One c3 for the block (a stream with no shop or lane per row) leaves a straight loop of
    integer rounds, which LLVM turns into SIMD: 4 ns a row instead of 10.
    """
    for j in range(out.shape[0]):
        x0, x1, _, _ = _philox(numba.uint32(uid[start + j] & 0xFFFFFFFF), c1, c2, c3, k0, k1)
        out[j] = _unit(x0, x1)


@numba.njit(cache=True)
def rows_below(uid, sub, lane, c1, c2, k0, k1, threshold, index, below):  # type: ignore[no-untyped-def]
    """Rows whose first uniform is below their ``threshold``: their count, indices, uniforms.

    The same first uniform as :func:`_uniform_rows` gives, without writing one per row: a
    rare event over a whole population touches only the rows it picks. ``threshold`` of
    length 1 stands for every row, as ``sub`` and ``lane`` do.
    """
    n, k = uid.shape[0], 0
    one = threshold.shape[0] == 1
    if sub.shape[0] == 1 and lane.shape[0] == 1:  # one c3: blocks of vectorised rounds
        c3 = numba.uint32(sub[0] & 0xFFFF) | numba.uint32((lane[0] & 0xFFFF) << 16)
        block = np.empty(_BLOCK)
        for start in range(0, n, _BLOCK):
            u = block[: min(_BLOCK, n - start)]
            _block_uniforms(uid, c3, c1, c2, k0, k1, start, u)
            for j in range(u.shape[0]):
                if u[j] < (threshold[0] if one else threshold[start + j]):
                    index[k] = start + j
                    below[k] = u[j]
                    k += 1
        return k
    for i in range(n):
        x0, x1, _, _ = _row_words(uid, sub, lane, i, c1, c2, k0, k1)
        u0 = _unit(x0, x1)
        if u0 < (threshold[0] if one else threshold[i]):
            index[k] = i
            below[k] = u0
            k += 1
    return k


@numba.njit(cache=True)
def poisson_inverse(u, lam):  # type: ignore[no-untyped-def]
    """Poisson(lam) by inversion of each row's uniform (lam small: delays, contacts)."""
    out = np.zeros(u.shape[0], np.int64)
    for i in range(u.shape[0]):
        mean = lam[i]
        if mean <= 0.0:
            continue
        p = np.exp(-mean)
        cdf, k = p, 0
        while u[i] > cdf and (p > 1e-300 or k < mean):
            k += 1
            p *= mean / k
            cdf += p
        out[i] = k
    return out
