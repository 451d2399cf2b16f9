"""Across replications: means, 95% confidence intervals, and paired differences vs the base.

Replications are independent, so a figure's mean has a Student-t interval. Every variant's
replication ``k`` uses the same seed (common random numbers), so a variant's effect is
estimated from the per-replication differences against the base, which is much tighter than
comparing two independent intervals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import stdtrit  # scipy.stats' t.ppf, without importing scipy.stats (35 MB)

#: Columns of the per-replication figures table that are not figures.
KEYS = ("variant", "replication", "shop")


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided Student-t confidence interval (NaN bounds for one value)."""
    values = np.asarray(values, dtype=np.float64)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return np.nan, np.nan, np.nan
    mean = float(values.mean())
    if values.size < 2:
        return mean, np.nan, np.nan
    half = stdtrit(values.size - 1, 0.5 + level / 2) * values.std(ddof=1) / np.sqrt(values.size)
    return mean, mean - half, mean + half


def summarise(figures: pd.DataFrame, base: str = "base") -> pd.DataFrame:
    """Tidy summary: one row per variant, shop and figure.

    Columns: ``variant, shop, figure, mean, ci_low, ci_high, std, replications`` and, for
    variants other than ``base``, ``diff_vs_base, diff_ci_low, diff_ci_high`` (paired by
    replication).
    """
    names = [c for c in figures.columns if c not in KEYS]
    long = figures.melt(id_vars=list(KEYS), value_vars=names, var_name="figure")
    long["value"] = long["value"].astype(np.float64)
    base_values = long[long["variant"] == base].set_index(["replication", "shop", "figure"])[
        "value"
    ]
    rows = []
    for (variant, shop, figure), group in long.groupby(
        ["variant", "shop", "figure"], sort=False, observed=True
    ):
        mean, low, high = mean_ci(group["value"].to_numpy())
        row = {
            "variant": variant,
            "shop": shop,
            "figure": figure,
            "mean": mean,
            "ci_low": low,
            "ci_high": high,
            "std": float(group["value"].std(ddof=1)) if len(group) > 1 else np.nan,
            "replications": int(group["value"].notna().sum()),
        }
        if variant != base and not base_values.empty:
            keys = list(
                zip(group["replication"], [shop] * len(group), [figure] * len(group), strict=True)
            )
            paired = group["value"].to_numpy() - base_values.reindex(keys).to_numpy()
            row["diff_vs_base"], row["diff_ci_low"], row["diff_ci_high"] = mean_ci(paired)
        rows.append(row)
    out = pd.DataFrame(rows)
    for col in ("diff_vs_base", "diff_ci_low", "diff_ci_high"):
        if col not in out:
            out[col] = np.nan
    return out
