"""The figure registry: every output figure, declared once.

Each :class:`Figure` says what it is called (name, label, unit, description), how it is counted
each day (a ledger counter summed from events, or derived at the close of the day), how one
replication reduces it (summed, last day, a share, a ratio, or from the customer records) and how
the shops' values combine into a market figure. Everything else reads this table: the ledger takes
its counters from it and the day's close its figures (:mod:`loyaltysim.engine.ledger`), the
DataCollector's reporters (hence the columns of ``timeseries.csv``, in registry order, and the
market rows of the model-level table) are generated from it, and so are the per-run figures of
``replications.csv`` and ``summary.csv``, the sweep outputs and the labels of plots, reports and
findings. They read :data:`REGISTRY` at each use, through the functions below.

Adding a daily counter is one entry, ``Figure(name, label, unit, description, daily=Counter())``:
the ledger has the counter, whatever counts it calls ``ledger.add(name, ...)``, and it is a column
of ``timeseries.csv`` with no other edit (``per_run=PerRun.SUM`` sums it per replication).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from loyaltysim.engine.ledger import DayEnd, MarketDay

#: How a figure is printed: ``share`` (0-1, shown in %), ``score`` (0-1), ``stars`` (1-5),
#: ``money`` (the scenario's currency) or ``count``.
Unit = Literal["share", "score", "stars", "money", "count"]


@dataclass(frozen=True)
class Counter:
    """A ledger counter: summed from the day's events by their ``ledger.add(name, ...)``.

    Attributes:
        cost: Subtracted from revenue in ``profit``.
        per_day: A shop parameter (of :class:`~loyaltysim.engine.params.ShopArrays`) booked
            to the counter once per recorded day, at the close (advertising, overheads).
    """

    cost: bool = False
    per_day: str | None = None


@dataclass(frozen=True)
class Derived:
    """A figure worked out at the close of the day, one value per shop."""

    compute: Callable[[DayEnd], np.ndarray]


class PerRun(Enum):
    """How one replication reduces a figure to one value per shop (``replications.csv``)."""

    SUM = "summed over the recorded days"
    LAST = "taken on the last recorded day"
    SHARE = "the shop's run total of `of` over all shops' (0 when there are none)"
    RATIO = "run total of the first of `of` over the second's (NaN when that is 0)"
    CUSTOMERS = "from the customer records (loyaltysim.analysis.metrics.customer_figures)"


class AcrossShops(Enum):
    """How the shops' per-run values combine into a market figure (``market.<figure>``)."""

    SUM = "summed over shops"
    RATIO = "the same ratio of the market's totals"
    SQUARES = "sum over shops of the squares of `of` (Herfindahl-Hirschman)"


@dataclass(frozen=True)
class Figure:
    """One output figure: its words, its daily count and its reductions.

    Attributes:
        name: Column name in every table.
        label: Short phrase for an axis or a table row ("repurchase rate").
        unit: How it is printed (:data:`Unit`).
        description: What it counts, for people (``docs/metrics.md`` says the same).
        daily: How it is counted each day; ``None`` for figures of a whole run only.
        per_run: How a replication reduces it; ``None`` if ``replications.csv`` leaves it out.
        across_shops: How shops combine into a market figure; ``None`` if they do not (a
            customer can be a customer of several shops, so levels do not add up).
        of: The figures a share, ratio or sum of squares is made of.
        market: The day's market value, for a daily level that does not add up across shops.
    """

    name: str
    label: str
    unit: Unit
    description: str
    daily: Counter | Derived | None = None
    per_run: PerRun | None = None
    across_shops: AcrossShops | None = None
    of: tuple[str, ...] = ()
    market: Callable[[MarketDay], float] | None = None


def _whole(counts: np.ndarray) -> np.ndarray:
    """Running totals as whole numbers (they move by whole customers)."""
    return np.rint(counts).astype(np.int64)


def _share_of_orders(day: DayEnd) -> np.ndarray:
    orders = day.ledger.values["orders"]
    total = orders.sum()
    return orders / total if total > 0 else np.zeros(orders.shape)


def _repeat_share(day: DayEnd) -> np.ndarray:
    values = day.ledger.values
    orders = values["orders"]
    repeat = orders - values["new_customers"]
    return np.divide(repeat, orders, out=np.zeros_like(orders), where=orders > 0)


_SUMMED = {"per_run": PerRun.SUM, "across_shops": AcrossShops.SUM}
_LAST = {"per_run": PerRun.LAST}
_COST = Counter(cost=True)

