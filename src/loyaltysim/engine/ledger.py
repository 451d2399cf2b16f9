"""The daily ledger: one day's counters per shop, as the figure registry declares them.

Every event that a figure counts (an order, a late parcel, a complaint, a coupon's cost)
is booked here by the code that handles it, ``ledger.add(name, shop)``; the close of the
day (:func:`loyaltysim.engine.figures.close_day`) reads the counters. The counters are
those of :mod:`loyaltysim.engine.figures`, so a new one is one registry entry.
"""

from __future__ import annotations

import numpy as np

from loyaltysim.engine.figures import cost_names, counter_names
from loyaltysim.engine.totals import per_shop


class DailyLedger:
    """One day's counters, one array per name, indexed by shop."""

    def __init__(self, shops: int) -> None:
        self.shops = shops
        self.values = {name: np.zeros(shops) for name in counter_names()}

    def add(self, name: str, shop: np.ndarray, amount: np.ndarray | float = 1.0) -> None:
        """Add ``amount`` (per event, or one value for all) to ``name`` for each event's shop."""
        self.values[name] += per_shop(shop, amount, self.shops)

    def add_columns(self, shop: np.ndarray, columns: dict[str, np.ndarray]) -> None:
        """Add several per-event columns at once (one matrix product instead of a bincount each).

        Each value is an array with one entry per event (masks count as 0/1).
        """
        if shop.size == 0:
            return
        one_hot = (shop[:, None] == np.arange(self.shops)[None, :]).astype(np.float64)
        stacked = np.column_stack([np.asarray(v, dtype=np.float64) for v in columns.values()])
        sums = one_hot.T @ stacked
        for j, name in enumerate(columns):
            self.values[name] += sums[:, j]

    def add_per_shop(self, name: str, amounts: np.ndarray) -> None:
        """Add an amount per shop."""
        self.values[name] += amounts

    @property
    def profit(self) -> np.ndarray:
        """Revenue minus every cost counter, per shop."""
        return self.values["revenue"] - sum(self.values[c] for c in cost_names())
