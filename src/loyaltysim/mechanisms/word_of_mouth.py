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
customer's ``talkativeness`` multiplies both. Each contact takes a message in with the
probability its tie weighs (:mod:`loyaltysim.engine.ties`: ``tie_strength``, optionally
normalised by the talker's degree), times the shop's reach boost. With ``weak_ties`` (for the
``strong_weak`` network of Goldenberg, Libai & Muller 2001) a talker also meets that many
random others that day, each taking it in with ``weak_tie_strength``.

A message makes the listener aware of the shop (word of mouth is how prospects learn of
shops, besides advertising). Praise closes a share ``positive_influence`` of the gap between
the listener's trust and expectation and 1; criticism removes a share ``negative_influence``.
Several messages on one day compound. In a well-mixed population a talker reaches
``Poisson(mean_degree)`` uniformly random customers instead of network neighbours, which makes
the one-shop, no-churn limit of the step rule the Bass (1969) diffusion model with imitation
rate ``q = positive_propensity * mean_degree * tie_strength`` per day of buying.

All of it is sparse: only the day's talkers are touched (``gather_ties``), never the
whole population.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from loyaltysim.engine import libm
from loyaltysim.engine.draws import Random, expand
from loyaltysim.engine.ties import gather_ties


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
class Ties:
    """How far a message carries besides the network's own ties (``[network]`` keys)."""

    mean_degree: float  # well mixed: mean number of random contacts per talker
    tie_strength: float  # well mixed: probability a random contact takes a message in
    weak_ties: int  # strong_weak: random others a talker meets on the day it talks
    weak_tie_strength: float  # strong_weak: probability a weak tie takes a message in


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
    return talk.talk_base + (extreme - talk.talk_base) * libm.power(share, talk.talk_curvature)


def who_talks(
    rng: Random,
    experience: np.ndarray,
    talkativeness: np.ndarray,
    talk: Talk,
) -> tuple[np.ndarray, np.ndarray]:
    """Masks of experiences that lead to praise and to criticism (one uniform draw each)."""
    u = rng.random(experience.shape[0])
    praise, decry = talk_probability(experience, talk)
    return u < praise * talkativeness, u < decry * talkativeness


def contacts(
    rng: Random,
    adjacency: sparse.csr_array | None,
    talkers: np.ndarray,
    population: int,
    ties: Ties,
    boost: float | np.ndarray = 1.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(talker_position, listener, weak)`` of the contacts who take a message in.

    With a network the contacts are the talker's neighbours, each taking the message in with
    its tie's weight; without one (well mixed) they are ``Poisson(mean_degree)`` random
    customers other than the talker, with ``tie_strength``. With ``weak_ties`` (Goldenberg,
    Libai & Muller's weak ties, meant for the ``strong_weak`` network) the talker also meets
    that many customers drawn afresh, uniformly from everyone but the talker (a member of its
    own personal network is met with chance ``(size - 1) / population``, which is left in),
    each taking it in with ``weak_tie_strength``. Every probability is multiplied by the
    talker's ``boost`` (communities make a shop's messages carry) and capped at 1. ``weak``
    marks the weak-tie contacts; the network's own come first, so a listener reached both
    ways is found by a tie first.
    """
    if adjacency is not None:
        position, listener, weight = gather_ties(adjacency, talkers)
    else:
        per_talker = rng.poisson(ties.mean_degree, talkers.shape[0])
        position = np.repeat(np.arange(talkers.shape[0]), per_talker)
        listener = expand(rng, position).integers(0, population, position.shape[0])
        not_self = listener != talkers[position]
        position, listener = position[not_self], listener[not_self]
        weight = np.full(position.shape[0], ties.tie_strength)
    weak = np.zeros(position.shape[0], bool)
    if ties.weak_ties > 0 and population > 1:
        met = np.repeat(np.arange(talkers.shape[0]), ties.weak_ties)
        other = (talkers[met] + expand(rng, met).integers(1, population, met.shape[0])) % population
        position = np.concatenate((position, met))
        listener = np.concatenate((listener, other))
        weight = np.concatenate((weight, np.full(met.shape[0], ties.weak_tie_strength)))
        weak = np.concatenate((weak, np.ones(met.shape[0], bool)))
    boosted = np.broadcast_to(np.asarray(boost, dtype=np.float64), talkers.shape)[position]
    heard = expand(rng, position).random(position.shape[0]) < np.minimum(weight * boosted, 1.0)
    return position[heard], listener[heard], weak[heard]


def compounded(
    value: np.ndarray, positive: np.ndarray, negative: np.ndarray, influence: Influence
) -> np.ndarray:
    """An attitude after ``positive`` praising and ``negative`` critical messages."""
    raised = 1.0 - (1.0 - value) * libm.power(1.0 - influence.positive_influence, positive)
    return raised * libm.power(1.0 - influence.negative_influence, negative)
