"""What every figure shares: the Axes convention, shop colours, 95% bands, variant selection."""

from __future__ import annotations

from collections.abc import Iterable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from scipy import stats

#: Colour of the i-th shop of a scenario, in every figure (tab10 colours; then repeats).
PALETTE = plt.get_cmap("tab10").colors
#: Colour of customers with no main shop, in the network snapshot.
NO_SHOP_COLOR = "#b0b0b0"


def axes(ax: Axes | None, size: tuple[float, float] = (7, 4)) -> Axes:
    """The given Axes, or one on a new figure."""
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def shop_order(frame: pd.DataFrame, column: str = "shop") -> list[str]:
    """Shops in scenario order: the categories if the column is categorical, else first seen.

    A shop keeps its colour across figures and variants because colours follow this order.
    """
    values = frame[column]
    if isinstance(values.dtype, pd.CategoricalDtype):
        return [str(c) for c in values.cat.categories]
    return [str(s) for s in dict.fromkeys(values.dropna())]


def shop_colors(shops: Iterable[str]) -> dict[str, tuple[float, float, float]]:
    """A colour per shop, by position."""
    return {shop: PALETTE[i % len(PALETTE)] for i, shop in enumerate(shops)}


def of_variant(frame: pd.DataFrame, variant: str) -> pd.DataFrame:
    """Rows of one variant; a clear error naming the variants there are if it is missing."""
    rows = frame[frame["variant"] == variant]
    if rows.empty:
        known = ", ".join(str(v) for v in dict.fromkeys(frame["variant"]))
        raise ValueError(f"no rows for variant {variant!r}; the table has: {known}")
    return rows


def mean_band(frame: pd.DataFrame, value: str, by: list[str]) -> pd.DataFrame:
    """Mean of ``value`` over replications per ``by`` group, with a 95% t-interval."""
    grouped = frame.groupby(by, sort=False, observed=True)[value]
    out = grouped.agg(["mean", "std", "count"]).reset_index()
    t = stats.t.ppf(0.975, np.maximum(out["count"] - 1, 1))
    half = np.where(out["count"] > 1, t * out["std"] / np.sqrt(out["count"]), 0.0)
    out["low"], out["high"] = out["mean"] - half, out["mean"] + half
    return out


def band_lines(
    ax: Axes,
    band: pd.DataFrame,
    x: str,
    colors: dict[str, tuple[float, float, float]],
    *,
    scale: float = 1.0,
    sign: float = 1.0,
    linestyle: str = "-",
    suffix: str = "",
) -> None:
    """One line per shop with its 95% band (``scale`` to %, ``sign`` to mirror below zero)."""
    for shop, group in band.groupby("shop", sort=False, observed=True):
        color = colors.get(str(shop))
        k = scale * sign
        ax.plot(
            group[x], k * group["mean"], color=color, linestyle=linestyle, label=f"{shop}{suffix}"
        )
        ax.fill_between(
            group[x], k * group["low"], k * group["high"], color=color, alpha=0.2, linewidth=0
        )


def legend(ax: Axes, **kwargs: object) -> None:
    """A frameless, small legend (figures often have several panels side by side)."""
    ax.legend(frameon=False, fontsize="small", **kwargs)
