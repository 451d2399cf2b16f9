"""Economics: what each order, delivery and complaint earns or costs the shop.

Per order the shop collects its price plus the shipping fee and pays the cost of goods and
the courier; a lost parcel is refunded; a resolved complaint costs its compensation;
advertising and overheads are paid per day; each first-time buyer costs
``acquisition_cost``; loyalty strategies book their outlays (gifts, service staff, coupons
sent) as ``strategy_cost``. Profit is revenue minus all of these, so every lever's cost
shows. Price cuts need no cost line: they lower revenue, and ``discounts`` records how much
list-price revenue they gave away.
"""

from __future__ import annotations

import numpy as np

from loyaltysim.engine.totals import per_shop

#: Daily per-shop counters; money columns are in the scenario's currency.
COUNTERS = (
    "orders",
    "buyers",
    "new_customers",
    "repeat_orders",
    "revenue",
    "refunds",
    "cost_of_goods",
    "shipping_cost",
    "compensation",
    "advertising",
    "acquisition",
    "fixed_costs",
    "deliveries",
    "late",
    "damaged",
    "lost",
    "complaints",
    "complaints_resolved",
    "churned",
    "wom_positive",
    "wom_negative",
    "ratings",
    "breaches",
    "discounts",
    "strategy_cost",
)

#: Cost columns subtracted from revenue to give profit.
COSTS = (
    "refunds",
    "cost_of_goods",
    "shipping_cost",
    "compensation",
    "advertising",
    "acquisition",
    "fixed_costs",
    "strategy_cost",
)


class DailyLedger:
    """One day's counters, one array per name, indexed by shop."""

    def __init__(self, shops: int) -> None:
        self.shops = shops
        self.values = {name: np.zeros(shops) for name in COUNTERS}

    def add(self, name: str, shop: np.ndarray, amount: np.ndarray | float = 1.0) -> None:
        """Add ``amount`` (per event, or one value for all) to ``name`` for each event's shop."""
        self.values[name] += per_shop(shop, amount, self.shops)

    def add_columns(self, shop: np.ndarray, columns: dict[str, np.ndarray]) -> None:
        """Add several per-event columns at once (one matrix product instead of a bincount each).

        Each value is an array with one entry per event (masks count as 0/1).
        """
        if shop.size == 0:
            return
        one_hot = (shop[:, None] == np.arange(self.shops)[None, :]).astype(np.float64)
        stacked = np.column_stack([np.asarray(v, dtype=np.float64) for v in columns.values()])
        sums = one_hot.T @ stacked
        for j, name in enumerate(columns):
            self.values[name] += sums[:, j]

    def add_per_shop(self, name: str, amounts: np.ndarray) -> None:
        """Add an amount per shop."""
        self.values[name] += amounts

    @property
    def profit(self) -> np.ndarray:
        """Revenue minus every cost, per shop."""
        return self.values["revenue"] - sum(self.values[c] for c in COSTS)


def order_margin(paid: np.ndarray, unit_cost: np.ndarray, shipping_cost: np.ndarray) -> np.ndarray:
    """Contribution of one order before service costs: what was paid minus goods and courier."""
    return paid - unit_cost - shipping_cost
