"""Tiny models and hand-made hook contexts for the unit tests of strategies and events.

``tiny_model`` builds a ``LoyaltyModel`` of a handful of customers and two shops from a
scenario dict (warm-up 0, no arrivals or departures), so a test can set a few customers'
state by hand and call one strategy's hooks directly on an ``offer(...)`` or ``orders(...)``
it made itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from loyaltysim.engine.model import LoyaltyModel
from loyaltysim.engine.totals import ShopTotals
from loyaltysim.scenario.schema import deep_merge, validate
from loyaltysim.strategies import Offer, Orders

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


def recount(model: LoyaltyModel) -> None:
    """Recount the running totals after a test edited the state by hand."""
    model.totals = ShopTotals.count(model.state)


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
    model: LoyaltyModel,
    slots: list[int] | np.ndarray,
    shop: int,
    *,
    satisfaction: float | list[float] = 0.5,
    trust: float | list[float] = 0.5,
    last_order_day: int = 0,
) -> None:
    """Make ``slots`` experienced customers of ``shop`` (then recount the totals)."""
    state = model.state
    slots = np.asarray(slots, dtype=np.int64)
    state.aware[slots, shop] = True
    state.dropped[slots, shop] = False
    state.experiences[slots, shop] = 1
    state.first_order_day[slots, shop] = min(last_order_day, 0)
    state.last_order_day[slots, shop] = last_order_day
    state.satisfaction[slots, shop] = satisfaction
    state.trust[slots, shop] = trust
    recount(model)


def strategy_cost(model: LoyaltyModel, shop: int = ALPHA) -> float:
    """What the shop's strategies have paid today."""
    return float(model.ledger.values["strategy_cost"][shop])
