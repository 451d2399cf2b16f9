"""Confidence intervals of a proportion's mean that stay inside [0, 1].

A figure such as retention or market share is a proportion in every replication. The
Student-t interval of its mean (:func:`loyaltysim.analysis.summary.mean_ci`, the ``ci_low``
and ``ci_high`` of ``summary.csv`` and ``points.csv``) is symmetric, so near 0 or 1 it can
reach past the bound (a retention of "0.926 to 1.015"), which no reader can take
seriously. Reports and figures show instead the same interval built on the logit scale and
transformed back: ``expit(logit(m) ± h / (m (1 - m)))``, where ``h`` is the t interval's
half-width, i.e. ``t · se`` with the standard error moved to the logit scale by the delta
method (Stata's ``proportion`` command computes its intervals this way). In the middle of
the range it is close to the t interval; near a bound it shrinks towards it and never
crosses it.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit


def proportion_ci(
    mean: np.ndarray | float, low: np.ndarray | float, high: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray]:
    """The logit-scale version of a symmetric t interval ``[low, high]`` around ``mean``.

    Args:
        mean: Mean of the per-replication proportions, in [0, 1].
        low: Lower bound of its t interval (may be below 0).
        high: Upper bound of its t interval (may be above 1).

    Returns:
        ``(low, high)`` arrays inside [0, 1]; NaN where the t interval is NaN (one
        replication). A mean of exactly 0 or 1 has no spread, so the interval is the point.
    """
    mean, low, high = (np.asarray(x, dtype=np.float64) for x in (mean, low, high))
    inside = (mean > 0) & (mean < 1)
    m = np.where(inside, mean, 0.5)
    half = (high - low) / 2 / (m * (1 - m))
    out_low = np.where(inside, expit(logit(m) - half), mean)
    out_high = np.where(inside, expit(logit(m) + half), mean)
    missing = np.isnan(low) | np.isnan(high)
    return np.where(missing, np.nan, out_low), np.where(missing, np.nan, out_high)
