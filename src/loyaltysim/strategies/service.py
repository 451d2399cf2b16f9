"""Service: 24-hour customer service, easy complaint channels, a compensation policy.

Essay 003 recommends 24-hour service; essay 004 shows busy lines drive complainants away.
Faster answers (``response_days``) mean fewer abandoned complaints; easy channels
(``complaint_voice`` > 1) make more unhappy customers speak up, giving the shop a chance to
recover them instead of losing them silently; the compensation policy sets what a
resolution restores and costs. Good recovery restores satisfaction more than trust, so it
need not raise repurchase (de Matos, Henrique & Rossi 2007). The service costs
``cost_per_day``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from pydantic import Field

from loyaltysim.scenario.base import NonNeg, Share, Strict
from loyaltysim.strategies.base import Strategy

if TYPE_CHECKING:
    from loyaltysim.engine.params import ShopArrays


class ServiceConfig(Strict):
    """``[shops.<name>.strategies.service]``; unset values keep the shop's ``[service]``."""

    response_days: NonNeg | None = Field(None, description="24-hour service: about 0.1.")
    complaint_voice: float = Field(1.0, ge=0.0, description="Multiplies complaint propensity.")
    resolution_rate: Share | None = None
    compensation: NonNeg | None = None
    recovery: Share | None = None
    cost_per_day: NonNeg = Field(0.0, description="What the service costs per day.")


class Service(Strategy):
    """Overrides the shop's complaint handling and pays for it."""

    key = "service"
    config_model = ServiceConfig

    def adjust(self, params: ShopArrays) -> ShopArrays:
        """Set the shop's service parameters from the strategy."""
        changes = {}
        for name in ("response_days", "resolution_rate", "compensation", "recovery"):
            value = getattr(self.config, name)
            if value is not None:
                changes[name] = _with(getattr(params, name), self.shop, value)
        changes["complaint_voice"] = _with(
            params.complaint_voice,
            self.shop,
            params.complaint_voice[self.shop] * self.config.complaint_voice,
        )
        return replace(params, **changes)

    def on_day(self, day: int) -> None:
        """Pay for the service."""
        self.pay(self.config.cost_per_day)


def _with(values, index: int, value: float):
    """A copy of ``values`` with one entry changed."""
    out = values.copy()
    out[index] = value
    return out
