"""Experience, satisfaction, expectations and trust after a delivery.

Expectation-disconfirmation (Oliver 1980): a customer compares perceived performance ``P``
(product against description, and delivery) with its expectation ``E``. Shortfalls weigh more
than surpluses (Anderson & Sullivan 1993; Mittal, Ross & Baldasare 1998). Two forms of the
experience's satisfaction ``x``, clipped to 0..1 (``disconfirmation``):

- ``"legacy"``: ``x = P + gain * max(P - E, 0) - loss * max(E - P, 0)``. ``P`` stands on both
  sides, so a shortfall moves ``x`` by ``1 + loss`` per unit and a surplus by ``1 + gain``:
  with 0.3 and 0.8 the asymmetry is only 1.8 / 1.3 = 1.38.
- ``"prospect"``: ``x = E + gain * v(P - E)`` with the value function ``v(d) = d`` for
  ``d >= 0`` and ``loss_aversion * d`` for ``d < 0`` (Kahneman & Tversky 1979; Tversky &
  Kahneman 1992 estimate 2.25): the expectation is the reference point, and a shortfall lowers
  satisfaction ``loss_aversion`` times as much as an equal surplus raises it.

Cumulative satisfaction is an exponentially weighted mean of experiences (ACSI, Fornell et
al. 1996); expectations adapt towards performance.

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
    loss: float  # satisfaction per unit of negative disconfirmation ("legacy" form)
    disconfirmation: str  # "legacy" or "prospect": the form of experience_satisfaction
    loss_aversion: float  # a shortfall's weight over an equal surplus ("prospect" form)
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
    """Satisfaction with one experience: asymmetric disconfirmation, in either form."""
    gap = performance - expectation
    if learning.disconfirmation == "prospect":
        x = expectation + learning.gain * prospect_value(gap, learning.loss_aversion)
    else:
        x = performance + learning.gain * np.maximum(gap, 0.0)
        x = x - learning.loss * np.maximum(-gap, 0.0)
    return np.clip(x, 0.0, 1.0)


def prospect_value(gap: np.ndarray, loss_aversion: float) -> np.ndarray:
    """Piecewise-linear prospect-theory value of a gap: gains as they are, losses times λ."""
    return np.where(gap >= 0.0, gap, loss_aversion * gap)


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
