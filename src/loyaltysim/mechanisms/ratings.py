"""Public ratings: word of mouth made permanent (essay 004's Taobao credit rating).

After an order a customer leaves a rating with ``rating_propensity``: ``1 + 4x`` stars rounded,
where ``x`` is the experience's satisfaction. A shop's public rating is the Bayesian mean of
its ratings with a prior of ``rating_prior_weight`` ratings of ``rating_prior_mean`` stars, so a
new shop is neither perfect nor hopeless after its first few orders (a shop nobody has rated
shows the prior mean). Halves round up: an experience of 0.375 earns 3 stars.
"""

from __future__ import annotations

import numpy as np


def stars(experience: np.ndarray) -> np.ndarray:
    """Stars (1..5) a customer gives for an experience of satisfaction 0..1."""
    return np.clip(np.floor(1.5 + 4.0 * experience), 1, 5).astype(np.int8)


class RatingBoard:
    """Running star totals per shop and the public rating they make."""

    def __init__(self, shops: int, prior_mean: float, prior_weight: float) -> None:
        self.total = np.zeros(shops)
        self.count = np.zeros(shops, np.int64)
        self.prior_mean = prior_mean
        self.prior_weight = prior_weight

    def add(self, shop: np.ndarray, given: np.ndarray) -> None:
        """Record ratings ``given`` (stars) for ``shop`` (per rating)."""
        self.total += np.bincount(shop, weights=given, minlength=self.total.shape[0])
        self.count += np.bincount(shop, minlength=self.count.shape[0])

    @property
    def rating(self) -> np.ndarray:
        """Public rating of each shop (stars)."""
        weight = self.prior_weight + self.count
        return np.divide(
            self.prior_mean * self.prior_weight + self.total,
            weight,
            out=np.full(self.total.shape, self.prior_mean),
            where=weight > 0,
        )
