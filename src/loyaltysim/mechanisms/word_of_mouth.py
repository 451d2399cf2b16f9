"""Word of mouth over the social network.

After a strong experience a customer tells its contacts: praise when the experience is at
least ``positive_threshold`` (probability ``positive_propensity``), complaints when it is at
most ``negative_threshold`` (probability ``negative_propensity``, higher: an unhappy story
spreads further, essay 000). Each customer's ``talkativeness`` multiplies both. Each contact
takes a message in with probability ``tie_strength``.

A message makes the listener aware of the shop (word of mouth is how prospects learn of
shops, besides advertising). Praise closes a share ``positive_influence`` of the gap between
the listener's trust and expectation and 1; criticism removes a share ``negative_influence``.
Several messages on one day compound. In a well-mixed population a talker reaches
``Poisson(mean_degree)`` uniformly random customers instead of network neighbours, which makes
the one-shop, no-churn limit the Bass (1969) diffusion model with imitation rate
``q = positive_propensity * mean_degree * tie_strength`` per day of buying.

All of it is sparse: only the day's talkers are touched (``gather_neighbours``), never the
whole population.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from loyaltysim.engine.network import gather_neighbours


@dataclass(frozen=True)
class Talk:
    """Who talks after an experience (``[experience]`` keys of the same names)."""

    positive_threshold: float  # experiences at least this good may be praised
    negative_threshold: float  # experiences at most this good may be decried
    positive_propensity: float  # probability of praising (times talkativeness)
    negative_propensity: float  # probability of decrying (times talkativeness)


@dataclass(frozen=True)
class Influence:
    """What a message does to a listener (``[experience]`` keys of the same names)."""

    positive_influence: float  # share of the gap to 1 that praise closes
    negative_influence: float  # share that criticism removes


@dataclass(frozen=True)
class Messages:
    """The day's messages: who heard what about which shop."""

    listener: np.ndarray
    shop: np.ndarray
    positive: np.ndarray

    @classmethod
    def none(cls) -> Messages:
        """No messages."""
        return cls(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, bool))

    def counts(self, shops: int) -> tuple[np.ndarray, np.ndarray]:
        """Positive and negative messages per shop."""
        pos = np.bincount(self.shop[self.positive], minlength=shops)
        neg = np.bincount(self.shop[~self.positive], minlength=shops)
        return pos, neg


def who_talks(
    rng: np.random.Generator,
    experience: np.ndarray,
    talkativeness: np.ndarray,
    talk: Talk,
) -> tuple[np.ndarray, np.ndarray]:
    """Masks of experiences that lead to praise and to criticism."""
    u = rng.random(experience.shape[0])
    praise = (experience >= talk.positive_threshold) & (
        u < talk.positive_propensity * talkativeness
    )
    decry = (experience <= talk.negative_threshold) & (u < talk.negative_propensity * talkativeness)
    return praise, decry


def contacts(
    rng: np.random.Generator,
    adjacency: sparse.csr_array | None,
    talkers: np.ndarray,
    population: int,
    mean_degree: float,
    tie_strength: float | np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``(talker_position, listener)`` pairs of contacts who take a message in.

    With a network the contacts are the talker's neighbours; without one (well mixed) they
    are ``Poisson(mean_degree)`` random customers other than the talker. ``tie_strength``
    is one probability or one per talker (communities make a shop's messages carry).
    """
    if adjacency is not None:
        position, listener = gather_neighbours(adjacency, talkers)
    else:
        per_talker = rng.poisson(mean_degree, talkers.shape[0])
        position = np.repeat(np.arange(talkers.shape[0]), per_talker)
        listener = rng.integers(0, population, position.shape[0])
        not_self = listener != talkers[position]
        position, listener = position[not_self], listener[not_self]
    strength = np.broadcast_to(np.asarray(tie_strength, dtype=np.float64), talkers.shape)
    heard = rng.random(position.shape[0]) < strength[position]
    return position[heard], listener[heard]


def compounded(
    value: np.ndarray, positive: np.ndarray, negative: np.ndarray, influence: Influence
) -> np.ndarray:
    """An attitude after ``positive`` praising and ``negative`` critical messages."""
    raised = 1.0 - (1.0 - value) * (1.0 - influence.positive_influence) ** positive
    return raised * (1.0 - influence.negative_influence) ** negative
