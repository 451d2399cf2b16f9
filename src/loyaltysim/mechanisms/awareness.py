"""Awareness and consideration: customers only consider shops they know and have not dropped.

Advertising makes each unaware customer aware of shop ``s`` with the daily probability
``advertising_reach[s]`` (the Bass innovation rate ``p``); word of mouth does the rest
(:mod:`loyaltysim.mechanisms.word_of_mouth`). A newly aware customer expects the quality the
shop's descriptions promise, delivered on time (:class:`FirstImpression`), and starts from
``initial_trust``. Churned customers reconsider a shop with ``reconsider_rate`` per day,
keeping the attitudes that made them leave.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from loyaltysim.engine.sampling import bernoulli_indices
from loyaltysim.engine.state import CustomerState
from loyaltysim.mechanisms.experience import perceived_performance


@dataclass(frozen=True)
class FirstImpression:
    """What a customer who has just heard of a shop believes about it."""

    promise: np.ndarray  # per shop: product quality the descriptions promise
    delivery_weight: np.ndarray  # per segment: weight of delivery in performance
    initial_trust: float

    def expectation(self, segment: np.ndarray, shop: np.ndarray) -> np.ndarray:
        """Expected performance: the promised product, delivered on time (pairwise)."""
        return perceived_performance(self.promise[shop], 1.0, self.delivery_weight[segment])


def learn_of(
    state: CustomerState, rows: np.ndarray, shop: np.ndarray, impression: FirstImpression
) -> np.ndarray:
    """Make customers ``rows`` aware of ``shop`` (pairwise); return the mask of new awareness.

    A pair listed several times (two messages about one shop to one listener) becomes aware
    once: only its first occurrence is marked new.
    """
    fresh = np.flatnonzero(
        state.active[rows] & ~state.aware[rows, shop] & ~state.dropped[rows, shop]
    )
    _, first = np.unique(rows[fresh] * state.shops + shop[fresh], return_index=True)
    new = np.zeros(rows.shape[0], bool)
    new[fresh[first]] = True
    r, s = rows[new], shop[new]
    state.aware[r, s] = True
    state.expectation[r, s] = impression.expectation(state.segment[r], s)
    state.trust[r, s] = impression.initial_trust
    return new


def advertise(
    rng: np.random.Generator,
    state: CustomerState,
    reach: np.ndarray,
    impression: FirstImpression,
) -> np.ndarray:
    """Customers newly aware of each shop through advertising today (count per shop)."""
    drawn = [bernoulli_indices(rng, state.slots, float(p)) for p in reach]
    rows = np.concatenate(drawn)
    shop = np.repeat(np.arange(reach.shape[0]), [d.shape[0] for d in drawn])
    new = learn_of(state, rows, shop, impression)
    return np.bincount(shop[new], minlength=reach.shape[0])


def reconsider(
    rng: np.random.Generator, state: CustomerState, rate: float
) -> tuple[np.ndarray, np.ndarray]:
    """Churned customers who consider their dropped shop again today: ``(rows, shop)``."""
    flat = bernoulli_indices(rng, state.dropped.size, rate)
    rows, shop = np.divmod(flat, state.shops)
    back = state.dropped[rows, shop] & state.active[rows]
    rows, shop = rows[back], shop[back]
    state.dropped[rows, shop] = False
    state.aware[rows, shop] = True
    return rows, shop
