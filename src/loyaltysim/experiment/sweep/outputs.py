"""Figures a sweep or calibration analyses: ``<shop>.<figure>`` or ``market.<figure>``.

A run's ``figures`` table has one row per shop (see ``docs/metrics.md``). Sweeps keep that
table whole; an *output* picks one number per run from it: a shop's figure, or a
market-level figure computed from all shops' rows. Which figures exist and which have a
market version (those that add up across shops, the complaint resolution share and the
Herfindahl-Hirschman concentration of order shares, ``hhi``) is the figure registry's
(:mod:`loyaltysim.engine.figures`): shop-level levels such as ``customers`` or ``retention``
do not add up (a customer can be a customer of several shops), so they have no market
version.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from loyaltysim.engine import figures as registry
from loyaltysim.engine.figures import AcrossShops
from loyaltysim.experiment.replication import ratio

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
        known = registry.names(registry.market_level_figures())
        if figure not in known:
            return f"a market figure: {', '.join(known)}", repr(figure)
        return Output(shop, figure)
    if shop not in shops:
        return f"a shop of {sorted(shops)} or 'market'", repr(shop)
    known = registry.names(registry.run_figures())
    if figure not in known:
        return f"a shop figure: {', '.join(known)}", repr(figure)
    return Output(shop, figure)


def market_figures(figures: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Market-level figures per group of ``keys`` (e.g. point and replication).

    Args:
        figures: Per-shop rows with ``keys``, ``shop`` and the shop figures.
        keys: Columns identifying one run.

    Returns:
        One row per run: ``keys`` and every market-level figure of the registry.

    """
    market = registry.market_level_figures()
    grouped = figures.groupby(keys, sort=True)
    out = grouped[[f.name for f in market if f.across_shops is AcrossShops.SUM]].sum()
    for f in market:
        if f.across_shops is AcrossShops.RATIO:
            out[f.name] = ratio(out[f.of[0]], out[f.of[1]])
        elif f.across_shops is AcrossShops.SQUARES:
            out[f.name] = grouped[f.of[0]].apply(lambda s: float(np.square(s).sum()))
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
