"""Customer-base figures: repurchase, retention (Kaplan-Meier), lifetime value.

Definitions (``docs/metrics.md`` gives them in words):

* ``repurchase_rate``: of the customers who ordered from the shop while recording, the share
  who ordered at least twice. For a one-year run this is the yearly repurchase rate a shop's
  CRM reports (essay 003: about 10% at the baby-products shop).
* ``retention``: Kaplan-Meier probability that a customer acquired while recording (first
  order ever on day 0 or later) is still the shop's customer ``horizon`` days after the first
  order. A customer is lost on the first of: dropping the shop (churn), leaving the market, or
  going ``lapse_days`` without an order (in a non-contractual setting silence is how most
  customers leave, Fader & Hardie 2007); customers still active at the end are censored.
  With a one-year horizon this is the yearly retention rate.
* ``clv``: realised customer lifetime value over the run: mean contribution margin (revenue
  minus goods, courier, refunds, compensation and acquisition cost) per acquired customer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def kaplan_meier(durations: np.ndarray, events: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Kaplan-Meier survival ``S(t)`` at each of ``times``.

    Args:
        durations: Time from the start (first order) to the event or censoring.
        events: True where the customer was lost (churned or left), False if censored.
        times: Where to evaluate the curve.

    """
    durations = np.asarray(durations, dtype=np.float64)
    events = np.asarray(events, dtype=bool)
    if durations.size == 0:
        return np.full(np.shape(times), np.nan)
    event_times = np.unique(durations[events])
    if event_times.size == 0:  # nobody lost yet: the curve is 1 everywhere
        return np.ones(np.shape(times))
    at_risk = durations.size - np.searchsorted(np.sort(durations), event_times, side="left")
    deaths = np.bincount(
        np.searchsorted(event_times, durations[events]), minlength=event_times.size
    )
    survival = np.cumprod(1.0 - deaths / at_risk)
    idx = np.searchsorted(event_times, np.asarray(times, dtype=np.float64), side="right") - 1
    return np.where(idx >= 0, survival[np.maximum(idx, 0)], 1.0)


def retention_data(
    records: pd.DataFrame, end_day: int, lapse_days: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Durations and loss events of customers acquired while recording (for one shop).

    ``lapse_days=None`` counts only churn and leaving the market as losses.
    """
    acquired = records[records["first_order_day"].fillna(-1) >= 0]
    first = acquired["first_order_day"].to_numpy(dtype=np.float64)
    churn = acquired["churn_day"].to_numpy(dtype=np.float64, na_value=np.nan)
    left = acquired["left"].to_numpy(dtype=np.float64, na_value=np.nan)
    lost_day = np.fmin(np.where(churn >= first, churn, np.nan), left)
    if lapse_days is not None:
        last = acquired["last_order_day"].to_numpy(dtype=np.float64)
        lapse = last + lapse_days
        lost_day = np.fmin(lost_day, np.where(lapse <= end_day, lapse, np.nan))
    events = ~np.isnan(lost_day)
    durations = np.where(events, lost_day, end_day) - first
    return durations, events


def customer_figures(
    records: pd.DataFrame, end_day: int, horizon: int, lapse_days: int | None = None
) -> pd.DataFrame:
    """Per shop: buyers, repurchase rate, acquired customers, retention and CLV."""
    rows = []
    for shop, group in records.groupby("shop", observed=False, sort=False):
        buyers = group["orders"] > 0
        acquired = group["first_order_day"].fillna(-1) >= 0
        durations, events = retention_data(group, end_day, lapse_days)
        rows.append(
            {
                "shop": shop,
                "buyers_total": int(buyers.sum()),
                "repurchase_rate": float((group.loc[buyers, "orders"] >= 2).mean())
                if buyers.any()
                else np.nan,
                "acquired": int(acquired.sum()),
                "retention": float(kaplan_meier(durations, events, [horizon])[0]),
                "clv": float(group.loc[acquired, "margin"].mean()) if acquired.any() else np.nan,
            }
        )
    return pd.DataFrame(rows)
