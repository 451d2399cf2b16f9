"""The standard figures of a run: which pages, what is on them, and writing them to files.

A page puts one panel per variant side by side (shops keep their colours) on shared
y-axes, so variants are compared at a glance: the same height means the same value. The
same pages feed ``figures/`` of a result folder and the HTML report; pages that need the
customers table are left out when a run did not keep it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from loyaltysim.analysis.customer_base import cohort_matrix, full_months
from loyaltysim.plots._common import of_variant, shop_order
from loyaltysim.plots.comparison import plot_variant_comparison
from loyaltysim.plots.customers import (
    plot_attitude_distribution,
    plot_clv_distribution,
    plot_cohort_triangle,
    plot_lorenz,
)
from loyaltysim.plots.timeseries import (
    plot_attitude,
    plot_market_share,
    plot_retention,
    plot_word_of_mouth,
)

if TYPE_CHECKING:
    from loyaltysim.experiment.results import RunResult

#: Figures on the variant comparison page.
COMPARED = ("market_share", "retention", "profit", "clv")
#: PNG resolution: sharp on screen, small enough to embed in a report.
DPI = 110

Draw = Callable[[str, np.ndarray], object]


@dataclass(frozen=True)
class Page:
    """One figure file: its file name, a caption for the report, and the drawn figure."""

    name: str
    caption: str
    figure: Figure


def _grid(
    rows: int, variants: list[str], draw: Draw, size: tuple[float, float] = (6, 3.8)
) -> Figure:
    fig, grid = plt.subplots(
        rows, len(variants), figsize=(size[0] * len(variants), size[1] * rows), squeeze=False
    )
    for j, variant in enumerate(variants):
        draw(variant, grid[:, j])
    share_rows(grid)
    fig.tight_layout()
    return fig


def share_rows(grid: np.ndarray) -> None:
    """Give each row of panels the union of their y-ranges.

    Done after drawing, so each panel's own headroom for its legend is kept.
    """
    for row in grid:
        lows, highs = zip(*(ax.get_ylim() for ax in row), strict=True)
        for ax in row:
            ax.set_ylim(min(lows), max(highs))


def _has_cohorts(customers: pd.DataFrame | None, days: int) -> bool:
    return customers is not None and "order_months" in customers and full_months(days) >= 2


def _cohort_top(customers: pd.DataFrame, days: int, shops: list[str], variants: list[str]) -> float:
    """The largest cell (month 1 on) of all triangles, so their colours can be compared."""
    top = 0.0
    for variant in variants:
        rows = of_variant(customers, variant)
        for shop in shops:
            share = cohort_matrix(rows[rows["shop"] == shop], days).share.iloc[:, 1:]
            top = max(top, float(np.nanmax(share.to_numpy(), initial=0.0)))
    return top or 1.0


def run_pages(
    timeseries: pd.DataFrame,
    retention: pd.DataFrame,
    summary: pd.DataFrame,
    customers: pd.DataFrame | None,
    days: int,
    lapse_days: int | None = None,
) -> Iterator[Page]:
    """The standard pages of a run, drawn one at a time (close each after use).

    Args:
        timeseries: The ``timeseries`` table.
        retention: The ``retention`` table.
        summary: The ``summary`` table.
        customers: The ``customers`` table, or None if the run did not keep it.
        days: Recorded days (``run.days``), for the cohort triangle's whole months.
        lapse_days: Days without an order after which a customer counts as lost
            (``output.lapse_days``), marked on the retention curves and named in their
            caption; None leaves both out.
    """
    variants = list(dict.fromkeys(timeseries["variant"]))
    ts = timeseries

    def page(
        name: str, caption: str, rows: int, draw: Draw, names: list[str] | None = None
    ) -> Page:
        return Page(name, caption, _grid(rows, variants if names is None else names, draw))

    yield page(
        "market_share.png",
        "Each shop's share of all orders over a trailing 30 days; bands are 95% CIs "
        "across replications.",
        1,
        lambda v, ax: plot_market_share(ts, v, ax=ax[0]),
    )

    def attitudes(v: str, ax: np.ndarray) -> None:
        plot_attitude(ts, "mean_satisfaction", v, ax=ax[0])
        plot_attitude(ts, "mean_trust", v, ax=ax[1])

    yield page(
        "satisfaction_trust.png",
        "Mean satisfaction and trust of each shop's customers (those who have received an "
        "order), with 95% bands.",
        2,
        attitudes,
    )
    rule = (
        ""
        if lapse_days is None
        else f" A customer counts as lost on churning, on leaving the market, or after "
        f"{lapse_days} days without an order (output.lapse_days), so customers who ordered "
        f"only once all count as lost {lapse_days} days after that order: hence the step "
        f"at day {lapse_days}."
    )
    yield page(
        "retention.png",
        "Kaplan-Meier retention of customers acquired while recording, by days since their "
        f"first order.{rule}",
        1,
        lambda v, ax: plot_retention(retention, v, lapse_days=lapse_days, ax=ax[0]),
    )
    yield page(
        "word_of_mouth.png",
        "Word-of-mouth messages taken in per day: positive above zero, negative below.",
        1,
        lambda v, ax: plot_word_of_mouth(ts, v, ax=ax[0]),
    )
    if len(variants) > 1:
        fig, grid = plt.subplots(2, 2, figsize=(12, 7.6))
        for figure, ax in zip(COMPARED, grid.ravel(), strict=True):
            plot_variant_comparison(summary, figure, ax=ax)
        fig.tight_layout()
        yield Page(
            "variant_comparison.png",
            "Key figures of each shop under each variant: means with 95% CIs.",
            fig,
        )
    if customers is None:
        return
    kept = [v for v in variants if (customers["variant"] == v).any()]
    if not kept:
        return

    def distributions(v: str, ax: np.ndarray) -> None:
        plot_attitude_distribution(customers, "satisfaction", v, ax=ax[0])
        plot_attitude_distribution(customers, "trust", v, ax=ax[1])

    yield page(
        "attitude_distributions.png",
        "Satisfaction and trust of customers still in the market at the end, per shop "
        "(violins; the bar is the mean).",
        2,
        distributions,
        kept,
    )
    yield Page(
        "lorenz.png",
        "How revenue is spread over each shop's buyers: Lorenz curves, Gini coefficients "
        "and the revenue share of the top 20% of customers.",
        _grid(1, kept, lambda v, ax: plot_lorenz(customers, v, ax=ax[0]), size=(6, 5.5)),
    )
    yield page(
        "clv.png",
        "Realised lifetime value (margin over the run) of each customer acquired while "
        "recording; the bar is the mean, the shop's CLV.",
        1,
        lambda v, ax: plot_clv_distribution(customers, v, ax=ax[0]),
        kept,
    )
    if _has_cohorts(customers, days):
        shops = shop_order(customers)
        top = _cohort_top(customers, days, shops, kept)
        fig, grid = plt.subplots(
            len(shops), len(kept), figsize=(6.5 * len(kept), 4.6 * len(shops)), squeeze=False
        )
        for i, shop in enumerate(shops):
            for j, variant in enumerate(kept):
                plot_cohort_triangle(customers, days, shop, variant, vmax=100 * top, ax=grid[i, j])
        fig.tight_layout()
        yield Page(
            "cohort_retention.png",
            "Cohort retention triangles: of the customers whose first order fell in a month, "
            "the share ordering again 1, 2, ... months later.",
            fig,
        )


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG bytes (without the software tag, so embedded copies stay small)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def run_figure_pngs(result: RunResult) -> Iterator[tuple[str, bytes]]:
    """The standard figures of a run, each as its file name and PNG bytes.

    The caller writes them (the result folder writes each file atomically); plots only draw.
    """
    pages = run_pages(
        result.timeseries,
        result.retention,
        result.summary,
        result.customers,
        result.scenario.run.days,
        lapse_days=result.scenario.output.lapse_days,
    )
    for page in pages:
        try:
            yield page.name, png_bytes(page.figure)
        finally:
            plt.close(page.figure)
