"""Mesa agents: customers and shops.

A :class:`Customer` is a real ``mesa.Agent`` in ``model.agents`` but holds no state of its own:
it knows its row (slot) in the model's arrays and exposes that row as properties, so users
can inspect, select and plot customers the Mesa way while the daily step stays vectorised.
A :class:`Shop` holds its scenario settings and the day's figures that the
``DataCollector`` records. This module never imports the model module.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from loyaltysim.engine.state import NEVER, NO_SHOP

if TYPE_CHECKING:
    from loyaltysim.engine.state import CustomerState
    from loyaltysim.scenario.schema import Shop as ShopConfig


class Loyalty(Enum):
    """Where a customer stands with its shops (for colouring and teaching)."""

    PROSPECT = "prospect"  # has never bought
    LOYAL = "loyal"  # has a main shop
    LAPSED = "lapsed"  # has bought, but dropped every shop it bought from


class Customer(mesa.Agent):
    """A customer: a view on one row of the model's customer arrays."""

    def __init__(self, model: mesa.Model, slot: int) -> None:
        super().__init__(model)
        self.slot = slot

    @property
    def _state(self) -> CustomerState:
        return self.model.state

    @property
    def segment(self) -> str:
        """Name of the customer's segment (life-cycle stage)."""
        return self.model.segments.names[int(self._state.segment[self.slot])]

    @property
    def region(self) -> str:
        """Name of the region the customer lives in."""
        return self.model.regions[int(self._state.region[self.slot])]

    @property
    def main_shop(self) -> str | None:
        """Name of the shop the customer is loyal to, if any."""
        shop = int(self._state.main_shop[self.slot])
        return None if shop == NO_SHOP else self.model.shop_params.names[shop]

    @property
    def satisfaction(self) -> np.ndarray:
        """Cumulative satisfaction with each shop (0..1)."""
        return self._state.satisfaction[self.slot].copy()

    @property
    def trust(self) -> np.ndarray:
        """Trust in each shop (0..1)."""
        return self._state.trust[self.slot].copy()

    @property
    def expectation(self) -> np.ndarray:
        """Expected performance of each shop (0..1)."""
        return self._state.expectation[self.slot].copy()

    @property
    def aware(self) -> np.ndarray:
        """Which shops the customer knows."""
        return self._state.aware[self.slot].copy()

    @property
    def dropped(self) -> np.ndarray:
        """Which shops the customer has churned from."""
        return self._state.dropped[self.slot].copy()

    @property
    def loyalty(self) -> Loyalty:
        """Prospect, loyal or lapsed."""
        if self._state.main_shop[self.slot] != NO_SHOP:
            return Loyalty.LOYAL
        if (self._state.last_order_day[self.slot] != NEVER).any():
            return Loyalty.LAPSED
        return Loyalty.PROSPECT

    @property
    def main_satisfaction(self) -> float:
        """Satisfaction with the main shop (0.5, neutral, without one)."""
        shop = int(self._state.main_shop[self.slot])
        return 0.5 if shop == NO_SHOP else float(self._state.satisfaction[self.slot, shop])


class Shop(mesa.Agent):
    """A competing shop: its settings and today's figures."""

    def __init__(self, model: mesa.Model, index: int, name: str, config: ShopConfig) -> None:
        super().__init__(model)
        self.index = index
        self.name = name
        self.config = config
        self.figures: dict[str, float] = {}

    def record(self, figures: dict[str, Any]) -> None:
        """Store today's figures, read by the model's ``DataCollector``."""
        self.figures = figures

    def figure(self, name: str) -> float:
        """One of today's figures."""
        return self.figures[name]
