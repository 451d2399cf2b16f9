"""Docking Gandomi, Bazargan & Zolfaghari 2019: a linear or nonlinear reward, by strategic share.

Their model (a stochastic game, Ann. Oper. Res. 280:267-298): a duopoly of homogeneous
products in which one firm runs a loyalty programme; customers choose by a logit of price,
reward and the distance to the next reward (point pressure) and come in segments by their
degree of forward-lookingness. At the Nash equilibrium the nonlinear reward earns the
programme's firm more when the highly strategic segment is very small, and the linear one
when that segment and the sensitivity to distance are both not small.

Here, with prices fixed (no equilibrium is sought), the programme shop ``lp`` and an
identical ``rival``: the linear reward is a member discount of 1/11 on every order, the
nonlinear one "buy ten, get one free" (the same payout per order for a customer who
completes cards, nothing until the tenth stamp), both with the goal gradient and forfeit
basis of ``validation.goal_gradient.PUBLISHED``. A customer's strategic level is the weight
its choice puts on the points an order earns (``switching_weight``): 0 for the myopic, the
price sensitivity (points worth their cash value) for the highly strategic. Word of mouth,
ratings and habit are off and prices fixed, so customers do not interact and a market with
a share ``s`` of highly strategic customers is the ``s``-weighted mixture of the two pure
markets: each pure market is one run, and the mixture is exact in expectation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import loyaltysim
from loyaltysim.scenario.keypaths import overrides_of
from validation.common import Check, measured
from validation.goal_gradient import PRICE, card_programme, membership_settings
from validation.goal_gradient import PUBLISHED as GRADIENT

#: The docking proposes no default of its own: it runs the goal-gradient module's.
PUBLISHED: dict[str, object] = {}

GANDOMI = "Gandomi, Bazargan & Zolfaghari 2019, Ann. Oper. Res. 280:267-298"

#: Weight of the points an order earns in the choice, per segment: the highly strategic
#: value them at cash (the market's price sensitivity), the myopic not at all.
STRATEGIC = {"myopic": 0.0, "highly_strategic": 1.5}

#: Shares of highly strategic customers at which the direction is checked.
SMALL, LARGE = 0.05, 0.9


def programmes(weight: float) -> dict[str, dict[str, object]]:
    """The two reward structures at ``lp`` for customers of strategic ``weight``."""
    base = "shops.lp.strategies.membership"
    common = {**membership_settings("lp", GRADIENT), f"{base}.switching_weight": weight}
    linear = {
        f"{base}.join_share": 1.0,
        f"{base}.points_per_currency": 0.0,
        f"{base}.tiers": [{"name": "member", "spend": 0.0, "discount": 1.0 / 11.0}],
    }
    return {
        "linear": {**linear, **common},
        "nonlinear": {**card_programme("lp", 10), **common},
    }


def duopoly(weight: float, replications: int) -> loyaltysim.Scenario:
    """Two identical shops, one with a programme; customers who do not talk or rate."""
    shop = {
        "price": PRICE,
        "quality": 0.75,
        "unit_cost": 60.0,
        "shipping_fee": 0.0,
        "initial_awareness": 1.0,
    }
    variants = {name: overrides_of(flat) for name, flat in programmes(weight).items()}
    return loyaltysim.validate(
        {
            "name": "reward_docking",
            "run": {"days": 300, "warmup_days": 0, "seed": 2019, "replications": replications},
            "market": {
                "customers": 1500,
                "reference_price": PRICE,
                "price_sensitivity": 1.5,
                "price_sensitivity_spread": 0.0,
                "outside_utility": 2.0,
                "switching_cost": 0.0,
                "rating_weight": 0.0,
                "segments": {"all": {"share": 1.0, "purchase_rate": 0.1}},
            },
            "network": {"kind": "well_mixed", "mean_degree": 2.0},
            "experience": {
                "churn_propensity": 0.0,
                "trust_floor": 0.0,
                "positive_propensity": 0.0,
                "negative_propensity": 0.0,
            },
            "shops": {"lp": dict(shop), "rival": dict(shop)},
            "output": {"customers": "none", "figures": False, "orders": False},
            "variants": variants,
        }
    )


def pure_markets(replications: int) -> pd.DataFrame:
    """Profit and orders of ``lp`` per segment, structure and replication."""
    rows = []
    for segment, weight in STRATEGIC.items():
        table = loyaltysim.run(duopoly(weight, replications)).replications
        table = table[table["shop"] == "lp"]
        rows.append(table.assign(segment=segment)[["segment", "variant", "replication", "profit"]])
    frame = pd.concat(rows, ignore_index=True)
    frame["variant"] = frame["variant"].astype(str)
    return frame.pivot_table(
        index="replication", columns=["segment", "variant"], values="profit", aggfunc="first"
    )


def advantage(markets: pd.DataFrame, share: float) -> np.ndarray:
    """Per replication: ``lp``'s profit, nonlinear minus linear, with ``share`` highly strategic."""

    def mixed(variant: str) -> np.ndarray:
        myopic = markets[("myopic", variant)].to_numpy()
        strategic = markets[("highly_strategic", variant)].to_numpy()
        return (1.0 - share) * myopic + share * strategic

    return mixed("nonlinear") - mixed("linear")


def measure(replications: int) -> list[Check]:
    """Which structure earns ``lp`` more, with few and with many highly strategic customers."""
    markets = pure_markets(replications)
    checks = []
    for share, wins in ((SMALL, "nonlinear"), (LARGE, "linear")):
        value, low, high = measured(advantage(markets, share))
        agrees = low > 0.0 if wins == "nonlinear" else high < 0.0
        checks.append(
            Check(
                mechanism="reward docking",
                claim=f"lp profit, nonlinear minus linear reward, {share:.0%} highly strategic",
                source=GANDOMI,
                published=f"{wins} reward earns more (sign {'+' if wins == 'nonlinear' else '-'})",
                value=value,
                low=low,
                high=high,
                agrees=agrees,
            )
        )
    return checks
