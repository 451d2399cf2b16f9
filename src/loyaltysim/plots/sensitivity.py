"""Sensitivity figures from a ``sensitivity.csv`` table (``loyaltysim analyze``).

The table has one row per output, parameter and method, with columns ``output, parameter,
method, S1, S1_conf, ST, ST_conf, mu_star, mu_star_conf, sigma``. Sobol rows fill the
``S*`` columns (first-order and total indices with their 95% confidence half-widths);
Morris rows fill ``mu_star`` (mean absolute elementary effect), its confidence and
``sigma`` (spread of the effects: interactions or non-linearity).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from loyaltysim.analysis.labels import output_label, parameter_label
from loyaltysim.plots._common import axes, legend

#: Per method: the measure that ranks parameters, and the bars drawn side by side.
#: RBD-FAST (``loyaltysim analyze`` on a Latin hypercube) gives first-order indices only.
MEASURES = {
    "sobol": ("ST", [("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST")]),
    "rbd_fast": ("S1", [("S1", "S1_conf", "first order S1")]),
    "morris": ("mu_star", [("mu_star", "mu_star_conf", "μ*"), ("sigma", None, "σ")]),
}


#: How each method is named in titles.
METHOD_NAMES = {"sobol": "Sobol", "rbd_fast": "RBD-FAST", "morris": "Morris"}


def sensitivity_rows(
    sensitivity: pd.DataFrame, output: str, method: str | None = None
) -> tuple[pd.DataFrame, str]:
    """Rows of one output and method, and the method's name in lower case.

    Without ``method``, Sobol is taken if the output has Sobol rows, else Morris.
    """
    rows = sensitivity[sensitivity["output"] == output]
    if rows.empty:
        known = ", ".join(str(o) for o in dict.fromkeys(sensitivity["output"]))
        raise ValueError(f"no sensitivity rows for output {output!r}; there are: {known}")
    methods = rows["method"].astype(str).str.lower()
    if method is None:
        method = "sobol" if (methods == "sobol").any() else str(methods.iloc[0])
    method = method.lower()
    if method not in MEASURES:
        raise ValueError(f"method must be one of {sorted(MEASURES)}, given {method!r}")
    picked = rows[methods == method]
    if picked.empty:
        raise ValueError(f"output {output!r} has no {method} rows")
    return picked, method


def _ranked(rows: pd.DataFrame, method: str) -> pd.DataFrame:
    """Rows sorted by the method's ranking measure, most important first."""
    key = MEASURES[method][0]
    return rows.sort_values(key, ascending=False, kind="stable", na_position="last")


def plot_sensitivity_indices(
    sensitivity: pd.DataFrame,
    output: str,
    method: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Index bars per parameter: S1 and ST (Sobol), S1 (RBD-FAST) or μ* and σ (Morris).

    For Sobol, the gap between ST and S1 is the share of variance a parameter causes
    through interactions; a parameter whose ST interval reaches zero may be fixed at any
    value in its range without changing the output.

    Args:
        sensitivity: A ``sensitivity.csv`` table.
        output: Which output figure to show (a value of the ``output`` column).
        method: ``sobol``, ``rbd_fast`` or ``morris`` (default: the table's, Sobol first).
        ax: Axes to draw on (default: a new figure).
    """
    rows, method = sensitivity_rows(sensitivity, output, method)
    rows = _ranked(rows, method)
    ax = axes(ax, (max(6.0, 0.9 * len(rows) + 2), 4))
    bars = MEASURES[method][1]
    width = 0.8 / len(bars)
    x = np.arange(len(rows))
    for i, (column, conf, name) in enumerate(bars):
        values = rows[column].to_numpy(float)
        err = rows[conf].to_numpy(float) if conf else None
        ax.bar(
            x + (i - (len(bars) - 1) / 2) * width,
            values,
            width,
            yerr=None if err is None else np.nan_to_num(err),
            capsize=3,
            label=name,
            edgecolor="black",
            linewidth=0.5,
        )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(
        x, [parameter_label(p) for p in rows["parameter"].astype(str)], rotation=30, ha="right"
    )
    ylabel = (
        "elementary effect (output units)" if method == "morris" else "share of output variance"
    )
    ax.set(
        xlabel="parameter",
        ylabel=ylabel,
        title=f"{METHOD_NAMES[method]} indices — {output_label(output)[0]}",
    )
    legend(ax, title="measure (95% CI)")
    return ax


def plot_tornado(
    sensitivity: pd.DataFrame,
    output: str,
    method: str | None = None,
    top: int | None = 15,
    ax: Axes | None = None,
) -> Axes:
    """Tornado chart: parameters ranked by influence, the most influential on top.

    Sobol: the bar is the total index ST (with its 95% CI) and the dark inner bar the
    first-order index S1, the part a parameter explains on its own. RBD-FAST: the bar is
    S1. Morris: the bar is μ* (with its CI) and the dot σ. The widest bars are where to
    measure or manage first.

    Args:
        sensitivity: A ``sensitivity.csv`` table.
        output: Which output figure to show.
        method: ``sobol``, ``rbd_fast`` or ``morris`` (default: the table's, Sobol first).
        top: Show only this many parameters (default 15; ``None``: all).
        ax: Axes to draw on (default: a new figure).
    """
    rows, method = sensitivity_rows(sensitivity, output, method)
    rows = _ranked(rows, method)
    if top is not None:
        rows = rows.head(top)
    ax = axes(ax, (7, max(2.5, 0.45 * len(rows) + 1.2)))
    y = np.arange(len(rows))[::-1]
    names = [parameter_label(p) for p in rows["parameter"].astype(str)]
    if method == "rbd_fast":
        ax.barh(
            y,
            rows["S1"].to_numpy(float),
            xerr=np.nan_to_num(rows["S1_conf"].to_numpy(float)),
            color="#9ecae1",
            edgecolor="black",
            linewidth=0.5,
            capsize=3,
            label="first order S1 (95% CI)",
        )
        xlabel = "share of output variance"
    elif method == "sobol":
        ax.barh(
            y,
            rows["ST"].to_numpy(float),
            xerr=np.nan_to_num(rows["ST_conf"].to_numpy(float)),
            color="#9ecae1",
            edgecolor="black",
            linewidth=0.5,
            capsize=3,
            label="total ST (95% CI)",
        )
        ax.barh(y, rows["S1"].to_numpy(float), height=0.4, color="#08519c", label="first order S1")
        xlabel = "share of output variance"
    else:
        ax.barh(
            y,
            rows["mu_star"].to_numpy(float),
            xerr=np.nan_to_num(rows["mu_star_conf"].to_numpy(float)),
            color="#9ecae1",
            edgecolor="black",
            linewidth=0.5,
            capsize=3,
            label="μ* (95% CI)",
        )
        ax.plot(rows["sigma"].to_numpy(float), y, "o", color="#08519c", label="σ")
        xlabel = "elementary effect (output units)"
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, names)
    ax.set(
        xlabel=xlabel,
        ylabel="parameter",
        title=f"What moves {output_label(output)[0]} ({METHOD_NAMES[method]})",
    )
    legend(ax, loc="lower right")
    return ax
