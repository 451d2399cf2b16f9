"""Privacy protection: a lower risk of a customer-data breach, at a daily cost.

Essays 000 and 003: leaked customer data makes complaints jump, damages the shop's image
and drives customers away; keeping data safe is part of earning trust. The breach itself
is a core mechanism (``privacy_breach_rate``, or a ``data_breach`` event); this strategy
cuts the daily breach probability by ``breach_reduction`` and costs ``cost_per_day``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from pydantic import Field

from loyaltysim.scenario.base import NonNeg, Share, Strict
from loyaltysim.strategies.base import Strategy

if TYPE_CHECKING:
    from loyaltysim.engine.params import ShopArrays


class PrivacyConfig(Strict):
    """``[shops.<name>.strategies.privacy]``."""

    breach_reduction: Share = Field(0.8, description="Share of breach risk removed.")
    cost_per_day: NonNeg = Field(50.0, description="What protection costs per day.")


class Privacy(Strategy):
    """Lowers the shop's breach risk and pays for it."""

    key = "privacy"
    config_model = PrivacyConfig

    def adjust(self, params: ShopArrays) -> ShopArrays:
        """Scale down the shop's breach rate."""
        rate = params.privacy_breach_rate.copy()
        rate[self.shop] *= 1.0 - self.config.breach_reduction
        return replace(params, privacy_breach_rate=rate)

    def on_day(self, day: int) -> None:
        """Pay for protection."""
        self.pay(self.config.cost_per_day)
