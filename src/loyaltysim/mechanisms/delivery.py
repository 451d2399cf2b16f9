"""Delivery: each parcel's fate, drawn from the shop's courier in the customer's region.

A parcel is lost with ``loss_rate``, damaged with ``damage_rate``, and otherwise on time with
probability ``on_time``; late parcels are ``1 + Poisson(mean_delay_days - 1)`` days late.
Transit time is the courier's dispatch days plus the region's delivery days (essay 003:
far regions wait longer). A lost parcel is noticed when a late one would have arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np


class Outcome(IntEnum):
    """What happened to a parcel."""

    ON_TIME = 0
    LATE = 1
    DAMAGED = 2
    LOST = 3


def draw_outcomes(
    rng: np.random.Generator,
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

    late_penalty: float  # score lost per day late
    tracking_relief: float  # share of that penalty tracking takes away
    damaged_score: float  # score of a damaged parcel


def delivery_score(
    outcome: np.ndarray,
    delay: np.ndarray,
    tracking: np.ndarray,
    scoring: Scoring,
) -> np.ndarray:
    """How well the delivery went, 0..1: 1 on time, less per day late, low if damaged, 0 lost.

    Tracking softens a delay (customers who can see the parcel move mind less).
    """
    penalty = scoring.late_penalty * (1.0 - scoring.tracking_relief * tracking)
    score = np.clip(1.0 - penalty * delay, 0.0, 1.0)
    score = np.where(outcome == Outcome.DAMAGED, scoring.damaged_score, score)
    return np.where(outcome == Outcome.LOST, 0.0, score)


class ParcelQueue:
    """Parcels on their way, kept as parallel arrays; ``pop_due`` costs per parcel in transit."""

    FIELDS = ("slot", "uid", "shop", "outcome", "delay", "due", "paid")

    def __init__(self) -> None:
        self.slot = np.empty(0, np.int64)
        self.uid = np.empty(0, np.int64)
        self.shop = np.empty(0, np.int64)
        self.outcome = np.empty(0, np.int8)
        self.delay = np.empty(0, np.int32)
        self.due = np.empty(0, np.int64)
        self.paid = np.empty(0, np.float64)

    def __len__(self) -> int:
        return int(self.slot.shape[0])

    def add(self, **parcels: np.ndarray) -> None:
        """Append parcels (one array per field, all of one length)."""
        for name in self.FIELDS:
            old = getattr(self, name)
            setattr(self, name, np.concatenate([old, parcels[name].astype(old.dtype)]))

    def pop_due(self, day: int) -> dict[str, np.ndarray]:
        """Remove and return the parcels that arrive (or are given up on) by ``day``."""
        due = self.due <= day
        out = {name: getattr(self, name)[due] for name in self.FIELDS}
        for name in self.FIELDS:
            setattr(self, name, getattr(self, name)[~due])
        return out
