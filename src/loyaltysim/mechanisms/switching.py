"""Switching and churn.

Main shop: a customer's first purchase makes that shop its main shop; another shop becomes
the main shop only after winning ``switch_after`` purchases in a row, and the main shop gets
the ``switching_cost`` bonus in choice (procedural and relational switching costs, Burnham,
Frels & Mahajan 2003), so customers stay for a while even when a rival is as good.

Churn: after an experience below ``churn_threshold`` a customer drops the shop with
``churn_propensity``; a customer whose trust falls below ``trust_floor`` drops it for sure
(essays 000 and 003: one bad delivery can lose a customer online). A dropped shop is not
considered until the customer reconsiders (``reconsider_rate`` per day).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from loyaltysim.engine.state import NO_SHOP


def update_main_shop(
    main: np.ndarray,
    challenger: np.ndarray,
    wins: np.ndarray,
    chosen: np.ndarray,
    switch_after: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Main shop, challenger and its run of wins after buying from ``chosen`` (per buyer)."""
    keeps = chosen == main
    again = ~keeps & (chosen == challenger)
    wins = np.where(keeps, 0, np.where(again, wins + 1, 1)).astype(np.int16)
    challenger = np.where(keeps, NO_SHOP, chosen).astype(np.int16)
    switch = (main == NO_SHOP) | (~keeps & (wins >= switch_after))
    main = np.where(switch, chosen, main).astype(np.int16)
    challenger = np.where(switch, NO_SHOP, challenger).astype(np.int16)
    wins = np.where(switch, 0, wins).astype(np.int16)
    return main, challenger, wins


@dataclass(frozen=True)
class ChurnRule:
    """When an experience ends a tie (``[experience]`` keys of the same names)."""

    churn_threshold: float  # experiences below this may end the tie
    churn_propensity: float  # probability such an experience does
    trust_floor: float  # below this trust the customer drops the shop for sure


def churns(
    rng: np.random.Generator, experience: np.ndarray, trust: np.ndarray, rule: ChurnRule
) -> np.ndarray:
    """Which experiences end the customer's tie with the shop."""
    draw = rng.random(experience.shape[0])
    bad = (experience < rule.churn_threshold) & (draw < rule.churn_propensity)
    return bad | (trust < rule.trust_floor)
