"""Figures a sweep or calibration analyses: ``<shop>.<figure>`` or ``market.<figure>``.

A run's ``figures`` table has one row per shop (see ``docs/metrics.md``). Sweeps keep that
table whole; an *output* picks one number per run from it: a shop's figure, or a
market-level figure computed from all shops' rows. Market figures are only those that
add up across shops (orders, revenue, profit, complaints...) plus the complaint
resolution share and the Herfindahl-Hirschman concentration of order shares (``hhi``);
shop-level levels such as ``customers`` or ``retention`` do not add up (a customer can be
a customer of several shops), so they have no market version.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from loyaltysim.experiment.replication import FINAL, TOTALS

#: Per-shop figures of every run (columns of ``ReplicationResult.figures``).
SHOP_FIGURES: tuple[str, ...] = (
    *TOTALS,
    *FINAL,
    "market_share",
    "resolution_share",
    "buyers_total",
    "repurchase_rate",
    "acquired",
    "retention",
    "clv",
)
#: Market-level figures: sums over shops, plus two ratios.
MARKET_FIGURES: tuple[str, ...] = (*TOTALS, "resolution_share", "hhi")
#: The pseudo-shop naming market-level figures.
MARKET = "market"


@dataclass(frozen=True)
class Output:
    """One analysed figure: ``shop`` is a shop's name or ``"market"``."""

    shop: str
    figure: str

    @property
    def name(self) -> str:
        """The name as written in the scenario file."""
        return f"{self.shop}.{self.figure}"


def parse_output(name: str, shops: list[str]) -> Output | tuple[str, str]:
    """Read ``"<shop>.<figure>"``; return the Output, or ``(expected, given)`` if invalid."""
    if "." not in name:
        return "'<shop>.<figure>' or 'market.<figure>'", repr(name)
    shop, figure = name.rsplit(".", 1)
    if shop == MARKET and MARKET in shops:
        return "an output that is not ambiguous", f"{name!r} (a shop is named 'market')"
    if shop == MARKET:
        if figure not in MARKET_FIGURES:
            return f"a market figure: {', '.join(MARKET_FIGURES)}", repr(figure)
        return Output(shop, figure)
    if shop not in shops:
        return f"a shop of {sorted(shops)} or 'market'", repr(shop)
    if figure not in SHOP_FIGURES:
        return f"a shop figure: {', '.join(SHOP_FIGURES)}", repr(figure)
    return Output(shop, figure)


def market_figures(figures: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Market-level figures per group of ``keys`` (e.g. point and replication).

    Args:
        figures: Per-shop rows with ``keys``, ``shop`` and the shop figures.
        keys: Columns identifying one run.

    Returns:
        One row per run: ``keys`` and every figure of :data:`MARKET_FIGURES`.

    """
    grouped = figures.groupby(keys, sort=True)
    out = grouped[list(TOTALS)].sum()
    complaints = out["complaints"].to_numpy(dtype=np.float64)
    resolved = out["complaints_resolved"].to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["resolution_share"] = np.where(complaints > 0, resolved / complaints, np.nan)
    out["hhi"] = grouped["market_share"].apply(lambda s: float(np.square(s).sum()))
    return out.reset_index()


def output_values(figures: pd.DataFrame, output: Output, keys: list[str]) -> pd.DataFrame:
    """One value per run: ``keys`` plus a ``value`` column, sorted by ``keys``."""
    if output.shop == MARKET:
        frame = market_figures(figures, keys)
    else:
        frame = figures[figures["shop"] == output.shop]
    out = frame[[*keys, output.figure]].rename(columns={output.figure: "value"})
    out = out.astype({"value": np.float64})
    return out.sort_values(keys, kind="stable").reset_index(drop=True)
