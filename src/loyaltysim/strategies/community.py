"""Online community: the shop's customers talk more, and further, about it.

Essays 000 and 004: communities and sharing turn customers into advocates. Messages about
the shop are sent ``talk_multiplier`` times as often and reach contacts with
``reach_multiplier`` times the tie strength (capped at 1), both ways: a community also
spreads complaints. The community costs ``cost_per_day`` to run.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from pydantic import Field

from loyaltysim.scenario.base import NonNeg, Strict
from loyaltysim.strategies.base import Strategy

if TYPE_CHECKING:
    from loyaltysim.engine.params import ShopArrays


class CommunityConfig(Strict):
    """``[shops.<name>.strategies.community]``."""

    talk_multiplier: float = Field(2.0, ge=1.0, description="Multiplies WOM propensities.")
    reach_multiplier: float = Field(1.5, ge=1.0, description="Multiplies tie strength.")
    cost_per_day: NonNeg = Field(30.0, description="What the community costs per day.")


class Community(Strategy):
    """Boosts word of mouth about the shop."""

    key = "community"
    config_model = CommunityConfig

    def adjust(self, params: ShopArrays) -> ShopArrays:
        """Raise the shop's talk and reach multipliers."""
        talk, reach = params.talk_boost.copy(), params.reach_boost.copy()
        talk[self.shop] *= self.config.talk_multiplier
        reach[self.shop] *= self.config.reach_multiplier
        return replace(params, talk_boost=talk, reach_boost=reach)

    def on_day(self, day: int) -> None:
        """Pay for the community."""
        self.pay(self.config.cost_per_day)
