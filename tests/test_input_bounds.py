"""Two input gaps: unbounded money fields, and scale-free networks the engine cannot build.

Before, a fuzzed shipping fee of 1e300 validated and then overflowed in ``engine/params.py``
(a numpy warning and infinite money), and a scale-free ``mean_degree`` below what the
exponent allows validated and then failed inside ``engine/network.py``. Both are now located
problems at exit 2.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from loyaltysim import run
from loyaltysim.engine.network import scale_free
from loyaltysim.scenario import load_scenario
from loyaltysim.scenario.problems import ScenarioError
from loyaltysim.scenario.sizes import capacity, scale_free_degrees

USAGE_ERROR = 2
#: Every bounded number at its bound at once (money, spreads, factors, weights).
EXTREMES = [
    "shops.cheap.shipping_fee=1e9", "shops.cheap.price=1e9", "shops.dear.price=1e9",
    "shops.cheap.unit_cost=1e9", "shops.cheap.fixed_cost_per_day=1e9",
    "shops.cheap.courier.cost=1e9", "shops.cheap.service.compensation=100.0",
    "market.price_sensitivity=1000.0", "market.price_sensitivity_spread=5.0",
    "market.basket_spread=5.0", "experience.talkativeness_spread=5.0",
    "market.reference_price=0.01", "market.regions.remote.shipping_factor=100.0",
    "market.quality_weight=1e9", "run.days=10", "run.warmup_days=0", "run.replications=1",
    "output.figures=false",
]  # fmt: skip


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("shops.cheap.shipping_fee", "1e300", "<= 1000000000"),
        ("shops.cheap.price", "1e300", "<= 1000000000"),
        ("shops.dear.courier.cost", "1e12", "<= 1000000000"),
        ("market.regions.remote.shipping_factor", "1e300", "<= 100"),
        ("market.price_sensitivity", "1e300", "<= 1000"),
        ("market.reference_price", "1e-300", ">= 0.01"),
        ("experience.talkativeness_spread", "1000.0", "<= 5"),
        ("shops.cheap.strategies.crm.budget", "1e300", "<= 1000000000"),
    ],
)
def test_money_and_factors_have_finite_bounds(small_scenario_file, key, value, expected):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(small_scenario_file, [f"{key}={value}"])
    [problem] = [p for p in caught.value.problems if p.path == key]
    assert problem.expected == f"a number {expected}", problem.expected
    assert problem.argument == f"--set {key}={value}"


def test_every_bound_at_once_runs_without_overflow(small_scenario_file):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy overflow warning would fail the test
        result = run(load_scenario(small_scenario_file, EXTREMES))
    numbers = result.replications.select_dtypes("number").to_numpy()
    assert not np.isinf(numbers).any()  # (NaN is a ratio of nothing, as at ordinary values)


def test_a_money_problem_from_the_file_is_located(tmp_path, small_toml, cli):
    file = tmp_path / "fuzzed.toml"
    fuzzed = small_toml.replace("unit_cost = 40.0", "unit_cost = 40.0\nshipping_fee = 1e300")
    file.write_text(fuzzed)
    line = file.read_text().splitlines().index("shipping_fee = 1e300") + 1
    done = cli.run("validate", file)
    assert done.returncode == USAGE_ERROR and "Traceback" not in done.stderr
    assert f"{file}:{line}" in done.stderr and "shops.cheap.shipping_fee" in done.stderr
    assert "1000000000" in done.stderr and "1e+300" in done.stderr


def test_the_scenario_layer_refuses_exactly_what_the_engine_cannot_build():
    """The scale-free bound depends on the exponent and the model's slots: checked both ways."""
    slots = capacity(500, 0.001, 0.001, 45)  # the small scenario: 500 customers, 45 days
    assert slots == 505  # 500 x 0 net growth: 5 x sqrt(1) slots to spare
    for exponent in (2.1, 2.5, 3.5):
        for degree in np.arange(0.5, 4.0, 0.05):
            low, high = scale_free_degrees(slots, float(degree), exponent)
            accepted = high >= 1 and low <= degree <= high
            try:
                scale_free(slots, float(degree), exponent, np.random.default_rng(0))
                built = True
            except ValueError:
                built = False
            assert accepted == built, (exponent, degree, low, high)


def test_a_tiny_scale_free_degree_is_a_located_problem(small_scenario_file):
    network = ['network.kind="scale_free"', "network.exponent=2.5"]
    with pytest.raises(ScenarioError) as caught:
        load_scenario(small_scenario_file, [*network, "network.mean_degree=2.0"])
    [problem] = caught.value.problems
    assert problem.path == "network.mean_degree" and problem.given == "2"
    # 505 slots, degree 2: the cap is isqrt(1010) = 31, and degrees drawn from 1 up to 31
    # under exponent 2.5 average 2.096: the lowest mean this network can have.
    assert problem.expected == (
        "a mean degree a scale_free network of 505 customer slots with exponent 2.5 can "
        "have: from 2.096 to 31"
    )
    scenario = load_scenario(small_scenario_file, [*network, "network.mean_degree=3.0"])
    assert scenario.network.mean_degree == 3.0  # above the bound: valid, and it builds


def test_the_engine_sizes_its_arrays_as_the_scenario_layer_counts(small_scenario_file):
    """The scale-free check and the memory estimate count slots as the engine makes them."""
    from loyaltysim.engine.model import LoyaltyModel

    scenario = load_scenario(small_scenario_file, ["market.arrival_rate=0.01"])
    model = LoyaltyModel(scenario, rng=np.random.default_rng(0), create_agents=False)
    # 500 customers x 0.009 net growth x 45 days = 202.5 expected: 500 + ceil(243 + 71.3)
    assert model.state.slots == capacity(500, 0.01, 0.001, 45) == 815
