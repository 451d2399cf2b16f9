"""Delivery: each parcel's fate, drawn from the shop's courier in the customer's region.

A parcel is lost with ``loss_rate``, damaged with ``damage_rate``, and otherwise on time with
probability ``on_time``; late parcels are ``1 + Poisson(mean_delay_days - 1)`` days late.
Transit time is the courier's dispatch days plus the region's delivery days (essay 003:
far regions wait longer). A lost parcel is noticed when a late one would have arrived.

The delivery score compares the days a parcel took with a reference day
(``delivery_reference``): ``"parcel"``, the day this parcel was due on time, so a parcel can
only be late; or ``"promise"``, the shop's promised delivery days (``promised_days``, by
default the normal dispatch plus transit days), so a parcel sped up by an express courier or a
tier's faster dispatch arrives *before* the promise and scores above ``on_time_score``.
Customers reward early delivery and punish late delivery against the promised date (Rao,
Griffis & Goldsby 2011; Ravula 2022); the asymmetry between the two is the disconfirmation's
loss aversion (:mod:`loyaltysim.mechanisms.experience`), not a second one here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from loyaltysim.engine.draws import Random


class Outcome(IntEnum):
    """What happened to a parcel."""

    ON_TIME = 0
    LATE = 1
    DAMAGED = 2
    LOST = 3


def draw_outcomes(
    rng: Random,
    on_time: np.ndarray,
    damage_rate: np.ndarray,
    loss_rate: np.ndarray,
    mean_delay_days: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Outcome and delay (days late) of each parcel; arguments are per parcel.

    Returns:
        ``(outcome, delay)``: int8 :class:`Outcome` codes and int32 days late (lost parcels
        carry the delay after which the customer gives up waiting).

    """
    u = rng.random(on_time.shape[0])
    outcome = np.full(on_time.shape[0], Outcome.ON_TIME, np.int8)
    lost = u < loss_rate
    damaged = ~lost & (u < loss_rate + damage_rate)
    intact = ~(lost | damaged)
    late = intact & (rng.random(on_time.shape[0]) >= on_time)
    outcome[late] = Outcome.LATE
    outcome[damaged] = Outcome.DAMAGED
    outcome[lost] = Outcome.LOST
    extra = 1 + rng.poisson(np.maximum(mean_delay_days - 1.0, 0.0))
    delay = np.where(late | lost, extra, 0).astype(np.int32)
    return outcome, delay


@dataclass(frozen=True)
class Scoring:
    """How a delivery is scored (``[experience]`` keys of the same names)."""

    late_penalty: float  # score lost per day late (and won per day early, against a promise)
    tracking_relief: float  # share of that penalty tracking takes away
    damaged_score: float  # score of a damaged parcel
    delivery_reference: str  # "parcel" (its own on-time day) or "promise" (promised days)
    on_time_score: float  # score of a parcel arriving on its reference day


def days_early(
    days: np.ndarray, delay: np.ndarray, promised_days: np.ndarray, scoring: Scoring
) -> np.ndarray:
    """Days each parcel arrived before its reference day (negative: late).

    Args:
        days: Days from order to arrival (or to giving up on a lost parcel).
        delay: Days late against the parcel's own on-time day.
        promised_days: The shop's promise for the parcel's region.
        scoring: Which reference day counts.

    """
    if scoring.delivery_reference == "promise":
        return promised_days - days
    return -delay.astype(np.float64)


def delivery_score(
    outcome: np.ndarray,
    early: np.ndarray,
    tracking: np.ndarray,
    scoring: Scoring,
) -> np.ndarray:
    """How well the delivery went, 0..1: low if damaged, 0 if lost, else by days early or late.

    ``on_time_score`` on the reference day, plus ``late_penalty`` per day early and minus it
    per day late; tracking softens a delay (customers who can see the parcel move mind less).
    """
    penalty = scoring.late_penalty * (1.0 - scoring.tracking_relief * tracking)
    per_day = np.where(early >= 0.0, scoring.late_penalty, penalty)
    score = np.clip(scoring.on_time_score + per_day * early, 0.0, 1.0)
    score = np.where(outcome == Outcome.DAMAGED, scoring.damaged_score, score)
    return np.where(outcome == Outcome.LOST, 0.0, score)
