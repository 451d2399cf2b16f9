"""A fake ``ShopContext`` for strategy unit tests, tiny models, and hand-made hook inputs.

``FakeContext`` is what a strategy sees, built from plain arrays on 10 customers (plus two
free slots) and two shops, with no model: a test sets a few customers' arrays by hand,
builds one strategy on the context and calls its hooks on an ``offer(...)`` or
``orders(...)`` it made itself. ``tiny_model`` builds a whole ``LoyaltyModel`` of 20
customers from a scenario dict (warm-up 0, no arrivals or departures) for the tests that
need the engine (events, and the model's side of the context).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from loyaltysim.engine.draws import Decision
from loyaltysim.engine.model import LoyaltyModel
from loyaltysim.engine.state import NEVER
from loyaltysim.engine.totals import ShopTotals
from loyaltysim.scenario import validate
from loyaltysim.scenario.keypaths import deep_merge
from loyaltysim.scenario.schema import MarketConfig
from loyaltysim.strategies import Offer, Orders, Strategy
from loyaltysim.strategies.base import StateView

#: Shop indices in the tiny scenario (file order).
ALPHA, BETA = 0, 1

#: A small, deterministic market: 20 customers, two regions, two shops.
TINY: dict[str, Any] = {
    "name": "tiny",
    "run": {"days": 30, "warmup_days": 0, "seed": 1, "replications": 1},
    "market": {
        "customers": 20,
        "reference_price": 100.0,
        "price_sensitivity_spread": 0.0,
        "regions": {
            "city": {"share": 0.5, "delivery_days": 1.0},
            "remote": {"share": 0.5, "delivery_days": 3.0, "shipping_factor": 1.5},
        },
    },
    "network": {"kind": "well_mixed", "mean_degree": 2.0},
    "shops": {
        "alpha": {
            "price": 100.0,
            "quality": 0.8,
            "unit_cost": 50.0,
            "shipping_fee": 10.0,
            "initial_awareness": 1.0,
        },
        "beta": {
            "price": 80.0,
            "quality": 0.7,
            "unit_cost": 40.0,
            "shipping_fee": 8.0,
            "initial_awareness": 1.0,
        },
    },
}


def tiny_scenario(**overrides: Any):
    """The tiny scenario with nested ``overrides`` merged in (``shops={"alpha": {...}}``)."""
    return validate(deep_merge(TINY, overrides))


def tiny_model(alpha_strategies: dict[str, Any] | None = None, seed: int = 1, **overrides: Any):
    """A tiny model; ``alpha_strategies`` configure shop ``alpha``'s strategies."""
    if alpha_strategies is not None:
        shops = overrides.setdefault("shops", {})
        shops.setdefault("alpha", {})["strategies"] = alpha_strategies
    return LoyaltyModel(tiny_scenario(**overrides), rng=seed, create_agents=False)


def assert_totals_consistent(model: LoyaltyModel) -> None:
    """The running totals agree with a recount from the state."""
    expected = ShopTotals.count(model.state)
    for name in ("aware", "customers", "experienced", "satisfaction_sum", "trust_sum"):
        np.testing.assert_allclose(
            getattr(model.totals, name), getattr(expected, name), atol=1e-6, err_msg=name
        )


def offer(
    slots: list[int] | np.ndarray,
    *,
    price: tuple[float, float] = (100.0, 80.0),
    fee: tuple[float, float] = (10.0, 8.0),
    quantity: float | np.ndarray = 1.0,
) -> Offer:
    """A hand-made offer to ``slots`` at two shops (every shopper in region 0)."""
    slots = np.asarray(slots, dtype=np.int64)
    k = slots.size
    q = np.broadcast_to(np.asarray(quantity, dtype=np.float64).reshape(-1, 1), (k, 2))
    return Offer(
        slots=slots,
        region=np.zeros(k, np.int64),
        quantity=q.copy(),
        unit_price=np.tile(np.asarray(price, dtype=np.float64), (k, 1)),
        fee=np.tile(np.asarray(fee, dtype=np.float64), (k, 1)),
        extra_value=np.zeros((k, 2)),
        bonus=np.zeros((k, 2)),
    )


def orders(
    slots: list[int] | np.ndarray,
    goods: float | list[float] | np.ndarray,
    *,
    first_ever: bool | list[bool] = False,
    lead_days: float | list[float] = 2.0,
    fee: float = 0.0,
) -> Orders:
    """Hand-made orders of ``slots`` at one shop."""
    slots = np.asarray(slots, dtype=np.int64)
    k = slots.size

    def col(value: Any, dtype: type = np.float64) -> np.ndarray:
        return np.broadcast_to(np.asarray(value, dtype=dtype), (k,)).copy()

    return Orders(
        slots=slots,
        region=np.zeros(k, np.int64),
        goods=col(goods),
        fee=col(fee),
        quantity=np.ones(k),
        first_ever=col(first_ever, bool),
        lead_days=col(lead_days),
    )


