"""Membership programme: points per unit spent, tiers with benefits, demotion and expiry.

Essay 003 recommends five tiers; essays 001 and 004 points and member benefits. Points and
a tier are lost by leaving, a financial switching cost (Burnham, Frels & Mahajan 2003):
members get a utility bonus worth ``switching_weight`` times what they would forfeit
(``forfeit_basis = "held"``: the points' cash value plus the tier discount on the basket,
per reference price). With ``"earned"`` it is the value of the points this order would
earn, what buying elsewhere today forgoes: constant along a card, so it adds no gradient of
its own (Nunes & Drèze 2006 find that persistence follows perceived progress, not a
reluctance to waste what is held).

Customers near the next reward need to buy sooner (goal gradient, Kivetz, Urminsky & Zheng
2006). ``goal_gradient_form = "cubic"`` multiplies a member's need probability by
``1 + goal_gradient * progress**3``, ``progress`` being the share of the next reward earned
(1 once due). ``"log_linear"`` multiplies it by ``exp(goal_gradient * card)``, ``card``
being the share of the current card filled (the points towards the next reward not yet
due, over ``reward_points``): KUZ's goal-distance model, in which effort depends on the
proportion of the original distance remaining, taken as a constant percentage acceleration
per stamp (log inter-purchase time linear in the distance). ``endowed_points`` are credited
on joining (endowed progress, Nunes & Drèze 2006). Tier design follows Drèze & Nunes
(2009): spend thresholds, a benefit per tier, demotion after inactivity.
"""

from __future__ import annotations

import itertools
import math
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from loyaltysim.engine import libm
from loyaltysim.engine.draws import Decision
from loyaltysim.scenario.base import NonNeg, Share, Strict
from loyaltysim.strategies.base import Offer, Orders, ShopContext, Strategy, is_birthday


class Tier(Strict):
    """One membership tier."""

    name: str
    spend: NonNeg = Field(description="Cumulative spend (currency) that reaches the tier.")
    discount: Share = Field(0.0, description="Share off the goods.")
    free_shipping: bool = Field(False, description="No shipping fee.")
    faster_dispatch_days: NonNeg = Field(0.0, description="Days earlier parcels leave.")
    birthday_gift: NonNeg = Field(0.0, description="Cost of the tier's birthday gift.")


def _five_tiers() -> list[Tier]:
    """Five tiers, as essay 003 recommends."""
    return [
        Tier(name="member", spend=0.0),
        Tier(name="silver", spend=500.0, discount=0.02),
        Tier(name="gold", spend=1500.0, discount=0.04, free_shipping=True, birthday_gift=10.0),
        Tier(
            name="platinum",
            spend=4000.0,
            discount=0.06,
            free_shipping=True,
            faster_dispatch_days=0.5,
            birthday_gift=20.0,
        ),
        Tier(
            name="diamond",
            spend=10000.0,
            discount=0.08,
            free_shipping=True,
            faster_dispatch_days=1.0,
            birthday_gift=40.0,
        ),
    ]


