"""Population: customers enter the market, move through life-cycle stages and leave.

Customers leave with a daily ``departure_rate``; a segment with ``duration_days`` is a
life-cycle stage (essay 003: children aged 0-12, 12-36, 36-72 months): when it ends the
customer moves to the ``next`` stage or, after the last, leaves the market. New customers
arrive as a Poisson stream of ``arrival_rate`` times the initial population per day, drawn from
the segments' ``arrival_share`` (essay 003: about 80% of new customers are in the first stage).

Initial customers are spread over their stage (uniform remaining time), so the market starts
in its steady state rather than with every child newborn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from loyaltysim.engine.params import SegmentArrays, ShopArrays
from loyaltysim.engine.sampling import bernoulli_indices
from loyaltysim.engine.state import CustomerState
from loyaltysim.mechanisms.awareness import FirstImpression


@dataclass(frozen=True)
class Newcomers:
    """What a new customer is drawn from."""

    region_share: np.ndarray
    price_sensitivity: float
    price_sensitivity_spread: float
    talkativeness_spread: float


def random_departures(
    rng: np.random.Generator, active: np.ndarray, departure_rate: float
) -> np.ndarray:
    """Slots of customers leaving the market today for reasons outside the model."""
    picked = bernoulli_indices(rng, active.shape[0], departure_rate)
    return picked[active[picked]]


def advance_stages(state: CustomerState, segments: SegmentArrays, day: int) -> np.ndarray:
    """Move customers whose stage ended to the next one; return those who age out and leave."""
    ended = np.flatnonzero(state.active & (state.stage_end <= day))
    if ended.size == 0:
        return ended
    nxt = segments.next_segment[state.segment[ended]]
    moving = ended[nxt >= 0]
    state.segment[moving] = nxt[nxt >= 0]
    state.stage_end[moving] += segments.duration_days[state.segment[moving]]
    return ended[nxt < 0]


def free_slots(active: np.ndarray, wanted: int) -> np.ndarray:
    """The lowest free slots, at most ``wanted`` of them (deterministic reuse order)."""
    return np.flatnonzero(~active)[:wanted]


def populate(
    rng: np.random.Generator,
    state: CustomerState,
    rows: np.ndarray,
    day: int,
    *,
    newcomers: Newcomers,
    segments: SegmentArrays,
    shops: ShopArrays,
    impression: FirstImpression,
    initial: bool,
    closed: np.ndarray | None = None,
) -> None:
    """Fill free ``rows`` with fresh customers (``initial``: the day-0 population)."""
    k = rows.shape[0]
    state.reset_rows(rows)
    share = segments.share if initial else segments.arrival_share
    segment = rng.choice(share.shape[0], size=k, p=share / share.sum())
    state.active[rows] = True
    state.segment[rows] = segment
    region = newcomers.region_share
    state.region[rows] = rng.choice(region.shape[0], size=k, p=region / region.sum())
    state.joined[rows] = day
    duration = segments.duration_days[segment]
    remaining = rng.random(k) if initial else np.ones(k)
    state.stage_end[rows] = day + np.where(np.isfinite(duration), remaining * duration, np.inf)
    state.price_sensitivity[rows] = newcomers.price_sensitivity * rng.lognormal(
        0.0, newcomers.price_sensitivity_spread, k
    )
    state.talkativeness[rows] = rng.lognormal(0.0, newcomers.talkativeness_spread, k)
    n_shops = shops.price.shape[0]
    aware = rng.random((k, n_shops)) < shops.initial_awareness[None, :]
    state.aware[rows] = aware if closed is None else aware & ~closed[None, :]
    state.expectation[rows] = impression.expectation(segment[:, None], np.arange(n_shops)[None, :])
    state.trust[rows] = impression.initial_trust
