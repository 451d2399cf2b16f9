"""A plain per-agent Mesa implementation of LoyaltyModel's daily rules, for speed comparison.

This is the model a Mesa user would write first: every ``Customer`` is a ``mesa`` agent that
keeps its own per-shop lists (awareness, expectation, trust, satisfaction...) and parcels in
transit, and the model calls ``self.agents_by_type[Customer].shuffle_do("step")`` once a day.
Each customer's ``step()`` runs the day's rules for that customer in Python:

    leave the market? (departure rate, end of the last life-cycle stage)
    -> advertising (each unknown shop, ``advertising_reach``) -> reconsider dropped shops
    -> need (segment ``purchase_rate``) -> logit choice among known, not-dropped shops and not
    buying -> order (main shop / challenger, delivery outcome and delay drawn)
    -> parcels due today: experience, satisfaction, expectation, trust, complaints and recovery,
    rating, churn, word of mouth to the neighbours in the Mesa ``Network`` (tie strength)

with the same formulas and the same parameters as
:class:`loyaltysim.engine.model.LoyaltyModel`, read from the same
:class:`loyaltysim.scenario.schema.Scenario` (laid out by the same ``ShopArrays`` and
``SegmentArrays``, converted to plain Python numbers so the loop does not pay for numpy scalars).
The social network is the same kind of graph, built by ``loyaltysim.engine.network.build_adjacency``
and handed to ``mesa.discrete_space.Network`` (``layout=None``).

Draws come from ``model.random`` (Python's ``random``), so results match LoyaltyModel in
distribution, not draw for draw. Simplifications, none of which change the daily work much:
arrivals are a Poisson number per day into the lowest free network nodes, as in LoyaltyModel,
but a customer's departure happens in its own step; word-of-mouth messages take effect at once
(LoyaltyModel gathers the day's messages and applies them together); the day's figures are
just order counts per shop (LoyaltyModel keeps a full ledger). Loyalty strategies, calendar
events and basket-size spread are not modelled: the benchmark scenario (``baseline.toml``)
uses none of them. Only benchmarks use this module.

Run ``python benchmarks/per_agent_reference.py --customers 10000 --days 365`` to time it alone;
``benchmarks/bench_step.py --reference`` compares it with LoyaltyModel.
"""

from __future__ import annotations

import argparse
import heapq
import math
import time
from dataclasses import dataclass, fields
from pathlib import Path
from types import SimpleNamespace

import mesa
import numpy as np
from mesa.discrete_space import FixedAgent, Network

from loyaltysim.engine.network import build_adjacency, to_networkx
from loyaltysim.engine.params import SegmentArrays, ShopArrays
from loyaltysim.mechanisms.delivery import Outcome
from loyaltysim.scenario import Scenario, load_scenario

NO_SHOP = -1
ON_TIME, LATE, DAMAGED, LOST = (int(o) for o in Outcome)
BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"


def plain(arrays: object) -> SimpleNamespace:
    """A ShopArrays/SegmentArrays as plain Python lists (``p.price[s]``, ``p.on_time[s][r]``)."""
    values = {}
    for f in fields(arrays):
        value = getattr(arrays, f.name)
        values[f.name] = value.tolist() if isinstance(value, np.ndarray) else value
    return SimpleNamespace(**values)


def poisson(rnd, lam: float) -> int:
    """Poisson draw by multiplying uniforms (Knuth); fine for the small means used here."""
    if lam <= 0.0:
        return 0
    if lam > 30.0:  # normal approximation for large means (arrivals of big populations)
        return max(0, round(rnd.gauss(lam, math.sqrt(lam))))
    limit, k, product = math.exp(-lam), 0, rnd.random()
    while product > limit:
        k += 1
        product *= rnd.random()
    return k


