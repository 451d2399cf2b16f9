"""Awareness and consideration: customers only consider shops they know and have not dropped.

Advertising makes each unaware customer aware of shop ``s`` with the daily probability
``advertising_reach[s]`` (the Bass innovation rate ``p``); word of mouth does the rest
(:mod:`loyaltysim.mechanisms.word_of_mouth`). A newly aware customer expects the quality the
shop's descriptions promise, delivered on the promised day (:class:`FirstImpression`: the
delivery scores ``on_time_score``, 1 unless delivery is judged against a promise), and starts from
``initial_trust``. Churned customers reconsider a shop with ``reconsider_rate`` per day,
keeping the attitudes that made them leave.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from loyaltysim.engine.sampling import bernoulli_indices
from loyaltysim.engine.state import CustomerState, cells
from loyaltysim.mechanisms.experience import perceived_performance


@dataclass(frozen=True)
class FirstImpression:
    """What a customer who has just heard of a shop believes about it."""

    promise: np.ndarray  # per shop: product quality the descriptions promise
    delivery_weight: np.ndarray  # per segment: weight of delivery in performance
    initial_trust: float
    delivery: float = 1.0  # expected delivery score: a parcel on its promised day

    def expectation(self, segment: np.ndarray, shop: np.ndarray) -> np.ndarray:
        """Expected performance: the promised product, delivered on time (pairwise)."""
        return perceived_performance(
            self.promise[shop], self.delivery, self.delivery_weight[segment]
        )


def newly_aware(state: CustomerState, rows: np.ndarray, shop: np.ndarray) -> np.ndarray:
    """Which of the pairs ``(rows, shop)`` become aware: the mask of new awareness.

    Only customers in the market who neither know nor have dropped the shop learn of it; a
    pair listed several times (two messages about one shop to one listener) becomes aware
    once: only its first occurrence is marked new.
    """
    fresh = np.flatnonzero(
        state.active[rows] & ~cells(state.aware, rows, shop) & ~cells(state.dropped, rows, shop)
    )
    _, first = np.unique(rows[fresh] * state.shops + shop[fresh], return_index=True)
    new = np.zeros(rows.shape[0], bool)
    new[fresh[first]] = True
    return new


def advertised(
    rng: np.random.Generator, slots: int, reach: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Slots reached by each shop's advertising today: ``(rows, shop)``, shop by shop."""
    drawn = [bernoulli_indices(rng, slots, float(p)) for p in reach]
    rows = np.concatenate(drawn)
    shop = np.repeat(np.arange(reach.shape[0]), [d.shape[0] for d in drawn])
    return rows, shop


def reconsidering(
    rng: np.random.Generator, state: CustomerState, rate: float
) -> tuple[np.ndarray, np.ndarray]:
    """Churned customers who consider their dropped shop again today: ``(rows, shop)``."""
    flat = bernoulli_indices(rng, state.dropped.size, rate)
    rows, shop = np.divmod(flat, state.shops)
    back = np.take(state.dropped, flat) & state.active[rows]
    return rows[back], shop[back]
