"""Economics: the daily ledger and order margins."""

import numpy as np
import pytest

from loyaltysim.engine.figures import cost_names, counter_names
from loyaltysim.engine.ledger import DailyLedger
from loyaltysim.mechanisms.economics import order_margin


def test_costs_are_counters_and_revenue_is_not_a_cost():
    assert set(cost_names()) <= set(counter_names())
    assert "revenue" not in cost_names()
    assert len(set(counter_names())) == len(counter_names())
    assert cost_names() == (
        *("refunds", "cost_of_goods", "shipping_cost", "compensation", "advertising"),
        *("acquisition", "fixed_costs", "strategy_cost"),
    )


def test_new_ledger_is_zero():
    ledger = DailyLedger(3)
    assert all(np.all(v == 0) and v.shape == (3,) for v in ledger.values.values())
    np.testing.assert_array_equal(ledger.profit, [0.0, 0.0, 0.0])


def test_profit_is_revenue_minus_costs_hand_checked():
    ledger = DailyLedger(3)
    # three orders: two at shop 0 (60 each), one at shop 2 (90 + 6 fee)
    shop = np.array([0, 0, 2])
    ledger.add("orders", shop)
    ledger.add("revenue", shop, np.array([60.0, 60.0, 96.0]))
    ledger.add("cost_of_goods", shop, np.array([42.0, 42.0, 55.0]))
    ledger.add("shipping_cost", shop, 5.0)  # one value for all events
    # shop 0: one parcel lost and refunded (60), one complaint resolved (0.2 * 60 = 12)
    ledger.add("refunds", np.array([0]), np.array([60.0]))
    ledger.add("compensation", np.array([0]), np.array([12.0]))
    ledger.add("acquisition", np.array([2]), 20.0)
    ledger.add_per_shop("advertising", np.array([300.0, 0.0, 100.0]))
    ledger.add_per_shop("fixed_costs", np.array([10.0, 10.0, 10.0]))
    ledger.add("complaints", np.array([0]))  # counts do not enter profit
    # shop 0: 120 - (60 + 84 + 10 + 12 + 300 + 0 + 10) = 120 - 476 = -356
    # shop 1: 0 - 10 = -10
    # shop 2: 96 - (0 + 55 + 5 + 0 + 100 + 20 + 10) = 96 - 190 = -94
    np.testing.assert_allclose(ledger.profit, [-356.0, -10.0, -94.0])
    np.testing.assert_array_equal(ledger.values["orders"], [2, 0, 1])
    np.testing.assert_array_equal(ledger.values["complaints"], [1, 0, 0])
    # profit = revenue - sum of every cost column
    costs = sum(ledger.values[c] for c in cost_names())
    np.testing.assert_allclose(ledger.profit, ledger.values["revenue"] - costs)


def test_add_with_no_events():
    ledger = DailyLedger(2)
    ledger.add("revenue", np.empty(0, np.int64), np.empty(0))
    ledger.add("orders", np.empty(0, np.int64))
    np.testing.assert_array_equal(ledger.values["revenue"], [0.0, 0.0])


def test_order_margin():
    # paid 66 (60 + 6 fee) - goods 42 - courier 5 = 19
    assert order_margin(np.array([66.0]), np.array([42.0]), np.array([5.0]))[0] == pytest.approx(
        19.0
    )
