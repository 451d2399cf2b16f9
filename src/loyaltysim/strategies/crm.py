"""CRM targeting: a budget-limited retention offer to at-risk or to the most valuable customers.

Essays 000 and 002: a customer database lets a shop personalise and act before customers
leave. Every ``every_days`` the shop spends ``budget`` on offers at ``cost_per_offer`` each,
sent to its customers ranked by risk (lowest satisfaction first, among those below
``risk_threshold``) or by value (highest spend while recording). An offer is a coupon of
``coupon`` off the next order, valid ``valid_days``, and being contacted adds
``care_effect`` of missing satisfaction.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from loyaltysim.scenario.base import NonNeg, Share, Strict
from loyaltysim.strategies.base import CouponBook, Offer, Orders, ShopContext, Strategy


class CrmConfig(Strict):
    """``[shops.<name>.strategies.crm]``."""

    target: Literal["at_risk", "valuable"] = "at_risk"
    every_days: int = Field(7, ge=1)
    budget: NonNeg = Field(200.0, description="Spent on offers every period.")
    cost_per_offer: float = Field(1.0, gt=0.0)
    coupon: Share = Field(0.15, description="Share off the next order.")
    valid_days: int = Field(14, ge=1)
    risk_threshold: Share = Field(0.6, description="Satisfaction below which one is at risk.")
    care_effect: Share = Field(0.02, description="Share of missing satisfaction added.")


class Crm(Strategy):
    """Targeted retention offers of one shop."""

    key = "crm"
    config_model = CrmConfig

    def __init__(self, context: ShopContext, shop: int, config: CrmConfig) -> None:
        super().__init__(context, shop, config)
        self.coupons = CouponBook(context.state.slots)

    def offer(self, offer: Offer) -> None:
        """Offers received are a share off the next order."""
        share = self.coupons.valid(offer.slots, self.context.day)
        offer.unit_price[:, self.shop] *= 1.0 - share

    def after_purchase(self, orders: Orders) -> None:
        """Offers are used up by an order."""
        self.coupons.use(orders.slots)

    def on_day(self, day: int) -> None:
        """Choose the period's targets within the budget and send them offers."""
        cfg = self.config
        if day % cfg.every_days:
            return
        state, s = self.context.state, self.shop
        customers = self.customers()
        if cfg.target == "at_risk":
            sat = state.satisfaction[customers, s]
            risky = (state.experiences[customers, s] > 0) & (sat < cfg.risk_threshold)
            customers, score = customers[risky], sat[risky]
        else:
            score = -state.spend[customers, s]
        count = min(int(cfg.budget // cfg.cost_per_offer), customers.size)
        if count == 0:
            return
        targets = customers[np.argsort(score, kind="stable")[:count]]
        self.coupons.give(targets, cfg.coupon, day, day + cfg.valid_days)
        self.nudge(targets, satisfaction=cfg.care_effect, trust=0.0)
        self.pay(cfg.cost_per_offer * count)

    def forget(self, slots: np.ndarray) -> None:
        """Leavers' offers go."""
        self.coupons.forget(slots)
