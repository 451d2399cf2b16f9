"""Random numbers keyed by what they decide: the same customer, day and decision, the same number.

A sequential generator hands out numbers in the order they are asked for, so the number a
customer's choice gets depends on how many numbers were drawn before it: on the other
customers, on the batch, on the thread, and on every variant that changes how many numbers a
mechanism draws. Here a number is a pure function of where it is used. The counter-based
generator Philox4x32-10 (Salmon, Moraes, Dror & Shaw 2011, "Parallel random numbers: as easy
as 1, 2, 3"; the generator of numpy's ``Philox`` family and of JAX) maps a 128-bit counter
and a 64-bit key to 128 random bits, and the counter spells out the number's place:

=====  ==========================================================================
word   holds
=====  ==========================================================================
c0     the customer's uid (unique over the run: uids are never reused)
c1     the day, plus 2**31 (days of the warm-up are negative)
c2     the :class:`Decision` (8 bits), the stream's opening that day (8 bits), the
       call within the stream (16 bits: a mechanism drawing twice gets new numbers)
c3     ``sub`` (16 bits: which shop, for decisions taken per customer and shop) and
       ``lane`` (16 bits: which of a talker's messages, see :meth:`KeyedStream.expand`)
=====  ==========================================================================

The key comes from a child of the model's seed sequence, so replication *k* of every variant
shares it: the same customer on the same day sees the same number for the same decision in
every variant (common random numbers per decision, as in Starsim: Klein, Abeysuriya & Kerr
2024), and results do not depend on thread or worker counts. Draws about the market as a
whole (how many newcomers arrive, which shops are breached, who is advertised to) stay on the
model's sequential ``rng``: their number does not depend on what customers do.

The kernel (:mod:`loyaltysim.engine.philox`, imported with numba on the first draw) is
compiled by numba (``cache=True``: compiled once per machine, shared by every run and
worker); above :data:`PARALLEL_FROM` rows it runs over threads (``prange``), each
row's number the same either way.
"""

from __future__ import annotations

from enum import IntEnum
from types import ModuleType

import numpy as np

from loyaltysim.engine import libm

#: Rows from which the kernel runs in parallel: below it, starting threads costs more.
PARALLEL_FROM = 65_536

_DAY_OFFSET = 2**31
_NO_LANE = np.zeros(1, np.int64)  # lane 0 for every row: numbers not expanded


def _compiled() -> ModuleType:
    """The compiled loops, imported (with numba) on the first keyed draw."""
    from loyaltysim.engine import philox

    return philox


class Decision(IntEnum):
    """What a keyed number decides (word c2 of the counter); never renumber a member."""

    NEED = 1
    BASKET = 2
    CHOICE = 3
    DROPOUT = 4
    DELIVERY = 5
    QUALITY = 6
    COMPLAINT = 7
    RATING = 8
    CHURN = 9
    TALK = 10
    CONTACT = 11
    SHOCK_TALK = 12
    SHOCK_CONTACT = 13
    MEMBERSHIP_JOIN = 14
    SHIPPING_TOP_UP = 15


