"""Complaints and service recovery.

A customer whose experience falls below ``complaint_threshold`` complains with
``complaint_propensity`` (ACSI: dissatisfaction leads to complaints). A slow answer makes
complainants give up: the share who abandon is ``response_days / (response_days +
patience_days)`` (essay 004: busy service lines make customers leave for good). An answered
complaint is resolved with the shop's ``resolution_rate``.

A resolution restores ``recovery`` of the satisfaction lost in the experience and
``trust_recovery`` of the trust lost, and costs ``compensation`` times the price; recovery
restores satisfaction more than trust, so good recovery need not raise repurchase
(de Matos, Henrique & Rossi 2007). An unresolved complaint (abandoned or refused) removes a
further ``unresolved_penalty`` share of satisfaction and trust.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from loyaltysim.engine.draws import Random


@dataclass(frozen=True)
class Handling:
    """Who complains and how patient they are (``[experience]`` keys of the same names)."""

    complaint_threshold: float  # experiences below this may complain
    complaint_propensity: float  # probability such a customer complains (before voice)
    patience_days: float  # days of waiting at which half the complainants give up
    unresolved_penalty: float  # further share of satisfaction and trust an unresolved one costs


@dataclass(frozen=True)
class ComplaintOutcome:
    """Per experience: who complained and whose complaint was resolved."""

    complained: np.ndarray
    resolved: np.ndarray

    @property
    def unresolved(self) -> np.ndarray:
        """Complaints abandoned or refused."""
        return self.complained & ~self.resolved


def handle_complaints(
    rng: Random,
    experience: np.ndarray,
    response_days: np.ndarray,
    resolution_rate: np.ndarray,
    voice: np.ndarray,
    handling: Handling,
) -> ComplaintOutcome:
    """Draw who complains and whose complaint is resolved; shop arrays are per experience.

    ``voice`` multiplies the propensity to complain (a shop that invites complaints hears
    more of them), capped at certainty.
    """
    k = experience.shape[0]
    propensity = np.minimum(handling.complaint_propensity * voice, 1.0)
    complained = (experience < handling.complaint_threshold) & (rng.random(k) < propensity)
    abandon = rng.random(k) < response_days / (response_days + handling.patience_days)
    resolved = complained & ~abandon & (rng.random(k) < resolution_rate)
    return ComplaintOutcome(complained, resolved)


def recovered(
    before: np.ndarray,
    after: np.ndarray,
    outcome: ComplaintOutcome,
    restore: np.ndarray,
    penalty: float,
) -> np.ndarray:
    """An attitude after complaint handling: part of the loss restored, or a further penalty."""
    lost = np.maximum(before - after, 0.0)
    out = np.where(outcome.resolved, after + restore * lost, after)
    return np.where(outcome.unresolved, out * (1.0 - penalty), out)
