"""Figures of the customer base from ``customers.csv``: who is satisfied, who pays, who stays.

The customers table has one row per customer and shop the customer knew, so every figure
here is drawn per shop. Rows of several replications of a variant are pooled: they are
draws from the same market.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes

from loyaltysim.analysis.customer_base import (
    acquired,
    cohort_matrix,
    experienced_at_end,
    gini,
    lorenz_points,
    top_share,
)
from loyaltysim.plots._common import axes, legend, of_variant, shop_colors, shop_order

ATTITUDES = {"satisfaction": "satisfaction (0-1)", "trust": "trust (0-1)"}
#: Values behind a violin's shape at most (a fixed random subset of larger groups; the mean
#: marked on the violin always uses every value). Keeps a million-customer run quick.
VIOLIN_VALUES = 20_000
#: Points drawn on a Lorenz curve at most (the Gini and top share use every customer).
LORENZ_POINTS = 1_001


def _subset(values: np.ndarray, size: int = VIOLIN_VALUES) -> np.ndarray:
    """At most ``size`` of ``values``, chosen by a fixed seed so figures are reproducible."""
    if values.size <= size:
        return values
    return np.random.default_rng(0).choice(values, size, replace=False)


def _violins(
    ax: Axes, groups: dict[str, np.ndarray], colors: dict[str, tuple[float, float, float]]
) -> None:
    """A violin per shop with its mean marked; shops with no values get an empty slot."""
    names = list(groups)
    filled = [i for i, name in enumerate(names) if groups[name].size > 1]
    if filled:
        parts = ax.violinplot(
            [_subset(groups[names[i]]) for i in filled],
            positions=filled,
            showextrema=False,
            widths=0.8,
        )
        for body, i in zip(parts["bodies"], filled, strict=True):
            body.set_facecolor(colors[names[i]])
            body.set_edgecolor("black")
            body.set_alpha(0.6)
    means = [groups[n].mean() if groups[n].size else np.nan for n in names]
    ax.scatter(range(len(names)), means, color="black", marker="_", s=400, zorder=3, label="mean")
    ax.set_xticks(range(len(names)), [f"{n}\n(n = {groups[n].size:,})" for n in names])


def plot_attitude_distribution(
    customers: pd.DataFrame,
    figure: str = "satisfaction",
    variant: str = "base",
    ax: Axes | None = None,
) -> Axes:
    """Distribution of satisfaction or trust per shop at the end of the run (violins).

    The mean over time hides whether a shop has uniformly lukewarm customers or a split
    between fans and the disappointed; the shape shows it. Only customers still in the market
    who have received an order from the shop count, the same customers as the last day's
    ``mean_satisfaction`` and ``mean_trust``.

    Args:
        customers: The ``customers`` table of a run.
        figure: ``satisfaction`` or ``trust``.
        variant: Which variant to draw.
        ax: Axes to draw on (default: a new figure).
    """
    if figure not in ATTITUDES:
        raise ValueError(f"figure must be one of {sorted(ATTITUDES)}, given {figure!r}")
    ax = axes(ax)
    data = of_variant(customers, variant)
    data = data[experienced_at_end(data)]
    shops = shop_order(customers)
    groups = {s: data.loc[data["shop"] == s, figure].to_numpy(dtype=float) for s in shops}
    _violins(ax, groups, shop_colors(shops))
    ax.set(
        ylim=(-0.02, 1.02),
        xlabel="shop",
        ylabel=ATTITUDES[figure],
        title=f"{figure.capitalize()} of customers at the end — {variant}",
    )
    legend(ax, loc="lower right")
    return ax


def plot_lorenz(
    customers: pd.DataFrame,
    variant: str = "base",
    shops: list[str] | None = None,
    top: float = 0.2,
    ax: Axes | None = None,
) -> Axes:
    """Lorenz curve of revenue per customer for each shop, with Gini and the top-20% share.

    How much of a shop's revenue rests on few customers decides how much losing a handful of
    them hurts. Each buyer in the recorded days (``spend > 0``) is one point; the legend gives
    the Gini coefficient (:func:`loyaltysim.analysis.customer_base.gini`) and the share of
    revenue the top ``top`` of customers bring, which is also marked on the curve.

    Args:
        customers: The ``customers`` table of a run.
        variant: Which variant to draw.
        shops: Shops to draw (default: all).
        top: Fraction of best customers whose revenue share is annotated.
        ax: Axes to draw on (default: a new figure).
    """
    ax = axes(ax, (6, 5))
    data = of_variant(customers, variant)
    order = shop_order(customers)
    colors = shop_colors(order)
    ax.plot([0, 100], [0, 100], color="grey", linestyle=":", linewidth=1, label="equal spend")
    for shop in shops or order:
        spend = data.loc[(data["shop"] == shop) & (data["spend"] > 0), "spend"].to_numpy(float)
        x, y = lorenz_points(spend)
        if x.size == 0:
            continue
        if x.size > LORENZ_POINTS:  # the curve is piecewise linear: a grid loses nothing visible
            grid = np.linspace(0.0, 1.0, LORENZ_POINTS)
            x, y = grid, np.interp(grid, x, y)
        share = top_share(spend, top)
        label = f"{shop}: Gini {gini(spend):.2f}, top {top:.0%} bring {share:.0%}"
        ax.plot(100 * x, 100 * y, color=colors[shop], label=label)
        ax.plot([100 * (1 - top)], [100 * (1 - share)], "o", color=colors[shop], markersize=5)
    ax.axvline(100 * (1 - top), color="grey", linewidth=0.8, linestyle="--")
    ax.text(
        100 * (1 - top) - 1,
        2,
        f"top {top:.0%} of\ncustomers →",
        ha="right",
        va="bottom",
        fontsize="small",
        color="dimgrey",
    )
    ax.set(
        xlim=(0, 100),
        ylim=(0, 100),
        aspect="equal",
        xlabel="customers, lowest spend first (cumulative %)",
        ylabel="revenue (cumulative %)",
        title=f"Revenue concentration — {variant}",
    )
    legend(ax, loc="upper left")
    return ax


def plot_clv_distribution(
    customers: pd.DataFrame, variant: str = "base", ax: Axes | None = None
) -> Axes:
    """Distribution of realised lifetime value (margin) per acquired customer, per shop.

    The mean of each violin is the shop's ``clv`` in ``summary.csv``; the shape shows
    whether it comes from many modest customers or a few large ones, and how many customers
    cost more to win than they brought (below zero).

    Args:
        customers: The ``customers`` table of a run.
        variant: Which variant to draw.
        ax: Axes to draw on (default: a new figure).
    """
    ax = axes(ax)
    data = of_variant(customers, variant)
    data = data[acquired(data)]
    shops = shop_order(customers)
    groups = {s: data.loc[data["shop"] == s, "margin"].to_numpy(dtype=float) for s in shops}
    _violins(ax, groups, shop_colors(shops))
    ax.axhline(0, color="grey", linewidth=0.8)
    for i, shop in enumerate(shops):
        if groups[shop].size:
            ax.annotate(
                f"mean {groups[shop].mean():,.1f}\nn = {groups[shop].size:,}",
                (i, np.nanmax(groups[shop])),
                textcoords="offset points",
                xytext=(0, 4),
                ha="center",
                fontsize="small",
            )
    ax.margins(y=0.15)
    ax.set(
        xlabel="shop",
        ylabel="margin per acquired customer (currency)",
        title=f"Customer lifetime value (realised) — {variant}",
    )
    legend(ax, loc="upper right")
    return ax


def _cohort_rows(customers: pd.DataFrame, variant: str, shop: str) -> pd.DataFrame:
    data = of_variant(customers, variant)
    return data[data["shop"] == shop]


def plot_cohort_retention(
    customers: pd.DataFrame,
    days: int,
    shop: str,
    variant: str = "base",
    ax: Axes | None = None,
) -> Axes:
    """Retention curve of each monthly cohort: share ordering again k months later.

    Curves that rise from one cohort to the next mean the shop keeps newer customers better;
    a curve that flattens shows the loyal core that remains (Fader & Hardie 2007).

    Args:
        customers: The ``customers`` table of a run.
        days: Recorded days of the run (``run.days``), to know which months are complete.
        shop: The shop whose new customers are followed.
        variant: Which variant to draw.
        ax: Axes to draw on (default: a new figure).
    """
    ax = axes(ax)
    cohorts = cohort_matrix(_cohort_rows(customers, variant, shop), days)
    cmap = colormaps["viridis"]
    n = len(cohorts.share)
    for cohort, row in cohorts.share.iterrows():
        values = row.dropna()
        if cohorts.size[cohort] == 0 or values.size < 2:
            continue
        ax.plot(
            values.index,
            100 * values.to_numpy(),
            marker="o",
            markersize=3,
            color=cmap(cohort / max(n - 1, 1)),
            label=f"month {cohort} (n = {cohorts.size[cohort]:,})",
        )
    ax.set(
        xlabel="months since first order",
        ylabel="cohort ordering in that month (%)",
        ylim=(0, 102),
        title=f"Retention by monthly cohort — {shop}, {variant}",
    )
    if ax.lines:
        legend(ax, title="first order in", ncol=2 if n > 6 else 1)
    return ax


def plot_cohort_triangle(
    customers: pd.DataFrame,
    days: int,
    shop: str,
    variant: str = "base",
    annotate: bool | None = None,
    vmax: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Cohort retention triangle: cohort month x months since first order, as a heatmap.

    A row is the customers whose first order from ``shop`` fell in that month; a cell is the
    share of them ordering in the k-th month after it. Month 0 (100% by definition) is left
    out so the colour scale shows the months that matter. Months not recorded in full are
    blank, which makes the triangle.

    Args:
        customers: The ``customers`` table of a run.
        days: Recorded days of the run (``run.days``).
        shop: The shop whose new customers are followed.
        variant: Which variant to draw.
        annotate: Write the percentage in each cell (default: when there are at most 13
            cohorts).
        vmax: Top of the colour scale in % (default: the largest cell); give panels that
            are compared the same value.
        ax: Axes to draw on (default: a new figure).
    """
    ax = axes(ax, (6, 5))
    cohorts = cohort_matrix(_cohort_rows(customers, variant, shop), days)
    share = cohorts.share.iloc[:, 1:].dropna(how="all")  # the last cohort has no month after
    matrix = 100 * share.to_numpy()
    title = f"Cohort retention — {shop}, {variant}"
    if matrix.size == 0:
        ax.text(
            0.5,
            0.5,
            "no cohort can be followed:\nthe run has fewer than two whole months",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
        ax.set(title=title, xticks=[], yticks=[])
        return ax
    if annotate is None:
        annotate = len(share) <= 13
    image = ax.imshow(
        np.ma.masked_invalid(matrix),
        cmap="viridis",
        vmin=0,
        vmax=vmax,
        aspect="auto",
        origin="upper",
    )
    ax.figure.colorbar(image, ax=ax, label="cohort ordering in that month (%)")
    if annotate:
        low, high = image.get_clim()
        middle = (low + high) / 2
        for (i, j), value in np.ndenumerate(matrix):
            if np.isfinite(value):
                ax.text(
                    j,
                    i,
                    f"{value:.0f}",
                    ha="center",
                    va="center",
                    fontsize="x-small",
                    color="white" if value < middle else "black",
                )
    ax.set_xticks(range(share.shape[1]), [str(c) for c in share.columns])
    ax.set_yticks(
        range(len(share)), [f"{c} (n={cohorts.size[c]:,})" for c in share.index], fontsize="small"
    )
    ax.set(
        xlabel="months since first order",
        ylabel="cohort: month of first order (customers)",
        title=title,
    )
    return ax