def philox4x32(counter: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Philox4x32-10 of ``(n, 4)`` uint32 counters under a 2-word key: ``(n, 4)`` uint32.

    The bare generator, for its known-answer tests (Random123's ``kat_vectors``).
    """
    counter = np.ascontiguousarray(counter, dtype=np.uint32).reshape(-1, 4)
    out = np.empty_like(counter)
    _compiled().philox_rows(counter, np.uint32(key[0]), np.uint32(key[1]), out)
    return out


def _box_muller(u0: np.ndarray, u1: np.ndarray) -> np.ndarray:
    """A standard normal per pair of uniforms on [0, 1) (``1 - u0`` is never 0)."""
    return np.sqrt(-2.0 * libm.log1p(-u0)) * libm.cos(2.0 * np.pi * u1)


#: Above this mean, Poisson draws use the normal approximation (inversion would underflow).
POISSON_NORMAL_FROM = 500.0


class KeyedStream:
    """The numbers of one decision for given customers on one day, row by row.

    Duck-types the few ``numpy.random.Generator`` methods the mechanisms use, with one
    number per row (``size`` is the number of rows): a mechanism takes either, so its unit
    tests may pass a plain generator.
    """

    def __init__(
        self,
        key: tuple[np.uint32, np.uint32],
        day: int,
        word: int,
        uid: np.ndarray,
        sub: np.ndarray,
        lane: np.ndarray,
        calls: list[int],
    ) -> None:
        self._key, self._day, self._word = key, day, word
        self._c1 = np.uint32(day + _DAY_OFFSET)
        self._uid, self._sub, self._lane = uid, sub, lane
        self._calls = calls  # shared with the streams expanded from this one

    def _next_call(self, size: int | tuple[int, ...] | None) -> np.uint32:
        """Counter word c2 of the next call (which checks that ``size`` is the rows)."""
        n = self._uid.shape[0]
        if size is not None and size != n and size != (n,):
            raise ValueError(f"a keyed stream of {n} rows cannot draw {size} numbers")
        call = self._calls[0]
        if call >= 1 << 16:
            raise RuntimeError("more than 65,536 calls on one keyed stream")
        self._calls[0] = call + 1
        return np.uint32(self._word | call << 16)

    def _pair(self, size: int | tuple[int, ...] | None) -> np.ndarray:
        """The next call's two uniforms per row: a ``(2, rows)`` array."""
        c2 = self._next_call(size)
        n = self._uid.shape[0]
        out = np.empty((2, n))
        compiled = _compiled()
        kernel = compiled.parallel_uniforms if n >= PARALLEL_FROM else compiled.serial_uniforms
        kernel(self._uid, self._sub, self._lane, self._c1, c2, *self._key, out)
        return out

    def below(
        self, threshold: float | np.ndarray, size: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, u)``: the rows whose uniform of this call is below ``threshold``, sorted.

        ``threshold`` is one for every row or one per row. The call's numbers are those
        :meth:`random` would give (``random()[rows] == u``), found without an array of them
        all: for rare events over the whole population.
        """
        c2 = self._next_call(size)
        n = self._uid.shape[0]
        limit = np.ascontiguousarray(threshold, dtype=np.float64).reshape(-1)
        if limit.shape[0] not in (1, n):
            raise ValueError(f"a keyed stream of {n} rows got {limit.shape[0]} thresholds")
        index, u = np.empty(n, np.int64), np.empty(n)
        k = _compiled().rows_below(
            self._uid, self._sub, self._lane, self._c1, c2, *self._key, limit, index, u
        )
        return index[:k].copy(), u[:k].copy()

    def random(self, size: int | tuple[int, ...] | None = None) -> np.ndarray:
        """A uniform on [0, 1) per row."""
        return self._pair(size)[0]

    def normal(
        self,
        loc: float | np.ndarray = 0.0,
        scale: float | np.ndarray = 1.0,
        size: int | None = None,
    ) -> np.ndarray:
        """A normal per row (Box-Muller on the row's two uniforms)."""
        return loc + scale * _box_muller(*self._pair(size))

    def lognormal(
        self,
        mean: float | np.ndarray = 0.0,
        sigma: float | np.ndarray = 1.0,
        size: int | None = None,
    ) -> np.ndarray:
        """A lognormal per row: ``exp`` of :meth:`normal`."""
        return libm.exp(self.normal(mean, sigma, size))

    def poisson(self, lam: float | np.ndarray = 1.0, size: int | None = None) -> np.ndarray:
        """A Poisson count per row, by inversion (normal approximation for huge means)."""
        u0, u1 = self._pair(size)
        mean = np.broadcast_to(np.asarray(lam, dtype=np.float64), u0.shape)
        out = _compiled().poisson_inverse(u0, np.where(mean < POISSON_NORMAL_FROM, mean, 0.0))
        huge = mean >= POISSON_NORMAL_FROM
        if huge.any():
            z = _box_muller(u0[huge], u1[huge])
            m = mean[huge]
            out[huge] = np.maximum(np.rint(m + np.sqrt(m) * z), 0).astype(np.int64)
        return out

    def integers(
        self, low: int | np.ndarray, high: int | np.ndarray | None = None, size: int | None = None
    ) -> np.ndarray:
        """An integer in ``[low, high)`` per row (``[0, low)`` without ``high``)."""
        if high is None:
            low, high = 0, low
        span = np.asarray(high, dtype=np.int64) - np.asarray(low, dtype=np.int64)
        return np.asarray(low) + np.floor(self.random(size) * span).astype(np.int64)

    def expand(self, position: np.ndarray) -> KeyedStream:
        """A stream with a row per entry of ``position`` (rows of this stream, repeats allowed).

        The k-th entry of a row gets lane k + 1, so a talker's messages each have their
        own numbers, which do not depend on how many messages other talkers send.
        """
        position = np.asarray(position, dtype=np.int64)
        order = np.argsort(position, kind="stable")
        sorted_pos = position[order]
        start = np.searchsorted(sorted_pos, sorted_pos, side="left")
        lane = np.empty(position.shape[0], np.int64)
        lane[order] = np.arange(position.shape[0]) - start + 1
        return KeyedStream(
            self._key,
            self._day,
            self._word,
            self._uid[position],
            self._sub if self._sub.shape[0] == 1 else self._sub[position],
            lane,
            self._calls,
        )


class Draws:
    """The model's keyed numbers: opens a :class:`KeyedStream` per decision and day."""

    def __init__(self, key: np.ndarray) -> None:
        self._key = (np.uint32(key[0]), np.uint32(key[1]))
        self._day: int | None = None
        self._openings: dict[Decision, int] = {}

    @classmethod
    def of(cls, rng: np.random.Generator) -> Draws:
        """Keyed by a child of ``rng``'s seed sequence (the stream of ``rng`` is untouched)."""
        return cls(child_generator(rng, KEY_CHILD).integers(0, 2**32, 2, dtype=np.uint32))

    def stream(
        self, decision: Decision, day: int, uid: np.ndarray, sub: np.ndarray | int = 0
    ) -> KeyedStream:
        """The numbers of ``decision`` on ``day`` for customers ``uid`` (and ``sub``, per row).

        Opening the same decision again on one day gives new numbers (the opening is part of
        the counter), so two breaches on one day do not share their talkers' numbers.
        """
        if day != self._day:
            self._day, self._openings = day, {}
        opening = self._openings.get(decision, 0)
        if opening >= 256:
            raise RuntimeError(f"{decision.name} opened more than 256 times on day {day}")
        self._openings[decision] = opening + 1
        uid = np.asarray(uid, dtype=np.int64)
        subs = np.asarray(sub, dtype=np.int64).reshape(-1)
        if subs.shape[0] not in (1, uid.shape[0]):
            raise ValueError(f"{subs.shape[0]} subs for {uid.shape[0]} customers")
        word = int(decision) | opening << 8
        return KeyedStream(self._key, day, word, uid, subs, _NO_LANE, [0])


#: The children of the model's seed sequence the model takes for itself (far above any a
#: caller spawns): the keys of the keyed numbers, and the network's stream.
KEY_CHILD, NETWORK_CHILD = 2**31, 2**31 + 1


def child_generator(rng: np.random.Generator, child: int) -> np.random.Generator:
    """A generator of its own from child ``child`` of ``rng``'s seed sequence.

    Nothing is drawn from ``rng``, so what it draws next is the same whatever the child is
    used for: the network's draws (which depend on its kind and parameters) do not shift the
    customers'. The child is named, not spawned: spawning counts children on the sequence
    itself, so two models built on one ``SeedSequence`` (a base and its variant) would get
    different children. A generator without a seed sequence gives a seed instead.
    """
    seq = getattr(rng.bit_generator, "seed_seq", None)
    if isinstance(seq, np.random.SeedSequence):
        named = np.random.SeedSequence(
            seq.entropy, spawn_key=(*seq.spawn_key, child), pool_size=seq.pool_size
        )
        return np.random.Generator(type(rng.bit_generator)(named))
    return np.random.default_rng(rng.integers(0, 2**63))


def expand(
    rng: np.random.Generator | KeyedStream, position: np.ndarray
) -> np.random.Generator | KeyedStream:
    """Per-entry numbers of ``position``: a keyed stream's :meth:`~KeyedStream.expand`.

    A sequential generator has no rows, so it serves every entry as it is.
    """
    return rng.expand(position) if isinstance(rng, KeyedStream) else rng


#: What the mechanisms draw from: the model's keyed streams, or a generator in unit tests.
Random = np.random.Generator | KeyedStream
