"""Needs: who wants to buy today.

Each customer in the market who still buys in the category needs to buy with a daily
probability: its segment's ``purchase_rate`` times its own ``need_scale`` (drawn at arrival,
Gamma with mean 1: the NBD's heterogeneous Poisson rates, Ehrenberg 1959). A daily Bernoulli
with a small probability is the discrete form of the Poisson purchase process of the BG/NBD
family. Festivals and loyalty programmes (goal gradient) may multiply it for some
customers. Sampling is thinned, so the cost follows the number of candidates: the needers
at the largest rate.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from loyaltysim.engine.draws import Random
from loyaltysim.engine.jit import kernel
from loyaltysim.engine.sampling import thinned_indices


def leaves_category(rng: Random, chance: np.ndarray) -> np.ndarray:
    """Which of today's repeat buyers leave the category for good (each with its chance).

    The BG of the BG/NBD (Fader, Hardie & Lee 2005): after each repeat purchase a customer
    becomes inactive with its own probability ``p`` (Beta across customers); never after
    the first purchase.
    """
    return rng.random(chance.shape[0]) < chance


def needers(
    rng: Random,
    active: np.ndarray,
    segment: np.ndarray,
    purchase_rate: np.ndarray,
    boost: Callable[[np.ndarray], np.ndarray] | None = None,
    max_boost: float = 1.0,
    scale: np.ndarray | None = None,
    alive: np.ndarray | None = None,
) -> np.ndarray:
    """Slots of active customers who need to buy today (sorted).

    Args:
        rng: The day's keyed need numbers, one per slot (or a generator in unit tests).
        active: Which slots hold a customer.
        segment: Segment of each slot.
        purchase_rate: Daily need probability per segment.
        boost: Multiplier of the need probability of given slots (default: none).
        max_boost: An upper bound of ``boost`` (bounds the thinning).
        scale: Each slot's own multiplier of its segment's rate (default: all 1).
        alive: Which slots still buy in the category (default: all).
    """

    def probability(idx: np.ndarray) -> np.ndarray:
        rate = purchase_rate[segment[idx]]
        if scale is not None:
            rate = np.minimum(rate * scale[idx], 1.0)
        return rate if boost is None else np.minimum(rate * boost(idx), 1.0)

    def bounds() -> np.ndarray:
        out = np.empty(active.shape[0])
        ones, alive_ = np.ones(1, np.float32), np.ones(1, bool)
        _bounds(
            purchase_rate,
            segment,
            ones if scale is None else scale,
            active,
            alive_ if alive is None else alive,
            max_boost * (1.0 + 1e-9),
            out,
        )
        return out

    p_max = float(purchase_rate.max(initial=0.0)) * max_boost
    if scale is not None:
        p_max *= float(scale.max(initial=0.0))
    picked = thinned_indices(rng, active.shape[0], min(p_max, 1.0), probability, bounds)
    keep = active[picked] if alive is None else active[picked] & alive[picked]
    return picked[keep]


@kernel
def _bounds(rate, segment, scale, active, alive, factor, out):  # type: ignore[no-untyped-def]
    """Each slot's ceiling on its need probability: rate x scale x the largest boost.

    0 for slots out of the market or out of the category. ``factor`` carries a margin
    over the rounding of a product of boosts; ``scale`` and ``alive`` of length 1 stand
    for every slot. With a few heavy buyers (Gamma scales) one ceiling for all would make
    most slots candidates.
    """
    one_scale, one_alive = scale.shape[0] == 1, alive.shape[0] == 1
    for i in range(out.shape[0]):
        eligible = active[i] and (alive[0] if one_alive else alive[i])
        level = rate[segment[i]] * (scale[0] if one_scale else scale[i]) * factor
        out[i] = level if eligible else 0.0
