"""The Bass (1969) diffusion model, the limit the word-of-mouth engine must reproduce.

With one shop, no churn, a well-mixed population and every aware customer buying, a
customer who has not bought adopts at hazard ``p + q F(t)``: ``p`` from advertising
(innovation), ``q`` from adopters' word of mouth (imitation), ``F`` the share who adopted.
In loyaltysim ``p`` is the shop's ``advertising_reach`` and
``q = positive_propensity * mean_degree * tie_strength`` (messages per adopter-day that land).
"""

from __future__ import annotations

import numpy as np
from scipy import optimize


def bass_cdf(t: np.ndarray, p: float, q: float) -> np.ndarray:
    """Continuous-time Bass share of adopters at time ``t``."""
    t = np.asarray(t, dtype=np.float64)
    e = np.exp(-(p + q) * t)
    return (1.0 - e) / (1.0 + (q / p) * e)


def daily_bass(days: int, p: float, q: float) -> np.ndarray:
    """Expected share of adopters at the end of each day under loyaltysim's daily order.

    Each day advertising reaches the unaware (probability ``p``), everyone aware buys, then
    the day's buyers talk: an unaware customer escapes all ``q * F * N`` messages with
    probability ``exp(-q F)``; those reached buy the next day.
    """
    adopted = np.empty(days)
    aware = 0.0
    for t in range(days):
        adopted[t] = 1.0 - (1.0 - aware) * (1.0 - p)
        aware = 1.0 - (1.0 - adopted[t]) * np.exp(-q * adopted[t])
    return adopted


def fit_bass(t: np.ndarray, share: np.ndarray) -> tuple[float, float]:
    """Least-squares estimates of ``(p, q)`` from a cumulative adoption curve."""
    (p, q), _ = optimize.curve_fit(
        bass_cdf,
        np.asarray(t, dtype=np.float64),
        share,
        p0=(0.01, 0.1),
        bounds=([1e-6, 0.0], [1.0, 5.0]),
    )
    return float(p), float(q)
