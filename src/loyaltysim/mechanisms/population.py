"""Population: customers enter the market, move through life-cycle stages and leave.

Customers leave with a daily ``departure_rate``; a segment with ``duration_days`` is a
life-cycle stage (essay 003: children aged 0-12, 12-36, 36-72 months): when it ends the
customer moves to the ``next`` stage or, after the last, leaves the market. New customers
arrive as a Poisson stream, spread over the segments.

Two readings of a scenario's numbers (``market.steady_state``):

- off (the old behaviour): ``customers`` and the segments' ``share`` are the day-0 market;
  ``arrival_rate`` times ``customers`` arrive a day, split by ``arrival_share``; initial
  customers are spread uniformly over their stage. The market then drifts towards whatever
  steady state those rates imply.
- on: ``customers`` and ``share`` are the market's steady state. The arrivals per segment
  are the ones that hold it (:func:`loyaltysim.scenario.steady_state.arrival_flows`), and
  each initial customer's time already spent in its stage is drawn from the stationary
  density, proportional to ``exp(-departure_rate * age)`` on ``[0, duration]``. A customer
  who has left the category (BG/NBD dropout, ``alive`` false) leaves the market the next day
  and is replaced in kind: a newcomer in the same stage with the same time left in it, so
  the stage counts follow the process without dropout and stay steady.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from loyaltysim.engine import libm
from loyaltysim.engine.params import SegmentArrays, ShopArrays
from loyaltysim.engine.sampling import bernoulli_indices
from loyaltysim.engine.state import CustomerState
from loyaltysim.mechanisms.awareness import FirstImpression
from loyaltysim.scenario.steady_state import arrival_flows

if TYPE_CHECKING:
    from loyaltysim.scenario.schema import MarketConfig


@dataclass(frozen=True)
class Newcomers:
    """What a new customer is drawn from, and how many arrive a day.

    ``arrival_share`` (none: the segments' own) splits the daily arrivals over segments;
    ``stage_age_decay`` shapes initial customers' age in their stage (density
    ``exp(-decay * age)``; 0: uniform); ``replace_dropouts``: customers who left the category
    leave the market and are replaced in kind.
    """

    region_share: np.ndarray
    price_sensitivity: float
    price_sensitivity_spread: float
    talkativeness_spread: float
    per_day: float = 0.0
    arrival_share: np.ndarray | None = None
    stage_age_decay: float = 0.0
    replace_dropouts: bool = False

    @classmethod
    def of(
        cls, market: MarketConfig, segments: SegmentArrays, talkativeness_spread: float
    ) -> Newcomers:
        """The newcomers of ``market``: as written, or the arrivals of its steady state."""
        base = cls(
            region_share=np.array([r.share for r in market.regions.values()]),
            price_sensitivity=market.price_sensitivity,
            price_sensitivity_spread=market.price_sensitivity_spread,
            talkativeness_spread=talkativeness_spread,
            per_day=market.arrival_rate * market.customers,
        )
        if not market.steady_state:
            return base
        flows = np.array(steady_arrivals(segments, market.departure_rate))
        total = float(flows.sum())
        return replace(
            base,
            per_day=total * market.customers,
            arrival_share=flows / total if total > 0 else segments.share,
            stage_age_decay=market.departure_rate,
            replace_dropouts=segments.drop_out,
        )


def steady_arrivals(segments: SegmentArrays, departure_rate: float) -> list[float]:
    """Daily arrivals per segment, per customer of the market, that hold its shares steady."""
    return arrival_flows(
        segments.share.tolist(),
        segments.duration_days.tolist(),
        segments.next_segment.tolist(),
        departure_rate,
    )


def steady_capacity(customers: int) -> int:
    """Slots for a steady market of ``customers``: its size is Poisson, so six sd spare."""
    return customers + int(np.ceil(6.0 * np.sqrt(customers) + 10.0))


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
    ended = np.flatnonzero(state.stage_end <= day)  # few: check them alone for being here
    ended = ended[state.active[ended]]
    nxt = segments.next_segment[state.segment[ended]]
    moving, segment = ended[nxt >= 0], nxt[nxt >= 0]
    stage_end = state.stage_end[moving] + segments.duration_days[segment]
    return moving, segment, stage_end, ended[nxt < 0]


def left_category(state: CustomerState, leaving: np.ndarray) -> np.ndarray:
    """Customers in the market who have left the category, other than those ``leaving``."""
    return np.setdiff1d(np.flatnonzero(state.active & ~state.alive), leaving)


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
        safe = np.where(finite, shape, 1.0)
        scale = np.where(finite, rng.gamma(safe, 1.0 / safe), 1.0)
    if segments.drop_out:
        a, b = segments.dropout_a[segment], segments.dropout_b[segment]
        on = a > 0
        dropout = np.where(on, rng.beta(np.where(on, a, 1.0), np.where(on, b, 1.0)), 0.0)
    return scale, dropout


def _segments(
    rng: np.random.Generator,
    k: int,
    newcomers: Newcomers,
    segments: SegmentArrays,
    initial: bool,
) -> np.ndarray:
    """Newcomers' segments: by ``share`` on day 0, by the arrival split afterwards."""
    share = segments.share if initial else newcomers.arrival_share
    share = segments.arrival_share if share is None else share
    return categorical(rng, share, k)


def categorical(rng: np.random.Generator, share: np.ndarray, k: int) -> np.ndarray:
    """``k`` draws of an index by ``share``: ``rng.choice(share.size, k, p=share / share.sum())``.

    The very draws ``Generator.choice`` makes (one uniform each, looked up in the normalised
    cumulative shares), without its checks of ``p``, which cost more than the draws for the
    few arrivals of a day.
    """
    cdf = (share / share.sum()).cumsum()
    cdf /= cdf[-1]
    return cdf.searchsorted(rng.random(k), side="right")


def _time_left(rng: np.random.Generator, duration: np.ndarray, decay: float) -> np.ndarray:
    """Initial customers' days left in their (finite) stage, their age from the steady state.

    The age density is proportional to ``exp(-decay * age)`` on ``[0, duration]`` (uniform
    when the decay is 0), drawn by inverting its distribution function.
    """
    u = rng.random(duration.shape[0])
    span = np.where(np.isfinite(duration), duration, 0.0)
    if decay == 0.0:
        return u * span
    return span + libm.log1p(u * libm.expm1(-decay * span)) / decay


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
    replacing: tuple[np.ndarray, np.ndarray] | None = None,
) -> Arrivals:
    """Draw ``k`` fresh customers (``initial``: the day-0 population, spread over stages).

    ``replacing``: the segments and stage ends of the customers they replace (in kind).
    """
    if replacing is None:
        segment = _segments(rng, k, newcomers, segments, initial)
    else:
        segment, stage_end = replacing
    region = categorical(rng, newcomers.region_share, k)
    if replacing is None:
        duration = segments.duration_days[segment]
        if initial:
            left = _time_left(rng, duration, newcomers.stage_age_decay)
            stage_end = day + np.where(np.isfinite(duration), left, np.inf)
        else:
            stage_end = day + duration  # inf: a stage without end
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
