"""The shopping phase: who needs to buy, what each shop offers, where they buy, the orders.

Strategies take part at two points: they edit the offer (prices, fees, coupons, points'
value) before the choice, and see their shop's orders after it (points earned, faster
couriers for members), before the parcels are sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from loyaltysim.engine.draws import Decision
from loyaltysim.engine.state import NEVER, cells, rows
from loyaltysim.mechanisms import choice, delivery, switching
from loyaltysim.mechanisms.economics import order_margin
from loyaltysim.mechanisms.needs import leaves_category, needers
from loyaltysim.strategies import Offer, Orders

if TYPE_CHECKING:
    from loyaltysim.engine.model import LoyaltyModel


@dataclass(frozen=True)
class Purchases:
    """Today's purchases across shops, one row per buyer (a customer buys once a day)."""

    slot: np.ndarray
    shop: np.ndarray
    region: np.ndarray
    goods: np.ndarray  # charged for the goods
    fee: np.ndarray  # charged for shipping
    quantity: np.ndarray

    @cached_property
    def paid(self) -> np.ndarray:
        """What the customer pays: goods and shipping."""
        return self.goods + self.fee


def shopping(model: LoyaltyModel) -> None:
    """Needs, choice and orders: who buys where today, and the parcels it sends out."""
    state = model.state
    who = _needers(model)
    if who.size == 0:
        return
    seg = state.segment[who]
    offer = _offer(model, who)
    utility = choice.utilities(
        model.weights,
        who,
        state.expectation,
        state.trust,
        state.satisfaction,
        state.experiences,
        state.main_shop,
        rating=model.ratings.rating,
        price_paid=offer.cost_to_customer,
        price_sensitivity=state.price_sensitivity[who] * model.segments.price_weight[seg],
        quality_weight=model.segments.quality_weight[seg],
    )
    utility += offer.bonus
    available = rows(state.aware, who) & ~rows(state.dropped, who)
    available &= ~model.schedule.closed(model.day)
    chosen = choice.choose(
        model.keyed(Decision.CHOICE, who), utility, available, model.weights.outside_utility
    )
    buys = np.flatnonzero(chosen != choice.OUTSIDE)
    shop = chosen[buys]
    bought = Purchases(
        slot=who[buys],
        shop=shop,
        region=offer.region[buys],
        goods=offer.goods[buys, shop],
        fee=offer.fee[buys, shop],
        quantity=offer.quantity[buys, shop],
    )
    dropout = model.segments.drop_out
    if dropout:  # a repeat purchase in the category: an order anywhere before this one
        repeat = (rows(state.last_order_day, bought.slot) != NEVER).any(axis=1)
    discount = _discount(model, bought)
    first_ever = _book(model, bought, discount)
    _send(model, bought, _lead_days(model, bought, first_ever), discount)
    if dropout:
        _drop_out(model, bought.slot[repeat])


def _drop_out(model: LoyaltyModel, slot: np.ndarray) -> None:
    """After a repeat purchase, a customer leaves the category with its dropout chance.

    As in the BG/NBD, a customer's first purchase in the category is never its last by
    dropout; the parcel still arrives and is experienced (and talked about).
    """
    chance = model.state.dropout[slot]
    model.mutate.drop_out(slot[leaves_category(model.keyed(Decision.DROPOUT, slot), chance)])


def _needers(model: LoyaltyModel) -> np.ndarray:
    """Who needs to buy today: segment rates, festivals, loyalty programmes' pull."""
    boosters = [st for st in model.strategies if st.max_need_boost() > 1.0]
    festival = model.schedule.need_multiplier(model.day)

    def boost(slots: np.ndarray) -> np.ndarray:
        out = np.full(slots.shape[0], festival)
        for strategy in boosters:
            out *= strategy.need_boost(slots)
        return out

    max_boost = festival * float(np.prod([st.max_need_boost() for st in boosters]))
    state, segments = model.state, model.segments
    return needers(
        model.draws.stream(Decision.NEED, model.day, state.uid),  # every slot, no gather
        state.active,
        state.segment,
        segments.purchase_rate,
        boost if max_boost > 1.0 else None,
        max_boost,
        scale=state.need_scale if segments.heterogeneous else None,
        alive=state.alive if segments.drop_out else None,
    )


