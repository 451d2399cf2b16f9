"""Variant comparison from ``summary.csv``: one figure, every shop, every variant, with CIs."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from loyaltysim.analysis.labels import label_of
from loyaltysim.plots._common import axes, legend, shop_order

#: Hatches tell variants apart in print; colours follow the default cycle.
HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "++", "--")


def plot_variant_comparison(
    summary: pd.DataFrame,
    figure: str = "retention",
    shops: list[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Grouped bars: each shop's ``figure`` under each variant, with 95% CI whiskers.

    The whiskers are the intervals of each variant's mean. Whether a variant *differs* from
    the base is better judged from the paired differences (``diff_ci_low``,
    ``diff_ci_high``), which are much tighter thanks to common random numbers; the report's
    table gives them.

    Args:
        summary: The ``summary`` table of a run.
        figure: Figure to compare (a value of the ``figure`` column, e.g. ``profit``).
        shops: Shops to show (default: all).
        ax: Axes to draw on (default: a new figure).
    """
    rows = summary[summary["figure"] == figure]
    if rows.empty:
        known = ", ".join(dict.fromkeys(summary["figure"]))
        raise ValueError(f"summary has no figure {figure!r}; it has: {known}")
    label = label_of(figure)
    shops = shops or shop_order(rows)
    variants = list(dict.fromkeys(rows["variant"]))
    ax = axes(ax, (max(5.0, 1.2 * len(shops) * len(variants) + 2), 4))
    width = 0.8 / len(variants)
    x = np.arange(len(shops))
    for i, variant in enumerate(variants):
        data = rows[rows["variant"] == variant].set_index("shop").reindex(shops)
        mean = label.scale * data["mean"].to_numpy(float)
        low = label.scale * data["ci_low"].to_numpy(float)
        high = label.scale * data["ci_high"].to_numpy(float)
        err = np.vstack([mean - low, high - mean])
        ax.bar(
            x + (i - (len(variants) - 1) / 2) * width,
            mean,
            width,
            yerr=np.where(np.isfinite(err), err, 0.0),
            capsize=3,
            label=str(variant),
            hatch=HATCHES[i % len(HATCHES)],
            edgecolor="black",
            linewidth=0.5,
        )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, shops)
    if label.kind == "money":
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    low, high = ax.get_ylim()
    ax.set_ylim(low, high + 0.3 * (high - low))  # headroom for the legend above the bars
    ax.set(xlabel="shop", ylabel=label.axis, title=f"{label.label.capitalize()} by variant")
    legend(ax, title="variant (mean, 95% CI)", loc="upper center", ncol=min(len(variants), 3))
    return ax