def clip01(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


@dataclass(slots=True)
class Parcel:
    """An order on its way to the customer."""

    shop: int
    outcome: int
    delay: int
    due: int
    paid: float


class Customer(FixedAgent):
    """A customer holding its own state per shop, stepping through the day in Python."""

    def __init__(self, model: PerAgentModel, cell, initial: bool) -> None:
        super().__init__(model)
        rnd, seg, market = model.random, model.seg, model.config.market
        n = model.n_shops
        share = seg.share if initial else seg.arrival_share
        self.segment = rnd.choices(range(len(share)), weights=share)[0]
        self.region = rnd.choices(range(len(model.region_share)), weights=model.region_share)[0]
        duration = seg.duration_days[self.segment]
        remaining = rnd.random() if initial else 1.0
        self.stage_end = model.day + remaining * duration if math.isfinite(duration) else math.inf
        self.price_sensitivity = market.price_sensitivity * rnd.lognormvariate(
            0.0, market.price_sensitivity_spread
        )
        self.talkativeness = rnd.lognormvariate(0.0, model.config.experience.talkativeness_spread)
        self.main_shop = NO_SHOP
        self.challenger = NO_SHOP
        self.challenger_wins = 0
        self.aware = [rnd.random() < a for a in model.shop.initial_awareness]
        self.dropped = [False] * n
        self.expectation = [self.first_expectation(s) for s in range(n)]
        self.trust = [market.initial_trust] * n
        self.satisfaction = [0.5] * n
        self.experiences = [0] * n
        self.ordered = [False] * n
        self.parcels: list[Parcel] = []
        self.cell = cell

    # ------------------------------------------------------------------ the day
    def step(self) -> None:
        """One day for this customer, in LoyaltyModel's order of events."""
        model = self.model
        rnd, day, p, cfg = model.random, model.day, model.shop, model.config.experience
        if rnd.random() < model.config.market.departure_rate or not self.age(day):
            self.leave()
            return
        for s in range(model.n_shops):
            if not self.aware[s] and not self.dropped[s] and rnd.random() < p.advertising_reach[s]:
                self.learn_of(s)
        for s in range(model.n_shops):
            if self.dropped[s] and rnd.random() < cfg.reconsider_rate:
                self.dropped[s] = False
                self.aware[s] = True
        if rnd.random() < model.seg.purchase_rate[self.segment]:
            self.buy(day)
        if self.parcels:
            due = [parcel for parcel in self.parcels if parcel.due <= day]
            if due:
                self.parcels = [parcel for parcel in self.parcels if parcel.due > day]
                for parcel in due:
                    self.receive(parcel)

    def age(self, day: int) -> bool:
        """Move to the next life-cycle stage when this one ends; False: the customer leaves."""
        seg = self.model.seg
        while self.stage_end <= day:
            nxt = seg.next_segment[self.segment]
            if nxt < 0:
                return False
            self.segment = nxt
            self.stage_end += seg.duration_days[nxt]
        return True

    def leave(self) -> None:
        """Leave the market; the network node is free for a newcomer."""
        node = self.cell.coordinate
        self.remove()
        heapq.heappush(self.model.free_nodes, node)

    def first_expectation(self, s: int) -> float:
        """What a customer who has just heard of ``s`` expects: its promise, delivered on time."""
        dw = self.model.seg.delivery_weight[self.segment]
        return (self.model.shop.promise[s] + dw * 1.0) / (1.0 + dw)

    def learn_of(self, s: int) -> None:
        """Become aware of shop ``s``: the first impression and the initial trust."""
        self.aware[s] = True
        self.expectation[s] = self.first_expectation(s)
        self.trust[s] = self.model.config.market.initial_trust

    # ------------------------------------------------------------------ choice and order
    def buy(self, day: int) -> None:
        """Logit choice among known, not-dropped shops and not buying; order if a shop wins."""
        model = self.model
        p, w, rnd = model.shop, model.config.market, model.random
        seg, r = self.segment, self.region
        sensitivity = self.price_sensitivity * model.seg.price_weight[seg]
        quality_weight = w.quality_weight * model.seg.quality_weight[seg]
        options: list[tuple[int, float]] = []
        for s in range(model.n_shops):
            if not self.aware[s] or self.dropped[s]:
                continue
            u = quality_weight * self.expectation[s] + w.trust_weight * self.trust[s]
            if self.experiences[s] > 0:
                u += w.satisfaction_weight * (self.satisfaction[s] - 0.5)
            u += w.rating_weight * (model.rating[s] - 3.0)
            u -= sensitivity * (p.price[s] + p.shipping_fee[s][r]) / w.reference_price
            if s == self.main_shop:
                u += w.switching_cost
            options.append((s, u))
        if not options:
            return
        top = max(w.outside_utility, max(u for _, u in options))
        weights = [(s, math.exp(u - top)) for s, u in options]
        x = rnd.random() * (sum(e for _, e in weights) + math.exp(w.outside_utility - top))
        for s, e in weights:
            x -= e
            if x < 0.0:
                self.order(s, day)
                return
        # otherwise the outside option: no purchase today

    def order(self, s: int, day: int) -> None:
        """Place an order at ``s``: books, main shop, and the parcel's fate."""
        model = self.model
        p, rnd, r = model.shop, model.random, self.region
        paid = p.price[s] + p.shipping_fee[s][r]
        model.count_order(s, paid, first=not self.ordered[s])
        self.ordered[s] = True
        # main shop: a rival becomes the main shop after `switch_after` wins in a row
        if s == self.main_shop:
            self.challenger, self.challenger_wins = NO_SHOP, 0
        else:
            self.challenger_wins = self.challenger_wins + 1 if s == self.challenger else 1
            self.challenger = s
            if (
                self.main_shop == NO_SHOP
                or self.challenger_wins >= model.config.market.switch_after
            ):
                self.main_shop, self.challenger, self.challenger_wins = s, NO_SHOP, 0
        # delivery outcome
        u = rnd.random()
        if u < p.loss_rate[s][r]:
            outcome = LOST
        elif u < p.loss_rate[s][r] + p.damage_rate[s][r]:
            outcome = DAMAGED
        elif rnd.random() >= p.on_time[s][r]:
            outcome = LATE
        else:
            outcome = ON_TIME
        delay = 0
        if outcome in (LATE, LOST):
            delay = 1 + poisson(rnd, max(p.mean_delay_days[s][r] - 1.0, 0.0))
        due = day + round(p.lead_days[s][r]) + delay
        self.parcels.append(Parcel(s, outcome, delay, due, paid))

    # ------------------------------------------------------------------ after delivery
    def receive(self, parcel: Parcel) -> None:
        """A parcel arrives (or is given up): experience and everything that follows."""
        model = self.model
        p, cfg, rnd = model.shop, model.config.experience, model.random
        s, r = parcel.shop, self.region
        product = clip01(p.quality[s] + rnd.gauss(0.0, cfg.quality_noise))
        if parcel.outcome == LOST:
            score = 0.0
        elif parcel.outcome == DAMAGED:
            score = cfg.damaged_score
        else:
            penalty = cfg.late_penalty * (1.0 - cfg.tracking_relief * p.tracking[s][r])
            score = clip01(1.0 - penalty * parcel.delay)
        dw = model.seg.delivery_weight[self.segment]
        performance = (product + dw * score) / (1.0 + dw)

        expect0, trust0, sat0 = self.expectation[s], self.trust[s], self.satisfaction[s]
        first = self.experiences[s] == 0
        gap = performance - expect0
        felt = clip01(performance + cfg.gain * max(gap, 0.0) - cfg.loss * max(-gap, 0.0))
        sat1 = felt if first else sat0 + cfg.satisfaction_learning * (felt - sat0)
        if performance >= expect0 - cfg.promise_tolerance:
            trust1 = trust0 + cfg.trust_gain * (1.0 - trust0)
        else:
            trust1 = trust0 * (1.0 - cfg.trust_loss)

        # complaints and service recovery
        complained = felt < cfg.complaint_threshold and rnd.random() < cfg.complaint_propensity
        resolved = False
        if complained:
            response = p.response_days[s]
            abandon = rnd.random() < response / (response + cfg.patience_days)
            resolved = not abandon and rnd.random() < p.resolution_rate[s]
            model.complaints[s] += 1

        def recovered(before: float, after: float, restore: float) -> float:
            if resolved:
                return after + restore * max(before - after, 0.0)
            if complained:
                return after * (1.0 - cfg.unresolved_penalty)
            return after

        trust2 = recovered(trust0, trust1, p.trust_recovery[s])
        self.satisfaction[s] = recovered(expect0 if first else sat0, sat1, p.recovery[s])
        self.trust[s] = trust2
        felt = recovered(expect0, felt, p.recovery[s])
        self.expectation[s] = expect0 + cfg.expectation_learning * (performance - expect0)
        self.experiences[s] += 1

        if rnd.random() < cfg.rating_propensity:
            model.add_rating(s, min(max(round(1.0 + 4.0 * felt), 1), 5))

        bad = felt < cfg.churn_threshold and rnd.random() < cfg.churn_propensity
        if (bad or trust2 < cfg.trust_floor) and not self.dropped[s]:
            self.drop(s)

        u = rnd.random()
        praise = felt >= cfg.positive_threshold and u < cfg.positive_propensity * self.talkativeness
        decry = felt <= cfg.negative_threshold and u < cfg.negative_propensity * self.talkativeness
        if praise or decry:
            self.tell(s, praise)

    def drop(self, s: int) -> None:
        """Churn from shop ``s``."""
        self.dropped[s] = True
        if self.main_shop == s:
            self.main_shop = NO_SHOP
        self.model.churned[s] += 1

    # ------------------------------------------------------------------ word of mouth
    def tell(self, s: int, positive: bool) -> None:
        """Tell each network neighbour; each takes the message in with ``tie_strength``."""
        model = self.model
        tie = model.config.network.tie_strength
        for cell in self.cell.neighborhood:
            if model.random.random() < tie:
                for listener in cell.agents:
                    listener.hear(s, positive)

    def hear(self, s: int, positive: bool) -> None:
        """Take in a message about shop ``s`` from a contact."""
        if self.dropped[s]:
            return
        model, cfg = self.model, self.model.config.experience
        if not self.aware[s]:
            self.learn_of(s)
        if positive:
            model.wom_positive[s] += 1
            keep = 1.0 - cfg.positive_influence
            self.expectation[s] = 1.0 - (1.0 - self.expectation[s]) * keep
            self.trust[s] = 1.0 - (1.0 - self.trust[s]) * keep
        else:
            model.wom_negative[s] += 1
            self.expectation[s] *= 1.0 - cfg.negative_influence
            self.trust[s] *= 1.0 - cfg.negative_influence

    def breach(self, s: int) -> None:
        """A data breach at shop ``s``: trust and satisfaction fall, the hurt may complain."""
        if not (self.aware[s] or self.dropped[s]):
            return
        p, cfg = self.model.shop, self.model.config.experience
        self.trust[s] *= 1.0 - p.breach_trust_loss[s]
        if self.experiences[s] > 0:
            self.satisfaction[s] *= 1.0 - p.breach_satisfaction_loss[s]
            if self.model.random.random() < cfg.negative_propensity * self.talkativeness:
                self.tell(s, False)


class PerAgentModel(mesa.Model):
    """LoyaltyModel's daily rules, one Python ``step()`` per customer per day.

    Args:
        scenario: A validated scenario (the same object LoyaltyModel takes).
        rng: Seed; draws in the step come from ``self.random``, the network from ``self.rng``.

    """

    def __init__(self, scenario: Scenario, rng: int | None = None) -> None:
        super().__init__(rng=rng)
        self.config = scenario
        market, run = scenario.market, scenario.run
        self.shop = plain(ShopArrays.from_scenario(scenario))
        self.seg = plain(SegmentArrays.from_scenario(scenario))
        self.region_share = [r.share for r in market.regions.values()]
        self.n_shops = len(self.shop.names)
        self.day = -run.warmup_days
        exp = scenario.experience
        self.rating_total = [0.0] * self.n_shops
        self.rating_count = [0] * self.n_shops
        self.rating = [exp.rating_prior_mean] * self.n_shops
        self.orders = [0] * self.n_shops  # over the recorded days
        self.revenue = [0.0] * self.n_shops
        self.new_customers = [0] * self.n_shops
        self.complaints = [0] * self.n_shops
        self.churned = [0] * self.n_shops
        self.wom_positive = [0] * self.n_shops
        self.wom_negative = [0] * self.n_shops
        self.orders_today = [0] * self.n_shops

        # the same network as LoyaltyModel: as many nodes as it has slots
        growth = max(market.arrival_rate - market.departure_rate, 0.0)
        expected = market.customers * growth * (run.days + run.warmup_days)
        nodes = market.customers + math.ceil(1.2 * expected + 5 * math.sqrt(expected + 1))
        net = scenario.network
        adjacency = build_adjacency(
            net.kind, nodes, net.mean_degree, self.rng, rewire=net.rewire, exponent=net.exponent
        )
        if adjacency is None:
            raise ValueError("the per-agent reference needs a network (not well_mixed)")
        self.network = Network(to_networkx(adjacency), layout=None, random=self.random)
        self.free_nodes = list(range(market.customers, nodes))  # a heap: lowest node first
        for node in range(market.customers):
            Customer(self, self.network[node], initial=True)
        self.datacollector = mesa.DataCollector(
            model_reporters={"day": "day", "orders": lambda m: tuple(m.orders_today)}
        )

    def step(self) -> None:
        """One day: breaches, arrivals, then every customer's step in random order."""
        self.orders_today = [0] * self.n_shops
        for s in range(self.n_shops):
            if self.random.random() < self.shop.privacy_breach_rate[s]:
                for customer in list(self.agents_by_type[Customer]):
                    customer.breach(s)
        market = self.config.market
        for _ in range(poisson(self.random, market.arrival_rate * market.customers)):
            if not self.free_nodes:
                break
            node = heapq.heappop(self.free_nodes)
            Customer(self, self.network[node], initial=False)
        self.agents_by_type[Customer].shuffle_do("step")
        if self.day >= 0:
            self.datacollector.collect(self)
        self.day += 1

    # ------------------------------------------------------------------ shop-side books
    def count_order(self, s: int, paid: float, first: bool) -> None:
        """Book an order while recording."""
        if self.day >= 0:
            self.orders[s] += 1
            self.orders_today[s] += 1
            self.revenue[s] += paid
            self.new_customers[s] += first

    def add_rating(self, s: int, stars: int) -> None:
        """Record a rating and update the public rating of ``s``."""
        self.rating_total[s] += stars
        self.rating_count[s] += 1
        w = self.config.experience.rating_prior_weight
        prior = self.config.experience.rating_prior_mean
        self.rating[s] = (prior * w + self.rating_total[s]) / max(w + self.rating_count[s], 1e-12)

    def summary(self) -> dict[str, list[float]]:
        """End-of-run figures per shop, comparable with LoyaltyModel's."""
        n = self.n_shops
        customers = list(self.agents_by_type.get(Customer, []))
        sat, trust, experienced = [0.0] * n, [0.0] * n, [0] * n
        considered = [0] * n
        for c in customers:
            for s in range(n):
                considered[s] += c.aware[s] and not c.dropped[s]
                if c.experiences[s] > 0:
                    experienced[s] += 1
                    sat[s] += c.satisfaction[s]
                    trust[s] += c.trust[s]
        total = sum(self.orders)
        return {
            "names": list(self.shop.names),
            "order_share": [o / total if total else 0.0 for o in self.orders],
            "mean_satisfaction": [sat[s] / max(experienced[s], 1) for s in range(n)],
            "mean_trust": [trust[s] / max(experienced[s], 1) for s in range(n)],
            "considered_share": [considered[s] / max(len(customers), 1) for s in range(n)],
            "rating": list(self.rating),
            "orders": list(self.orders),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--scenario", type=Path, default=BASELINE)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    scenario = load_scenario(
        args.scenario,
        overrides={
            "market.customers": args.customers,
            "run.warmup_days": 0,
            "run.days": args.days,
        },
    )
    seed = scenario.run.seed if args.seed is None else args.seed
    start = time.perf_counter()
    model = PerAgentModel(scenario, rng=seed)
    built = time.perf_counter()
    for _ in range(args.days):
        model.step()
    done = time.perf_counter()
    steps = done - built
    print(f"construction {built - start:.2f} s, {args.days} steps {steps:.2f} s")
    print(f"{steps / (args.customers * args.days) * 1e6:.3f} us per customer-day")
    summary = model.summary()
    for i, name in enumerate(summary["names"]):
        print(
            f"{name:<12} share {summary['order_share'][i]:.3f}"
            f"  satisfaction {summary['mean_satisfaction'][i]:.3f}"
            f"  trust {summary['mean_trust'][i]:.3f}  rating {summary['rating'][i]:.2f}"
        )


if __name__ == "__main__":
    main()
