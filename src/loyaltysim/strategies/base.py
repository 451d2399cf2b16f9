"""The plug-in interface of loyalty strategies, and the hook contexts the engine hands them.

A strategy is one lever of one shop (free shipping, a membership programme...). It is
configured under ``[shops.<name>.strategies.<key>]`` and acts only at named hook points:

=================  ==========================================================================
``adjust``         once at set-up: change the shop's static parameters (service, couriers...)
``need_boost``     each day: multiply some customers' probability of needing to buy
``offer``          each day: change the price, fee or utility a customer sees at this shop
``after_purchase`` each day: react to the shop's orders (points, gifts, faster dispatch)
``on_day``         each day: calendar work (birthdays, expiry, targeted offers, daily costs)
``forget``         when customers leave: clear what the strategy keeps about them
``switching_cost`` at churn: what customers would forfeit by leaving the shop (currency)
``standing``       at a breach: customers' place in the shop's loyalty programme (0..1)
=================  ==========================================================================

Every hook is vectorised over customers. A strategy pays its own way: outlays go to the
shop's ``strategy_cost``, price cuts show in ``discounts`` and lower revenue, so profit
stays honest.

A strategy never sees the model: it gets a :class:`ShopContext`, the few things a lever may
read (the day, the random stream, read-only customer arrays) and do (nudge attitudes, let
churned customers reconsider, pay). So a strategy's unit test builds a context on a handful
of customers, and a lever cannot move the engine's state behind the running totals' back.
Checks that span sections of the scenario (a lever needing another, regions it names) live
with the lever as :meth:`Strategy.problems`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np

from loyaltysim.engine.draws import Decision, KeyedStream
from loyaltysim.engine.state import NEVER

if TYPE_CHECKING:
    from loyaltysim.engine.params import ShopArrays
    from loyaltysim.scenario.schema import MarketConfig

#: A cross-field problem of a strategy's section: the key path below the section (empty for
#: the section itself), what was expected and what was given.
SectionProblem = tuple[tuple[str | int, ...], str, str]


@dataclass(frozen=True)
class StateView:
    """Read-only views of the per-customer arrays strategies read (slot x shop where 2-D).

    Views, not copies: they show the engine's state as it is now, but writing to them
    raises, so attitudes change only through :meth:`ShopContext.nudge` and
    :meth:`ShopContext.reconsider`.
    """

    active: np.ndarray  # bool: slot holds a customer in the market
    uid: np.ndarray  # customer id (birthdays are derived from it)
    dropped: np.ndarray  # bool: has churned from the shop
    satisfaction: np.ndarray  # 0..1
    experiences: np.ndarray  # deliveries experienced (ever)
    orders: np.ndarray  # orders placed while recording
    spend: np.ndarray  # revenue from the customer while recording
    last_order_day: np.ndarray  # NEVER if none

    @classmethod
    def of(cls, state: Any) -> StateView:
        """Read-only views of the same-named arrays of ``state``."""
        views = {}
        for field in fields(cls):
            view = getattr(state, field.name).view()
            view.flags.writeable = False
            views[field.name] = view
        return cls(**views)

    @property
    def slots(self) -> int:
        """Number of slots (active or free): the length of a strategy's own arrays."""
        return int(self.active.shape[0])


class ShopContext(Protocol):
    """What a strategy may see of the market and do to it; the engine implements it."""

    @property
    def day(self) -> int:
        """Today (negative during warm-up)."""
        ...

    @property
    def festival_today(self) -> bool:
        """Whether a festival event runs today."""
        ...

    def keyed(self, decision: Decision, slots: np.ndarray) -> KeyedStream:
        """Today's numbers of ``decision`` for ``slots``: every draw of a strategy is keyed."""
        ...

    @property
    def market(self) -> MarketConfig:
        """The scenario's ``[market]`` section (reference price, regions, top-up value)."""
        ...

    @property
    def state(self) -> StateView:
        """Read-only views of the customers' arrays."""
        ...

    def nudge(self, slots: np.ndarray, shop: int, satisfaction: float, trust: float) -> None:
        """Close the given shares of customers' gaps to full satisfaction and trust in ``shop``.

        Satisfaction moves only for customers who have experienced the shop; inactive slots
        are left alone.
        """
        ...

    def reconsider(self, slots: np.ndarray, shop: int) -> None:
        """Active customers in ``slots`` who churned from ``shop`` consider it again."""
        ...

    def pay(self, shop: int, amount: float) -> None:
        """Book an outlay of ``shop`` in today's ``strategy_cost``."""
        ...

    def strategy_of(self, shop: int, key: str) -> Strategy:
        """The strategy ``key`` of ``shop`` (one configured before the one asking)."""
        ...


@dataclass
class Offer:
    """What the day's shoppers would get at each shop; strategies edit their shop's column.

    Arrays are ``(shoppers, shops)``. ``quantity`` is the basket in typical orders (1 =
    one typical order at the shop's ``price``); the goods cost ``unit_price * quantity``;
    ``extra_value`` is what goods bought only to reach a threshold are worth to the customer
    (it offsets their price in the choice); ``bonus`` is extra utility (points, perks).
    """

    slots: np.ndarray
    region: np.ndarray
    quantity: np.ndarray
    unit_price: np.ndarray
    fee: np.ndarray
    extra_value: np.ndarray
    bonus: np.ndarray

    @property
    def goods(self) -> np.ndarray:
        """What the goods cost, per shopper and shop."""
        return self.unit_price * self.quantity

    @property
    def cost_to_customer(self) -> np.ndarray:
        """The money side of the choice: goods plus fee, less the value of extra goods."""
        return self.goods + self.fee - self.extra_value


