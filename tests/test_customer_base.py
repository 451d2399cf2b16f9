"""Customer-base computations, checked by hand: Gini, Lorenz curve, top share, cohorts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from loyaltysim.analysis.customer_base import (
    MAX_MONTHS,
    acquired,
    cohort_matrix,
    experienced_at_end,
    full_months,
    gini,
    lorenz_points,
    month_of,
    ordered_in,
    top_share,
)


# --------------------------------------------------------------------------- Gini and Lorenz
def test_gini_of_equal_spend_is_zero():
    assert gini([1, 1, 1, 1]) == 0.0


def test_gini_uses_the_population_convention():
    # One of four customers brings everything: 1 - 1/n = 0.75 (the n/(n-1) sample
    # convention would give 1.0; we use the one that equals twice the Lorenz area).
    assert gini([0, 0, 0, 1]) == pytest.approx(0.75)


def test_gini_of_one_two_three_four():
    # sum (2i - n - 1) x_i = -3*1 - 1*2 + 1*3 + 3*4 = 10; 10 / (4 * 10) = 0.25, which is
    # also the mean absolute difference 20/16 over twice the mean 2.5.
    assert gini([4, 2, 3, 1]) == pytest.approx(0.25)


def test_gini_equals_twice_the_area_between_diagonal_and_lorenz_curve():
    spend = np.random.default_rng(3).lognormal(3, 1, 500)
    x, y = lorenz_points(spend)
    area = np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2)
    assert gini(spend) == pytest.approx(1 - 2 * area)


def test_gini_ignores_nan_and_rejects_negative_spend():
    assert gini([0, np.nan, 0, 0, 1]) == pytest.approx(0.75)
    with pytest.raises(ValueError, match=">= 0"):
        gini([1, -1])
    assert np.isnan(gini([])) and np.isnan(gini([0, 0]))


def test_lorenz_points_by_hand():
    x, y = lorenz_points([3, 1, 4, 2])
    np.testing.assert_allclose(x, [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_allclose(y, [0, 0.1, 0.3, 0.6, 1])
    assert lorenz_points([0, 0])[0].size == 0


@pytest.mark.parametrize(
    ("spend", "expected"),
    [
        ([1, 1, 1, 1, 1], 0.2),  # equal spend: the top 20% bring 20%
        ([0, 0, 0, 0, 5], 1.0),  # one customer in five brings everything
        (list(range(1, 11)), 19 / 55),  # the top two of ten: (9 + 10) / 55
        ([1, 2, 3, 4], 0.32),  # 0.8 of the best customer: 3.2 / 10
    ],
)
def test_top_share_by_hand(spend, expected):
    assert top_share(spend, 0.2) == pytest.approx(expected)


def test_top_share_bounds():
    assert top_share([1, 2, 3], 0.0) == 0.0
    assert top_share([1, 2, 3], 1.0) == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        top_share([1, 2], 1.5)


# --------------------------------------------------------------------------- months and bits
def test_month_of_and_ordered_in():
    np.testing.assert_array_equal(month_of([0, 29, 30, 59, 60]), [0, 0, 1, 1, 2])
    bits = np.array([0b101, 0b010, 1 << 63], dtype=np.uint64)
    np.testing.assert_array_equal(ordered_in(bits, 0), [True, False, False])
    np.testing.assert_array_equal(ordered_in(bits, np.array([2, 1, 63])), [True, True, True])


def test_full_months_leaves_out_a_cut_off_month_and_the_shared_last_bit():
    assert full_months(89) == 2
    assert full_months(90) == 3
    assert full_months(365) == 12
    assert full_months(100 * 365) == MAX_MONTHS


# --------------------------------------------------------------------------- cohort matrix
def customers_table() -> pd.DataFrame:
    """Five customers of one shop over 100 recorded days (months 0-2 whole, 3 cut off)."""
    return pd.DataFrame(
        {
            "customer": [1, 2, 3, 4, 5],
            # A: month 0, orders in months 0 and 2 (and 3, which is not whole)
            # B: month 0, orders in months 0 and 1
            # C: month 1, orders in months 1 and 2
            # D: first order in the warm-up: not a cohort member
            # E: first order in month 3, which is cut off: left out
            "first_order_day": pd.array([5, 20, 40, -10, 95], dtype="Int32"),
            "order_months": np.array([0b1101, 0b0011, 0b0110, 0b0111, 0b1000], np.uint64),
        }
    )


def test_cohort_matrix_by_hand():
    cohorts = cohort_matrix(customers_table(), days=100)
    np.testing.assert_array_equal(cohorts.size.to_numpy(), [2, 1, 0])
    expected = np.array(
        [
            [1.0, 0.5, 0.5],  # cohort 0: B orders in month 1, A in month 2
            [1.0, 1.0, np.nan],  # cohort 1: C orders in month 2; month 3 is not whole
            [np.nan, np.nan, np.nan],  # nobody's first order fell in month 2
        ]
    )
    np.testing.assert_array_equal(cohorts.share.to_numpy(), expected)
    assert cohorts.share.index.name == "cohort"
    assert cohorts.share.columns.name == "months_since_first_order"


def test_cohort_matrix_of_a_run_shorter_than_a_month_is_empty():
    cohorts = cohort_matrix(customers_table(), days=20)
    assert cohorts.share.shape == (0, 0)
    assert cohorts.size.empty


def test_cohort_matrix_reads_csv_types():
    # From customers.csv, first_order_day is float with NaN and order_months an integer.
    frame = customers_table()
    frame["first_order_day"] = frame["first_order_day"].astype("float64")
    frame.loc[3, "first_order_day"] = np.nan
    frame["order_months"] = frame["order_months"].astype(np.int64)
    cohorts = cohort_matrix(frame, days=100)
    assert cohorts.share.iloc[0, 1] == 0.5


def test_cohort_matrix_of_an_old_table_says_what_is_missing():
    with pytest.raises(ValueError, match=r"no order_months column.*run the scenario again"):
        cohort_matrix(customers_table().drop(columns="order_months"), days=100)


def test_acquired_and_experienced_masks():
    frame = pd.DataFrame(
        {
            "first_order_day": [0.0, -3.0, np.nan, 7.0],
            "left": [np.nan, np.nan, 12.0, np.nan],
            "experiences": [1, 2, 3, 0],
        }
    )
    assert acquired(frame).tolist() == [True, False, False, True]
    assert experienced_at_end(frame).tolist() == [True, True, False, False]
