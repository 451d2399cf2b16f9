"""Members' standing per customer and shop: tier and points, where a membership runs.

The membership lever keeps tiers and points in its own arrays (they are its business, not
the customer state's). The customer records and the order log ask for them here, so
``customers.csv`` and ``orders.parquet`` show them while the engine's data layer knows
nothing of strategies. Tiers are coded as indices into :attr:`Standings.labels`, every
programme's tier names in shop order (a name two shops share is one label).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from loyaltysim.strategies import Strategy


class Standings:
    """The standing of customers at every shop whose strategies report one."""

    def __init__(self, strategies: Sequence[Strategy], shops: int) -> None:
        self.shops = shops
        self.sources = [st for st in strategies if st.tier_names]
        self.labels: list[str] = list(
            dict.fromkeys(n for st in self.sources for n in st.tier_names)
        )
        self.codes = {
            id(st): np.array([self.labels.index(n) for n in st.tier_names], np.int16)
            for st in self.sources
        }

    def of(self, slots: np.ndarray) -> dict[str, np.ndarray]:
        """``tier`` (label code, -1: none) and ``points`` (NaN: none), each ``(slots, shops)``."""
        tier = np.full((slots.shape[0], self.shops), -1, np.int16)
        points = np.full((slots.shape[0], self.shops), np.nan)
        for st in self.sources:
            level, held = st.standing(slots)
            tier[:, st.shop] = self._coded(st, level)
            points[:, st.shop] = held
        return {"tier": tier, "points": points}

    def at(self, slots: np.ndarray, shop: np.ndarray) -> dict[str, np.ndarray]:
        """The same for orders: customer ``slots[i]`` at ``shop[i]``, one value each."""
        tier = np.full(slots.shape[0], -1, np.int16)
        points = np.full(slots.shape[0], np.nan)
        for st in self.sources:
            here = np.flatnonzero(shop == st.shop)
            level, held = st.standing(slots[here])
            tier[here] = self._coded(st, level)
            points[here] = held
        return {"tier": tier, "points": points}

    def _coded(self, strategy: Strategy, level: np.ndarray) -> np.ndarray:
        return np.where(level < 0, -1, self.codes[id(strategy)][np.maximum(level, 0)])
