"""A shop's courier: how its parcels travel, what it promises, and per-region overrides.

Part of the scenario schema (:mod:`loyaltysim.scenario.schema`): ``[shops.<name>.courier]``
and ``[shops.<name>.courier_by_region.<region>]``. Every field becomes a per-shop, per-region
array of :class:`~loyaltysim.engine.params.ShopArrays`.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from loyaltysim.scenario.base import Money, NonNeg, Share, Strict


class Courier(Strict):
    """How a shop's parcels travel; any field may be overridden per region."""

    on_time: Share = Field(0.9, description="Share of parcels arriving on time.")
    mean_delay_days: float = Field(
        2.0, ge=1.0, le=365, description="Mean delay of late parcels (days)."
    )
    damage_rate: Share = Field(0.02, description="Share of parcels arriving damaged.")
    loss_rate: Share = Field(0.005, description="Share of parcels lost.")
    tracking: bool = Field(True, description="Customers can follow the parcel.")
    cost: Money = Field(6.0, description="What the shop pays the courier per parcel.")
    dispatch_days: NonNeg = Field(1.0, le=365, description="Days from order to hand-over.")
    promised_days: NonNeg | None = Field(
        None,
        le=365,
        description=(
            "Days from order to delivery the shop promises (none: dispatch plus the region's "
            "delivery days, rounded, so a normal on-time parcel arrives on the promised day)."
        ),
    )

    @model_validator(mode="after")
    def _outcomes_fit(self) -> Courier:
        if self.damage_rate + self.loss_rate > 1.0:
            raise ValueError("damage_rate + loss_rate must be at most 1")
        return self


class CourierOverride(Strict):
    """Per-region override of a shop's courier; unset fields keep the shop's default."""

    on_time: Share | None = None
    mean_delay_days: float | None = Field(None, ge=1.0, le=365)
    damage_rate: Share | None = None
    loss_rate: Share | None = None
    tracking: bool | None = None
    cost: Money | None = None
    dispatch_days: NonNeg | None = Field(None, le=365)
    promised_days: NonNeg | None = Field(None, le=365)
