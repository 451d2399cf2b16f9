"""Customer-base analysis of the per-customer table: concentration and cohorts.

Pure functions over arrays and the ``customers`` table (``customers.csv``), kept apart from
the figures so each number can be checked by hand:

* :func:`gini`, :func:`lorenz_points` and :func:`top_share` measure how concentrated revenue
  is on few customers (the "top 20% bring x% of revenue" of CRM practice).
* :func:`cohort_matrix` is the cohort retention triangle: customers grouped by the month of
  their first order, and the share of each cohort that orders again 1, 2, ... months later.
  It reads ``order_months``, a bitmask per customer and shop (bit m set if the customer
  ordered in recorded month m, i.e. days 30m..30m+29), so no order log is needed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from loyaltysim.engine.state import MONTH_DAYS

#: ``order_months`` has 64 bits and the model puts every order from month 63 on in bit 63,
#: so only months 0..62 are single months.
MAX_MONTHS = 63


def _values(values: np.ndarray | pd.Series) -> np.ndarray:
    out = np.asarray(values, dtype=np.float64).ravel()
    if np.any(out < 0):
        raise ValueError("revenue per customer must be >= 0 for a Lorenz curve and Gini")
    return np.sort(out[~np.isnan(out)])


def lorenz_points(values: np.ndarray | pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Points of the Lorenz curve: share of customers (poorest first) vs share of revenue.

    Args:
        values: Revenue (or any non-negative amount) per customer; NaN is ignored.

    Returns:
        ``(x, y)`` of length ``n + 1``, from ``(0, 0)`` to ``(1, 1)``: the poorest ``x`` of the
        customers bring ``y`` of the total. Empty when there is no revenue at all.
    """
    sorted_values = _values(values)
    total = sorted_values.sum()
    if sorted_values.size == 0 or total <= 0:
        return np.array([]), np.array([])
    x = np.arange(sorted_values.size + 1) / sorted_values.size
    y = np.concatenate([[0.0], np.cumsum(sorted_values) / total])
    y[-1] = 1.0  # exact, whatever the rounding of the cumulative sum
    return x, y


def gini(values: np.ndarray | pd.Series) -> float:
    """Gini coefficient of revenue per customer, population convention (no n/(n-1)).

    ``G = sum_i (2i - n - 1) x_(i) / (n sum x)`` with ``x`` sorted ascending, which is twice
    the area between the diagonal and the Lorenz curve drawn by :func:`lorenz_points`, so the
    number printed on a figure matches the curve. Equal spend gives 0; one customer bringing
    everything among ``n`` gives ``1 - 1/n`` (0.75 for four customers; the sample convention,
    which multiplies by ``n/(n-1)``, would give 1).

    Returns:
        The coefficient in [0, 1), or NaN when there is no revenue.
    """
    sorted_values = _values(values)
    n, total = sorted_values.size, sorted_values.sum()
    if n == 0 or total <= 0:
        return float("nan")
    rank = np.arange(1, n + 1)
    return float(np.sum((2 * rank - n - 1) * sorted_values) / (n * total))


def top_share(values: np.ndarray | pd.Series, fraction: float = 0.2) -> float:
    """Share of revenue brought by the top ``fraction`` of customers.

    Read off the Lorenz curve as ``1 - L(1 - fraction)`` with linear interpolation, so with
    five equal customers the top 20% bring exactly 20%, and with seven customers the top 20%
    include 0.4 of the sixth-best customer.

    Returns:
        A share in [0, 1], or NaN when there is no revenue.
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must lie in [0, 1], given {fraction}")
    x, y = lorenz_points(values)
    if x.size == 0:
        return float("nan")
    return float(1.0 - np.interp(1.0 - fraction, x, y))


def month_of(day: np.ndarray | pd.Series) -> np.ndarray:
    """Recorded month (0, 1, ...) of recorded days (floor division, like the model)."""
    return np.floor_divide(np.asarray(day, dtype=np.int64), MONTH_DAYS)


def ordered_in(order_months: np.ndarray | pd.Series, month: np.ndarray | int) -> np.ndarray:
    """Whether each customer ordered in ``month`` (one month each, or one for all)."""
    bits = np.asarray(order_months).astype(np.uint64)
    shift = np.asarray(month, dtype=np.int64).astype(np.uint64)
    return ((bits >> shift) & np.uint64(1)).astype(bool)


def full_months(days: int) -> int:
    """Number of whole months in ``days`` recorded days (a cut-off last month is left out)."""
    return min(days // MONTH_DAYS, MAX_MONTHS)


def acquired(customers: pd.DataFrame) -> pd.Series:
    """Rows whose first-ever order from the shop fell in the recorded days (day >= 0)."""
    first = pd.to_numeric(customers["first_order_day"], errors="coerce")
    return first.fillna(-1) >= 0


def experienced_at_end(customers: pd.DataFrame) -> pd.Series:
    """Rows of customers still in the market at the end who have received an order.

    These are the customers behind ``mean_satisfaction`` and ``mean_trust`` of the last day.
    """
    still_here = pd.to_numeric(customers["left"], errors="coerce").isna()
    return still_here & (customers["experiences"] > 0)


@dataclass(frozen=True)
class Cohorts:
    """A cohort retention triangle.

    Attributes:
        share: Rows are cohorts (recorded month of the first order), columns are months since
            the first order (0, 1, ...); a cell is the share of the cohort that ordered in that
            month. Month 0 is 1 by definition. Cells whose month is not wholly recorded are NaN,
            which gives the triangle its shape.
        size: Customers in each cohort.
    """

    share: pd.DataFrame
    size: pd.Series


def cohort_matrix(customers: pd.DataFrame, days: int) -> Cohorts:
    """Cohort retention triangle from ``first_order_day`` and ``order_months``.

    Each row of ``customers`` counts as one customer of its shop, so pass the rows of one shop
    (and one variant) to get that shop's triangle; rows of several replications are pooled.
    Customers whose first order came before recording (warm-up) are left out, as are cohorts
    of a last month that was not recorded in full.

    Args:
        customers: Rows of the customers table (needs ``first_order_day``, ``order_months``).
        days: Recorded days of the run (``run.days``).

    Returns:
        The triangle and the cohort sizes; both empty if the run has no whole month.
    """
    if "order_months" not in customers:
        raise ValueError(
            "the customers table has no order_months column (it was written before "
            "loyaltysim recorded the months with orders); run the scenario again"
        )
    months = full_months(days)
    columns = pd.RangeIndex(months, name="months_since_first_order")
    index = pd.RangeIndex(months, name="cohort")
    rows = customers[acquired(customers)]
    cohort = month_of(rows["first_order_day"].to_numpy(dtype=np.int64))
    keep = cohort < months
    cohort, bits = cohort[keep], rows["order_months"].to_numpy()[keep]
    sizes = np.bincount(cohort, minlength=months)[:months]
    share = np.full((months, months), np.nan)
    for k in range(months):
        observed = cohort + k < months
        active = ordered_in(bits[observed], cohort[observed] + k)
        counts = np.bincount(cohort[observed], weights=active, minlength=months)[:months]
        cells = np.arange(months) + k < months
        with np.errstate(invalid="ignore", divide="ignore"):
            share[cells, k] = np.where(sizes[cells] > 0, counts[cells] / sizes[cells], np.nan)
    size = pd.Series(sizes, index=index, name="customers")
    return Cohorts(pd.DataFrame(share, index=index, columns=columns), size)
