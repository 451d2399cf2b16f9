"""Logistics choice: an express courier (e.g. air instead of land) for some regions.

Essay 003: delivery time differs greatly by region, and land and air couriers differ in
speed. Express takes ``transit_factor`` of the region's normal transit time, may be more
reliable (``on_time``, ``damage_rate``) and may add order tracking, which softens the effect
of a delay; each parcel costs ``extra_cost`` more (times the region's shipping factor).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import Field

from loyaltysim.scenario.base import NonNeg, Share, Strict
from loyaltysim.strategies.base import SectionProblem, Strategy

if TYPE_CHECKING:
    from loyaltysim.engine.params import ShopArrays


class LogisticsConfig(Strict):
    """``[shops.<name>.strategies.logistics]``."""

    express_regions: list[str] | None = Field(None, description="Regions served (none: all).")
    transit_factor: Share = Field(0.4, description="Share of the normal transit time.")
    on_time: Share | None = None
    damage_rate: Share | None = None
    tracking: bool | None = None
    extra_cost: NonNeg = Field(6.0, description="Extra courier cost per parcel.")


class Logistics(Strategy):
    """Switches the shop's couriers to express in the chosen regions."""

    key = "logistics"
    config_model = LogisticsConfig

    @classmethod
    def problems(
        cls, section: Mapping[str, Any], levers: Mapping[str, Any], regions: list[str]
    ) -> list[SectionProblem]:
        """Express regions must be regions of the market."""
        express = section.get("express_regions")
        return [
            (("express_regions",), f"regions of {sorted(regions)}", repr(region))
            for region in (express if isinstance(express, list) else [])
            if region not in regions
        ]

    def adjust(self, params: ShopArrays) -> ShopArrays:
        """Faster, dearer (and possibly more reliable) delivery in the express regions."""
        cfg, s = self.config, self.shop
        market = self.context.market.regions
        regions = np.array(
            [cfg.express_regions is None or name in cfg.express_regions for name in market]
        )
        transit = np.array([r.delivery_days for r in market.values()])
        factor = np.array([r.shipping_factor for r in market.values()])
        lead = params.lead_days.copy()
        lead[s] -= regions * transit * (1.0 - cfg.transit_factor)
        cost = params.shipping_cost.copy()
        cost[s] += regions * cfg.extra_cost * factor
        changes = {"lead_days": lead, "shipping_cost": cost}
        for name in ("on_time", "damage_rate", "tracking"):
            value = getattr(cfg, name)
            if value is not None:
                array = getattr(params, name).copy()
                array[s] = np.where(regions, value, array[s])
                changes[name] = array
        return replace(params, **changes)
