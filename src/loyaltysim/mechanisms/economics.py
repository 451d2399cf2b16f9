"""Economics: what each order, delivery and complaint earns or costs the shop.

Per order the shop collects its price plus the shipping fee and pays the cost of goods and
the courier; a lost parcel is refunded; a resolved complaint costs its compensation;
advertising and overheads are paid per day; each first-time buyer costs
``acquisition_cost``; loyalty strategies book their outlays (gifts, service staff, coupons
sent) as ``strategy_cost``. Profit is revenue minus all of these, so every lever's cost
shows. Price cuts need no cost line: they lower revenue, and ``discounts`` records how much
list-price revenue they gave away. The cost lines are figures of the registry
(:mod:`loyaltysim.engine.figures`) and are booked in the day's
:class:`~loyaltysim.engine.ledger.DailyLedger`.
"""

from __future__ import annotations

import numpy as np


def order_margin(paid: np.ndarray, unit_cost: np.ndarray, shipping_cost: np.ndarray) -> np.ndarray:
    """Contribution of one order before service costs: what was paid minus goods and courier."""
    return paid - unit_cost - shipping_cost
