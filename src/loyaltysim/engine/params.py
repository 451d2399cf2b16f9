"""Scenario values laid out as arrays indexed by shop, region and segment.

The mechanisms work on whole arrays of customers, so they need shop prices, courier
performance and segment needs as arrays too (``price[shop]``, ``on_time[shop, region]``),
not as nested pydantic objects. This module builds them once per model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from loyaltysim.scenario.schema import Scenario


@dataclass(frozen=True)
class ShopArrays:
    """Per-shop (``[s]``) and per-shop-per-region (``[s, r]``) parameters."""

    names: list[str]
    price: np.ndarray
    quality: np.ndarray
    promise: np.ndarray
    unit_cost: np.ndarray
    fixed_cost_per_day: np.ndarray
    advertising_reach: np.ndarray
    advertising_cost_per_day: np.ndarray
    acquisition_cost: np.ndarray
    initial_awareness: np.ndarray
    privacy_breach_rate: np.ndarray
    breach_trust_loss: np.ndarray
    breach_satisfaction_loss: np.ndarray
    response_days: np.ndarray
    resolution_rate: np.ndarray
    recovery: np.ndarray
    trust_recovery: np.ndarray
    compensation: np.ndarray
    complaint_voice: np.ndarray  # multiplies the complaint propensity (easy channels)
    talk_boost: np.ndarray  # multiplies word-of-mouth propensities about the shop
    reach_boost: np.ndarray  # multiplies tie strength for messages about the shop
    shipping_fee: np.ndarray  # [s, r], shop fee times the region's shipping factor
    shipping_cost: np.ndarray  # [s, r]
    on_time: np.ndarray  # [s, r]
    mean_delay_days: np.ndarray  # [s, r]
    damage_rate: np.ndarray  # [s, r]
    loss_rate: np.ndarray  # [s, r]
    tracking: np.ndarray  # [s, r] bool
    lead_days: np.ndarray  # [s, r] dispatch + transit days of an on-time parcel

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> ShopArrays:
        """Lay out ``scenario.shops`` (in file order) and their couriers per region."""
        shops = list(scenario.shops.values())
        regions = list(scenario.market.regions.items())

        def per_shop(attr: str) -> np.ndarray:
            return np.array([getattr(s, attr) for s in shops], dtype=np.float64)

        def per_service(attr: str) -> np.ndarray:
            return np.array([getattr(s.service, attr) for s in shops], dtype=np.float64)

        def per_region(attr: str, dtype: type = np.float64) -> np.ndarray:
            return np.array(
                [[getattr(s.courier_for(name), attr) for name, _ in regions] for s in shops],
                dtype=dtype,
            )

        factor = np.array([r.shipping_factor for _, r in regions])
        transit = np.array([r.delivery_days for _, r in regions])
        return cls(
            names=list(scenario.shops),
            price=per_shop("price"),
            quality=per_shop("quality"),
            promise=np.array([s.described_quality for s in shops]),
            unit_cost=per_shop("unit_cost"),
            fixed_cost_per_day=per_shop("fixed_cost_per_day"),
            advertising_reach=per_shop("advertising_reach"),
            advertising_cost_per_day=per_shop("advertising_cost_per_day"),
            acquisition_cost=per_shop("acquisition_cost"),
            initial_awareness=per_shop("initial_awareness"),
            privacy_breach_rate=per_shop("privacy_breach_rate"),
            breach_trust_loss=per_shop("breach_trust_loss"),
            breach_satisfaction_loss=per_shop("breach_satisfaction_loss"),
            response_days=per_service("response_days"),
            resolution_rate=per_service("resolution_rate"),
            recovery=per_service("recovery"),
            trust_recovery=per_service("trust_recovery"),
            compensation=per_service("compensation"),
            complaint_voice=np.ones(len(shops)),
            talk_boost=np.ones(len(shops)),
            reach_boost=np.ones(len(shops)),
            shipping_fee=per_shop("shipping_fee")[:, None] * factor[None, :],
            shipping_cost=per_region("cost") * factor[None, :],
            on_time=per_region("on_time"),
            mean_delay_days=per_region("mean_delay_days"),
            damage_rate=per_region("damage_rate"),
            loss_rate=per_region("loss_rate"),
            tracking=per_region("tracking", bool),
            lead_days=per_region("dispatch_days") + transit[None, :],
        )


@dataclass(frozen=True)
class SegmentArrays:
    """Per-segment parameters, indexed like ``CustomerState.segment``."""

    names: list[str]
    share: np.ndarray
    arrival_share: np.ndarray
    purchase_rate: np.ndarray
    quality_weight: np.ndarray
    price_weight: np.ndarray
    delivery_weight: np.ndarray
    duration_days: np.ndarray  # inf where the stage never ends
    next_segment: np.ndarray  # int, -1: the customer leaves the market

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> SegmentArrays:
        """Lay out ``scenario.market.segments`` in file order."""
        segs = scenario.market.segments
        names = list(segs)
        values = list(segs.values())

        def col(attr: str) -> np.ndarray:
            return np.array([getattr(s, attr) for s in values], dtype=np.float64)

        arrivals = [s.arrival_share for s in values]
        return cls(
            names=names,
            share=col("share"),
            arrival_share=col("share")
            if all(a is None for a in arrivals)
            else np.array([a or 0.0 for a in arrivals]),
            purchase_rate=col("purchase_rate"),
            quality_weight=col("quality_weight"),
            price_weight=col("price_weight"),
            delivery_weight=col("delivery_weight"),
            duration_days=np.array(
                [np.inf if s.duration_days is None else s.duration_days for s in values]
            ),
            next_segment=np.array(
                [-1 if s.next is None else names.index(s.next) for s in values], dtype=np.int16
            ),
        )
