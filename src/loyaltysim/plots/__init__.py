"""Figures of loyaltysim results (matplotlib only).

Every ``plot_*`` function takes result tables (or, for the network snapshot, a model),
draws on ``ax`` (or a new Axes) and returns the Axes, like PyMC-Marketing's and lifetimes'
plots, so users compose their own figures and notebooks stay short::

    import matplotlib.pyplot as plt
    from loyaltysim import plots

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
    plots.plot_market_share(result.timeseries, "base", ax=left)
    plots.plot_lorenz(result.customers, "base", ax=right)

Shops keep one colour in every figure (their order in the scenario). Bands and whiskers are
95% confidence intervals across replications.

Modules: :mod:`~loyaltysim.plots.timeseries` (over time), :mod:`~loyaltysim.plots.customers`
(the customer base), :mod:`~loyaltysim.plots.comparison` (variants),
:mod:`~loyaltysim.plots.sensitivity` (sweeps), :mod:`~loyaltysim.plots.snapshot` (network),
:mod:`~loyaltysim.plots.pages` (the standard figures of a run).
"""

from loyaltysim.plots._common import mean_band, shop_colors
from loyaltysim.plots.comparison import plot_variant_comparison
from loyaltysim.plots.customers import (
    plot_attitude_distribution,
    plot_clv_distribution,
    plot_cohort_retention,
    plot_cohort_triangle,
    plot_lorenz,
)
from loyaltysim.plots.pages import png_bytes, run_figure_pngs, run_pages
from loyaltysim.plots.sensitivity import plot_sensitivity_indices, plot_tornado
from loyaltysim.plots.snapshot import plot_network_snapshot
from loyaltysim.plots.timeseries import (
    plot_attitude,
    plot_market_share,
    plot_retention,
    plot_word_of_mouth,
    rolling_share,
)

__all__ = [
    "mean_band",
    "plot_attitude",
    "plot_attitude_distribution",
    "plot_clv_distribution",
    "plot_cohort_retention",
    "plot_cohort_triangle",
    "plot_lorenz",
    "plot_market_share",
    "plot_network_snapshot",
    "plot_retention",
    "plot_sensitivity_indices",
    "plot_tornado",
    "plot_variant_comparison",
    "plot_word_of_mouth",
    "png_bytes",
    "rolling_share",
    "run_figure_pngs",
    "run_pages",
    "shop_colors",
]
