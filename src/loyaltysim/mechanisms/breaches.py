"""How hard a data breach hits each customer: patronage and programme standing shelter.

Janakiraman, Lim & Rishika (2018) find that after a retailer announces a breach, spending
falls less for customers with a higher patronage of the retailer ("more forgiving"), and
moves to its unbreached channels. Here a breach's trust and satisfaction losses at a shop
are shared out customer by customer: each takes the share
``1 / (1 + breach_patronage_relief * patronage + breach_tier_relief * standing)`` of the
shop's losses, where ``patronage`` is the customer's deliveries from the shop relative to
the mean of the customers who have had any (0 for one who has had none), and ``standing``
the customer's place in the shop's loyalty programme (0 not a member, 1 the top tier:
:func:`tier_rank` of ``Strategy.standing``). Reliefs of 0 are a uniform shock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Shelter:
    """How much loyalty softens a breach (``[experience]`` keys of the same names)."""

    breach_patronage_relief: float  # per unit of patronage (1 = the mean customer's)
    breach_tier_relief: float  # for a member of the top tier (pro rata below)

    @property
    def uniform(self) -> bool:
        """Whether every customer takes the whole loss (the shock without moderation)."""
        return self.breach_patronage_relief == 0.0 and self.breach_tier_relief == 0.0


def tier_rank(level: np.ndarray, tiers: int) -> np.ndarray:
    """A member's place in a programme of ``tiers`` tiers, ``(level + 1) / tiers``.

    1 at the top tier; 0 for a non-member (``level`` -1, as ``Strategy.standing`` says).
    """
    return np.where(level >= 0, (level + 1.0) / tiers, 0.0)


def patronage(experiences: np.ndarray, counted: np.ndarray) -> np.ndarray:
    """Each customer's deliveries from a shop relative to the mean of ``counted`` ones with any.

    0 where ``counted`` is false or the customer has had none; all 0 if nobody has had any.
    """
    had = counted & (experiences > 0)
    if not had.any():
        return np.zeros(experiences.shape[0])
    return np.where(counted, experiences / experiences[had].mean(), 0.0)


def loss_share(patronage: np.ndarray, standing: np.ndarray, rule: Shelter) -> np.ndarray:
    """The share of a breach's trust and satisfaction losses each customer takes (0..1]."""
    relief = rule.breach_patronage_relief * patronage + rule.breach_tier_relief * standing
    return 1.0 / (1.0 + relief)
