"""The transaction log: one row per order, written when its parcel's story is complete.

A row is kept when the parcel is delivered (or given up on), because only then are its
outcome, the complaint and its resolution known; parcels still on their way when the run
ends, or meant for customers who have left, are kept with no complaint (missing). The
log hands out what it holds with :meth:`OrderLog.take`, so the experiment layer can write
it in chunks as the run goes and memory stays bounded however long the run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from loyaltysim.mechanisms.delivery import Outcome

#: Outcome names, by code.
OUTCOMES = [o.name.lower() for o in sorted(Outcome, key=lambda o: o.value)]


class OrderLog:
    """Orders of one model, buffered as arrays until taken."""

    def __init__(self, shop_names: list[str], tier_names: list[str] | None = None) -> None:
        self.shop_names = list(shop_names)
        self.tier_names = list(tier_names or [])
        self.chunks: list[dict[str, np.ndarray]] = []

    def __len__(self) -> int:
        return sum(chunk["customer"].shape[0] for chunk in self.chunks)

    def record(
        self,
        parcels: np.ndarray,
        complained: np.ndarray | None = None,
        resolved: np.ndarray | None = None,
    ) -> None:
        """Log the orders of ``parcels`` (rows of a ``ParcelQueue`` pop with the order fields).

        ``complained`` and ``resolved`` are per parcel; None: not known (never delivered).
        """
        n = parcels["uid"].shape[0]
        if n == 0:
            return
        unknown = np.full(n, -1, np.int8)

        def column(name: str) -> np.ndarray:
            # a column of its own: a view would hold the popped rows' every field for weeks
            return np.ascontiguousarray(parcels[name])

        self.chunks.append(
            {
                "customer": column("uid"),
                "shop": parcels["shop"].astype(np.int16),
                "day": column("ordered"),
                "goods": column("goods"),
                "fee": column("fee"),
                "quantity": column("quantity"),
                "discount": column("discount"),
                "outcome": column("outcome"),
                "delay": column("delay"),
                "tier": column("tier"),
                "points": column("points"),
                "complaint": unknown if complained is None else complained.astype(np.int8),
                "resolved": unknown if resolved is None else resolved.astype(np.int8),
            }
        )

    def take_arrays(self) -> dict[str, np.ndarray]:
        """The rows logged so far as raw arrays, in the order they completed (log emptied).

        Shops, outcomes and tiers are codes; an unknown complaint or resolution is -1, and
        so is the tier of an order by a non-member (its points are NaN).
        """
        if not self.chunks:
            return {}
        data = {k: np.concatenate([c[k] for c in self.chunks]) for k in self.chunks[0]}
        self.chunks = []
        return data

    def take(self) -> pd.DataFrame:
        """The rows logged so far as a table, in the order they completed (the log is emptied)."""
        data = self.take_arrays()
        if not data:
            return pd.DataFrame(
                {name: pd.Series(dtype=dtype) for name, dtype in ORDER_COLUMNS.items()}
            )
        frame = pd.DataFrame(data)
        frame["shop"] = pd.Categorical.from_codes(frame["shop"], self.shop_names)
        frame["outcome"] = pd.Categorical.from_codes(frame["outcome"], OUTCOMES)
        frame["tier"] = pd.Categorical.from_codes(frame["tier"], self.tier_names)
        for flag in ("complaint", "resolved"):
            values = frame[flag].to_numpy()
            frame[flag] = pd.array(np.where(values < 0, None, values == 1), dtype="boolean")
        return frame


#: Columns of :meth:`OrderLog.take` and their dtypes (before ``replication``/``variant``).
ORDER_COLUMNS = {
    "customer": "int64",
    "shop": "category",
    "day": "int32",
    "goods": "float64",
    "fee": "float64",
    "quantity": "float64",
    "discount": "float64",
    "outcome": "category",
    "delay": "int32",
    "tier": "category",
    "points": "float64",
    "complaint": "boolean",
    "resolved": "boolean",
}
