"""The loyalty model: one Mesa model, one step per day.

The day is a list of phases (:data:`loyaltysim.engine.phases.DAY`, one short function each,
told in ``docs/architecture.md``)::

    open the day -> events -> breaches -> population -> awareness -> strategies
    -> shopping (needs, offer, choice, orders, parcels) -> deliveries (experience,
    complaints, ratings, churn, word of mouth) -> close the day (figures)

Customers are ``mesa.Agent``s, but their state lives in
:class:`~loyaltysim.engine.state.CustomerState` arrays, written only through
:class:`~loyaltysim.engine.mutators.Mutators` (which keep the per-shop totals), and every rule
is a vectorised function in :mod:`loyaltysim.mechanisms`; the step never loops over
customers in Python.
"""

from __future__ import annotations

from functools import cached_property

import mesa
import numpy as np
from mesa.discrete_space import Network

from loyaltysim.engine import phases
from loyaltysim.engine.agents import Customer, Shop
from loyaltysim.engine.collector import DailyCollector
from loyaltysim.engine.construct import ScenarioPath, from_file
from loyaltysim.engine.context import ModelContext
from loyaltysim.engine.draws import NETWORK_CHILD, Decision, Draws, KeyedStream, child_generator
from loyaltysim.engine.ledger import DailyLedger
from loyaltysim.engine.mutators import Mutators
from loyaltysim.engine.network import build_adjacency, to_networkx
from loyaltysim.engine.orders import OrderLog
from loyaltysim.engine.params import SegmentArrays, ShopArrays
from loyaltysim.engine.parcels import ORDER_FIELDS, PARCEL_FIELDS, ParcelQueue
from loyaltysim.engine.phases.market import arrive
from loyaltysim.engine.records import DepartedLog
from loyaltysim.engine.rules import Rules, from_section
from loyaltysim.engine.schedule import EventSchedule
from loyaltysim.engine.standing import Standings
from loyaltysim.engine.state import CustomerState
from loyaltysim.engine.ties import tie_weights
from loyaltysim.engine.totals import ShopTotals
from loyaltysim.mechanisms import awareness, choice, population, word_of_mouth
from loyaltysim.mechanisms.ratings import RatingBoard
from loyaltysim.scenario.schema import Scenario
from loyaltysim.strategies import REGISTRY, Strategy


