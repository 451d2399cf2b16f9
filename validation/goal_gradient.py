"""The goal gradient of a stamp card and endowed progress, measured on the transaction log.

KUZ 2006 (study 1, a café's "buy ten coffees, get one free" card): the mean inter-purchase
time falls by 0.7 days (t = 2.6) from the first to the last observed interval, an
acceleration of 20%, while customers with a card that earned nothing did not accelerate.
Nunes & Drèze 2006 (a car wash): of customers given a 10-stamp card with 2 stamps already
on it, 34% completed it, against 19% of those given a plain 8-stamp card (the same eight
purchases to go).

The set-up is a café and an identical rival, every first-time buyer of the café joining its
programme; one order is one stamp (fixed baskets and prices; a single tier, no discount)
and the eleventh order of a card is free. The control runs the same market without the
programme. Inter-purchase times come from ``orders.parquet`` (members' orders at the café,
in completed cards), by stamp position, and the acceleration is taken net of the control's.
"""

from __future__ import annotations

import math
import tempfile
from typing import Any

import numpy as np
import pandas as pd

import loyaltysim
from loyaltysim.experiment.orders import read_orders
from loyaltysim.scenario.keypaths import overrides_of
from validation.common import Check, measured

#: The published defaults of ``[shops.<name>.strategies.membership]``, as ``--set`` paths.
PUBLISHED: dict[str, object] = {
    # KUZ 2006: effort depends on the proportion of the original distance remaining; a
    # constant percentage acceleration per stamp (log inter-purchase time linear in it).
    "shops.<name>.strategies.membership.goal_gradient_form": "log_linear",
    # KUZ 2006 study 1: the interval after stamp 9 is 20% shorter than after stamp 1, so
    # exp(-g * 0.8) = 0.8 and g = ln(1.25) / 0.8.
    "shops.<name>.strategies.membership.goal_gradient": round(math.log(1.25) / 0.8, 4),
    # Nunes & Drèze 2006 (study 3): persistence follows perceived progress, not reluctance
    # to waste what is held; so the choice counts what this order earns, not the points held.
    "shops.<name>.strategies.membership.forfeit_basis": "earned",
}

#: Stamps on the KUZ card; the reward is one free order.
CARD = 10
PRICE = 100.0

#: Daily need rate of the endowed-progress set-up: chosen so that the plain 8-stamp card is
#: completed by about 19% within nine months, as in Nunes & Drèze's control (the set-up, not
#: the mechanism: the published claim is the difference the endowment makes).
NEED_RATE_ND = 0.032

KUZ = "Kivetz, Urminsky & Zheng 2006, JMR 43(1), study 1"
NUNES_DREZE = "Nunes & Drèze 2006, JCR 32(4), car-wash field study"


def membership_settings(shop: str, settings: dict[str, object]) -> dict[str, object]:
    """``settings`` (``PUBLISHED``-style paths) as variant keys of ``shop``."""
    return {key.replace("<name>", shop): value for key, value in settings.items()}


def card_programme(shop: str, stamps: int, endowed: int = 0) -> dict[str, object]:
    """A stamp card at ``shop``: one stamp per order, a free order after ``stamps``."""
    base = f"shops.{shop}.strategies.membership"
    return {
        f"{base}.join_share": 1.0,
        f"{base}.tiers": [{"name": "member", "spend": 0.0}],
        f"{base}.points_per_currency": 1.0,
        f"{base}.reward_points": stamps * PRICE,
        f"{base}.point_value": 1.0 / stamps,
        f"{base}.endowed_points": endowed * PRICE,
    }


#: Each shop of these markets (the programme's and its identical rival).
SHOP = {
    "price": PRICE,
    "quality": 0.75,
    "unit_cost": 60.0,
    "shipping_fee": 0.0,
    "initial_awareness": 1.0,
}


def cafe_market(
    purchase_rate: float, days: int, replications: int, variants: dict[str, dict]
) -> loyaltysim.Scenario:
    """A café and an identical rival; nobody churns or leaves. ``variants``: dotted keys."""
    scenario: dict[str, Any] = {
        "name": "goal_gradient",
        "run": {"days": days, "warmup_days": 0, "seed": 2006, "replications": replications},
        "market": {
            "customers": 3000,
            "reference_price": PRICE,
            "price_sensitivity": 1.5,
            "price_sensitivity_spread": 0.0,
            "outside_utility": 2.0,
            "switching_cost": 0.0,
            "rating_weight": 0.0,
            "segments": {"regulars": {"share": 1.0, "purchase_rate": purchase_rate}},
        },
        "network": {"kind": "well_mixed", "mean_degree": 2.0},
        "experience": {"churn_propensity": 0.0, "trust_floor": 0.0},
        "shops": {"cafe": dict(SHOP), "rival": dict(SHOP)},
        "output": {"customers": "none", "figures": False},
        "variants": {name: overrides_of(flat) for name, flat in variants.items()},
    }
    return loyaltysim.validate(scenario)