class MembershipConfig(Strict):
    """``[shops.<name>.strategies.membership]``."""

    join_share: Share = Field(0.8, description="Share of first-time buyers who join.")
    points_per_currency: NonNeg = Field(1.0, description="Points per unit spent.")
    point_value: NonNeg = Field(0.01, description="Currency a point is worth when redeemed.")
    reward_points: float = Field(1000.0, gt=0.0, description="Points redeemed per reward.")
    tiers: list[Tier] = Field(default_factory=_five_tiers, min_length=1)
    demotion_days: int = Field(180, ge=1, description="Days without an order that cost a tier.")
    points_expiry_days: int = Field(
        365, ge=1, description="Days without an order after which points expire."
    )
    goal_gradient: NonNeg = Field(
        0.2789,
        description="Strength of the pull of a reward: ln(1.25)/0.8 makes the gap between "
        "purchases 20% shorter at the 9th stamp than at the 1st (Kivetz et al. 2006).",
    )
    goal_gradient_form: Literal["cubic", "log_linear"] = Field(
        "log_linear",
        description="Need multiplier: 1 + goal_gradient * progress^3 ('cubic'), or "
        "exp(goal_gradient * share of the card filled) ('log_linear', Kivetz et al. 2006).",
    )
    endowed_points: NonNeg = Field(
        0.0, description="Points credited on joining (endowed progress, Nunes & Dreze 2006)."
    )
    switching_weight: NonNeg = Field(1.0, description="Weight of what leaving would forfeit.")
    forfeit_basis: Literal["held", "earned"] = Field(
        "earned",
        description="Points in the switching bonus: those held ('held'), or those this "
        "order would earn ('earned').",
    )
    gift_effect: Share = Field(0.05, description="Share of missing satisfaction a gift adds.")
    cost_per_member_day: NonNeg = Field(0.0, description="Running cost per member per day.")

    @model_validator(mode="after")
    def _tiers_ascend(self) -> MembershipConfig:
        spends = [t.spend for t in self.tiers]
        if spends[0] != 0.0 or any(b <= a for a, b in itertools.pairwise(spends)):
            raise ValueError("tiers: spend must start at 0 and rise from tier to tier")
        if self.endowed_points >= self.reward_points:
            raise ValueError("endowed_points must be below reward_points (a card not yet full)")
        return self


