"""Needs: who wants to buy today.

Each active customer needs to buy with a daily probability set by its segment
(``segments.<name>.purchase_rate``): a Poisson purchase process, as in the BG/NBD family of
customer-base models. Festivals and loyalty programmes (goal gradient) may multiply it for
some customers. Sampling is thinned, so the cost follows the number of needers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from loyaltysim.engine.sampling import thinned_indices


def needers(
    rng: np.random.Generator,
    active: np.ndarray,
    segment: np.ndarray,
    purchase_rate: np.ndarray,
    boost: Callable[[np.ndarray], np.ndarray] | None = None,
    max_boost: float = 1.0,
) -> np.ndarray:
    """Slots of active customers who need to buy today (sorted).

    Args:
        rng: The model's generator.
        active: Which slots hold a customer.
        segment: Segment of each slot.
        purchase_rate: Daily need probability per segment.
        boost: Multiplier of the need probability of given slots (default: none).
        max_boost: An upper bound of ``boost`` (bounds the thinning).
    """

    def probability(idx: np.ndarray) -> np.ndarray:
        rate = purchase_rate[segment[idx]]
        return rate if boost is None else np.minimum(rate * boost(idx), 1.0)

    p_max = float(purchase_rate.max(initial=0.0)) * max_boost
    picked = thinned_indices(rng, active.shape[0], min(p_max, 1.0), probability)
    return picked[active[picked]]