def _offer(model: LoyaltyModel, who: np.ndarray) -> Offer:
    """What each shop offers today's shoppers: list prices, then every strategy's edits."""
    p, k = model.shop_params, who.shape[0]
    spread = model.config.market.basket_spread
    if spread > 0:
        basket = model.keyed(Decision.BASKET, who).lognormal(-(spread**2) / 2, spread, k)
    else:
        basket = np.ones(k)
    region = model.state.region[who]
    offer = Offer(
        slots=who,
        region=region,
        quantity=np.repeat(basket[:, None], model.n_shops, axis=1),
        unit_price=np.repeat(p.price[None, :], k, axis=0),
        fee=p.shipping_fee[:, region].T.copy(),
        extra_value=np.zeros((k, model.n_shops)),
        bonus=np.zeros((k, model.n_shops)),
    )
    for strategy in model.strategies:
        strategy.offer(offer)
    return offer


def _book(model: LoyaltyModel, bought: Purchases, discount: np.ndarray) -> np.ndarray:
    """Book the money and the customers' records, move main shops; return first orders."""
    p, slot, shop, region = model.shop_params, bought.slot, bought.shop, bought.region
    cost_of_goods = p.unit_cost[shop] * bought.quantity
    courier = p.shipping_cost[shop, region]
    first_ever = cells(model.state.last_order_day, slot, shop) == NEVER
    acquisition = p.acquisition_cost[shop] * first_ever
    ones = np.ones(shop.shape[0])
    model.ledger.add_columns(
        shop,
        {
            "orders": ones,
            "buyers": ones,
            "revenue": bought.paid,
            "discounts": discount,
            "cost_of_goods": cost_of_goods,
            "shipping_cost": courier,
            "new_customers": first_ever,
            "acquisition": acquisition,
        },
    )
    margin = order_margin(bought.paid, cost_of_goods, courier) - acquisition
    model.mutate.order(slot, shop, model.day, bought.paid, margin, model.recording)
    state = model.state
    main_shop = switching.update_main_shop(
        state.main_shop[slot],
        state.challenger[slot],
        state.challenger_wins[slot],
        shop,
        model.config.market.switch_after,
    )
    model.mutate.set_main_shop(slot, *main_shop)
    return first_ever


def _discount(model: LoyaltyModel, bought: Purchases) -> np.ndarray:
    """What each order saved against the list price and fee (coupons, tiers, free shipping)."""
    p, shop = model.shop_params, bought.shop
    list_price = p.price[shop] * bought.quantity + p.shipping_fee[shop, bought.region]
    return np.maximum(list_price - bought.paid, 0.0)


def _lead_days(model: LoyaltyModel, bought: Purchases, first_ever: np.ndarray) -> np.ndarray:
    """Days until each on-time parcel arrives: the courier's, then each strategy's changes.

    Each strategy sees its own shop's orders (points earned, faster couriers for members).
    """
    lead = model.shop_params.lead_days[bought.shop, bought.region].copy()
    for strategy in model.strategies:
        mine = bought.shop == strategy.shop
        if mine.any():
            orders = Orders(
                slots=bought.slot[mine],
                region=bought.region[mine],
                goods=bought.goods[mine],
                fee=bought.fee[mine],
                quantity=bought.quantity[mine],
                first_ever=first_ever[mine],
                lead_days=lead[mine],
            )
            strategy.after_purchase(orders)
            lead[mine] = orders.lead_days
    return lead


def _send(
    model: LoyaltyModel, bought: Purchases, lead_days: np.ndarray, discount: np.ndarray
) -> None:
    """The parcels go out, each with its fate drawn now (on time, late, damaged, lost)."""
    p, shop, region = model.shop_params, bought.shop, bought.region
    outcome, delay = delivery.draw_outcomes(
        model.keyed(Decision.DELIVERY, bought.slot),
        p.on_time[shop, region],
        p.damage_rate[shop, region],
        p.loss_rate[shop, region],
        p.mean_delay_days[shop, region],
    )
    order = {}
    if model.order_log is not None:  # the order's details travel with it, for the log
        order = {
            "ordered": np.full(shop.shape[0], model.day),
            "goods": bought.goods,
            "fee": bought.fee,
            "quantity": bought.quantity,
            "discount": discount,
            **model.standings.at(bought.slot, shop),  # after the purchase's points
        }
    model.parcels.add(
        slot=bought.slot,
        uid=model.state.uid[bought.slot],
        shop=shop,
        outcome=outcome,
        delay=delay,
        days=np.rint(lead_days).astype(np.int64) + delay,
        due=model.day + np.rint(lead_days).astype(np.int64) + delay,
        paid=bought.paid,
        **order,
    )
