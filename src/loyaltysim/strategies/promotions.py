"""Price promotions: a permanent discount, coupons for new and lapsed customers, festival sales.

Discounts and coupons attract switchers at a cost (essays 000, 004); lowering price alone is
not a loyalty strategy (essay 004), which the scenarios let one measure. Coupons are a share
off the next order: new customers get one on their first order; customers who have not
ordered for ``winback_after_days`` are sent one (a churned customer who gets it considers
the shop again), each sent coupon costing ``winback_cost``. During festival events
(``[[events]] kind = "festival"``, e.g. 11 November, 18 June) the shop cuts prices by
``festival_discount``; the festival itself brings the demand spike and courier congestion.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from loyaltysim.engine.state import NEVER
from loyaltysim.scenario.base import NonNeg, Share, Strict
from loyaltysim.strategies.base import CouponBook, Offer, Orders, ShopContext, Strategy


class PromotionsConfig(Strict):
    """``[shops.<name>.strategies.promotions]``."""

    discount: Share = Field(0.0, description="Permanent share off all goods.")
    new_customer_coupon: Share = Field(0.0, description="Share off a customer's first order.")
    winback_coupon: Share = Field(0.0, description="Share off, sent to lapsed customers.")
    winback_after_days: int = Field(90, ge=1, description="Days without an order = lapsed.")
    winback_valid_days: int = Field(30, ge=1, description="How long a win-back coupon lasts.")
    winback_cost: NonNeg = Field(0.5, description="Cost of sending one coupon.")
    festival_discount: Share = Field(0.0, description="Share off during festival events.")


class Promotions(Strategy):
    """Discounts and coupons of one shop."""

    key = "promotions"
    config_model = PromotionsConfig

    def __init__(self, context: ShopContext, shop: int, config: PromotionsConfig) -> None:
        super().__init__(context, shop, config)
        self.coupons = CouponBook(context.state.slots)

    def offer(self, offer: Offer) -> None:
        """Apply the discount, the festival cut, and new-customer or win-back coupons."""
        s, cfg, slots = self.shop, self.config, offer.slots
        cut = 1.0 - cfg.discount
        if self.context.festival_today:
            cut *= 1.0 - cfg.festival_discount
        new = self.context.state.last_order_day[slots, s] == NEVER
        coupon = np.maximum(
            new * cfg.new_customer_coupon, self.coupons.valid(slots, self.context.day)
        )
        offer.unit_price[:, s] *= cut * (1.0 - coupon)

    def after_purchase(self, orders: Orders) -> None:
        """Coupons are used up by an order."""
        self.coupons.use(orders.slots)

    def on_day(self, day: int) -> None:
        """Send win-back coupons to customers who lapsed today."""
        cfg = self.config
        if cfg.winback_coupon <= 0.0:
            return
        state = self.context.state
        lapsed = np.flatnonzero(
            state.active & (state.last_order_day[:, self.shop] == day - cfg.winback_after_days)
        )
        if lapsed.size == 0:
            return
        self.coupons.give(lapsed, cfg.winback_coupon, day, day + cfg.winback_valid_days)
        self.context.reconsider(lapsed, self.shop)
        self.pay(cfg.winback_cost * lapsed.size)

    def forget(self, slots: np.ndarray) -> None:
        """Leavers' coupons go."""
        self.coupons.forget(slots)
