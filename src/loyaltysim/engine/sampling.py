"""Event-driven random sampling: cost proportional to the events drawn, not to the population.

Only a small share of customers buys, talks or leaves on a given day. Drawing one uniform
number per customer per day would cost more than everything else in the step, so these helpers
draw the *number* of events first (binomial) and then which customers they hit. Given a
keyed stream (the model's draws about customers) they instead find, in one compiled pass,
the rows whose own number falls below the probability: a number per customer is what makes a
customer's draw independent of everyone else's, and the pass writes only the rows it picks.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from loyaltysim.engine.draws import KeyedStream, Random

EMPTY = np.empty(0, dtype=np.int64)


def bernoulli_indices(rng: Random, n: int, p: float) -> np.ndarray:
    """Sorted indices ``i < n``, each included independently with probability ``p``.

    A binomial count followed by a uniform subset of that size has exactly the distribution
    of ``n`` independent Bernoulli(p) trials, at a cost proportional to the count. A keyed
    stream (one row per index) instead compares each row's own number with ``p``: a number
    per row is what makes it the same whoever else draws.
    """
    if n <= 0 or p <= 0.0:
        return EMPTY
    if p >= 1.0:
        return np.arange(n, dtype=np.int64)
    if isinstance(rng, KeyedStream):
        return rng.below(p, n)[0]
    k = int(rng.binomial(n, p))
    if k == 0:
        return EMPTY
    picked = rng.choice(n, size=k, replace=False, shuffle=False)
    return np.sort(picked.astype(np.int64, copy=False))


def thinned_indices(
    rng: Random,
    n: int,
    p_max: float,
    probability_of: Callable[[np.ndarray], np.ndarray],
    bounds: Callable[[], np.ndarray] | None = None,
) -> np.ndarray:
    """Indices ``i < n`` each included independently with probability ``probability_of(i)``.

    Thinning: candidates are drawn at the largest probability ``p_max``, then each is kept
    with ``probability_of(i) / p_max``, so only the candidates are ever looked at. With a
    keyed stream, the row's one number ``u`` does both: a candidate if ``u < p_max``, kept
    if ``u < probability_of(i)``; a customer whose probability rises in a variant then buys
    on every day it bought before, and some more. ``bounds`` (keyed streams only) gives
    each index its own upper bound of ``probability_of`` instead of ``p_max``: the same
    indices come out, from far fewer candidates when a few indices have high probabilities.
    """
    if isinstance(rng, KeyedStream):
        if n <= 0 or p_max <= 0.0:
            return EMPTY
        candidates, u = rng.below(p_max if bounds is None else bounds(), n)
        return candidates[u < probability_of(candidates)]
    candidates = bernoulli_indices(rng, n, min(p_max, 1.0))
    keep = rng.random(candidates.size) * min(p_max, 1.0) < probability_of(candidates)
    return candidates[keep]
