"""Experience, satisfaction, expectations and trust after a delivery.

Expectation-disconfirmation (Oliver 1980): a customer compares perceived performance ``P``
(product against description, and delivery) with its expectation ``E``. The experience's
satisfaction is ``x = P + gain * max(P - E, 0) - loss * max(E - P, 0)``, clipped to 0..1, with
``loss > gain``: shortfalls weigh more than surpluses (Anderson & Sullivan 1993; Mittal,
Ross & Baldasare 1998). Cumulative satisfaction is an exponentially weighted mean of
experiences (ACSI, Fornell et al. 1996); expectations adapt towards performance.

Trust (essays 000 and 004) is built slowly and lost fast: a kept promise (``P >= E - tol``)
closes a small share ``trust_gain`` of the gap to 1; a broken one removes a larger share
``trust_loss`` of what is left.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Learning:
    """How one experience moves attitudes (``[experience]`` keys of the same names)."""

    gain: float  # satisfaction per unit of positive disconfirmation
    loss: float  # satisfaction per unit of negative disconfirmation
    satisfaction_learning: float  # weight of the newest experience in satisfaction
    expectation_learning: float  # how fast expectations move towards performance
    promise_tolerance: float  # shortfall still counted as a kept promise
    trust_gain: float  # share of missing trust a kept promise wins
    trust_loss: float  # share of trust a broken promise loses


def perceived_performance(
    product: np.ndarray, delivery: np.ndarray, delivery_weight: np.ndarray
) -> np.ndarray:
    """Weighted mean of product performance (weight 1) and delivery score."""
    return (product + delivery_weight * delivery) / (1.0 + delivery_weight)


def experience_satisfaction(
    performance: np.ndarray, expectation: np.ndarray, learning: Learning
) -> np.ndarray:
    """Satisfaction with one experience: performance plus asymmetric disconfirmation."""
    gap = performance - expectation
    x = performance + learning.gain * np.maximum(gap, 0.0) - learning.loss * np.maximum(-gap, 0.0)
    return np.clip(x, 0.0, 1.0)


def updated_satisfaction(
    satisfaction: np.ndarray, experience: np.ndarray, first: np.ndarray, learning: Learning
) -> np.ndarray:
    """Cumulative satisfaction: the first experience sets it, later ones move it a share."""
    blended = satisfaction + learning.satisfaction_learning * (experience - satisfaction)
    return np.where(first, experience, blended)


def updated_expectation(
    expectation: np.ndarray, performance: np.ndarray, learning: Learning
) -> np.ndarray:
    """Expectations adapt towards what was experienced."""
    return expectation + learning.expectation_learning * (performance - expectation)


def updated_trust(
    trust: np.ndarray,
    performance: np.ndarray,
    expectation: np.ndarray,
    learning: Learning,
) -> np.ndarray:
    """Trust after a kept (slow gain) or broken (fast loss) promise."""
    kept = performance >= expectation - learning.promise_tolerance
    gained = trust + learning.trust_gain * (1.0 - trust)
    return np.where(kept, gained, trust * (1.0 - learning.trust_loss))
