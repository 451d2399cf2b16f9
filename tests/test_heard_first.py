"""How each customer first heard of each shop: customers.csv's heard_first and the daily counts.

A closed market (no arrivals, no departures, no warm-up) with two shops, some customers aware
at the start, advertising and word of mouth: every pair's source is written once, when the
customer first hears of the shop, and the daily counts add up to the records.
"""

import numpy as np
import pandas as pd
import pytest

import loyaltysim
from loyaltysim.engine.model import LoyaltyModel
from loyaltysim.engine.state import ADVERTISING, INITIAL, NOT_HEARD, WEAK_TIE, WORD_OF_MOUTH

SHOP = {
    "price": 10.0,
    "quality": 0.9,
    "unit_cost": 5.0,
    "advertising_reach": 0.01,
    "initial_awareness": 0.2,
}


def scenario(**network):
    return loyaltysim.validate(
        {
            "run": {"days": 40, "warmup_days": 0, "seed": 3, "replications": 2},
            "market": {"customers": 600, "arrival_rate": 0.0, "departure_rate": 0.0},
            "network": {"kind": "small_world", "mean_degree": 6, "tie_strength": 0.3, **network},
            "experience": {"positive_threshold": 0.5, "positive_propensity": 0.5},
            "output": {"customers": "all"},
            "shops": {"a": SHOP, "b": {**SHOP, "advertising_reach": 0.03}},
        }
    )


@pytest.fixture(scope="module")
def result():
    return loyaltysim.run(scenario())


def test_every_known_pair_has_a_source(result):
    customers = result.customers
    assert list(customers["heard_first"].cat.categories) == [
        "initial",
        "advertising",
        "word_of_mouth",
        "weak_tie",
    ]
    assert customers["heard_first"].notna().all()  # every row is a shop the customer knew
    assert (customers["heard_first"] == "weak_tie").sum() == 0  # no weak ties here


def test_daily_counts_add_up_to_the_records(result):
    # closed market, no warm-up: every advertising or word-of-mouth row was counted on its day
    counted = result.timeseries.groupby(["variant", "replication", "shop"], observed=True)[
        ["aware_by_advertising", "aware_by_word_of_mouth"]
    ].sum()
    heard = pd.crosstab(
        [result.customers["variant"], result.customers["replication"], result.customers["shop"]],
        result.customers["heard_first"],
        dropna=False,
    )
    np.testing.assert_array_equal(counted["aware_by_advertising"], heard["advertising"])
    np.testing.assert_array_equal(counted["aware_by_word_of_mouth"], heard["word_of_mouth"])
    assert (counted["aware_by_word_of_mouth"] > 0).all()
    assert (counted["aware_by_advertising"] > 0).all()


def test_initial_awareness_is_the_day_zero_awareness():
    model = LoyaltyModel(scenario(), rng=np.random.default_rng(0), create_agents=False)
    state = model.state
    np.testing.assert_array_equal(state.heard_first == INITIAL, state.aware)
    assert np.all((state.heard_first == NOT_HEARD) == ~state.aware)
    for _ in range(10):
        model.step()
    # a source, once written, is never rewritten: the day-0 ones are still there
    assert np.isin(state.heard_first[state.aware], [INITIAL, ADVERTISING, WORD_OF_MOUTH]).all()


def test_weak_ties_are_recorded_as_such():
    weak = scenario(
        kind="strong_weak", personal_network_size=5, weak_ties=10, weak_tie_strength=0.2
    )
    model = LoyaltyModel(weak, rng=np.random.default_rng(1), create_agents=False)
    for _ in range(30):
        model.step()
    sources = model.state.heard_first[model.state.aware]
    assert (sources == WEAK_TIE).sum() > 0
    assert (sources == WORD_OF_MOUTH).sum() > 0  # the strong ties of the personal networks