#: Every figure, daily ones in the column order of ``timeseries.csv``.
REGISTRY: tuple[Figure, ...] = (
    Figure(
        "aware",
        "aware customers at the end",
        "count",
        "customers in the market who know the shop and have not churned from it: a customer "
        "who churns stops counting until they reconsider the shop (the running total "
        "ShopTotals.aware; the customer's own flag CustomerState.aware stays set)",
        Derived(lambda d: _whole(d.totals.aware)),
        **_LAST,
    ),
    Figure(
        "customers",
        "customers at the end",
        "count",
        "active customers who have ordered from the shop and not churned from it",
        Derived(lambda d: _whole(d.totals.customers)),
        market=lambda m: m.customers,
        **_LAST,
    ),
    Figure("buyers", "buyers", "count", "customers ordering from the shop today", Counter()),
    Figure(
        "orders",
        "orders",
        "count",
        "orders placed with the shop today (at most one per customer and day)",
        Counter(),
        **_SUMMED,
    ),
    Figure("revenue", "revenue", "money", "money paid for today's orders", Counter(), **_SUMMED),
    Figure(
        "profit",
        "profit",
        "money",
        "revenue minus every cost figure",
        Derived(lambda d: d.ledger.profit),
        **_SUMMED,
    ),
    Figure(
        "market_share",
        "market share",
        "share",
        "the shop's orders over all shops' orders (per run: over the whole run)",
        Derived(_share_of_orders),
        PerRun.SHARE,
        of=("orders",),
    ),
    Figure(
        "mean_satisfaction",
        "mean satisfaction",
        "score",
        "mean satisfaction of active customers who have received an order from the shop",
        Derived(lambda d: d.totals.mean("satisfaction")),
        market=lambda m: m.mean("satisfaction"),
        **_LAST,
    ),
    Figure(
        "mean_trust",
        "mean trust",
        "score",
        "mean trust of active customers who have received an order from the shop",
        Derived(lambda d: d.totals.mean("trust")),
        market=lambda m: m.mean("trust"),
        **_LAST,
    ),
    Figure(
        "repeat_share",
        "repeat share",
        "share",
        "share of today's orders from customers who had ordered from the shop before",
        Derived(_repeat_share),
    ),
    Figure(
        "new_customers", "first orders", "count", "first-ever orders today", Counter(), **_SUMMED
    ),
    Figure(
        "churned",
        "customers lost",
        "count",
        "customers who churned from the shop today, or left the market while its customers",
        Counter(),
        **_SUMMED,
    ),
    Figure("complaints", "complaints", "count", "complaints made today", Counter(), **_SUMMED),
    Figure(
        "complaints_resolved",
        "complaints resolved",
        "count",
        "resolved today",
        Counter(),
        **_SUMMED,
    ),
    Figure(
        "wom_positive",
        "positive word of mouth",
        "count",
        "positive messages about the shop taken in by listeners today",
        Counter(),
        **_SUMMED,
    ),
    Figure(
        "wom_negative",
        "negative word of mouth",
        "count",
        "negative messages about the shop taken in by listeners today",
        Counter(),
        **_SUMMED,
    ),
    Figure(
        "aware_by_advertising",
        "newly aware by advertising",
        "count",
        "customers who first heard of the shop today from its advertising",
        Counter(),
    ),
    Figure(
        "aware_by_word_of_mouth",
        "newly aware by word of mouth",
        "count",
        "customers who first heard of the shop today by word of mouth (a tie or a weak tie)",
        Counter(),
    ),
    Figure(
        "rating",
        "rating",
        "stars",
        "public star rating (Bayesian mean of the ratings) at the end of the day",
        Derived(lambda d: d.rating),
        **_LAST,
    ),
    Figure("refunds", "refunds", "money", "lost parcels refunded today", _COST),
    Figure("cost_of_goods", "cost of goods", "money", "cost of the goods ordered today", _COST),
    Figure(
        "shipping_cost",
        "shipping cost",
        "money",
        "courier cost of today's orders",
        _COST,
        **_SUMMED,
    ),
    Figure(
        "compensation",
        "compensation paid",
        "money",
        "compensation paid for complaints resolved today",
        _COST,
        **_SUMMED,
    ),
    Figure(
        "advertising",
        "advertising",
        "money",
        "advertising spend (the shop's advertising_cost_per_day)",
        Counter(cost=True, per_day="advertising_cost_per_day"),
    ),
    Figure("acquisition", "acquisition cost", "money", "cost of today's first buyers", _COST),
    Figure(
        "fixed_costs",
        "fixed costs",
        "money",
        "overheads (the shop's fixed_cost_per_day)",
        Counter(cost=True, per_day="fixed_cost_per_day"),
    ),
    Figure("deliveries", "deliveries", "count", "parcels delivered today", Counter()),
    Figure(
        "late", "late deliveries", "count", "parcels delivered late today", Counter(), **_SUMMED
    ),
    Figure("damaged", "damaged deliveries", "count", "parcels damaged today", Counter(), **_SUMMED),
    Figure("lost", "lost parcels", "count", "parcels lost today", Counter(), **_SUMMED),
    Figure("ratings", "ratings", "count", "ratings given today", Counter()),
    Figure("breaches", "data breaches", "count", "data breaches today", Counter()),
    Figure(
        "discounts",
        "discounts",
        "money",
        "list-price revenue given away today by price cuts (not a cost: revenue is lower)",
        Counter(),
        **_SUMMED,
    ),
    Figure(
        "strategy_cost",
        "strategy cost",
        "money",
        "outlays of the shop's loyalty strategies today (gifts, staff, coupons sent)",
        _COST,
        **_SUMMED,
    ),
    Figure(
        "resolution_share",
        "share of complaints resolved",
        "share",
        "complaints resolved over complaints made",
        per_run=PerRun.RATIO,
        across_shops=AcrossShops.RATIO,
        of=("complaints_resolved", "complaints"),
    ),
    Figure(
        "buyers_total",
        "buyers",
        "count",
        "customers who ordered from the shop during the recorded days",
        per_run=PerRun.CUSTOMERS,
    ),
    Figure(
        "repurchase_rate",
        "repurchase rate",
        "share",
        "share of buyers_total who ordered at least twice in the recorded days",
        per_run=PerRun.CUSTOMERS,
    ),
    Figure(
        "acquired",
        "new customers acquired",
        "count",
        "customers whose first-ever order from the shop fell in the recorded days",
        per_run=PerRun.CUSTOMERS,
    ),
    Figure(
        "retention",
        "retention",
        "share",
        "Kaplan-Meier probability that an acquired customer is still the shop's customer "
        "365 days after the first order (or at the end of the run, if sooner)",
        per_run=PerRun.CUSTOMERS,
    ),
    Figure(
        "clv",
        "customer lifetime value",
        "money",
        "realised customer lifetime value: mean contribution margin per acquired customer",
        per_run=PerRun.CUSTOMERS,
    ),
    Figure(
        "hhi",
        "order concentration (HHI)",
        "score",
        "Herfindahl-Hirschman index of order shares, from 1/shops (even) to 1 (monopoly)",
        across_shops=AcrossShops.SQUARES,
        of=("market_share",),
    ),
)

