"""The RFM summary of an order log, in the layout CLV packages read.

lifetimes' ``summary_data_from_transaction_data`` and PyMC-Marketing's CLV models
(``BetaGeoModel``, ``GammaGammaModel``) take one row per customer with:

- ``frequency``: the number of *repeat periods* with a purchase (periods with at least one
  order, less the first one; several orders in one period count once);
- ``recency``: periods from the first purchase period to the last one;
- ``T``: periods from the first purchase period to the end of observation;
- ``monetary_value``: the mean value per repeat period (each period's orders summed), the
  first period excluded; 0 for a customer without repeats.

Periods are blocks of ``period_days`` recorded days counted from day 0 (the run's
``start_date``), as lifetimes' periods are calendar periods: with ``period_days=7`` and a run
starting on a Monday the two agree exactly, with ``period_days=1`` always. Orders after
``observation_end`` (in its period and later ones, as lifetimes truncates) are left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from loyaltysim.scenario.wording import unknown

#: The columns of the summary, in lifetimes' order.
RFM_COLUMNS = ("frequency", "recency", "T", "monetary_value")


def summarise_periods(
    customer: np.ndarray, day: np.ndarray, value: np.ndarray, period_days: int, end_day: int
) -> pd.DataFrame:
    """The RFM summary of plain arrays (one entry per order), indexed by ``customer``.

    This is the one place the conventions live; :func:`rfm_summary` (the simulator's orders
    table) and :mod:`loyaltysim.analysis.fit_customers` (a user's order log) both call it.

    Args:
        customer: Customer id of each order.
        day: Day of each order (integers).
        value: Monetary value of each order.
        period_days: Days per period (1 = days, 7 = weeks).
        end_day: Last day observed; orders in later periods are left out.

    Returns:
        Float columns ``frequency, recency, T, monetary_value``, one row per customer
        with an order up to the end, in ascending customer order.

    """
    if period_days < 1:
        raise ValueError(f"period_days: expected a whole number of days >= 1, given {period_days}")
    orders = pd.DataFrame(
        {
            "customer": np.asarray(customer),
            "period": np.floor_divide(np.asarray(day, dtype=np.int64), period_days),
            "value": np.asarray(value, dtype=float),
        }
    )
    end = int(end_day) // period_days
    orders = orders[orders["period"] <= end]
    periods = orders.groupby(["customer", "period"], sort=True)["value"].sum().reset_index()
    first = periods.groupby("customer", sort=True)["period"].transform("min")
    per_customer = periods.groupby("customer", sort=True)
    start, last = per_customer["period"].min(), per_customer["period"].max()
    repeats = periods[periods["period"] > first].groupby("customer")["value"].mean()
    summary = pd.DataFrame(
        {
            "frequency": per_customer["period"].count() - 1,
            "recency": last - start,
            "T": end - start,
            "monetary_value": repeats.reindex(start.index, fill_value=0.0),
        }
    )
    summary.index.name = "customer"
    return summary.astype(float)


def rfm_summary(
    orders: pd.DataFrame,
    shop: str | None = None,
    period_days: int = 7,
    observation_end: int | None = None,
) -> pd.DataFrame:
    """Frequency, recency, T and monetary value per customer, from the orders table.

    Args:
        orders: One replication of one variant of ``orders.parquet`` (columns ``customer``,
            ``shop``, ``day``, ``goods``, ``fee``; an order's value is goods + fee).
        shop: Only this shop's orders (a customer's history *with the shop*), or None for
            all shops together (the customer's buying in the category).
        period_days: Days per period (7: weeks, as in Fader, Hardie & Lee 2005).
        observation_end: Last observed day (default: the last day with an order, as
            lifetimes' default); pass the run's last recorded day (``days - 1``) to count
            the quiet days at the end of the run too.

    Returns:
        The summary, indexed by customer uid (see the module docstring).

    Raises:
        ValueError: Several replications or variants are mixed (uids repeat across them),
            or ``shop`` has no orders in the table.

    """
    for column in ("replication", "variant"):
        if column in orders and orders[column].nunique() > 1:
            values = ", ".join(str(v) for v in sorted(orders[column].unique())[:5])
            raise ValueError(
                f"orders mix several values of {column} ({values}); customer uids repeat "
                f"across them, so select one {column} first"
            )
    if shop is not None:
        shops = sorted(str(s) for s in orders["shop"].unique())
        if shop not in shops:
            listed = ", ".join(shops) or "none"
            raise ValueError(f"shop: {unknown(shop, 'shop', shops)}; shops with orders: {listed}")
        orders = orders[orders["shop"] == shop]
    if observation_end is None:
        observation_end = int(orders["day"].max()) if len(orders) else 0
    return summarise_periods(
        orders["customer"].to_numpy(),
        orders["day"].to_numpy(),
        (orders["goods"] + orders["fee"]).to_numpy(),
        period_days,
        observation_end,
    )
