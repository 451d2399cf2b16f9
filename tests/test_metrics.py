"""Customer-base figures: Kaplan-Meier, retention data, per-shop figures."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from loyaltysim.analysis.metrics import customer_figures, kaplan_meier, retention_data


# --------------------------------------------------------------------------- kaplan_meier
def test_kaplan_meier_textbook_example():
    # durations 1 2 2 3 4 5, events 1 1 0 1 0 1 (the second 2 and the 4 censored)
    # t=1: 6 at risk, 1 lost -> S = 5/6
    # t=2: 5 at risk (2, 2, 3, 4, 5; the censored 2 still at risk), 1 lost -> 5/6 * 4/5 = 2/3
    # t=3: 3 at risk (3, 4, 5), 1 lost -> 2/3 * 2/3 = 4/9
    # t=4: censoring only -> 4/9; t=5: 1 at risk, 1 lost -> 0
    durations = [1, 2, 2, 3, 4, 5]
    events = [1, 1, 0, 1, 0, 1]
    times = [0, 0.5, 1, 1.5, 2, 3, 4, 4.99, 5, 6]
    expected = [1, 1, 5 / 6, 5 / 6, 2 / 3, 4 / 9, 4 / 9, 4 / 9, 0, 0]
    np.testing.assert_allclose(kaplan_meier(durations, events, times), expected, atol=1e-12)


def test_kaplan_meier_unsorted_with_tied_deaths():
    # durations 3 1 4 4 2 7 4, events 1 0 1 0 1 1 1; event times 2, 3, 4 (two deaths), 7
    # t=2: at risk {3,4,4,2,7,4} = 6, 1 lost -> 5/6
    # t=3: at risk {3,4,4,7,4} = 5, 1 lost -> 5/6 * 4/5 = 2/3
    # t=4: at risk {4,4,7,4} = 4, 2 lost -> 2/3 * 2/4 = 1/3
    # t=7: at risk {7} = 1, 1 lost -> 0
    durations = np.array([3, 1, 4, 4, 2, 7, 4])
    events = np.array([1, 0, 1, 0, 1, 1, 1], bool)
    times = np.array([0, 1, 2, 2.5, 3, 4, 6.9, 7, 10])
    expected = [1, 1, 5 / 6, 5 / 6, 2 / 3, 1 / 3, 1 / 3, 0, 0]
    np.testing.assert_allclose(kaplan_meier(durations, events, times), expected, atol=1e-12)


def test_kaplan_meier_without_censoring_is_the_empirical_survival():
    # no censoring: S(t) = share with duration > t: durations 1..4 -> 3/4, 2/4, 1/4, 0
    np.testing.assert_allclose(
        kaplan_meier([4, 2, 1, 3], [1, 1, 1, 1], [1, 2, 3, 4]), [0.75, 0.5, 0.25, 0.0]
    )


def test_kaplan_meier_nobody_lost_and_nobody_at_all():
    np.testing.assert_array_equal(kaplan_meier([5, 9], [0, 0], [0, 7, 100]), [1, 1, 1])
    out = kaplan_meier([], [], [1, 2])
    assert out.shape == (2,) and np.isnan(out).all()


def test_kaplan_meier_matches_scipy_ecdf_on_random_censored_data():
    # independent implementation: scipy.stats.ecdf with right-censored data
    g = np.random.default_rng(0)
    durations = g.integers(0, 30, 400).astype(float)  # integer days: many ties
    events = g.random(400) < 0.6
    times = np.arange(0, 31)
    ours = kaplan_meier(durations, events, times)
    data = stats.CensoredData(uncensored=durations[events], right=durations[~events])
    theirs = stats.ecdf(data).sf.evaluate(times)
    np.testing.assert_allclose(ours, theirs, atol=1e-12)


# --------------------------------------------------------------------------- records
END = 100


def records():
    """Hand-made customer records (one row per customer and shop), end of run day 100."""
    na = pd.NA
    rows = [
        # shop, first, last, churn, left, orders, margin
        ("a", 10, 95, na, na, 3, 30.0),  # r0 still a customer: censored at 100 - 10 = 90
        ("a", 20, 20, 50, na, 1, -10.0),  # r1 churned on day 50: lost after 30
        ("a", 5, 30, na, 40, 2, 20.0),  # r2 left the market on day 40: lost after 35
        ("a", 30, 35, 60, 45, 1, 5.0),  # r3 left (45) before churning (60): lost after 15
        ("a", -5, 50, na, na, 2, 50.0),  # r4 acquired in the warm-up: not counted
        ("a", na, na, na, na, 0, 0.0),  # r5 only aware: not acquired
        ("a", 40, 60, 20, na, 4, 40.0),  # r6 churn before its first order ignored: 60 censored
        ("a", 0, 0, na, na, 1, -15.0),  # r7 first order on day 0: censored at 100
        ("b", 50, 50, na, na, 1, 12.0),  # shop b: one customer, never lost
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "shop",
            "first_order_day",
            "last_order_day",
            "churn_day",
            "left",
            "orders",
            "margin",
        ],
    )
    for col in ("first_order_day", "last_order_day", "churn_day", "left"):
        frame[col] = frame[col].astype("Int32")
    frame["shop"] = pd.Categorical(frame["shop"], categories=["a", "b", "c"])
    return frame


def test_retention_data_hand_checked():
    durations, events = retention_data(records()[lambda f: f["shop"] == "a"], END)
    # acquired while recording: r0, r1, r2, r3, r6, r7
    np.testing.assert_array_equal(durations, [90, 30, 35, 15, 60, 100])
    np.testing.assert_array_equal(events, [False, True, True, True, False, False])


def test_retention_data_with_lapse():
    # lapse 30 days after the last order, if that falls by day 100:
    # r0 95+30 = 125 > 100: censored 90; r1 20+30 = 50 = churn day: 30; r2 left at 40 < 60: 35;
    # r3 left 45 < 65: 15; r6 60+30 = 90: lost after 90 - 40 = 50; r7 0+30 = 30: lost after 30
    durations, events = retention_data(records()[lambda f: f["shop"] == "a"], END, 30)
    np.testing.assert_array_equal(durations, [90, 30, 35, 15, 50, 30])
    np.testing.assert_array_equal(events, [False, True, True, True, True, True])
    # a lapse exactly on the last day counts: 70 + 30 = 100
    one = records().iloc[[0]].copy()
    one["last_order_day"] = pd.array([70], dtype="Int32")
    durations, events = retention_data(one, END, 30)
    assert events.tolist() == [True] and durations.tolist() == [90]


def test_retention_data_no_acquired_customers():
    frame = records()
    durations, events = retention_data(frame[frame["shop"] == "c"], END)
    assert durations.size == events.size == 0


# --------------------------------------------------------------------------- customer_figures
def test_customer_figures_hand_checked():
    fig = customer_figures(records(), END, horizon=40).set_index("shop")
    assert list(fig.index) == ["a", "b", "c"]
    a, b, c = fig.loc["a"], fig.loc["b"], fig.loc["c"]
    # shop a buyers (orders > 0): r0 r1 r2 r3 r4 r6 r7 = 7; with >= 2 orders r0 r2 r4 r6 = 4/7
    assert a["buyers_total"] == 7
    assert a["repurchase_rate"] == pytest.approx(4 / 7)
    assert a["acquired"] == 6
    # KM on durations 90 30 35 15 60 100 (events at 30, 35, 15):
    # t=15: 6 at risk -> 5/6; t=30: 5 at risk -> 5/6*4/5 = 2/3; t=35: 4 -> 2/3*3/4 = 1/2
    assert a["retention"] == pytest.approx(0.5)
    # CLV over the acquired: (30 - 10 + 20 + 5 + 40 - 15) / 6 = 70/6
    assert a["clv"] == pytest.approx(70 / 6)
    # shop b: one buyer with one order, never lost
    assert b["buyers_total"] == 1 and b["repurchase_rate"] == 0.0
    assert b["acquired"] == 1 and b["retention"] == 1.0 and b["clv"] == pytest.approx(12.0)
    # shop c: nobody
    assert c["buyers_total"] == 0 and c["acquired"] == 0
    assert math.isnan(c["repurchase_rate"]) and math.isnan(c["retention"])
    assert math.isnan(c["clv"])


def test_customer_figures_with_lapse():
    # durations 90 30 35 15 50 30, all lost but r0: event times 15, 30 (two), 35, 50
    # t=15: 6 at risk -> 5/6; t=30: 5 at risk, 2 lost -> 5/6*3/5 = 1/2;
    # t=35: 3 at risk (90, 35, 50) -> 1/2*2/3 = 1/3; horizon 40 -> 1/3
    fig = customer_figures(records(), END, horizon=40, lapse_days=30).set_index("shop")
    assert fig.loc["a", "retention"] == pytest.approx(1 / 3)


def test_customer_figures_lapse_loses_the_silent_customer():
    # shop b's only customer ordered on day 50 and never again: with lapse 30 it is lost on
    # day 80, 30 days after its first order -> S(40) = 0, S(20) = 1
    fig40 = customer_figures(records(), END, horizon=40, lapse_days=30).set_index("shop")
    fig20 = customer_figures(records(), END, horizon=20, lapse_days=30).set_index("shop")
    assert fig40.loc["b", "retention"] == 0.0
    assert fig20.loc["b", "retention"] == 1.0