class LoyaltyModel(mesa.Model):
    """Customers buying from competing online shops, one step per day.

    Args:
        scenario: A validated scenario (its ``variants`` are ignored: pass
            :func:`loyaltysim.scenario.schema.variant_of` for a variant).
        rng: Seed or generator, the root of every random draw: the market's (arrivals,
            departures, breaches, advertising) come from ``self.rng`` in order; each
            customer's decisions from numbers keyed by uid, day and decision
            (``self.draws``, :mod:`loyaltysim.engine.draws`); the network from a stream of
            its own. Both are spawned from ``rng``'s seed sequence.
        create_agents: Create a ``Customer`` agent per customer (about 3 us each). Benchmarks
            of the array core may switch it off; the simulation does not depend on it.
        log_orders: Keep a transaction log (``order_log``: one row per order, taken in
            chunks with ``order_log.take()``); the simulation does not depend on it.

    """

    def __init__(
        self,
        scenario: Scenario,
        rng: int | np.random.Generator | None = None,
        *,
        create_agents: bool = True,
        log_orders: bool = False,
    ) -> None:
        super().__init__(rng=rng)
        self.draws = Draws.of(self.rng)
        network_rng = child_generator(self.rng, NETWORK_CHILD)  # its changes move no customer
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
        self.newcomers = population.Newcomers.of(market, self.segments, exp.talkativeness_spread)
        self.rules = Rules.of(exp)
        self.state = CustomerState.empty(self._capacity(), self.n_shops)
        self.mutate = Mutators(self.state)
        self.strategies: list[Strategy] = []
        context = ModelContext(self)
        for s, shop in enumerate(scenario.shops.values()):
            for cls in REGISTRY:
                config = getattr(shop.strategies, cls.key)
                if config is not None:
                    self.strategies.append(cls(context, s, config))
        self.standings = Standings(self.strategies, self.n_shops)
        self.base_params = ShopArrays.from_scenario(scenario)
        for strategy in self.strategies:
            self.base_params = strategy.adjust(self.base_params)
        self.shop_params = self.schedule.apply(self.base_params, self.day)
        self.festival_today = False
        self.impression = awareness.FirstImpression(
            promise=self.shop_params.promise,
            delivery_weight=self.segments.delivery_weight,
            initial_trust=market.initial_trust,
            delivery=exp.on_time_score,
        )
        net = scenario.network
        graph = build_adjacency(
            net.kind,
            self.state.slots,
            net.mean_degree,
            network_rng,
            rewire=net.rewire,
            exponent=net.exponent,
            personal_network_size=net.personal_network_size,
        )
        self.adjacency = (
            None if graph is None else tie_weights(graph, net.tie_strength, net.normalise_by_degree)
        )
        self.ties = from_section(word_of_mouth.Ties, net)
        self.ratings = RatingBoard(self.n_shops, exp.rating_prior_mean, exp.rating_prior_weight)
        self.parcels = ParcelQueue(PARCEL_FIELDS | (ORDER_FIELDS if log_orders else {}))
        self.order_log = (
            OrderLog(list(scenario.shops), self.standings.labels) if log_orders else None
        )
        self.ledger = DailyLedger(self.n_shops)
        self.shops = [
            Shop(self, i, name, cfg) for i, (name, cfg) in enumerate(scenario.shops.items())
        ]
        self._create_agents = create_agents
        self._customers: dict[int, Customer] = {}
        arrive(self, np.arange(market.customers), initial=True)
        self.datacollector = DailyCollector(self)

    @classmethod
    def from_file(
        cls, path: ScenarioPath, rng: int | np.random.Generator | None = None, **overrides: object
    ) -> LoyaltyModel:
        """The model of a scenario file, overridden by keywords (``shops__thrift__price=55``).

        Checked like ``--set`` (:mod:`loyaltysim.engine.construct`); for ``mesa.batch_run``.
        """
        return from_file(cls, path, rng, overrides)

    # ------------------------------------------------------------------ set-up helpers
    def _capacity(self) -> int:
        """Slots for the initial customers plus room for net growth of the population."""
        market, run = self.config.market, self.config.run
        n = market.customers
        if market.steady_state:
            return population.steady_capacity(n)
        growth = max(market.arrival_rate - market.departure_rate, 0.0)
        total_days = run.days + run.warmup_days
        expected = n * growth * total_days
        return n + int(np.ceil(1.2 * expected + 5 * np.sqrt(expected + 1)))

    def keyed(
        self, decision: Decision, slots: np.ndarray, sub: np.ndarray | int = 0
    ) -> KeyedStream:
        """Today's numbers of ``decision`` for the customers in ``slots`` (per ``sub``: shop).

        Keyed by the customers' uids (see :mod:`loyaltysim.engine.draws`), so a number does
        not depend on who else draws, in which order, or in which variant.
        """
        return self.draws.stream(decision, self.day, self.state.uid[slots], sub)

    @property
    def recording(self) -> bool:
        """Whether today's figures count (the warm-up is over)."""
        return self.day >= 0

    # ------------------------------------------------------------------ the day
    def step(self) -> None:
        """Simulate one day: the phases of :data:`loyaltysim.engine.phases.DAY` in order."""
        for phase in phases.DAY:
            phase(self)

    @property
    def totals(self) -> ShopTotals:
        """Running per-shop totals of the customers' state (kept by the mutators)."""
        return self.mutate.totals

    @property
    def departed(self) -> DepartedLog:
        """Records of the customers who have left the market."""
        return self.mutate.departed

    def admit_agents(self, rows: np.ndarray) -> None:
        """Create the ``Customer`` agents of newcomers in ``rows`` (when agents are on)."""
        if self._create_agents:
            for slot in rows.tolist():
                self._customers[slot] = Customer(self, slot)

    def dismiss_agents(self, slots: np.ndarray) -> None:
        """Remove the ``Customer`` agents of customers who left from ``slots``."""
        for slot in slots.tolist():
            agent = self._customers.pop(slot, None)
            if agent is not None:
                agent.remove()

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
