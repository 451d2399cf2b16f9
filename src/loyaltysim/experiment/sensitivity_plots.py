"""Figures only a sweep's analysis needs: the Morris plane and grid response curves.

Index bars and tornado charts are :func:`loyaltysim.plots.plot_sensitivity_indices` and
:func:`loyaltysim.plots.plot_tornado` (shared with the report). Each function takes the
tidy tables ``loyaltysim analyze`` writes (``sensitivity.csv``, ``points.csv``), draws on
``ax`` (or a new Axes) and returns the Axes::

    import pandas as pd
    from loyaltysim.experiment import sensitivity_plots as sp

    sp.plot_morris(pd.read_csv("results/morris/sensitivity.csv"), "premium.retention")

Error bars and bands are 95% confidence intervals (bootstrap for indices, Student-t over
replications for point means; for proportions the t interval on the logit scale, so a band
never leaves 0-100%). Outputs and parameters are labelled in words
(:func:`~loyaltysim.analysis.labels.output_label`,
:func:`~loyaltysim.analysis.labels.parameter_label`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from loyaltysim.analysis.intervals import proportion_ci
from loyaltysim.analysis.labels import output_label, parameter_label
from loyaltysim.experiment.sensitivity import main_effects


def _axes(ax: Axes | None, size: tuple[float, float] = (6.4, 4.0)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _rows(sensitivity: pd.DataFrame, output: str) -> tuple[pd.DataFrame, str]:
    rows = sensitivity[sensitivity["output"] == output]
    if rows.empty:
        known = ", ".join(dict.fromkeys(sensitivity["output"].astype(str)))
        raise ValueError(f"no rows for output {output!r}; the table has: {known}")
    return rows, str(rows["method"].iloc[0])


def plot_morris(sensitivity: pd.DataFrame, output: str, ax: Axes | None = None) -> Axes:
    """Morris plane: μ* (importance) against σ (interactions or non-linearity).

    Points far right matter; points high above the σ = μ* line act mainly through
    interactions or non-linear effects.
    """
    rows, method = _rows(sensitivity, output)
    if method != "morris":
        raise ValueError(f"output {output!r} has {method} rows, not morris")
    ax = _axes(ax)
    ax.errorbar(rows["mu_star"], rows["sigma"], xerr=rows["mu_star_conf"], fmt="o", capsize=3)
    for _, row in rows.iterrows():
        ax.annotate(parameter_label(row["parameter"]), (row["mu_star"], row["sigma"]),
                    textcoords="offset points", xytext=(4, 4), fontsize=8)  # fmt: skip
    right = float(np.nanmax(np.r_[rows["mu_star"] + rows["mu_star_conf"].fillna(0), 0]))
    top = float(np.nanmax(np.r_[rows["sigma"], 0]))
    right, top = (right or 1.0) * 1.35, (top or 1.0) * 1.3
    line = max(right, top)
    ax.plot([0, line], [0, line], color="grey", linestyle="--", linewidth=0.8, label="σ = μ*")
    ax.set_xlim(0, right)
    ax.set_ylim(0, top)
    ax.set_xlabel("μ* (mean |elementary effect|)")
    ax.set_ylabel("σ (spread of effects)")
    ax.set_title(f"{output_label(output)[0]}: Morris screening")
    ax.legend(frameon=False)
    return ax


def plot_response(
    points: pd.DataFrame,
    output: str,
    x: str,
    by: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Response curve: the output's mean and 95% CI against one parameter of a grid.

    Args:
        points: ``points.csv``.
        output: Which output to draw.
        x: The parameter on the horizontal axis.
        by: A second parameter; one curve per value. Without it, other parameters that
            vary are averaged out (main effect, CI over the points at each value).
        ax: Axes to draw on.

    """
    rows = points[points["output"] == output]
    if rows.empty:
        raise ValueError(f"no points for output {output!r}")
    ax = _axes(ax)
    name, label = output_label(output)
    groups = [(None, rows)] if by is None else list(rows.groupby(by, sort=True))
    for value, group in groups:
        curve = group.sort_values(x) if len(group[x].unique()) == len(group) else None
        if curve is None:
            curve = main_effects(group, x)
        legend = None if by is None else f"{parameter_label(by)} = {value:g}" if isinstance(
            value, float) else f"{parameter_label(by)} = {value}"  # fmt: skip
        numeric = pd.api.types.is_numeric_dtype(curve[x]) and not pd.api.types.is_bool_dtype(
            curve[x]
        )
        xs = curve[x] if numeric else np.arange(len(curve))
        low, high = curve["ci_low"].to_numpy(float), curve["ci_high"].to_numpy(float)
        if label.kind == "share":
            low, high = proportion_ci(curve["mean"].to_numpy(float), low, high)
        k = label.scale
        (line,) = ax.plot(xs, k * curve["mean"], marker="o", label=legend)
        ax.fill_between(xs, k * low, k * high, alpha=0.2,
                        color=line.get_color(), linewidth=0)  # fmt: skip
        if not numeric:
            ax.set_xticks(xs, [str(v) for v in curve[x]])
    ax.set_xlabel(parameter_label(x))
    ax.set_ylabel(label.axis.replace(label.label, name, 1))
    ax.set_title(f"{name} against {parameter_label(x)}")
    if by is not None:
        ax.legend(frameon=False, fontsize=8)
    return ax