@dataclass
class Orders:
    """The day's orders at one shop, as strategies see them (one row per order)."""

    slots: np.ndarray
    region: np.ndarray
    goods: np.ndarray  # charged for the goods
    fee: np.ndarray  # charged for shipping
    quantity: np.ndarray
    first_ever: np.ndarray  # the customer's first order from the shop
    lead_days: np.ndarray  # days until an on-time parcel arrives; strategies may shorten it


class Strategy:
    """Base class: a loyalty lever of one shop. Subclasses override the hooks they need."""

    #: Key under ``[shops.<name>.strategies]``.
    key: ClassVar[str]
    #: Pydantic model of the strategy's section.
    config_model: ClassVar[type]

    def __init__(self, context: ShopContext, shop: int, config: Any) -> None:
        self.context = context
        self.shop = shop
        self.config = config

    @classmethod
    def problems(
        cls, section: Mapping[str, Any], levers: Mapping[str, Any], regions: list[str]
    ) -> list[SectionProblem]:
        """Cross-field problems of this strategy's ``section`` (a raw mapping, before validation).

        ``levers`` is the shop's whole ``strategies`` table (a lever may need another) and
        ``regions`` the market's region names. Key paths are relative to the section; the
        scenario layer prefixes ``shops.<name>.strategies.<key>``. Default: none.
        """
        return []

    def adjust(self, params: ShopArrays) -> ShopArrays:
        """Change the shop's static parameters; default: none."""
        return params

    def need_boost(self, slots: np.ndarray) -> np.ndarray | None:
        """Multiplier (>= 1) of the need probability of customers ``slots``; None: none."""
        return None

    def max_need_boost(self) -> float:
        """The largest multiplier ``need_boost`` can return (bounds the thinning)."""
        return 1.0

    def offer(self, offer: Offer) -> None:
        """Edit column ``self.shop`` of the day's offer."""

    def after_purchase(self, orders: Orders) -> None:
        """React to the shop's orders of the day."""

    def on_day(self, day: int) -> None:
        """Calendar work and daily costs."""

    def forget(self, slots: np.ndarray) -> None:
        """Customers in ``slots`` left the market; clear what is kept about them."""

    def switching_cost(self, slots: np.ndarray, basket: float) -> np.ndarray | None:
        """What customers ``slots`` would forfeit by leaving the shop, in currency; None: nothing.

        ``basket`` is the price of a typical order there (benefits such as a discount are
        worth a share of it). The churn rule weighs the sum over the shop's strategies.
        """
        return None

    def standing(self, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Tier (an index into ``tier_names``, -1: none) and points of ``slots``.

        None: the lever has no such thing. The records and the order log show them.
        """
        return None

    #: Names of the tiers ``standing`` indexes.
    tier_names: tuple[str, ...] = ()

    # helpers for subclasses -------------------------------------------------------------
    def pay(self, amount: float | np.ndarray) -> None:
        """Book an outlay of this strategy in the shop's ``strategy_cost``."""
        total = float(np.sum(amount))
        if total:
            self.context.pay(self.shop, total)

    def nudge(self, slots: np.ndarray, satisfaction: float, trust: float) -> None:
        """Nudge customers' satisfaction and trust in this shop (see ``ShopContext.nudge``)."""
        self.context.nudge(slots, self.shop, satisfaction=satisfaction, trust=trust)

    def customers(self) -> np.ndarray:
        """Active customers who have ordered from the shop and not dropped it."""
        state = self.context.state
        return np.flatnonzero(
            state.active
            & (state.last_order_day[:, self.shop] != NEVER)
            & ~state.dropped[:, self.shop]
        )


class CouponBook:
    """Per-customer coupons of one strategy: a share off the next order, valid until a day."""

    def __init__(self, slots: int) -> None:
        self.share = np.zeros(slots)
        self.valid_until = np.full(slots, -(2**31), np.int64)

    def give(self, slots: np.ndarray, share: float, day: int, until: int) -> None:
        """Give coupons on ``day`` valid until ``until`` (a better valid coupon is kept)."""
        current = self.valid(slots, day)
        better = current > share
        self.share[slots] = np.where(better, current, share)
        self.valid_until[slots] = np.where(better, self.valid_until[slots], until)

    def valid(self, slots: np.ndarray, day: int) -> np.ndarray:
        """Share off for each of ``slots`` today (0 without a valid coupon)."""
        return np.where(self.valid_until[slots] >= day, self.share[slots], 0.0)

    def use(self, slots: np.ndarray) -> None:
        """Coupons are spent."""
        self.share[slots] = 0.0
        self.valid_until[slots] = -(2**31)

    def forget(self, slots: np.ndarray) -> None:
        """Customers left: their coupons go."""
        self.use(slots)


def is_birthday(uid: np.ndarray, day: int) -> np.ndarray:
    """Whether today is each customer's birthday (a fixed day of the year per customer).

    The day comes from the customer's id by a multiplicative hash, so it costs no random
    numbers and stays the same for the customer's whole life in the market.
    """
    return (uid * 7919 + 13) % 365 == day % 365
