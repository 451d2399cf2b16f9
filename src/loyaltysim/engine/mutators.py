"""The only code that writes the customer state, and so the only code that moves the totals.

The daily figures read per-shop running totals (:class:`~loyaltysim.engine.totals.ShopTotals`)
instead of recounting a million customers a day. That is only sound if every change to
awareness, drops, orders, satisfaction, trust or experiences moves the totals with it, so
those changes live here, one method per kind of change, each keeping its totals. The
state's arrays are read-only outside these methods: a new rule that writes the state behind
the totals' back fails with ``ValueError: assignment destination is read-only`` instead of
giving silently wrong figures. Mechanisms decide (who becomes aware, who churns, what an
experience does to trust); the phases of the day hand those decisions to a mutator.

Float totals move by exactly what the stored (float32) values moved, so they agree with a
recount to rounding; ``tests/test_totals.py`` recounts after every phase of the day.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from typing import TYPE_CHECKING

import numpy as np

from loyaltysim.engine.records import DepartedLog
from loyaltysim.engine.state import (
    INITIAL,
    MONTH_DAYS,
    NEVER,
    NO_SHOP,
    NOT_HEARD,
    CustomerState,
)
from loyaltysim.engine.totals import ShopTotals

if TYPE_CHECKING:
    from loyaltysim.mechanisms.population import Arrivals

_ALL = tuple(field.name for field in fields(CustomerState))
#: Fields :meth:`Mutators.arrive` writes whatever the arrivals hold.
_SET_ON_ARRIVAL = frozenset({"active", "uid", "heard_first"})


@functools.cache
def _given(kind: type) -> tuple[tuple[str, ...], frozenset[str]]:
    """The fields an arrivals dataclass gives values for, in field order, and those a reset keeps.

    The kept ones are the given fields and :data:`_SET_ON_ARRIVAL`; worked out once per class.
    The writes follow field order, never a set's, as everything the simulation iterates over.
    """
    names = tuple(field.name for field in fields(kind))
    return names, frozenset(names) | _SET_ON_ARRIVAL


def _flat(array: np.ndarray) -> np.ndarray:
    """A (slots, shops) array as one flat view (never a copy, or a write would be lost)."""
    return array.reshape(-1, copy=False)


class Mutators:
    """Writes to one model's :class:`CustomerState`, keeping its :class:`ShopTotals`.

    Also keeps the :class:`DepartedLog` (a leaver's record is copied the moment it leaves)
    and hands out customer ids, new for every arrival.
    """

    def __init__(self, state: CustomerState) -> None:
        self.state = state
        self.totals = ShopTotals.zeros(state.shops)
        self.departed = DepartedLog(state.shops)
        self._next_uid = 0
        self._by_names: dict[tuple[str, ...], tuple[np.ndarray, ...]] = {}
        self._lock(_ALL, writeable=False)

    # ------------------------------------------------------------------ locking
    def _lock(self, names: tuple[str, ...], writeable: bool) -> None:
        for array in self._arrays(names):
            array.setflags(write=writeable)

    def _arrays(self, names: tuple[str, ...]) -> tuple[np.ndarray, ...]:
        """The state's arrays ``names``, looked up once per set of names.

        A dozen mutations a day each open the same few arrays; the state never replaces
        an array, so the tuple stays true.
        """
        arrays = self._by_names.get(names)
        if arrays is None:
            arrays = self._by_names[names] = tuple(getattr(self.state, n) for n in names)
        return arrays

    @contextmanager
    def _open(self, *names: str) -> Iterator[CustomerState]:
        """Make arrays ``names`` writeable for the duration of one mutation."""
        self._lock(names, writeable=True)
        try:
            yield self.state
        finally:
            self._lock(names, writeable=False)

    def _cells(self, slot: np.ndarray, shop: np.ndarray) -> np.ndarray:
        """Where customer-shop pairs sit in the :func:`_flat` view of a (slots, shops) array.

        One index array instead of two: a flat gather or scatter costs half a 2-D one, and
        the day's orders and experiences each index half a dozen arrays by the same pairs.
        (``nudge`` and ``shock`` touch one shop's column, indexed by slot.)
        """
        return slot * self.state.shops + shop

    @contextmanager
    def by_hand(self) -> Iterator[CustomerState]:
        """Write any array directly (tests, scripted set-ups); the totals are recounted after."""
        with self._open(*_ALL) as state:
            yield state
        self.totals = ShopTotals.count(state)

    # ------------------------------------------------------------------ market entry and exit
    def arrive(self, rows: np.ndarray, arrivals: Arrivals) -> None:
        """Fresh customers move into free slots ``rows``; each gets a new id.

        Only the fields the arrivals leave out are reset to their empty-slot defaults. A
        newcomer has no orders, drops or experiences, so of the totals it moves only
        ``aware`` (what ``ShopTotals.add_rows`` would add, without reading the rows back).
        """
        given, keep = _given(type(arrivals))
        with self._open(*_ALL) as state:
            state.reset_rows(rows, keep=keep)
            state.active[rows] = True
            for name in given:
                getattr(state, name)[rows] = getattr(arrivals, name)
            state.uid[rows] = np.arange(self._next_uid, self._next_uid + rows.shape[0])
            state.heard_first[rows] = np.where(arrivals.aware, INITIAL, NOT_HEARD)
        self._next_uid += rows.shape[0]
        self.totals.aware += arrivals.aware.sum(axis=0)

    def leave(
        self, slots: np.ndarray, day: int, standing: dict[str, np.ndarray] | None = None
    ) -> np.ndarray:
        """Customers leave the market; return the shop of every tie this ends (for churn).

        A tie ends if the customer had ordered from the shop and not dropped it; its churn
        day is today unless it was lost before. The record is logged before the slot is freed,
        with the leavers' ``standing`` at each shop (``Standings.of``) if given.
        """
        state = self.state
        tied = (state.last_order_day[slots] != NEVER) & ~state.dropped[slots]
        churn_day = state.churn_day[slots]  # a copy: fancy indexing
        churn_day[tied & (churn_day == NEVER)] = day
        with self._open("churn_day", "active"):
            state.churn_day[slots] = churn_day
            self.departed.add(state, slots, day, standing)
            self.totals.add_rows(state, slots, -1)
            state.active[slots] = False
        return np.nonzero(tied)[1]

    def drop_out(self, slots: np.ndarray) -> None:
        """Customers leave the category for good (BG/NBD): they stay, but never buy again."""
        with self._open("alive") as state:
            state.alive[slots] = False

    def set_stage(self, slots: np.ndarray, segment: np.ndarray, stage_end: np.ndarray) -> None:
        """Customers move to the next life-cycle stage (a segment) until ``stage_end``."""
        with self._open("segment", "stage_end") as state:
            state.segment[slots] = segment
            state.stage_end[slots] = stage_end

    # ------------------------------------------------------------------ awareness and ties
    def make_aware(
        self,
        rows: np.ndarray,
        shop: np.ndarray,
        expectation: np.ndarray,
        trust: float,
        source: int | np.ndarray,
    ) -> None:
        """Customers hear of shops for the first time (distinct, new pairs only).

        ``source`` (one code or one per pair, :data:`~loyaltysim.engine.state.HEARD_FROM`)
        is kept as how the customer first heard of the shop.
        """
        cells = self._cells(rows, shop)
        with self._open("aware", "heard_first", "expectation", "trust") as state:
            _flat(state.aware)[cells] = True
            _flat(state.heard_first)[cells] = source
            _flat(state.expectation)[cells] = expectation
            _flat(state.trust)[cells] = trust
        self.totals.shift("aware", shop)

    def undrop(self, rows: np.ndarray, shop: np.ndarray) -> None:
        """Churned customers consider their dropped shop again (distinct dropped pairs)."""
        state, cells = self.state, self._cells(rows, shop)
        with self._open("dropped", "aware"):
            _flat(state.dropped)[cells] = False
            _flat(state.aware)[cells] = True
        self.totals.shift("aware", shop)
        self.totals.shift("customers", shop[_flat(state.last_order_day)[cells] != NEVER])

    def drop(self, slot: np.ndarray, shop: np.ndarray, day: int) -> None:
        """Customers churn from shops: no longer considered, main shop lost."""
        state, cells = self.state, self._cells(slot, shop)
        self.totals.shift("aware", shop[_flat(state.aware)[cells]], -1.0)
        self.totals.shift("customers", shop[_flat(state.last_order_day)[cells] != NEVER], -1.0)
        with self._open("dropped", "churn_day", "main_shop"):
            _flat(state.dropped)[cells] = True
            churn_day = _flat(state.churn_day)
            churn_day[cells[churn_day[cells] == NEVER]] = day  # retention counts the first loss
            lost_main = state.main_shop[slot] == shop
            state.main_shop[slot[lost_main]] = NO_SHOP

    # ------------------------------------------------------------------ orders and money
    def reset_recording(self) -> None:
        """Recording starts now (end of the warm-up): forget orders and money so far."""
        with self._open("orders", "spend", "margin", "order_months") as state:
            state.reset_recording()

    def order(
        self,
        slot: np.ndarray,
        shop: np.ndarray,
        day: int,
        paid: np.ndarray,
        margin: np.ndarray,
        recording: bool,
    ) -> np.ndarray:
        """Book today's orders (one per customer); return which are the pair's first ever.

        ``margin`` is the order's contribution after any acquisition cost. Counts and money
        are kept only while recording; order days always.
        """
        state, cells = self.state, self._cells(slot, shop)
        first_ever = _flat(state.last_order_day)[cells] == NEVER
        self.totals.shift("customers", shop[first_ever])
        names = ("orders", "order_months", "spend", "margin", "first_order_day", "last_order_day")
        with self._open(*names):
            if recording:
                _flat(state.orders)[cells] += 1
                month = np.uint64(min(day // MONTH_DAYS, 63))
                _flat(state.order_months)[cells] |= np.uint64(1) << month
                _flat(state.spend)[cells] += paid
                _flat(state.margin)[cells] += margin
            _flat(state.first_order_day)[cells[first_ever]] = day
            _flat(state.last_order_day)[cells] = day
        return first_ever

    def charge(self, slot: np.ndarray, shop: np.ndarray, amount: np.ndarray) -> None:
        """Take ``amount`` (refunds, compensation) off the customers' margins (recording)."""
        cells = self._cells(slot, shop)
        with self._open("margin") as state:
            _flat(state.margin)[cells] -= amount

    def set_main_shop(
        self, slot: np.ndarray, main: np.ndarray, challenger: np.ndarray, wins: np.ndarray
    ) -> None:
        """Customers' main shop, its challenger and the challenger's run of wins."""
        with self._open("main_shop", "challenger", "challenger_wins") as state:
            state.main_shop[slot] = main
            state.challenger[slot] = challenger
            state.challenger_wins[slot] = wins

    # ------------------------------------------------------------------ attitudes
    def experience(
        self,
        slot: np.ndarray,
        shop: np.ndarray,
        satisfaction: np.ndarray,
        trust: np.ndarray,
        expectation: np.ndarray,
    ) -> None:
        """A delivery is experienced (one per customer and shop): attitudes after it.

        A pair's first experience brings its whole satisfaction and trust into the sums of
        experienced customers; later ones move the sums by the change.
        """
        state, cells = self.state, self._cells(slot, shop)
        first = _flat(state.experiences)[cells] == 0
        sat0 = _flat(state.satisfaction)[cells]
        trust0 = _flat(state.trust)[cells]
        # as stored, so the running totals move by exactly what the state moves
        sat = satisfaction.astype(state.satisfaction.dtype)
        trust = trust.astype(state.trust.dtype)
        with self._open("satisfaction", "trust", "expectation", "experiences"):
            _flat(state.satisfaction)[cells] = sat
            _flat(state.trust)[cells] = trust
            _flat(state.expectation)[cells] = expectation
            _flat(state.experiences)[cells] += 1
        self.totals.shift("experienced", shop[first])
        self.totals.shift("satisfaction_sum", shop, sat - np.where(first, 0.0, sat0))
        self.totals.shift("trust_sum", shop, trust - np.where(first, 0.0, trust0))

    def hear(
        self, rows: np.ndarray, shop: np.ndarray, expectation: np.ndarray, trust: np.ndarray
    ) -> None:
        """Word of mouth changes listeners' expectation and trust (distinct pairs)."""
        state, cells = self.state, self._cells(rows, shop)
        old = _flat(state.trust)[cells]
        with self._open("expectation", "trust"):
            _flat(state.expectation)[cells] = expectation
            _flat(state.trust)[cells] = trust
        experienced = _flat(state.experiences)[cells] > 0
        self.totals.shift("trust_sum", shop, (_flat(state.trust)[cells] - old) * experienced)

    def nudge(self, slots: np.ndarray, shop: int, satisfaction: float, trust: float) -> None:
        """Raise customers' satisfaction and trust in ``shop`` (care touches, gifts).

        Each closes the given share of its gap to 1; satisfaction only moves for customers
        who have experienced the shop; customers who left are skipped.
        """
        state = self.state
        slots = slots[state.active[slots]]
        experienced = state.experiences[slots, shop] > 0
        old_sat, old_trust = state.satisfaction[slots, shop], state.trust[slots, shop]
        with self._open("satisfaction", "trust"):
            state.satisfaction[slots, shop] = np.where(
                experienced, old_sat + satisfaction * (1.0 - old_sat), old_sat
            )
            state.trust[slots, shop] = old_trust + trust * (1.0 - old_trust)
        index = np.full(slots.size, shop)
        moved_sat = state.satisfaction[slots, shop].astype(np.float64) - old_sat
        moved_trust = state.trust[slots, shop].astype(np.float64) - old_trust
        self.totals.shift("satisfaction_sum", index, moved_sat * experienced)
        self.totals.shift("trust_sum", index, moved_trust * experienced)

    def shock(
        self,
        shop: int,
        trust_loss: float,
        satisfaction_loss: float,
        share: np.ndarray | None = None,
    ) -> np.ndarray:
        """A shock to ``shop`` (a breach, a recall); return the hurt customers (experienced).

        Everyone who knows the shop (aware or dropped) trusts it less; those who have
        experienced it are less satisfied. ``share`` (one per slot) is the share of the
        losses each customer takes (breaches: ``breaches.loss_share``); None: all of them.
        It touches the shop's whole column, so the totals are recounted (as cheap as
        shifting them).
        """
        state = self.state
        known = np.flatnonzero(state.active & (state.aware[:, shop] | state.dropped[:, shop]))
        hurt = known[state.experiences[known, shop] > 0]
        with self._open("trust", "satisfaction"):
            if share is None:
                state.trust[known, shop] *= 1.0 - trust_loss
                state.satisfaction[hurt, shop] *= 1.0 - satisfaction_loss
            else:
                state.trust[known, shop] *= 1.0 - trust_loss * share[known]
                state.satisfaction[hurt, shop] *= 1.0 - satisfaction_loss * share[hurt]
        self.totals = ShopTotals.count(state)
        return hurt
