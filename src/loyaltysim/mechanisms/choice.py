"""Choice: a multinomial logit over the shops a customer considers, plus not buying.

Random-utility choice (McFadden 1974), the workhorse of brand-choice models since Guadagni &
Little (1983). For customer ``i`` and a shop ``s`` it knows and has not dropped::

    U[i, s] = quality_weight * segment.quality_weight * expectation[i, s]
            + trust_weight * trust[i, s]
            + satisfaction_weight * (satisfaction[i, s] - 0.5)   (only after an experience)
            + rating_weight * (rating[s] - 3)
            - price_sensitivity[i] * segment.price_weight * (price[s] + fee[s, region]) / ref
            + switching_cost   (if s is the customer's main shop)

and the outside option has utility ``outside_utility``. With Gumbel errors the choice
probabilities are the softmax of these utilities; one uniform number per customer picks one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from loyaltysim.engine.draws import Random

OUTSIDE = -1


@dataclass(frozen=True)
class ChoiceWeights:
    """Utility weights shared by all customers (``[market]`` in the scenario)."""

    quality: float
    trust: float
    satisfaction: float
    rating: float
    switching_cost: float
    reference_price: float
    outside_utility: float


def utilities(
    weights: ChoiceWeights,
    expectation: np.ndarray,
    trust: np.ndarray,
    satisfaction: np.ndarray,
    experienced: np.ndarray,
    rating: np.ndarray,
    price_paid: np.ndarray,
    price_sensitivity: np.ndarray,
    quality_weight: np.ndarray,
    is_main: np.ndarray,
) -> np.ndarray:
    """Deterministic utility of each shop for each customer (``(k, shops)``).

    Args:
        weights: Market-wide utility weights.
        expectation, trust, satisfaction: ``(k, shops)`` attitudes.
        experienced: ``(k, shops)`` bool, the customer has received an order from the shop.
        rating: ``(shops,)`` public star ratings.
        price_paid: ``(k, shops)`` price plus shipping fee in the customer's region.
        price_sensitivity: ``(k,)`` the customer's sensitivity times its segment's weight.
        quality_weight: ``(k,)`` the segment's weight on quality.
        is_main: ``(k, shops)`` bool, the shop is the customer's main shop.

    """
    u = weights.quality * quality_weight[:, None] * expectation
    u += weights.trust * trust
    u += weights.satisfaction * np.where(experienced, satisfaction - 0.5, 0.0)
    u += weights.rating * (rating[None, :] - 3.0)
    u -= price_sensitivity[:, None] * price_paid / weights.reference_price
    u += weights.switching_cost * is_main
    return u


def choice_probabilities(
    utility: np.ndarray, available: np.ndarray, outside_utility: float
) -> np.ndarray:
    """Logit probabilities ``(k, shops + 1)``; the last column is not buying."""
    full = np.concatenate(
        [np.where(available, utility, -np.inf), np.full((utility.shape[0], 1), outside_utility)],
        axis=1,
    )
    full -= full.max(axis=1, keepdims=True)
    np.exp(full, out=full)
    full /= full.sum(axis=1, keepdims=True)
    return full


def choose(
    rng: Random, utility: np.ndarray, available: np.ndarray, outside_utility: float
) -> np.ndarray:
    """The chosen shop of each customer, or ``OUTSIDE`` (-1) for not buying."""
    probs = choice_probabilities(utility, available, outside_utility)
    cumulative = np.cumsum(probs, axis=1)
    u = rng.random(probs.shape[0])[:, None]
    pick = (cumulative <= u).sum(axis=1)
    pick = np.minimum(pick, probs.shape[1] - 1)
    return np.where(pick == probs.shape[1] - 1, OUTSIDE, pick)
