"""The curves a run produces for series targets: one figure per recorded day or week.

A run's ``timeseries`` table has one row per shop and recorded day (days ``0 .. days-1``).
A curve picks one figure of one shop, or of the market, and reduces it per period:

* a *flow* (a counter of the figure registry, or a figure summed per run, such as orders,
  revenue or profit) is summed over the period's days, or, for a cumulative curve, over
  every day from day 0 to the period's last day;
* a *level* (customers, mean satisfaction, rating, the day's shares) is its value on the
  period's last day.

Day ``d`` is the period ``[d, d]``; week ``w`` (from 1) is days ``7w - 7`` to ``7w - 1``, so
week 1 is the first recorded week. Market curves exist for flows that add up over shops
(orders, first orders, revenue...), since a customer can be a customer of several shops.
``repeat_orders`` is one more flow: orders minus first orders (``new_customers``), the
"repeat transactions" of the customer-base literature.

A *cohort* curve (``cohort_weeks``) follows the orders of the customers whose first order
(at the shop; for the market, anywhere) falls in recorded weeks ``1 .. cohort_weeks``, read
from the run's transaction log: Fader, Hardie & Lee's (2005) weekly cumulative repeat
transactions of CDNOW's first-quarter cohort is such a curve. A customer whose first order
fell in the warm-up is not new, so not in the cohort. Its values are per member of the
cohort (mean orders per customer), so an observed curve of a customer base of any size can
be compared with a simulated market of another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from loyaltysim.engine import figures as registry
from loyaltysim.engine.figures import AcrossShops, Counter, Figure, PerRun
from loyaltysim.experiment.sweep.outputs import MARKET

#: The flow that is not a registry figure: orders from customers who had ordered before.
REPEAT_ORDERS = "repeat_orders"
#: Days in a week.
WEEK = 7
#: The figures a cohort curve can follow.
COHORT_FIGURES = ("orders", REPEAT_ORDERS)

Period = Literal["day", "week"]


def is_flow(figure: Figure) -> bool:
    """Whether a daily figure is a count or an amount per day (summed over a period)."""
    return isinstance(figure.daily, Counter) or figure.per_run is PerRun.SUM


def curve_figures(shop: str) -> list[str]:
    """The figures a curve of ``shop`` (or of ``"market"``) can follow."""
    daily = registry.daily_figures()
    if shop == MARKET:
        daily = tuple(f for f in daily if is_flow(f) and f.across_shops is AcrossShops.SUM)
    return [*registry.names(daily), REPEAT_ORDERS]


def flow(figure: str) -> bool:
    """Whether ``figure`` (a curve figure) is summed over a period."""
    found = registry.find(figure)
    return figure == REPEAT_ORDERS or (found is not None and is_flow(found))


def last_time(period: Period, days: int) -> int:
    """The last whole period of a run of ``days`` recorded days."""
    return days - 1 if period == "day" else days // WEEK


def first_time(period: Period) -> int:
    """The first period: day 0 or week 1."""
    return 0 if period == "day" else 1


@dataclass(frozen=True)
class Curve:
    """Which figure a series target follows, per which period, at which times.

    Attributes:
        shop: A shop's name or ``"market"``.
        figure: A daily figure of the registry or ``repeat_orders``.
        period: ``day`` or ``week``.
        cumulative: Running totals from day 0 (flows only).
        times: The periods of the observed points, in the CSV's order.
        cohort_weeks: Only the orders of the customers new in weeks ``1 .. cohort_weeks``.
    """

    shop: str
    figure: str
    period: Period
    cumulative: bool
    times: tuple[int, ...]
    cohort_weeks: int | None = None


def daily_values(timeseries: pd.DataFrame, shop: str, figure: str, days: int) -> np.ndarray:
    """The figure on each recorded day ``0 .. days-1`` (market: summed over shops)."""
    rows = timeseries if shop == MARKET else timeseries[timeseries["shop"] == shop]
    repeat = figure == REPEAT_ORDERS
    values = rows["orders"] - rows["new_customers"] if repeat else rows[figure]
    per_day = values.astype(np.float64).groupby(rows["day"].to_numpy()).sum()
    return per_day.reindex(range(days), fill_value=0.0).to_numpy()


def cohort_daily_values(orders: pd.DataFrame, curve: Curve, days: int) -> np.ndarray:
    """The cohort's orders (or repeat orders) per member on each recorded day ``0 .. days-1``.

    ``orders`` is a transaction log (``customer``, ``shop``, ``day``; warm-up days negative).
    A customer's first order is not a repeat; a second order on the same day (at another
    shop, for the market) is.
    """
    assert curve.cohort_weeks is not None
    rows = orders if curve.shop == MARKET else orders[orders["shop"] == curve.shop]
    rows = rows.sort_values("day", kind="stable")
    day = rows["day"].to_numpy()
    first = rows.groupby("customer")["day"].transform("min").to_numpy()
    keep = (first >= 0) & (first < WEEK * curve.cohort_weeks) & (day < days)
    members = rows["customer"].to_numpy()[keep]
    if curve.figure == REPEAT_ORDERS:
        keep &= rows.duplicated("customer").to_numpy()
    size = max(np.unique(members).shape[0], 1)
    return np.bincount(day[keep], minlength=days).astype(np.float64) / size


def curve_values(
    timeseries: pd.DataFrame, curve: Curve, days: int, orders: pd.DataFrame | None = None
) -> np.ndarray:
    """The run's value of ``curve`` at each of its times (cohort curves read ``orders``)."""
    if curve.cohort_weeks is None:
        daily = daily_values(timeseries, curve.shop, curve.figure, days)
    else:
        assert orders is not None, "a cohort curve needs the run's transaction log"
        daily = cohort_daily_values(orders, curve, days)
    times = np.asarray(curve.times, dtype=np.int64)
    ends = times if curve.period == "day" else WEEK * times - 1
    if not flow(curve.figure):
        return daily[ends]
    if curve.cumulative:
        return np.cumsum(daily)[ends]
    starts = ends if curve.period == "day" else ends - (WEEK - 1)
    return np.array([daily[a : b + 1].sum() for a, b in zip(starts, ends, strict=True)])
