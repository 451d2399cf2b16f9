"""The loyalty model: one Mesa model, one step per day.

The daily order of events (see ``docs/architecture.md``)::

    breaches -> arrivals/departures/life-cycle -> advertising, reconsideration
    -> needs -> choice -> orders (money, main shop, parcels dispatched)
    -> deliveries due today -> experience, satisfaction, trust -> complaints and recovery
    -> ratings -> churn -> word of mouth -> daily figures

Customers are ``mesa.Agent``s, but their state lives in
:class:`~loyaltysim.engine.state.CustomerState` arrays and every mechanism is a vectorised
function in :mod:`loyaltysim.mechanisms`; the step never loops over customers in Python.
"""

from __future__ import annotations

from functools import cached_property

import mesa
import numpy as np
from mesa.discrete_space import Network

from loyaltysim.engine.agents import Customer, Shop
from loyaltysim.engine.context import ModelContext
from loyaltysim.engine.ledger import DailyLedger, close_day, reporters
from loyaltysim.engine.network import build_adjacency, to_networkx
from loyaltysim.engine.params import SegmentArrays, ShopArrays
from loyaltysim.engine.records import DepartedLog
from loyaltysim.engine.sampling import bernoulli_indices
from loyaltysim.engine.schedule import EventSchedule
from loyaltysim.engine.state import NEVER, NO_SHOP, CustomerState
from loyaltysim.engine.totals import ShopTotals
from loyaltysim.mechanisms import (
    awareness,
    choice,
    complaints,
    delivery,
    experience,
    population,
    switching,
    word_of_mouth,
)
from loyaltysim.mechanisms.economics import order_margin
from loyaltysim.mechanisms.needs import needers
from loyaltysim.mechanisms.ratings import RatingBoard, stars
from loyaltysim.scenario.events import DataBreach, ProductRecall, ShopEntry
from loyaltysim.scenario.schema import Scenario
from loyaltysim.strategies import REGISTRY, Offer, Orders, Strategy

#: Days in a month of ``order_months`` (bit m: an order in recorded days 30m..30m+29).
MONTH_DAYS = 30


