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


def advance_stages(
    state: CustomerState, segments: SegmentArrays, day: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Customers whose stage ended: ``(moving, next segment, its end, leaving)``.

    Those with a next stage move to it (its duration added to the end of the old one);
    those past the last stage age out and leave the market.
    """
    ended = np.flatnonzero(state.active & (state.stage_end <= day))
    nxt = segments.next_segment[state.segment[ended]]
    moving, segment = ended[nxt >= 0], nxt[nxt >= 0]
    stage_end = state.stage_end[moving] + segments.duration_days[segment]
    return moving, segment, stage_end, ended[nxt < 0]


def free_slots(active: np.ndarray, wanted: int) -> np.ndarray:
    """The lowest free slots, at most ``wanted`` of them (deterministic reuse order)."""
    return np.flatnonzero(~active)[:wanted]


@dataclass(frozen=True)
class Arrivals:
    """Fresh customers for free slots, one array (or one value) per :class:`CustomerState` field.

    Fields not listed keep their empty-slot defaults (no orders, no experiences, ...).
    """

    segment: np.ndarray
    region: np.ndarray
    joined: int
    stage_end: np.ndarray
    price_sensitivity: np.ndarray
    talkativeness: np.ndarray
    aware: np.ndarray  # (customers, shops)
    expectation: np.ndarray  # (customers, shops)
    trust: float
    need_scale: np.ndarray | float = 1.0  # purchase rate over the segment's mean (NBD)
    dropout: np.ndarray | float = 0.0  # chance to leave the category per repeat purchase


def buying_habits(
    rng: np.random.Generator, segment: np.ndarray, segments: SegmentArrays
) -> tuple[np.ndarray | float, np.ndarray | float]:
    """Each newcomer's purchase-rate multiplier and dropout chance (BG/NBD), by segment.

    The rate multiplier is Gamma with mean 1 and the segment's shape ``r`` (so the rates
    are Gamma(r, r / mean) around the segment's mean: the NBD of Ehrenberg 1959); the
    dropout chance is Beta(a, b) (Fader, Hardie & Lee 2005). Segments without them keep 1
    and 0, and nothing is drawn when no segment has them (older scenarios draw the same
    random numbers as before).
    """
    scale: np.ndarray | float = 1.0
    dropout: np.ndarray | float = 0.0
    if segments.heterogeneous:
        shape = segments.purchase_rate_shape[segment]
        finite = np.isfinite(shape)
        drawn = rng.gamma(np.where(finite, shape, 1.0), 1.0 / np.where(finite, shape, 1.0))
        scale = np.where(finite, drawn, 1.0)
    if segments.drop_out:
        a, b = segments.dropout_a[segment], segments.dropout_b[segment]
        on = a > 0
        dropout = np.where(on, rng.beta(np.where(on, a, 1.0), np.where(on, b, 1.0)), 0.0)
    return scale, dropout


def arrivals(
    rng: np.random.Generator,
    k: int,
    day: int,
    *,
    newcomers: Newcomers,
    segments: SegmentArrays,
    shops: ShopArrays,
    impression: FirstImpression,
    initial: bool,
    closed: np.ndarray | None = None,
) -> Arrivals:
    """Draw ``k`` fresh customers (``initial``: the day-0 population, spread over stages)."""
    share = segments.share if initial else segments.arrival_share
    segment = rng.choice(share.shape[0], size=k, p=share / share.sum())
    region_share = newcomers.region_share
    region = rng.choice(region_share.shape[0], size=k, p=region_share / region_share.sum())
    duration = segments.duration_days[segment]
    remaining = rng.random(k) if initial else np.ones(k)
    stage_end = day + np.where(np.isfinite(duration), remaining * duration, np.inf)
    price_sensitivity = newcomers.price_sensitivity * rng.lognormal(
        0.0, newcomers.price_sensitivity_spread, k
    )
    talkativeness = rng.lognormal(0.0, newcomers.talkativeness_spread, k)
    n_shops = shops.price.shape[0]
    aware = rng.random((k, n_shops)) < shops.initial_awareness[None, :]
    need_scale, dropout = buying_habits(rng, segment, segments)
    return Arrivals(
        segment=segment,
        region=region,
        joined=day,
        stage_end=stage_end,
        price_sensitivity=price_sensitivity,
        talkativeness=talkativeness,
        aware=aware if closed is None else aware & ~closed[None, :],
        expectation=impression.expectation(segment[:, None], np.arange(n_shops)[None, :]),
        trust=impression.initial_trust,
        need_scale=need_scale,
        dropout=dropout,
    )
