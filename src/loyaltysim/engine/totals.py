"""Running per-shop totals of customer state, kept up to date event by event.

The daily figures (customers aware of each shop, the shop's customers, their mean satisfaction
and trust) would otherwise need a pass over every customer and shop each day: 50-100 ms a day
at 1M customers x 10 shops, more than all the day's events together. Instead every change to
the state that moves a total also moves the total (``add_rows`` for arrivals and departures,
``shift`` for single customer-shop pairs), so closing the day costs nothing per customer.
:meth:`ShopTotals.count` recounts from scratch; the tests check the two always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from loyaltysim.engine.state import NEVER, CustomerState


def per_shop(shop: np.ndarray, amount: np.ndarray | float, shops: int) -> np.ndarray:
    """Sum ``amount`` (per event, or one value for every event) by each event's shop.

    A scalar amount takes a plain count (no weight array), the common case on hot paths.
    (Told apart by type: ``np.ndim`` costs more than the bincount of a day's few events.)
    """
    if not isinstance(amount, np.ndarray) or amount.ndim == 0:
        counts = np.bincount(shop, minlength=shops).astype(np.float64)
        return counts if amount == 1.0 else counts * float(amount)
    return np.bincount(shop, weights=amount, minlength=shops)


@dataclass
class ShopTotals:
    """Per-shop totals over active customers."""

    aware: np.ndarray  # aware of the shop and not churned from it (the figure `aware`)
    customers: np.ndarray  # have ordered from the shop and not churned from it
    experienced: np.ndarray  # have received at least one order from the shop
    satisfaction_sum: np.ndarray  # over experienced customers
    trust_sum: np.ndarray  # over experienced customers

    @classmethod
    def zeros(cls, shops: int) -> ShopTotals:
        """All totals zero."""
        return cls(*(np.zeros(shops) for _ in fields(cls)))

    @classmethod
    def count(cls, state: CustomerState) -> ShopTotals:
        """Totals recounted from the whole state (for set-up, breaches and tests)."""
        totals = cls.zeros(state.shops)
        totals.add_rows(state, np.flatnonzero(state.active), +1)
        return totals

    def add_rows(self, state: CustomerState, rows: np.ndarray, sign: int) -> None:
        """Add (+1) or remove (-1) the whole contribution of customers ``rows``.

        Subtracting is adding the negated sums exactly, without a negated copy of each.
        """
        move = np.add if sign > 0 else np.subtract
        kept = ~state.dropped[rows]
        experienced = state.experiences[rows] > 0
        move(self.aware, (state.aware[rows] & kept).sum(axis=0), out=self.aware)
        ordered = (state.last_order_day[rows] != NEVER) & kept
        move(self.customers, ordered.sum(axis=0), out=self.customers)
        move(self.experienced, experienced.sum(axis=0), out=self.experienced)
        # float64 sums: the attitudes are float32, whose sums over many rows would round
        sat = np.where(experienced, state.satisfaction[rows], 0.0).sum(axis=0, dtype=np.float64)
        trust = np.where(experienced, state.trust[rows], 0.0).sum(axis=0, dtype=np.float64)
        move(self.satisfaction_sum, sat, out=self.satisfaction_sum)
        move(self.trust_sum, trust, out=self.trust_sum)

    def shift(self, name: str, shop: np.ndarray, amount: np.ndarray | float = 1.0) -> None:
        """Move total ``name`` by ``amount`` for each event's shop."""
        total = getattr(self, name)
        total += per_shop(shop, amount, total.shape[0])

    def mean(self, name: str) -> np.ndarray:
        """Mean satisfaction or trust of experienced customers (NaN where there are none)."""
        sums = getattr(self, f"{name}_sum")
        return np.divide(
            sums, self.experienced, out=np.full(sums.shape, np.nan), where=self.experienced > 0
        )
