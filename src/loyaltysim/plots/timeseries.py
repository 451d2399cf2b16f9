"""Figures over time from ``timeseries.csv`` and ``retention.csv``, with 95% bands.

Bands are 95% confidence intervals of the mean across replications, so two shops whose
bands do not overlap differ by more than the run-to-run noise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from loyaltysim.plots._common import (
    axes,
    band_lines,
    legend,
    mean_band,
    of_variant,
    shop_colors,
    shop_order,
)

LABELS = {
    "market_share": "market share of orders (%, 30-day window)",
    "mean_satisfaction": "mean satisfaction (0-1)",
    "mean_trust": "mean trust (0-1)",
    "retention": "still customers (%, Kaplan-Meier)",
}
DAY = "recorded day"


def rolling_share(timeseries: pd.DataFrame, window: int = 30) -> pd.DataFrame:
    """Each shop's share of all orders over a trailing window, per variant and replication.

    A daily share is noisy (a few dozen orders a day in small runs); a trailing month of
    orders is what a shop's dashboard would show.
    """
    orders = timeseries.pivot_table(
        index=["variant", "replication", "day"],
        columns="shop",
        values="orders",
        observed=True,
        sort=False,
    )
    rolled = orders.groupby(level=["variant", "replication"], sort=False).transform(
        lambda s: s.rolling(window, min_periods=1).sum()
    )
    share = rolled.div(rolled.sum(axis=1).replace(0, np.nan), axis=0)
    return share.stack().rename("market_share").reset_index()


def rolling_mean(timeseries: pd.DataFrame, columns: list[str], window: int) -> pd.DataFrame:
    """Trailing ``window``-day mean of ``columns`` per variant, replication and shop."""
    keys = ["variant", "replication", "shop"]
    data = timeseries.sort_values(["variant", "replication", "day"], kind="stable")
    rolled = data.groupby(keys, sort=False, observed=True)[columns].transform(
        lambda s: s.rolling(window, min_periods=1).mean()
    )
    return pd.concat([data[[*keys, "day"]], rolled], axis=1)


def plot_market_share(
    timeseries: pd.DataFrame, variant: str = "base", window: int = 30, ax: Axes | None = None
) -> Axes:
    """Market share of each shop over time, with its 95% band across replications.

    Args:
        timeseries: The ``timeseries`` table of a run.
        variant: Which variant to draw.
        window: Days of orders behind each point (trailing window).
        ax: Axes to draw on (default: a new figure).
    """
    ax = axes(ax)
    data = of_variant(timeseries, variant)
    colors = shop_colors(shop_order(timeseries))
    share = rolling_share(data, window)
    band_lines(ax, mean_band(share, "market_share", ["shop", "day"]), "day", colors, scale=100)
    ax.set(xlabel=DAY, ylabel=LABELS["market_share"], title=f"Market share — {variant}")
    legend(ax)
    return ax


def plot_attitude(
    timeseries: pd.DataFrame,
    figure: str = "mean_satisfaction",
    variant: str = "base",
    ax: Axes | None = None,
) -> Axes:
    """Mean satisfaction or trust of each shop's customers over time, with 95% bands.

    Args:
        timeseries: The ``timeseries`` table of a run.
        figure: ``mean_satisfaction`` or ``mean_trust``.
        variant: Which variant to draw.
        ax: Axes to draw on (default: a new figure).
    """
    ax = axes(ax)
    data = of_variant(timeseries, variant)
    colors = shop_colors(shop_order(timeseries))
    band_lines(ax, mean_band(data, figure, ["shop", "day"]), "day", colors)
    ax.set(
        xlabel=DAY,
        ylabel=LABELS[figure],
        title=f"{figure.removeprefix('mean_').capitalize()} — {variant}",
    )
    legend(ax)
    return ax


def plot_retention(
    retention: pd.DataFrame,
    variant: str = "base",
    lapse_days: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Kaplan-Meier retention of each shop's new customers by days since their first order.

    Args:
        retention: The ``retention`` table of a run.
        variant: Which variant to draw.
        lapse_days: Days without an order after which a customer counts as lost; marked
            with a dotted line, since the curves step down there (None: no mark).
        ax: Axes to draw on (default: a new figure).
    """
    ax = axes(ax)
    data = of_variant(retention, variant)
    colors = shop_colors(shop_order(retention))
    band_lines(ax, mean_band(data, "retention", ["shop", "day"]), "day", colors, scale=100)
    ax.set(
        xlabel="days since first order",
        ylabel=LABELS["retention"],
        ylim=(0, 102),
        title=f"Retention of new customers — {variant}",
    )
    if lapse_days is not None and lapse_days <= data["day"].max():
        ax.axvline(lapse_days, color="grey", linestyle=":", linewidth=1)
        ax.annotate(
            f"{lapse_days} days without\nan order = lost",
            (lapse_days, 4),
            xytext=(4, 0),
            textcoords="offset points",
            fontsize="small",
            color="dimgrey",
        )
    legend(ax)
    return ax


def plot_word_of_mouth(
    timeseries: pd.DataFrame, variant: str = "base", window: int = 30, ax: Axes | None = None
) -> Axes:
    """Word-of-mouth balance: positive messages above zero, negative mirrored below.

    Each shop keeps its colour; positive is a solid line, negative a dashed line drawn as a
    negative number, so a shop whose dashed line runs deeper than its solid line runs high is
    talked down more than up. Values are messages taken in by listeners per day, averaged
    over a trailing window, with 95% bands across replications.

    Args:
        timeseries: The ``timeseries`` table of a run (``wom_positive``, ``wom_negative``).
        variant: Which variant to draw.
        window: Days averaged behind each point.
        ax: Axes to draw on (default: a new figure).
    """
    ax = axes(ax)
    data = of_variant(timeseries, variant)
    colors = shop_colors(shop_order(timeseries))
    rolled = rolling_mean(data, ["wom_positive", "wom_negative"], window)
    for column, sign, style, suffix in (
        ("wom_positive", 1.0, "-", " positive"),
        ("wom_negative", -1.0, "--", " negative"),
    ):
        band = mean_band(rolled, column, ["shop", "day"])
        band_lines(ax, band, "day", colors, sign=sign, linestyle=style, suffix=suffix)
    ax.axhline(0, color="black", linewidth=0.8)
    low, high = ax.get_ylim()
    ax.set_ylim(low, high + 0.5 * (high - low))  # room for the legend above the lines
    ax.set(
        xlabel=DAY,
        ylabel=f"messages per day ({window}-day mean)\nnegative shown below 0",
        title=f"Word of mouth, positive vs negative — {variant}",
    )
    legend(ax, ncol=2, loc="upper center")
    return ax
