"""Limit case: one shop, no churn, well mixed, every aware customer buys -> Bass diffusion.

The scenario sets advertising reach p = 0.01 and word of mouth q = propensity 0.5 x mean
degree 10 x tie strength 0.02 = 0.1 per day. Cumulative first purchases must follow the
Bass curve: exactly (up to sampling noise) the daily recursion of the model's order of
events, and the continuous Bass curve up to that recursion's known discretisation gap.
"""

import numpy as np
import pytest
from validation import ties

from loyaltysim.analysis.bass import bass_cdf, daily_bass, fit_bass
from loyaltysim.engine.model import LoyaltyModel
from loyaltysim.scenario import validate

P, Q = 0.01, 0.5 * 10 * 0.02
N, DAYS, REPLICATIONS = 10_000, 100, 6

#: One shop, no churn, well mixed, every aware customer buying every day and praising by
#: the step rule (the scenario the ties validation also starts from). Its own run seed is
#: unused: each replication below draws from ``[7, k]``.
BASS_SCENARIO = ties.market(
    N, DAYS, {"kind": "well_mixed", "mean_degree": 10.0, "tie_strength": 0.02}, 0.5, P
)


@pytest.fixture(scope="module")
def adoption() -> np.ndarray:
    """Share of customers who have bought, per replication and day."""
    scenario = validate(BASS_SCENARIO)
    curves = []
    for k in range(REPLICATIONS):
        model = LoyaltyModel(scenario, rng=np.random.default_rng([7, k]), create_agents=False)
        new = []
        for _ in range(DAYS):
            model.step()
            new.append(model.shops[0].figures["new_customers"])
        curves.append(np.cumsum(new) / N)
    return np.array(curves)


def test_follows_the_daily_bass_recursion(adoption: np.ndarray) -> None:
    expected = daily_bass(DAYS, P, Q)
    mean = adoption.mean(axis=0)
    # Standard error of the mean per day, from the replication spread, floored by the
    # binomial error sqrt(F(1-F)/N)/sqrt(R) so days with no spread are not held to zero.
    spread = adoption.std(axis=0, ddof=1) / np.sqrt(REPLICATIONS)
    floor = np.sqrt(expected * (1 - expected) / N) / np.sqrt(REPLICATIONS)
    se = np.maximum(spread, floor)
    assert np.all(np.abs(mean - expected) <= 5 * se + 1e-12), np.max(np.abs(mean - expected) / se)


def test_matches_continuous_bass_within_discretisation(adoption: np.ndarray) -> None:
    days = np.arange(1, DAYS + 1)
    recursion_gap = np.abs(daily_bass(DAYS, P, Q) - bass_cdf(days, P, Q))
    mean = adoption.mean(axis=0)
    se = np.maximum(adoption.std(axis=0, ddof=1), 1.0 / N) / np.sqrt(REPLICATIONS)
    assert np.all(np.abs(mean - bass_cdf(days, P, Q)) <= recursion_gap + 5 * se)
    # The gap itself is small: a daily step is short against the diffusion time 1/(p+q).
    assert recursion_gap.max() < 0.05


def test_fitted_bass_parameters_recover_the_scenario(adoption: np.ndarray) -> None:
    p_hat, q_hat = fit_bass(np.arange(1, DAYS + 1), adoption.mean(axis=0))
    # The daily recursion fitted by the continuous curve gives the reference values; the
    # simulated curve must give the same within the sampling noise of R replications.
    p_ref, q_ref = fit_bass(np.arange(1, DAYS + 1), daily_bass(DAYS, P, Q))
    assert p_hat == pytest.approx(p_ref, rel=0.1)
    assert q_hat == pytest.approx(q_ref, rel=0.05)
    assert p_ref == pytest.approx(P, rel=0.1)
    assert q_ref == pytest.approx(Q, rel=0.05)