def experienced(
    arrays: Any,
    slots: list[int] | np.ndarray,
    shop: int,
    *,
    satisfaction: float | list[float] = 0.5,
    trust: float | list[float] = 0.5,
    last_order_day: int = 0,
) -> None:
    """Make ``slots`` experienced customers of ``shop`` in ``arrays`` (customers or a state)."""
    slots = np.asarray(slots, dtype=np.int64)
    arrays.aware[slots, shop] = True
    arrays.dropped[slots, shop] = False
    arrays.experiences[slots, shop] = 1
    arrays.last_order_day[slots, shop] = last_order_day
    arrays.satisfaction[slots, shop] = satisfaction
    arrays.trust[slots, shop] = trust


#: Customers (active slots) and free slots of a fake context.
CUSTOMERS, FREE = 10, 2


@dataclass
class Customers:
    """Writable per-customer arrays of a fake context (slot x shop where 2-D).

    The strategy-visible fields of ``StateView`` plus ``aware`` and ``trust``, which a
    strategy changes only through ``nudge`` and ``reconsider``. Defaults: ``CUSTOMERS``
    active customers with ``uid`` = slot, aware of both shops, satisfaction and trust 0.5,
    no orders; then ``FREE`` inactive slots.
    """

    slots: int = CUSTOMERS + FREE
    shops: int = 2
    active: np.ndarray = field(init=False)
    uid: np.ndarray = field(init=False)
    aware: np.ndarray = field(init=False)
    dropped: np.ndarray = field(init=False)
    satisfaction: np.ndarray = field(init=False)
    trust: np.ndarray = field(init=False)
    experiences: np.ndarray = field(init=False)
    orders: np.ndarray = field(init=False)
    spend: np.ndarray = field(init=False)
    last_order_day: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        two = (self.slots, self.shops)
        self.active = np.arange(self.slots) < CUSTOMERS
        self.uid = np.arange(self.slots, dtype=np.int64)
        self.aware = np.ones(two, bool)
        self.dropped = np.zeros(two, bool)
        self.satisfaction = np.full(two, 0.5, np.float32)
        self.trust = np.full(two, 0.5, np.float32)
        self.experiences = np.zeros(two, np.int32)
        self.orders = np.zeros(two, np.int32)
        self.spend = np.zeros(two)
        self.last_order_day = np.full(two, NEVER, np.int32)


class FakeContext:
    """A ``ShopContext`` on hand-set arrays: what a strategy may see and do, and no more.

    ``nudge`` and ``reconsider`` apply the engine's rules to ``customers`` (so a test can
    check attitudes) and record each call; ``pay`` adds to ``paid`` per shop.
    """

    def __init__(self, *, day: int = 0, seed: int = 1, **market: Any) -> None:
        self.day = day
        self.festival_today = False
        self.rng = np.random.default_rng(seed)
        self.market = MarketConfig.model_validate(deep_merge(TINY["market"], market))
        self.customers = Customers()
        self.paid = np.zeros(self.customers.shops)
        self.nudges: list[tuple[list[int], int, float, float]] = []
        self.strategies: list[Strategy] = []

    def keyed(self, decision: Decision, slots: np.ndarray) -> np.random.Generator:
        """A plain generator: a lever's tests check what it does with its numbers.

        Every decision of the fake draws from one stream (mechanisms take either).
        """
        return self.rng

    @property
    def state(self) -> StateView:
        """Read-only views of ``customers``, as the engine hands them out."""
        return StateView.of(self.customers)

    def add(self, cls: type[Strategy], shop: int = ALPHA, **config: Any) -> Any:
        """Build strategy ``cls`` of ``shop`` on this context from its section ``config``."""
        strategy = cls(self, shop, cls.config_model.model_validate(config))
        self.strategies.append(strategy)
        return strategy

    def nudge(self, slots: np.ndarray, shop: int, satisfaction: float, trust: float) -> None:
        """Close shares of the gaps to 1 (satisfaction only after an experience)."""
        c = self.customers
        slots = slots[c.active[slots]]
        self.nudges.append((slots.tolist(), shop, satisfaction, trust))
        sat, tru = c.satisfaction[slots, shop], c.trust[slots, shop]
        moved = np.where(c.experiences[slots, shop] > 0, sat + satisfaction * (1.0 - sat), sat)
        c.satisfaction[slots, shop] = moved
        c.trust[slots, shop] = tru + trust * (1.0 - tru)

    def reconsider(self, slots: np.ndarray, shop: int) -> None:
        """Active churned customers in ``slots`` become aware of ``shop`` again."""
        c = self.customers
        back = slots[c.active[slots] & c.dropped[slots, shop]]
        c.dropped[back, shop] = False
        c.aware[back, shop] = True

    def pay(self, shop: int, amount: float) -> None:
        """Add to ``paid``."""
        self.paid[shop] += amount

    def strategy_of(self, shop: int, key: str) -> Strategy:
        """A strategy added before."""
        (found,) = [s for s in self.strategies if s.shop == shop and s.key == key]
        return found
