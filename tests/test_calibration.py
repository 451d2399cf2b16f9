"""Calibrated scenarios reproduce the figures they were calibrated to."""

from pathlib import Path

import loyaltysim
from loyaltysim.analysis.summary import mean_ci

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def test_baby_products_repurchase_rate_is_near_ten_percent() -> None:
    # Essay 003: the shop's CRM shows a yearly repurchase rate of about 10%. Six replications
    # of the full-size scenario (10,000 customers, one recorded year); the whole 95% interval
    # of the mean must lie within 0.10 +- 0.03 ("about 10%").
    scenario = loyaltysim.load_scenario(
        SCENARIOS / "baby_products.toml", ["run.replications=6", "output.figures=false"]
    )
    result = loyaltysim.run(scenario)
    figures = result.replications
    rates = figures.loc[figures["shop"] == "babyshop", "repurchase_rate"].to_numpy()
    mean, low, high = mean_ci(rates)
    assert low >= 0.07 and high <= 0.13, (mean, low, high)
