"""The day's books: the ledger of counters, and the close that turns them into figures.

Every event that a figure counts (an order, a late parcel, a complaint, a coupon's cost)
is booked in the :class:`DailyLedger` by the code that handles it, ``ledger.add(name,
shop)``. At the close of a recorded day :func:`close_day` works out every daily figure per
shop from the ledger, the running totals and the ratings, and :func:`reporters` hands them to
the DataCollector, one row per shop. After every step, warm-up days included, a
:class:`MarketDay` makes the market's row of the same day (:func:`market_columns`). Which
counters and figures there are is the figure registry's (:mod:`loyaltysim.engine.figures`),
read at each use, so a new one is one registry entry.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from loyaltysim.engine.figures import (
    AcrossShops,
    Counter,
    PerRun,
    cost_names,
    counter_names,
    daily_figures,
)
from loyaltysim.engine.totals import ShopTotals, per_shop

if TYPE_CHECKING:
    from loyaltysim.engine.agents import Shop
    from loyaltysim.engine.params import ShopArrays
    from loyaltysim.mechanisms.ratings import RatingBoard


class DailyLedger:
    """One day's counters, one array per name, indexed by shop."""

    def __init__(self, shops: int) -> None:
        self.shops = shops
        self.values = {name: np.zeros(shops) for name in counter_names()}
        #: The day's figures once :func:`close_day` has worked them out.
        self.closed: dict[str, np.ndarray] | None = None

    def add(self, name: str, shop: np.ndarray, amount: np.ndarray | float = 1.0) -> None:
        """Add ``amount`` (per event, or one value for all) to ``name`` for each event's shop."""
        self.values[name] += per_shop(shop, amount, self.shops)

    def add_columns(self, shop: np.ndarray, columns: dict[str, np.ndarray]) -> None:
        """Add several per-event columns at once (one bincount over shop × column cells).

        Each value is an array with one entry per event (masks count as 0/1). A bincount adds
        the events in their order on every machine; a matrix product would leave the order
        of the sum to the BLAS kernel, whose choice depends on the CPU (and on
        ``OPENBLAS_CORETYPE``), so the same seed could give different money figures.
        """
        if shop.size == 0:
            return
        # np.column_stack's layout, filled in place (one allocation, no conversion per column)
        stacked = np.empty((shop.shape[0], len(columns)))
        for j, values in enumerate(columns.values()):
            stacked[:, j] = values
        width = stacked.shape[1]
        cells = shop.astype(np.intp)[:, None] * width + np.arange(width)
        sums = np.bincount(cells.ravel(), stacked.ravel(), self.shops * width)
        for j, name in enumerate(columns):
            self.values[name] += sums[j::width]

    def add_per_shop(self, name: str, amounts: np.ndarray) -> None:
        """Add an amount per shop."""
        self.values[name] += amounts

    @property
    def profit(self) -> np.ndarray:
        """Revenue minus every cost counter, per shop."""
        return self.values["revenue"] - sum(self.values[c] for c in cost_names())


@dataclass(frozen=True)
class DayEnd:
    """What the derived figures are worked out from at the close of a day."""

    ledger: DailyLedger
    totals: ShopTotals
    rating: np.ndarray


def close_day(
    ledger: DailyLedger, totals: ShopTotals, ratings: RatingBoard, params: ShopArrays
) -> dict[str, np.ndarray]:
    """Each daily figure's values per shop, in column order, at the close of a day.

    The per-day costs are booked to the ledger first, so that ``profit`` includes them. A day
    is closed once: closing it again (the market's row after the shops') gives the same figures,
    without working out the shops' ratings again.
    """
    if ledger.closed is not None:
        return ledger.closed
    daily = daily_figures()
    for f in daily:
        if isinstance(f.daily, Counter) and f.daily.per_day is not None:
            ledger.add_per_shop(f.name, getattr(params, f.daily.per_day))
    day = DayEnd(ledger, totals, ratings.rating)
    ledger.closed = {
        f.name: ledger.values[f.name] if isinstance(f.daily, Counter) else f.daily.compute(day)
        for f in daily
    }
    return ledger.closed


def reporters() -> dict[str, Any]:
    """The DataCollector's reporters for a shop: ``day``, ``shop``, then every daily figure."""
    return {"day": _today, "shop": "name", **{f.name: _reporter(f.name) for f in daily_figures()}}


def _today(shop: Shop) -> int:
    return shop.model.day


def _reporter(name: str) -> Callable[[Shop], float]:
    def report(shop: Shop) -> float:
        return shop.figures[name]

    report.__name__ = name
    return report


@dataclass(frozen=True)
class MarketDay:
    """The whole market at the close of a day: what the model-level reporters read.

    Attributes:
        day: The day closed (negative in the warm-up).
        figures: Each daily figure per shop, as :func:`close_day` works them out.
        totals: The running per-shop totals.
        customers: Customers in the market that day (arrivals in, departures out).
    """

    day: int
    figures: dict[str, np.ndarray]
    totals: ShopTotals
    customers: int

    @cached_property
    def sums(self) -> dict[str, float]:
        """Every daily figure summed over shops, all in one reduction for the summed columns.

        Row sums of the stacked figures, which add each figure's shops in the same order as
        its own ``sum()``; counts are whole, so they are exact as floats too.
        """
        stacked = np.array(list(self.figures.values()), dtype=np.float64)
        return dict(zip(self.figures, stacked.sum(axis=1).tolist(), strict=True))

    def mean(self, name: str) -> float:
        """Mean satisfaction or trust over every customer-shop pair with an order received.

        The shops' means weighted by how many customers each has served, so a customer of
        two shops counts once for each (NaN before the first delivery).
        """
        experienced = float(self.totals.experienced.sum())
        total = float(getattr(self.totals, f"{name}_sum").sum())
        return total / experienced if experienced > 0 else math.nan


def market_columns(shops: Sequence[str]) -> dict[str, Callable[[MarketDay], float]]:
    """The market's daily columns, from the registry: ``day``, market figures, shops' shares.

    A daily figure with a market rule (``Figure.market``: the levels that do not add up across
    shops) takes it; one that adds up (``AcrossShops.SUM``) is summed over shops; a share
    (``PerRun.SHARE``) is one column per shop, ``<shop>.<figure>`` as in sweep outputs.
    """
    columns: dict[str, Callable[[MarketDay], float]] = {"day": _market_day}
    for f in daily_figures():
        if f.market is not None:
            columns[f.name] = f.market
        elif f.across_shops is AcrossShops.SUM:
            columns[f.name] = _summed(f.name)
    for f in daily_figures():
        if f.per_run is PerRun.SHARE:
            columns.update(
                {f"{shop}.{f.name}": _of_shop(f.name, s) for s, shop in enumerate(shops)}
            )
    return columns


def _market_day(market: MarketDay) -> float:
    return market.day


def _summed(name: str) -> Callable[[MarketDay], float]:
    def summed(market: MarketDay) -> float:
        return market.sums[name]

    return summed


def _of_shop(name: str, shop: int) -> Callable[[MarketDay], float]:
    def of_shop(market: MarketDay) -> float:
        return float(market.figures[name][shop])

    return of_shop
