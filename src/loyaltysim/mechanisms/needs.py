"""Needs: who wants to buy today.

Each active customer needs to buy with a daily probability set by its segment
(``segments.<name>.purchase_rate``): a Poisson purchase process, as in the BG/NBD family of
customer-base models. Sampling is thinned, so the cost follows the number of needers.
"""

from __future__ import annotations

import numpy as np

from loyaltysim.sampling import thinned_indices


def needers(
    rng: np.random.Generator, active: np.ndarray, segment: np.ndarray, purchase_rate: np.ndarray
) -> np.ndarray:
    """Slots of active customers who need to buy today (sorted)."""
    picked = thinned_indices(
        rng,
        active.shape[0],
        float(purchase_rate.max(initial=0.0)),
        lambda idx: purchase_rate[segment[idx]],
    )
    return picked[active[picked]]
