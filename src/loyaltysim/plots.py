"""Figures from result tables (matplotlib only; they never touch a model).

Every ``plot_*`` function takes tidy result tables, draws on ``ax`` (or a new Axes) and
returns the Axes, like PyMC-Marketing's and lifetimes' plots, so users compose their own
figures. Bands are 95% confidence intervals of the mean across replications.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from scipy import stats

if TYPE_CHECKING:
    from loyaltysim.experiment.runner import RunResult

LABELS = {
    "market_share": "market share (orders, 30-day window)",
    "mean_satisfaction": "mean satisfaction of customers (0-1)",
    "mean_trust": "mean trust of customers (0-1)",
    "retention": "retention (Kaplan-Meier)",
}


def _axes(ax: Axes | None) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    return ax


def mean_band(frame: pd.DataFrame, value: str, by: list[str]) -> pd.DataFrame:
    """Mean of ``value`` over replications per ``by`` group, with a 95% t-interval."""
    grouped = frame.groupby(by, sort=False, observed=True)[value]
    out = grouped.agg(["mean", "std", "count"]).reset_index()
    t = stats.t.ppf(0.975, np.maximum(out["count"] - 1, 1))
    half = np.where(out["count"] > 1, t * out["std"] / np.sqrt(out["count"]), 0.0)
    out["low"], out["high"] = out["mean"] - half, out["mean"] + half
    return out


def rolling_share(timeseries: pd.DataFrame, window: int = 30) -> pd.DataFrame:
    """Each shop's share of all orders over a trailing window, per variant and replication."""
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


def _lines(ax: Axes, band: pd.DataFrame, x: str, label: str) -> None:
    for shop, group in band.groupby("shop", sort=False, observed=True):
        line = ax.plot(group[x], group["mean"], label=str(shop))[0]
        ax.fill_between(
            group[x], group["low"], group["high"], color=line.get_color(), alpha=0.2, linewidth=0
        )
    ax.set_xlabel(x)
    ax.set_ylabel(label)
    ax.legend(frameon=False, fontsize="small")


def plot_market_share(
    timeseries: pd.DataFrame, variant: str = "base", window: int = 30, ax: Axes | None = None
) -> Axes:
    """Market share of each shop over time, with its 95% band across replications."""
    ax = _axes(ax)
    share = rolling_share(timeseries[timeseries["variant"] == variant], window)
    _lines(ax, mean_band(share, "market_share", ["shop", "day"]), "day", LABELS["market_share"])
    ax.set_title(f"Market share — {variant}")
    return ax


def plot_attitude(
    timeseries: pd.DataFrame,
    figure: str = "mean_satisfaction",
    variant: str = "base",
    ax: Axes | None = None,
) -> Axes:
    """Mean satisfaction or trust of each shop's customers over time."""
    ax = _axes(ax)
    data = timeseries[timeseries["variant"] == variant]
    _lines(ax, mean_band(data, figure, ["shop", "day"]), "day", LABELS[figure])
    ax.set_title(f"{figure.replace('mean_', '').capitalize()} — {variant}")
    return ax


def plot_retention(retention: pd.DataFrame, variant: str = "base", ax: Axes | None = None) -> Axes:
    """Kaplan-Meier retention of each shop's new customers by days since their first order."""
    ax = _axes(ax)
    data = retention[retention["variant"] == variant]
    _lines(ax, mean_band(data, "retention", ["shop", "day"]), "day", LABELS["retention"])
    ax.set_xlabel("days since first order")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"Retention of new customers — {variant}")
    return ax


def save_run_figures(result: RunResult, folder: Path) -> list[str]:
    """Draw the standard figures of a run into ``folder``; return their relative paths."""
    folder.mkdir(parents=True, exist_ok=True)
    variants = list(dict.fromkeys(result.timeseries["variant"]))
    n = len(variants)
    pages = {
        "market_share.png": (1, lambda v, axs: plot_market_share(result.timeseries, v, ax=axs[0])),
        "satisfaction_trust.png": (
            2,
            lambda v, axs: (
                plot_attitude(result.timeseries, "mean_satisfaction", v, ax=axs[0]),
                plot_attitude(result.timeseries, "mean_trust", v, ax=axs[1]),
            ),
        ),
        "retention.png": (1, lambda v, axs: plot_retention(result.retention, v, ax=axs[0])),
    }
    written = []
    for name, (rows, draw) in pages.items():
        fig, grid = plt.subplots(rows, n, figsize=(6 * n, 3.8 * rows), squeeze=False)
        for j, variant in enumerate(variants):
            draw(variant, grid[:, j])
        fig.tight_layout()
        tmp = folder / f".{name}.tmp.png"
        fig.savefig(tmp, dpi=110)
        plt.close(fig)
        tmp.replace(folder / name)
        written.append(f"figures/{name}")
    return written
