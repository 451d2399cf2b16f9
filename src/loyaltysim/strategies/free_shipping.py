"""Free shipping: for everyone, for members, or for baskets above a threshold.

Shipping fees weigh on online buying, most in far regions (essays 001, 003, 004). Waiving
the fee lowers the price a customer compares, and the shop loses the fee revenue (booked as
``discounts``) while still paying the courier. With a threshold, a customer whose basket
falls short tops it up when the extra goods, valued at ``market.top_up_value`` of their
price, cost less than the fee saved; so baskets bunch just above the threshold (Lewis 2006).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
from pydantic import Field

from loyaltysim.engine.draws import Decision
from loyaltysim.scenario.base import NonNeg, Share, Strict
from loyaltysim.strategies.base import Offer, SectionProblem, ShopContext, Strategy


class FreeShippingConfig(Strict):
    """``[shops.<name>.strategies.free_shipping]``."""

    eligibility: Literal["all", "members", "threshold"] = "all"
    threshold: NonNeg = Field(99.0, description="Basket value (currency) shipped free.")
    overshoot: Share = Field(
        0.05, description="Topped-up baskets land up to this share above the threshold."
    )


class FreeShipping(Strategy):
    """Waives the shipping fee for eligible baskets."""

    key = "free_shipping"
    config_model = FreeShippingConfig

    def __init__(self, context: ShopContext, shop: int, config: FreeShippingConfig) -> None:
        super().__init__(context, shop, config)
        self.membership = None
        if config.eligibility == "members":
            self.membership = context.strategy_of(shop, "membership")

    @classmethod
    def problems(
        cls, section: Mapping[str, Any], levers: Mapping[str, Any], regions: list[str]
    ) -> list[SectionProblem]:
        """Free shipping for members needs the shop's membership programme."""
        if section.get("eligibility") == "members" and not isinstance(
            levers.get("membership"), Mapping
        ):
            return [
                (
                    ("eligibility",),
                    "a [shops.<name>.strategies.membership] section for 'members'",
                    "no membership programme",
                )
            ]
        return []

    def offer(self, offer: Offer) -> None:
        """Free shipping where eligible; short baskets top up when it pays."""
        s, cfg = self.shop, self.config
        if cfg.eligibility == "all":
            offer.fee[:, s] = 0.0
            return
        if cfg.eligibility == "members":
            offer.fee[:, s] = np.where(self.membership.member[offer.slots], 0.0, offer.fee[:, s])
            return
        goods, fee = offer.goods[:, s], offer.fee[:, s]
        draws = self.context.keyed(Decision.SHIPPING_TOP_UP, offer.slots)
        target = cfg.threshold * (1.0 + cfg.overshoot * draws.random(goods.size))
        short = np.maximum(target - goods, 0.0)
        value = self.context.market.top_up_value
        tops_up = (goods < cfg.threshold) & (short * (1.0 - value) < fee)
        free = (goods >= cfg.threshold) | tops_up
        unit = np.maximum(offer.unit_price[:, s], 1e-12)
        offer.quantity[:, s] = np.where(tops_up, target / unit, offer.quantity[:, s])
        offer.extra_value[:, s] += np.where(tops_up, short * value, 0.0)
        offer.fee[:, s] = np.where(free, 0.0, fee)
