"""Docking Gandomi, Bazargan & Zolfaghari 2019: a linear or nonlinear reward, by strategic share.

Their model (a stochastic game, Ann. Oper. Res. 280:267-298): a duopoly of homogeneous
products in which one firm runs a loyalty programme; customers choose by a logit of price,
reward and the distance to the next reward (point pressure) and come in segments by their
degree of forward-lookingness. At the Nash equilibrium the nonlinear reward earns the
programme's firm more when the highly strategic segment is very small, and the linear one
when that segment and the sensitivity to distance are both not small.

Here, with prices fixed (no equilibrium is sought), the programme shop ``lp`` and an
identical ``rival``: the linear reward pays back, on the next order, points worth 1/11 of
a list-price order for every order, the nonlinear one is "buy ten, get one free" (the same
payout per order for a customer who keeps buying, nothing until the tenth stamp), both
with the goal gradient and forfeit basis of ``validation.goal_gradient.PUBLISHED`` (the
linear card stays about a tenth full, from the first, full-price order's extra points: a
constant 3% boost). A customer's strategic level is the weight its choice puts on the
points an order earns (``switching_weight``): 0 for the myopic, the price sensitivity
(points worth their cash value) for the highly strategic. Word of mouth,
ratings and habit are off and prices fixed, so customers do not interact and a market with
a share ``s`` of highly strategic customers is the ``s``-weighted mixture of the two pure
markets: each pure market is one run, and the mixture is exact in expectation. The figure
is ``lp``'s profit less the pro-rata value of the points its members hold at the end (the
unpaid part of half-filled cards, which would otherwise count as a gain of the card).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import loyaltysim
from loyaltysim.experiment.seeds import replication_seed
from loyaltysim.scenario.keypaths import overrides_of
from validation.common import Check, measured
from validation.goal_gradient import PRICE, SHOP, card_programme, membership_settings
from validation.goal_gradient import PUBLISHED as GRADIENT

#: The docking proposes no default of its own: it runs the goal-gradient module's.
PUBLISHED: dict[str, object] = {}

GANDOMI = "Gandomi, Bazargan & Zolfaghari 2019, Ann. Oper. Res. 280:267-298"

#: Weight of the points an order earns in the choice, per segment: the highly strategic
#: value them at cash (the market's price sensitivity), the myopic not at all.
STRATEGIC = {"myopic": 0.0, "highly_strategic": 1.5}

#: Shares of highly strategic customers at which the direction is checked.
SMALL, LARGE = 0.05, 0.9


#: The payout per order of both structures: one free order in eleven.
PAYOUT = PRICE / 11.0


def programmes(weight: float) -> dict[str, dict[str, object]]:
    """The two reward structures at ``lp`` for customers of strategic ``weight``.

    Linear: every paid order (at ``PRICE - PAYOUT``) earns points worth ``PAYOUT``, paid
    back on the next order (``reward_points`` a hair below one order's points, so the
    reward is due at every order and the card stays all but empty). Nonlinear: "buy ten,
    get one free". Both pay one order in eleven to a customer who keeps buying.
    """
    base = "shops.lp.strategies.membership"
    common = {**membership_settings("lp", GRADIENT), f"{base}.switching_weight": weight}
    reward_points = 99.9
    linear = {
        f"{base}.join_share": 1.0,
        f"{base}.tiers": [{"name": "member", "spend": 0.0}],
        f"{base}.points_per_currency": 100.0 / (PRICE - PAYOUT),
        f"{base}.reward_points": reward_points,
        f"{base}.point_value": PAYOUT / reward_points,
    }
    return {
        "linear": {**linear, **common},
        "nonlinear": {**card_programme("lp", 10), **common},
    }


def duopoly(weight: float, replications: int) -> loyaltysim.Scenario:
    """Two identical shops, one with a programme; customers who do not talk or rate."""
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
            "shops": {"lp": dict(SHOP), "rival": dict(SHOP)},
            "variants": variants,
        }
    )


def lp_profit(scenario: loyaltysim.Scenario, variant: str, replication: int) -> float:
    """``lp``'s profit over the run, less the value of the points its members still hold.

    The same model and seed as replication ``replication`` of ``loyaltysim.run``. A card
    half full at the end is a liability the run's profit has not paid yet; booking it at
    its pro-rata value keeps the two structures' profits comparable whatever the horizon.
    """
    config = loyaltysim.variant_of(scenario, variant)
    seed = replication_seed(config.run.seed, replication)
    model = loyaltysim.LoyaltyModel(config, rng=np.random.default_rng(seed), create_agents=False)
    for _ in range(config.run.days):
        model.step()
    rows = model.datacollector.get_agenttype_vars_dataframe(loyaltysim.Shop)
    profit = float(rows.loc[rows["shop"] == "lp", "profit"].sum())
    held = [
        float(np.sum(st.points[st.member])) * st.config.point_value
        for st in model.strategies
        if st.key == "membership"
    ]
    return profit - sum(held)


def pure_markets(replications: int) -> pd.DataFrame:
    """``lp``'s profit net of points held, per segment, structure and replication."""
    columns = {}
    for segment, weight in STRATEGIC.items():
        scenario = duopoly(weight, replications)
        for variant in ("linear", "nonlinear"):
            columns[(segment, variant)] = [
                lp_profit(scenario, variant, k) for k in range(replications)
            ]
    frame = pd.DataFrame(columns)
    frame.columns.names = ["segment", "variant"]
    return frame


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