def orders_of(scenario: loyaltysim.Scenario) -> pd.DataFrame:
    """The café's orders of every variant and replication, from ``orders.parquet``."""
    with tempfile.TemporaryDirectory() as tmp:
        loyaltysim.run(scenario, out=f"{tmp}/result")
        orders = read_orders(f"{tmp}/result")
    orders = orders[orders["shop"] == "cafe"]
    return orders.sort_values(["variant", "replication", "customer", "day"], kind="stable")


def gaps_by_stamp(orders: pd.DataFrame, card: int = CARD) -> pd.DataFrame:
    """Mean days from stamp k to stamp k + 1 (k = 1..card-1), per variant and replication.

    A customer's orders at the café run in cards of ``card + 1``: ``card`` stamped orders,
    then the free one. Only completed cards count (as KUZ's redeemed cards), and the
    control's orders are cut into the same cards, so the selection is the same on both.
    """
    keys = ["variant", "replication", "customer"]
    grouped = orders.groupby(keys, observed=True, sort=False)
    index = grouped.cumcount().to_numpy()
    frame = orders[keys].copy()
    frame["gap"] = grouped["day"].diff().to_numpy()
    frame["stamp"] = index % (card + 1)  # the order carrying stamp j + 1 (j < card)
    frame["card"] = index // (card + 1)
    full = frame.groupby([*keys, "card"], observed=True)["stamp"].transform("max") >= card - 1
    steps = frame[full & (frame["stamp"] >= 1) & (frame["stamp"] <= card - 1)]
    table = steps.groupby(["variant", "replication", "stamp"], observed=True)["gap"].mean()
    return table.unstack("stamp")


def net_acceleration(gaps: pd.DataFrame, variant: str, control: str = "control") -> np.ndarray:
    """Per replication: 1 - (last / first gap of ``variant``) / (last / first of the control)."""

    def ratio(name: str) -> np.ndarray:
        table = gaps.xs(name, level="variant")
        return (table[CARD - 1] / table[1]).to_numpy()

    return 1.0 - ratio(variant) / ratio(control)


def goal_gradient_acceleration(
    settings: dict[str, object], replications: int
) -> tuple[float, float, float]:
    """The net first-to-last acceleration of a 10-stamp card under ``settings`` (mean, CI)."""
    programme = {**card_programme("cafe", CARD), **membership_settings("cafe", settings)}
    scenario = cafe_market(0.2, 240, replications, {"card": programme})
    gaps = gaps_by_stamp(orders_of(scenario))
    return measured(net_acceleration(gaps, "card", control="base"))


def completion_rates(
    settings: dict[str, object], replications: int, window: int = 270
) -> pd.DataFrame:
    """Share of cards completed within ``window`` days of joining: 8-stamp vs 10 with 2 given.

    Customers who join in the first 60 days are followed for ``window`` days; a card is
    complete with the eighth order (the first order, which joins, carries the first stamp).
    """
    chosen = membership_settings("cafe", settings)
    variants = {
        "eight": {**card_programme("cafe", 8), **chosen},
        "endowed": {**card_programme("cafe", 10, endowed=2), **chosen},
    }
    scenario = cafe_market(NEED_RATE_ND, window + 60, replications, variants)
    orders = orders_of(scenario)
    orders = orders[orders["variant"] != "base"]
    keys = ["variant", "replication", "customer"]
    first = orders.groupby(keys, observed=True)["day"].transform("min")
    followed = orders[(first < 60) & (orders["day"] < first + window)]
    counts = followed.groupby(keys, observed=True).size()
    done = (counts >= 8).groupby(["variant", "replication"], observed=True).mean()
    return done.unstack("variant")


def measure(replications: int) -> list[Check]:
    """KUZ's acceleration and Nunes & Drèze's completion gap with the published settings."""
    value, low, high = goal_gradient_acceleration(PUBLISHED, replications)
    # KUZ: 0.7 days (t = 2.6) of about 3.5: 20%, 95% interval about 20% +- 1.96 * 20% / 2.6.
    half = 1.96 * 0.20 / 2.6
    kuz = Check(
        mechanism="goal gradient",
        claim="net shortening of the inter-purchase time, first to last stamp of a 10-stamp card",
        source=KUZ,
        published=f"20% (0.7 days, t = 2.6; about {0.2 - half:.0%} to {0.2 + half:.0%})",
        value=value,
        low=low,
        high=high,
        agrees=low <= 0.2 + half and high >= 0.2 - half,
    )
    rates = completion_rates(PUBLISHED, replications)
    gap, gap_low, gap_high = measured(rates["endowed"] - rates["eight"])
    # 34% vs 19% on about 150 cards each: a difference of 15 points, standard error ~5.
    endowed = Check(
        mechanism="goal gradient",
        claim="share completing a 10-stamp card with 2 given, minus an 8-stamp card",
        source=NUNES_DREZE,
        published="+0.15 (34% vs 19%; at least +0.05 at two standard errors)",
        value=gap,
        low=gap_low,
        high=gap_high,
        agrees=gap_high >= 0.05 and gap_low <= 0.25,
    )
    return [kuz, endowed]
