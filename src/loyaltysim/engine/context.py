"""The model's side of the strategies' ``ShopContext``: what a lever may see and do.

A strategy holds this context, never the model, so the engine decides what a lever can
touch: it reads the day, keyed random numbers and read-only views of the customers'
arrays; it changes attitudes only through the state's mutators (which keep the running
totals); it books outlays in the ledger's ``strategy_cost``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from loyaltysim.engine.draws import Decision, KeyedStream
from loyaltysim.strategies.base import StateView, Strategy

if TYPE_CHECKING:
    from loyaltysim.engine.model import LoyaltyModel
    from loyaltysim.scenario.schema import MarketConfig


class ModelContext:
    """A :class:`~loyaltysim.strategies.base.ShopContext` backed by a ``LoyaltyModel``.

    Every read goes to the model at call time (the day and the festival change daily), so
    one context serves every strategy of the model for its whole run.
    """

    def __init__(self, model: LoyaltyModel) -> None:
        self._model = model

    @property
    def day(self) -> int:
        """Today."""
        return self._model.day

    @property
    def festival_today(self) -> bool:
        """Whether a festival event runs today."""
        return self._model.festival_today

    def keyed(self, decision: Decision, slots: np.ndarray) -> KeyedStream:
        """Today's numbers of ``decision`` for the customers in ``slots``, keyed by who they are.

        A lever's draws are common random numbers too: in a variant, the same customer on
        the same day sees the same number.
        """
        return self._model.keyed(decision, slots)

    @property
    def market(self) -> MarketConfig:
        """The scenario's ``[market]`` section."""
        return self._model.config.market

    @property
    def state(self) -> StateView:
        """Read-only views of the model's customer arrays."""
        return StateView.of(self._model.state)

    def nudge(self, slots: np.ndarray, shop: int, satisfaction: float, trust: float) -> None:
        """Raise satisfaction and trust through the state's mutators (which keep the totals)."""
        self._model.mutate.nudge(slots, shop, satisfaction=satisfaction, trust=trust)

    def reconsider(self, slots: np.ndarray, shop: int) -> None:
        """Those of ``slots`` who churned from ``shop`` (and are still here) consider it again."""
        state = self._model.state
        back = slots[state.active[slots] & state.dropped[slots, shop]]
        self._model.mutate.undrop(back, np.full(back.size, shop))

    def pay(self, shop: int, amount: float) -> None:
        """Book an outlay in the shop's ``strategy_cost`` of today."""
        self._model.ledger.values["strategy_cost"][shop] += amount

    def strategy_of(self, shop: int, key: str) -> Strategy:
        """The strategy ``key`` of ``shop`` among those the model has built so far."""
        for strategy in self._model.strategies:
            if strategy.shop == shop and strategy.key == key:
                return strategy
        raise LookupError(f"shop {list(self._model.config.shops)[shop]!r} has no {key} strategy")