class Membership(Strategy):
    """Points, tiers, rewards and member benefits of one shop."""

    key = "membership"
    config_model = MembershipConfig

    def __init__(self, context: ShopContext, shop: int, config: MembershipConfig) -> None:
        super().__init__(context, shop, config)
        slots = context.state.slots
        self.member = np.zeros(slots, bool)
        self.points = np.zeros(slots)
        self.spend = np.zeros(slots)
        self.tier = np.zeros(slots, np.int8)
        self.last_order = np.zeros(slots, np.int64)
        tiers = config.tiers
        self.threshold = np.array([t.spend for t in tiers])
        self.discount = np.array([t.discount for t in tiers])
        self.free_shipping = np.array([t.free_shipping for t in tiers])
        self.faster = np.array([t.faster_dispatch_days for t in tiers])
        self.gift = np.array([t.birthday_gift for t in tiers])
        self.reward = config.reward_points * config.point_value
        self.tier_names = tuple(t.name for t in tiers)

    def progress(self, slots: np.ndarray) -> np.ndarray:
        """Share of the next reward a customer has earned (0 for non-members)."""
        earned = np.minimum(self.points[slots] / self.config.reward_points, 1.0)
        return np.where(self.member[slots], earned, 0.0)

    def card(self, slots: np.ndarray) -> np.ndarray:
        """Share of the current card filled: points towards the next reward not yet due.

        A reward that is due belongs to the finished card, so a customer holding exactly one
        reward's points (a cash back redeemed at every order) starts an empty card.
        """
        filled = np.mod(self.points[slots], self.config.reward_points) / self.config.reward_points
        return np.where(self.member[slots], filled, 0.0)

    def need_boost(self, slots: np.ndarray) -> np.ndarray:
        """Goal gradient: members close to a reward need to buy sooner."""
        cfg = self.config
        if cfg.goal_gradient_form == "log_linear":
            return libm.exp(cfg.goal_gradient * self.card(slots))
        return 1.0 + cfg.goal_gradient * libm.power(self.progress(slots), 3.0)

    def max_need_boost(self) -> float:
        """At most ``1 + goal_gradient`` (cubic) or ``exp(goal_gradient)`` (log-linear)."""
        if self.config.goal_gradient_form == "log_linear":
            return math.exp(self.config.goal_gradient)
        return 1.0 + self.config.goal_gradient

    def offer(self, offer: Offer) -> None:
        """Tier discount and free shipping, a reward when due, and the forfeit bonus."""
        s, slots = self.shop, offer.slots
        member = self.member[slots]
        tier = self.tier[slots]
        discount = np.where(member, self.discount[tier], 0.0)
        saving = discount * offer.goods[:, s]  # the tier discount on the basket
        offer.unit_price[:, s] *= 1.0 - discount
        free = member & self.free_shipping[tier]
        offer.fee[:, s] = np.where(free, 0.0, offer.fee[:, s])
        due = member & (self.points[slots] >= self.config.reward_points)
        reward = np.minimum(self.reward, offer.goods[:, s]) * due
        offer.unit_price[:, s] -= reward / offer.quantity[:, s]
        forfeit = self._at_stake(slots, member, saving, offer)
        reference = self.context.market.reference_price
        offer.bonus[:, s] += self.config.switching_weight * forfeit / reference

    def switching_cost(self, slots: np.ndarray, basket: float) -> np.ndarray:
        """What leaving would forfeit: the points' cash value and the tier discount on ``basket``.

        The same forfeit as the choice bonus of :meth:`offer`, on a typical basket.
        """
        discount = np.where(self.member[slots], self.discount[self.tier[slots]], 0.0)
        return self.points[slots] * self.config.point_value + discount * basket

    def _at_stake(
        self, slots: np.ndarray, member: np.ndarray, saving: np.ndarray, offer: Offer
    ) -> np.ndarray:
        """What buying elsewhere gives up, in currency.

        ``"held"``: the points held and the tier discount on the basket (what leaving
        forfeits). ``"earned"``: the value of the points this order earns; the tier discount
        is already in today's price and nothing held is lost by one order elsewhere.
        """
        cfg = self.config
        if cfg.forfeit_basis == "held":
            return self.points[slots] * cfg.point_value + saving
        return member * offer.goods[:, self.shop] * cfg.points_per_currency * cfg.point_value

    def after_purchase(self, orders: Orders) -> None:
        """Join, redeem, earn points, climb tiers, ship faster."""
        cfg, slots = self.config, orders.slots
        draws = self.context.keyed(Decision.MEMBERSHIP_JOIN, slots)
        join = orders.first_ever & (draws.random(slots.size) < cfg.join_share)
        self.member[slots[join]] = True
        member = self.member[slots]
        redeemed = member & (self.points[slots] >= cfg.reward_points)
        self.points[slots] -= cfg.reward_points * redeemed
        self.points[slots[join]] += cfg.endowed_points
        self.points[slots] += member * orders.goods * cfg.points_per_currency
        self.spend[slots] += member * orders.goods
        reached = np.searchsorted(self.threshold, self.spend[slots], side="right") - 1
        self.tier[slots] = np.where(member, np.maximum(self.tier[slots], reached), 0)
        self.last_order[slots] = self.context.day
        orders.lead_days -= np.where(member, self.faster[self.tier[slots]], 0.0)
        np.maximum(orders.lead_days, 0.0, out=orders.lead_days)

    def on_day(self, day: int) -> None:
        """Demotion, expiry, birthday gifts and running costs."""
        cfg = self.config
        state = self.context.state
        members = np.flatnonzero(self.member & state.active)
        idle = day - self.last_order[members]
        demote = members[(idle > 0) & (idle % cfg.demotion_days == 0) & (self.tier[members] > 0)]
        self.tier[demote] -= 1
        self.spend[demote] = self.threshold[self.tier[demote]]
        self.points[members[idle == cfg.points_expiry_days]] = 0.0
        gifted = members[is_birthday(state.uid[members], day) & (self.gift[self.tier[members]] > 0)]
        if gifted.size:
            self.pay(self.gift[self.tier[gifted]])
            self.nudge(gifted, satisfaction=cfg.gift_effect, trust=0.0)
        self.pay(cfg.cost_per_member_day * members.size)

    def standing(self, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Members' tier and points; -1 and NaN for customers who are not members."""
        member = self.member[slots]
        return np.where(member, self.tier[slots], -1), np.where(member, self.points[slots], np.nan)

    def forget(self, slots: np.ndarray) -> None:
        """Leavers lose membership, points and tier."""
        self.member[slots] = False
        self.points[slots] = 0.0
        self.spend[slots] = 0.0
        self.tier[slots] = 0