class LoyaltyModel(mesa.Model):
    """Customers buying from competing online shops, one step per day.

    Args:
        scenario: A validated scenario (its ``variants`` are ignored: pass
            :func:`loyaltysim.scenario.schema.variant_of` for a variant).
        rng: Seed or generator; every random draw of the model comes from ``self.rng``.
        create_agents: Create a ``Customer`` agent per customer (about 3 us each). Benchmarks
            of the array core may switch it off; the simulation does not depend on it.

    """

    def __init__(
        self,
        scenario: Scenario,
        rng: int | np.random.Generator | None = None,
        *,
        create_agents: bool = True,
    ) -> None:
        super().__init__(rng=rng)
        self.config = scenario
        market, exp = scenario.market, scenario.experience
        self.segments = SegmentArrays.from_scenario(scenario)
        self.regions = list(market.regions)
        self.n_shops = len(scenario.shops)
        self.day = -scenario.run.warmup_days
        self.schedule = EventSchedule(
            scenario.events, list(scenario.shops), self.regions, scenario.run.start_date
        )
        self.weights = choice.ChoiceWeights(
            quality=market.quality_weight,
            trust=market.trust_weight,
            satisfaction=market.satisfaction_weight,
            rating=market.rating_weight,
            switching_cost=market.switching_cost,
            reference_price=market.reference_price,
            outside_utility=market.outside_utility,
        )
        self.newcomers = population.Newcomers(
            region_share=np.array([r.share for r in market.regions.values()]),
            price_sensitivity=market.price_sensitivity,
            price_sensitivity_spread=market.price_sensitivity_spread,
            talkativeness_spread=exp.talkativeness_spread,
        )
        self.state = CustomerState.empty(self._capacity(), self.n_shops)
        self.strategies: list[Strategy] = []
        context = ModelContext(self)
        for s, shop in enumerate(scenario.shops.values()):
            for cls in REGISTRY:
                config = getattr(shop.strategies, cls.key)
                if config is not None:
                    self.strategies.append(cls(context, s, config))
        self.base_params = ShopArrays.from_scenario(scenario)
        for strategy in self.strategies:
            self.base_params = strategy.adjust(self.base_params)
        self.shop_params = self.schedule.apply(self.base_params, self.day)
        self.festival_today = False
        self.impression = awareness.FirstImpression(
            promise=self.shop_params.promise,
            delivery_weight=self.segments.delivery_weight,
            initial_trust=market.initial_trust,
        )
        net = scenario.network
        self.adjacency = build_adjacency(
            net.kind,
            self.state.slots,
            net.mean_degree,
            self.rng,
            rewire=net.rewire,
            exponent=net.exponent,
        )
        self.ratings = RatingBoard(self.n_shops, exp.rating_prior_mean, exp.rating_prior_weight)
        self.parcels = delivery.ParcelQueue()
        self.departed = DepartedLog(self.n_shops)
        self.ledger = DailyLedger(self.n_shops)
        self.totals = ShopTotals.zeros(self.n_shops)
        self.shops = [
            Shop(self, i, name, cfg) for i, (name, cfg) in enumerate(scenario.shops.items())
        ]
        self._create_agents = create_agents
        self._customers: dict[int, Customer] = {}
        self._next_uid = 0
        self._arrive(np.arange(market.customers), initial=True)
        self.datacollector = mesa.DataCollector(agenttype_reporters={Shop: reporters()})

    # ------------------------------------------------------------------ set-up helpers
    def _capacity(self) -> int:
        """Slots for the initial customers plus room for net growth of the population."""
        market, run = self.config.market, self.config.run
        n = market.customers
        growth = max(market.arrival_rate - market.departure_rate, 0.0)
        total_days = run.days + run.warmup_days
        expected = n * growth * total_days
        return n + int(np.ceil(1.2 * expected + 5 * np.sqrt(expected + 1)))

    def _arrive(self, rows: np.ndarray, initial: bool = False) -> None:
        population.populate(
            self.rng,
            self.state,
            rows,
            self.day,
            newcomers=self.newcomers,
            segments=self.segments,
            shops=self.shop_params,
            impression=self.impression,
            initial=initial,
            closed=self.schedule.closed(self.day),
        )
        uids = np.arange(self._next_uid, self._next_uid + rows.shape[0])
        self._next_uid += rows.shape[0]
        self.state.uid[rows] = uids
        self.totals.add_rows(self.state, rows, +1)
        if self._create_agents:
            for slot in rows.tolist():
                self._customers[slot] = Customer(self, slot)

    @property
    def recording(self) -> bool:
        """Whether today's figures count (the warm-up is over)."""
        return self.day >= 0

    # ------------------------------------------------------------------ the day
    def step(self) -> None:
        """Simulate one day."""
        self.ledger = DailyLedger(self.n_shops)
        if self.day == 0:
            self.state.reset_recording()
        self.shop_params = self.schedule.apply(self.base_params, self.day)
        self.festival_today = self.schedule.festival(self.day) is not None
        self._events()
        self._breaches()
        self._population()
        self.totals.aware += awareness.advertise(
            self.rng, self.state, self.shop_params.advertising_reach, self.impression
        )
        rows, shop = awareness.reconsider(
            self.rng, self.state, self.config.experience.reconsider_rate
        )
        self.totals.shift("aware", shop)
        self.totals.shift("customers", shop[self.state.last_order_day[rows, shop] != NEVER])
        for strategy in self.strategies:
            strategy.on_day(self.day)
        self._buy()
        self._deliver()
        self._close_day()
        self.day += 1

    def _population(self) -> None:
        state, market = self.state, self.config.market
        leaving = np.union1d(
            population.random_departures(self.rng, state.active, market.departure_rate),
            population.advance_stages(state, self.segments, self.day),
        )
        if leaving.size:
            self._leave(leaving)
        arrivals = int(self.rng.poisson(market.arrival_rate * market.customers))
        if arrivals:
            self._arrive(population.free_slots(state.active, arrivals))

    def _leave(self, slots: np.ndarray) -> None:
        """Customers leave the market: their ties to shops end, their slots are freed."""
        state = self.state
        tied = (state.last_order_day[slots] != NEVER) & ~state.dropped[slots]
        self.ledger.add("churned", np.nonzero(tied)[1])
        open_ = state.churn_day[slots] == NEVER
        state.churn_day[slots] = np.where(tied & open_, self.day, state.churn_day[slots])
        self.departed.add(state, slots, self.day)
        self.totals.add_rows(state, slots, -1)
        for strategy in self.strategies:
            strategy.forget(slots)
        state.active[slots] = False
        for slot in slots.tolist():
            agent = self._customers.pop(slot, None)
            if agent is not None:
                agent.remove()

    def _events(self) -> None:
        """Today's one-day events: breaches, recalls and shops opening."""
        names = list(self.config.shops)
        for event in self.schedule.on_day(DataBreach, self.day):
            self._breach(names.index(event.shop))
        for event in self.schedule.on_day(ProductRecall, self.day):
            self._shock(names.index(event.shop), event.trust_loss, event.satisfaction_loss)
        for event in self.schedule.on_day(ShopEntry, self.day):
            s = names.index(event.shop)
            rows = bernoulli_indices(
                self.rng, self.state.slots, self.base_params.initial_awareness[s]
            )
            new = awareness.learn_of(self.state, rows, np.full(rows.size, s), self.impression)
            self.totals.shift("aware", np.full(int(new.sum()), s))

    def _breaches(self) -> None:
        """Random data breaches, at each shop's ``privacy_breach_rate``."""
        for s in np.flatnonzero(
            self.rng.random(self.n_shops) < self.shop_params.privacy_breach_rate
        ):
            self._breach(int(s))

    def _breach(self, s: int) -> None:
        """A data breach at shop ``s``: trust and satisfaction fall, and word spreads."""
        p = self.shop_params
        self.ledger.add_per_shop("breaches", np.eye(self.n_shops)[s])
        self._shock(s, p.breach_trust_loss[s], p.breach_satisfaction_loss[s])

    def _shock(self, s: int, trust_loss: float, satisfaction_loss: float) -> None:
        """A shock to shop ``s`` (a breach, a recall).

        Everyone who knows the shop trusts it less; its customers are less satisfied, and
        some tell their contacts.
        """
        state = self.state
        known = np.flatnonzero(state.active & (state.aware[:, s] | state.dropped[:, s]))
        state.trust[known, s] *= 1.0 - trust_loss
        hurt = known[state.experiences[known, s] > 0]
        state.satisfaction[hurt, s] *= 1.0 - satisfaction_loss
        self.totals = ShopTotals.count(state)
        exp = self.config.experience
        talk = self.rng.random(hurt.size) < exp.negative_propensity * state.talkativeness[hurt]
        count = int(talk.sum())
        self._spread(hurt[talk], np.full(count, s), np.zeros(count, bool))

    def _needers(self) -> np.ndarray:
        """Who needs to buy today: segment rates, festivals, loyalty programmes' pull."""
        boosters = [st for st in self.strategies if st.max_need_boost() > 1.0]
        festival = self.schedule.need_multiplier(self.day)

        def boost(slots: np.ndarray) -> np.ndarray:
            out = np.full(slots.shape[0], festival)
            for strategy in boosters:
                out *= strategy.need_boost(slots)
            return out

        max_boost = festival * float(np.prod([st.max_need_boost() for st in boosters]))
        state = self.state
        return needers(
            self.rng,
            state.active,
            state.segment,
            self.segments.purchase_rate,
            boost if max_boost > 1.0 else None,
            max_boost,
        )

    def _offer(self, who: np.ndarray) -> Offer:
        """What each shop offers today's shoppers: list prices, then every strategy's edits."""
        p, k = self.shop_params, who.shape[0]
        spread = self.config.market.basket_spread
        basket = self.rng.lognormal(-(spread**2) / 2, spread, k) if spread > 0 else np.ones(k)
        region = self.state.region[who]
        offer = Offer(
            slots=who,
            region=region,
            quantity=np.repeat(basket[:, None], self.n_shops, axis=1),
            unit_price=np.repeat(p.price[None, :], k, axis=0),
            fee=p.shipping_fee[:, region].T.copy(),
            extra_value=np.zeros((k, self.n_shops)),
            bonus=np.zeros((k, self.n_shops)),
        )
        for strategy in self.strategies:
            strategy.offer(offer)
        return offer

    def _buy(self) -> None:
        """Needs, choice and orders: who buys where today, and the parcels it sends out."""
        state = self.state
        who = self._needers()
        if who.size == 0:
            return
        seg = state.segment[who]
        offer = self._offer(who)
        utility = choice.utilities(
            self.weights,
            expectation=state.expectation[who],
            trust=state.trust[who],
            satisfaction=state.satisfaction[who],
            experienced=state.experiences[who] > 0,
            rating=self.ratings.rating,
            price_paid=offer.cost_to_customer,
            price_sensitivity=state.price_sensitivity[who] * self.segments.price_weight[seg],
            quality_weight=self.segments.quality_weight[seg],
            is_main=state.main_shop[who, None] == np.arange(self.n_shops)[None, :],
        )
        utility += offer.bonus
        available = state.aware[who] & ~state.dropped[who] & ~self.schedule.closed(self.day)
        chosen = choice.choose(self.rng, utility, available, self.weights.outside_utility)
        buys = np.flatnonzero(chosen != choice.OUTSIDE)
        shop = chosen[buys]
        self._place_orders(
            slot=who[buys],
            shop=shop,
            region=offer.region[buys],
            goods=offer.goods[buys, shop],
            fee=offer.fee[buys, shop],
            quantity=offer.quantity[buys, shop],
        )

    def _place_orders(
        self,
        slot: np.ndarray,
        shop: np.ndarray,
        region: np.ndarray,
        goods: np.ndarray,
        fee: np.ndarray,
        quantity: np.ndarray,
    ) -> None:
        """Book the money, update customer records and main shops, send the parcels."""
        state, p, ledger = self.state, self.shop_params, self.ledger
        paid = goods + fee
        cost_of_goods = p.unit_cost[shop] * quantity
        courier = p.shipping_cost[shop, region]
        margin = order_margin(paid, cost_of_goods, courier)
        first_ever = state.last_order_day[slot, shop] == NEVER
        list_price = p.price[shop] * quantity + p.shipping_fee[shop, region]
        ones = np.ones(shop.shape[0])
        ledger.add_columns(
            shop,
            {
                "orders": ones,
                "buyers": ones,
                "revenue": paid,
                "discounts": np.maximum(list_price - paid, 0.0),
                "cost_of_goods": cost_of_goods,
                "shipping_cost": courier,
                "new_customers": first_ever,
                "acquisition": p.acquisition_cost[shop] * first_ever,
            },
        )
        self.totals.shift("customers", shop[first_ever])
        if self.recording:
            state.orders[slot, shop] += 1
            month = np.uint64(min(self.day // MONTH_DAYS, 63))
            state.order_months[slot, shop] |= np.uint64(1) << month
            state.spend[slot, shop] += paid
            state.margin[slot, shop] += margin - p.acquisition_cost[shop] * first_ever
        state.first_order_day[slot[first_ever], shop[first_ever]] = self.day
        state.last_order_day[slot, shop] = self.day
        main, chall, wins = switching.update_main_shop(
            state.main_shop[slot],
            state.challenger[slot],
            state.challenger_wins[slot],
            shop,
            self.config.market.switch_after,
        )
        state.main_shop[slot], state.challenger[slot], state.challenger_wins[slot] = (
            main,
            chall,
            wins,
        )
        lead = p.lead_days[shop, region].copy()
        for strategy in self.strategies:
            mine = shop == strategy.shop
            if mine.any():
                orders = Orders(
                    slots=slot[mine],
                    region=region[mine],
                    goods=goods[mine],
                    fee=fee[mine],
                    quantity=quantity[mine],
                    first_ever=first_ever[mine],
                    lead_days=lead[mine],
                )
                strategy.after_purchase(orders)
                lead[mine] = orders.lead_days
        outcome, delay = delivery.draw_outcomes(
            self.rng,
            p.on_time[shop, region],
            p.damage_rate[shop, region],
            p.loss_rate[shop, region],
            p.mean_delay_days[shop, region],
        )
        self.parcels.add(
            slot=slot,
            uid=state.uid[slot],
            shop=shop,
            outcome=outcome,
            delay=delay,
            due=self.day + np.rint(lead).astype(np.int64) + delay,
            paid=paid,
        )

    def _deliver(self) -> None:
        """Parcels due today, at most one per customer and shop.

        When two parcels of one customer from one shop fall due on the same day, the second
        waits until the next day, so that each experience starts from the state the one
        before it left (the courier brings them one at a time).
        """
        parcels = self.parcels.pop_due(self.day)
        key = parcels["slot"] * self.n_shops + parcels["shop"]
        first = np.zeros(key.size, bool)
        first[np.unique(key, return_index=True)[1]] = True
        if not first.all():
            later = {name: v[~first] for name, v in parcels.items()}
            later["due"] = np.full(later["due"].shape, self.day + 1)
            self.parcels.add(**later)
            parcels = {name: v[first] for name, v in parcels.items()}
        self._experience(parcels)

    def _experience(self, parcels: dict[str, np.ndarray]) -> None:
        """Experience, satisfaction, trust, complaints, ratings, churn, talk (one per pair)."""
        state, p, cfg = self.state, self.shop_params, self.config.experience
        current = state.active[parcels["slot"]] & (state.uid[parcels["slot"]] == parcels["uid"])
        slot, shop = parcels["slot"][current], parcels["shop"][current]
        if slot.size == 0:
            return
        outcome, delay, paid = (
            parcels["outcome"][current],
            parcels["delay"][current],
            parcels["paid"][current],
        )
        region = state.region[slot]
        product = np.clip(
            p.quality[shop] + self.rng.normal(0.0, cfg.quality_noise, slot.size), 0.0, 1.0
        )
        score = delivery.delivery_score(
            outcome,
            delay,
            p.tracking[shop, region],
            cfg.late_penalty,
            cfg.tracking_relief,
            cfg.damaged_score,
        )
        performance = experience.perceived_performance(
            product, score, self.segments.delivery_weight[state.segment[slot]]
        )
        expect0 = state.expectation[slot, shop]
        trust0 = state.trust[slot, shop]
        sat0 = state.satisfaction[slot, shop]
        first = state.experiences[slot, shop] == 0
        felt = experience.experience_satisfaction(performance, expect0, cfg.gain, cfg.loss)
        sat1 = experience.updated_satisfaction(sat0, felt, first, cfg.satisfaction_learning)
        trust1 = experience.updated_trust(
            trust0, performance, expect0, cfg.promise_tolerance, cfg.trust_gain, cfg.trust_loss
        )
        handled = complaints.handle_complaints(
            self.rng,
            felt,
            p.response_days[shop],
            p.resolution_rate[shop],
            cfg.complaint_threshold,
            np.minimum(cfg.complaint_propensity * p.complaint_voice[shop], 1.0),
            cfg.patience_days,
        )
        before = np.where(first, expect0, sat0)
        pen = cfg.unresolved_penalty
        sat2 = complaints.recovered(before, sat1, handled, p.recovery[shop], pen)
        trust2 = complaints.recovered(trust0, trust1, handled, p.trust_recovery[shop], pen)
        # as stored, so the running totals move by exactly what the state moves
        sat2 = sat2.astype(state.satisfaction.dtype)
        trust2 = trust2.astype(state.trust.dtype)
        felt = complaints.recovered(expect0, felt, handled, p.recovery[shop], pen)
        state.satisfaction[slot, shop] = sat2
        state.trust[slot, shop] = trust2
        state.expectation[slot, shop] = experience.updated_expectation(
            expect0, performance, cfg.expectation_learning
        )
        state.experiences[slot, shop] += 1
        totals = self.totals
        totals.shift("experienced", shop[first])
        totals.shift("satisfaction_sum", shop, sat2 - np.where(first, 0.0, sat0))
        totals.shift("trust_sum", shop, trust2 - np.where(first, 0.0, trust0))

        ledger = self.ledger
        lost = outcome == delivery.Outcome.LOST
        compensation = p.compensation[shop] * p.price[shop] * handled.resolved
        rated = self.rng.random(slot.size) < cfg.rating_propensity
        ledger.add_columns(
            shop,
            {
                "deliveries": np.ones(shop.shape[0]),
                "late": outcome == delivery.Outcome.LATE,
                "damaged": outcome == delivery.Outcome.DAMAGED,
                "lost": lost,
                "refunds": paid * lost,
                "complaints": handled.complained,
                "complaints_resolved": handled.resolved,
                "compensation": compensation,
                "ratings": rated,
            },
        )
        if self.recording:
            state.margin[slot, shop] -= compensation + paid * lost
        self.ratings.add(shop[rated], stars(felt[rated]))

        churned = switching.churns(
            self.rng, felt, trust2, cfg.churn_threshold, cfg.churn_propensity, cfg.trust_floor
        )
        churned &= ~state.dropped[slot, shop]
        self._drop(slot[churned], shop[churned])

        praise, decry = word_of_mouth.who_talks(
            self.rng,
            felt,
            state.talkativeness[slot] * p.talk_boost[shop],
            cfg.positive_threshold,
            cfg.negative_threshold,
            cfg.positive_propensity,
            cfg.negative_propensity,
        )
        talk = praise | decry
        self._spread(slot[talk], shop[talk], praise[talk])

    def _drop(self, slot: np.ndarray, shop: np.ndarray) -> None:
        """Customers churn from shops: no longer considered, main shop lost."""
        state = self.state
        self.totals.shift("aware", shop[state.aware[slot, shop]], -1.0)
        self.totals.shift("customers", shop[state.last_order_day[slot, shop] != NEVER], -1.0)
        state.dropped[slot, shop] = True
        first = state.churn_day[slot, shop] == NEVER  # retention counts the first loss
        state.churn_day[slot[first], shop[first]] = self.day
        lost_main = state.main_shop[slot] == shop
        state.main_shop[slot[lost_main]] = NO_SHOP
        self.ledger.add("churned", shop)

    def _spread(self, talker: np.ndarray, shop: np.ndarray, positive: np.ndarray) -> None:
        """Talkers tell their contacts; listeners learn of the shop and change their minds."""
        if talker.size == 0:
            return
        net, state = self.config.network, self.state
        strength = np.minimum(net.tie_strength * self.shop_params.reach_boost[shop], 1.0)
        position, listener = word_of_mouth.contacts(
            self.rng, self.adjacency, talker, state.slots, net.mean_degree, strength
        )
        shop, positive = shop[position], positive[position]
        listening = state.active[listener] & ~state.dropped[listener, shop]
        listener, shop, positive = listener[listening], shop[listening], positive[listening]
        self.ledger.add("wom_positive", shop[positive])
        self.ledger.add("wom_negative", shop[~positive])
        new = awareness.learn_of(state, listener, shop, self.impression)
        self.totals.shift("aware", shop[new])
        key = listener * self.n_shops + shop
        pairs, inverse = np.unique(key, return_inverse=True)
        n_pos = np.bincount(inverse, weights=positive, minlength=pairs.size)
        n_neg = np.bincount(inverse, weights=~positive, minlength=pairs.size)
        rows, cols = np.divmod(pairs, self.n_shops)
        cfg = self.config.experience
        up, down = cfg.positive_influence, cfg.negative_influence
        state.expectation[rows, cols] = word_of_mouth.compounded(
            state.expectation[rows, cols], n_pos, n_neg, up, down
        )
        old = state.trust[rows, cols]
        state.trust[rows, cols] = word_of_mouth.compounded(old, n_pos, n_neg, up, down)
        experienced = state.experiences[rows, cols] > 0
        self.totals.shift("trust_sum", cols, (state.trust[rows, cols] - old) * experienced)

    def _close_day(self) -> None:
        """Work out the day's figures per shop and hand them to the DataCollector."""
        if not self.recording:
            return
        figures = close_day(self.ledger, self.totals, self.ratings.rating, self.shop_params)
        for shop in self.shops:
            shop.record({name: values[shop.index].item() for name, values in figures.items()})
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ strategy services
    def nudge(self, slots: np.ndarray, shop: int, satisfaction: float, trust: float) -> None:
        """Raise customers' satisfaction and trust in ``shop`` (care touches, gifts).

        Each closes the given share of its gap to 1; satisfaction only moves for customers
        who have experienced the shop. The running totals move with the state.
        """
        state, totals = self.state, self.totals
        slots = slots[state.active[slots]]
        experienced = state.experiences[slots, shop] > 0
        old_sat, old_trust = state.satisfaction[slots, shop], state.trust[slots, shop]
        new_sat = np.where(experienced, old_sat + satisfaction * (1.0 - old_sat), old_sat)
        new_trust = old_trust + trust * (1.0 - old_trust)
        state.satisfaction[slots, shop] = new_sat
        state.trust[slots, shop] = new_trust
        index = np.full(slots.size, shop)
        moved_sat = state.satisfaction[slots, shop].astype(np.float64) - old_sat
        moved_trust = state.trust[slots, shop].astype(np.float64) - old_trust
        totals.shift("satisfaction_sum", index, moved_sat * experienced)
        totals.shift("trust_sum", index, moved_trust * experienced)

    def reconsider(self, slots: np.ndarray, shop: int) -> None:
        """Churned customers consider ``shop`` again (e.g. after a win-back coupon)."""
        state = self.state
        back = slots[state.active[slots] & state.dropped[slots, shop]]
        state.dropped[back, shop] = False
        state.aware[back, shop] = True
        index = np.full(back.size, shop)
        self.totals.shift("aware", index)
        self.totals.shift("customers", index[state.last_order_day[back, shop] != NEVER])

    # ------------------------------------------------------------------ views
    @property
    def customers(self) -> list[Customer]:
        """The Customer agents currently in the market (slot order)."""
        return [self._customers[s] for s in sorted(self._customers)]

    def customer(self, slot: int) -> Customer:
        """The Customer agent in ``slot``."""
        return self._customers[slot]

    @cached_property
    def network(self) -> Network:
        """The social network as a ``mesa.discrete_space.Network`` of customer slots.

        Built on first use (networkx is slow at scale; the step uses ``self.adjacency``, the
        same graph as a CSR matrix). Each cell's coordinate is a customer slot.
        """
        graph = to_networkx(self.adjacency, nodes=np.arange(self.state.slots))
        return Network(graph, layout=None, random=self.random)
