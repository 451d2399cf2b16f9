"""The cells of a summary table: a mean with its 95% CI, a paired difference with its CI."""

from __future__ import annotations

import math

import pandas as pd

from loyaltysim.analysis.intervals import proportion_ci
from loyaltysim.analysis.labels import label_of


def level(row: pd.Series, figure: str) -> str:
    """A mean with its 95% CI (for proportions on the logit scale, so within 0-100%)."""
    label = label_of(figure)
    low, high = row["ci_low"], row["ci_high"]
    if label.kind == "share":
        low, high = (float(x) for x in proportion_ci(row["mean"], low, high))
    if not (math.isfinite(low) and math.isfinite(high)):
        return label.value(row["mean"])
    digits = label.interval_decimals(low, high)
    ci = f"{label.value(low, digits)} to {label.value(high, digits)}"
    return f'{label.value(row["mean"], digits)}<br><span class="ci">{ci}</span>'


def difference(row: pd.Series, figure: str) -> tuple[str, str]:
    """Cell and class of a paired difference: bold if its CI excludes zero."""
    label = label_of(figure)
    low, high = row["diff_ci_low"], row["diff_ci_high"]
    if not (math.isfinite(low) and math.isfinite(high)):
        return label.diff(row["diff_vs_base"]), ""
    digits = label.interval_decimals(low, high)
    cell = (
        f"{label.diff(row['diff_vs_base'], digits)}<br><span class='ci'>"
        f"{label.bare_diff(low, digits)} to {label.bare_diff(high, digits)}</span>"
    )
    return cell, "effect" if (low > 0 or high < 0) else "null"