#: ``replications.csv`` lists these per-run figures first, in the order they have always
#: had (the golden digests hash it); per-run figures added later follow in registry order.
_REPLICATION_ORDER = (
    *("orders", "revenue", "profit", "new_customers", "churned", "complaints"),
    *("complaints_resolved", "wom_positive", "wom_negative", "compensation", "lost"),
    *("damaged", "late", "discounts", "strategy_cost", "shipping_cost"),
    *("aware", "customers", "mean_satisfaction", "mean_trust", "rating"),
    *("market_share", "resolution_share"),
    *("buyers_total", "repurchase_rate", "acquired", "retention", "clv"),
)


def find(name: str) -> Figure | None:
    """The figure ``name``, or ``None`` if the registry has none."""
    return next((f for f in REGISTRY if f.name == name), None)


def daily_figures() -> tuple[Figure, ...]:
    """The figures counted each day: the columns of ``timeseries.csv`` after day and shop."""
    return tuple(f for f in REGISTRY if f.daily is not None)


def counter_names() -> tuple[str, ...]:
    """The ledger's counters."""
    return tuple(f.name for f in REGISTRY if isinstance(f.daily, Counter))


def cost_names() -> tuple[str, ...]:
    """The counters that ``profit`` subtracts from revenue, in registry order."""
    return tuple(f.name for f in REGISTRY if isinstance(f.daily, Counter) and f.daily.cost)


def run_figures() -> tuple[Figure, ...]:
    """The per-run figures, in the column order of ``replications.csv``."""
    rank = {name: i for i, name in enumerate(_REPLICATION_ORDER)}
    reduced = [f for f in REGISTRY if f.per_run is not None]
    return tuple(sorted(reduced, key=lambda f: rank.get(f.name, len(rank))))


def market_level_figures() -> tuple[Figure, ...]:
    """The figures with a market version: per-run ones first, then market-only ones."""
    only = tuple(f for f in REGISTRY if f.per_run is None and f.across_shops is not None)
    return (*(f for f in run_figures() if f.across_shops is not None), *only)


def names(figures: tuple[Figure, ...]) -> list[str]:
    """The names of ``figures``, in their order."""
    return [f.name for f in figures]
