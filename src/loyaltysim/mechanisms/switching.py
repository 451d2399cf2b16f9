"""Switching and churn.

Main shop: a customer's first purchase makes that shop its main shop; another shop becomes
the main shop only after winning ``switch_after`` purchases in a row, and the main shop gets
the ``switching_cost`` bonus in choice (procedural and relational switching costs, Burnham,
Frels & Mahajan 2003), so customers stay for a while even when a rival is as good.

Churn: after an experience below ``churn_threshold`` a customer drops the shop with
``churn_propensity``; a customer whose trust falls below ``trust_floor`` drops it for sure
(essays 000 and 003: one bad delivery can lose a customer online). A dropped shop is not
considered until the customer reconsiders (``reconsider_rate`` per day).

Switching costs hold dissatisfied customers (Jones & Sasser 1995's hostages; Jones,
Mothersbaugh & Beatty 2000: switching barriers raise repurchase when satisfaction is low and
not when it is high). What a customer would forfeit by leaving a shop (points, tier
benefits: ``Strategy.switching_cost``), per reference price and times
``switching_cost_weight``, is a utility ``u`` of staying, as in the choice; a logit
stay-or-leave decision then multiplies the odds of churning after a bad experience by
``exp(-u)``, and the trust floor by the same factor. A weight of 0 is the rule without
switching costs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from loyaltysim.engine import libm
from loyaltysim.engine.draws import Random
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
    switching_cost_weight: float  # utility of staying per reference price of forfeit


def held_back(forfeit: np.ndarray, rule: ChurnRule) -> np.ndarray:
    """``exp(-u)``: the factor by which switching costs cut the odds of leaving.

    ``forfeit`` is what each customer would lose by leaving, per reference price; ``u`` is
    its utility, ``switching_cost_weight * forfeit``.
    """
    return libm.exp(-rule.switching_cost_weight * forfeit)


def churn_probability(factor: np.ndarray, rule: ChurnRule) -> np.ndarray:
    """Probability a bad experience ends the tie, the odds of ``churn_propensity`` x ``factor``.

    A certain churn (propensity 1) stays certain unless the factor is 0 (then: none).
    """
    p = rule.churn_propensity
    odds, total = p * factor, 1.0 - p + p * factor
    return np.divide(odds, total, out=np.zeros_like(odds), where=total > 0.0)


def churns(
    rng: Random,
    experience: np.ndarray,
    trust: np.ndarray,
    rule: ChurnRule,
    forfeit: np.ndarray | None = None,
) -> np.ndarray:
    """Which experiences end the customer's tie with the shop.

    ``forfeit`` (per reference price, one per experience) holds customers back; None: no
    switching costs, the rule as without them (the same draws).
    """
    draw = rng.random(experience.shape[0])
    if forfeit is None or rule.switching_cost_weight == 0.0:
        bad = (experience < rule.churn_threshold) & (draw < rule.churn_propensity)
        return bad | (trust < rule.trust_floor)
    factor = held_back(forfeit, rule)
    bad = (experience < rule.churn_threshold) & (draw < churn_probability(factor, rule))
    return bad | (trust < rule.trust_floor * factor)
