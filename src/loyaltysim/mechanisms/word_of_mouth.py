"""Word of mouth over the social network.

After an experience ``x`` a customer may tell its contacts: praise when ``x`` is at least
``positive_threshold``, criticism when it is at most ``negative_threshold`` (a tie goes to
criticism). How likely it talks rises from ``talk_base`` at the threshold to the valence's
propensity at the end of the scale (``positive_propensity`` at ``x = 1``,
``negative_propensity`` at ``x = 0``) as the ``talk_curvature``-th power of the distance
covered, :func:`talk_probability`. Curvature 0 is flat: the step of the original model, in
which the delighted praise and the disappointed decry at one rate each and nobody talks in
between. Equal thresholds and curvature 2 are the asymmetric U of Anderson (1998): talk rises
quadratically on either side of the neutral point, faster on the unhappy side. Each
customer's ``talkativeness`` multiplies both. Each contact takes a message in with
probability ``tie_strength``.

A message makes the listener aware of the shop (word of mouth is how prospects learn of
shops, besides advertising). Praise closes a share ``positive_influence`` of the gap between
the listener's trust and expectation and 1; criticism removes a share ``negative_influence``.
Several messages on one day compound. In a well-mixed population a talker reaches
``Poisson(mean_degree)`` uniformly random customers instead of network neighbours, which makes
the one-shop, no-churn limit of the step rule the Bass (1969) diffusion model with imitation
rate ``q = positive_propensity * mean_degree * tie_strength`` per day of buying.

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
    positive_propensity: float  # probability of praising after x = 1 (times talkativeness)
    negative_propensity: float  # probability of decrying after x = 0 (times talkativeness)
    talk_base: float  # probability of talking at a threshold, where the curve starts
    talk_curvature: float  # power of the rise from threshold to the end of the scale; 0: flat


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


def talk_probability(experience: np.ndarray, talk: Talk) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities of praising and of decrying after each experience, before talkativeness.

    At most one of the two is positive: experiences at or below ``negative_threshold`` may
    be decried, those at or above ``positive_threshold`` (and not decried) praised.
    """
    decry_zone = experience <= talk.negative_threshold
    praise_zone = (experience >= talk.positive_threshold) & ~decry_zone
    praise = _rise(
        experience - talk.positive_threshold,
        1.0 - talk.positive_threshold,
        talk.positive_propensity,
        talk,
    )
    decry = _rise(
        talk.negative_threshold - experience,
        talk.negative_threshold,
        talk.negative_propensity,
        talk,
    )
    return np.where(praise_zone, praise, 0.0), np.where(decry_zone, decry, 0.0)


def _rise(distance: np.ndarray, span: float, extreme: float, talk: Talk) -> np.ndarray:
    """``talk_base`` at distance 0 rising to ``extreme`` at ``span``, as a power of the share.

    With curvature 0 and base 0 (the defaults) this is ``extreme`` exactly (``0 + extreme *
    1.0``), the step rule's float, so the step draws the same talkers as it always did. A
    zero span (a threshold at the end of the scale) leaves only the end, which gets
    ``extreme``.
    """
    share = np.clip(distance / span, 0.0, 1.0) if span > 0.0 else np.ones_like(distance)
    return talk.talk_base + (extreme - talk.talk_base) * share**talk.talk_curvature


def who_talks(
    rng: np.random.Generator,
    experience: np.ndarray,
    talkativeness: np.ndarray,
    talk: Talk,
) -> tuple[np.ndarray, np.ndarray]:
    """Masks of experiences that lead to praise and to criticism (one uniform draw each)."""
    u = rng.random(experience.shape[0])
    praise, decry = talk_probability(experience, talk)
    return u < praise * talkativeness, u < decry * talkativeness


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
