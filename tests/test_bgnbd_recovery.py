"""The model's purchase/dropout layer is the BG/NBD: the paper's numbers come back out.

The customer base is set to the CDNOW parameters of Fader, Hardie & Lee (2005), r = 0.243,
alpha = 4.414 (weeks), a = 0.793, b = 2.426, and simulated day by day through the model's own
rules: ``population.buying_habits`` draws each customer's rate multiplier and dropout chance,
``needs.needers`` decides who buys each day, ``needs.leaves_category`` who drops out after
a repeat purchase. As in the CDNOW cohort, first purchases (trials) fall in the first 12
weeks. Two checks:

- the mean repeat purchases per customer t weeks after the trial match the paper's closed
  form E[X(t)] (eq. 9) at t = 39, 52 and 78 weeks, within 4 standard errors of the mean;
- refitting the BG/NBD (lifetimes) to a CDNOW-sized cohort (2,357 customers, 78 weeks)
  recovers each parameter inside its fitted 95% interval.

The rules run on arrays of customers here rather than inside a shop market: the shops'
choice decides *where* a need is bought, not *whether* (see ``docs/model.md``), so with
certain purchase the layer is the whole story of the category.
"""

from __future__ import annotations

import numpy as np
import pytest

from loyaltysim.analysis.bgnbd import bgnbd_expected_repeats
from loyaltysim.engine.params import segment_arrays_class
from loyaltysim.mechanisms.needs import leaves_category, needers
from loyaltysim.mechanisms.population import buying_habits

R, ALPHA, A, B = 0.243, 4.414, 0.793, 2.426
TRIAL_WEEKS, WEEKS = 12, 90
COHORT = 2357  # the CDNOW sample


def cdnow_segment():
    """One segment at the CDNOW parameters (the daily mean rate is r / alpha / 7)."""
    return segment_arrays_class()(
        names=["cdnow"],
        share=np.ones(1),
        purchase_rate=np.array([R / ALPHA / 7]),
        purchase_rate_shape=np.array([R]),
        dropout_a=np.array([A]),
        dropout_b=np.array([B]),
        quality_weight=np.ones(1),
        price_weight=np.ones(1),
        delivery_weight=np.ones(1),
        duration_days=np.array([np.inf]),
        arrival_share=np.ones(1),
        next_segment=np.array([-1], np.int16),
    )


@pytest.fixture(scope="module")
def histories():
    """Repeat purchases by days since trial, and each customer's state at week 78."""
    n, segments = 20_000, cdnow_segment()
    rng = np.random.default_rng(7)
    segment = np.zeros(n, np.int16)
    scale, dropout = buying_habits(rng, segment, segments)
    scale = scale.astype(np.float32)
    trial = rng.integers(0, TRIAL_WEEKS * 7, n)
    alive = np.ones(n, bool)
    repeats = np.zeros(n, np.int32)
    last = trial.copy()
    by_age = np.zeros((n, 78 * 7 + 1), np.int32)
    end = 78 * 7
    at_end = None
    for day in range(WEEKS * 7):
        who = needers(rng, trial < day, segment, segments.purchase_rate, scale=scale, alive=alive)
        repeats[who] += 1
        last[who] = day
        alive[who[leaves_category(rng, dropout[who])]] = False
        age = day - trial
        ok = (age >= 0) & (age <= 78 * 7)
        by_age[np.flatnonzero(ok), age[ok]] = repeats[ok]
        if day == end - 1:
            at_end = (repeats.copy(), last.copy())
    return {"trial": trial, "by_age": by_age, "at_end": at_end, "end": end}


@pytest.mark.parametrize("weeks", [39, 52, 78])
def test_mean_repeats_follow_the_closed_form(histories, weeks):
    x = histories["by_age"][:, weeks * 7]
    expected = bgnbd_expected_repeats(weeks, R, ALPHA, A, B)
    se = x.std(ddof=1) / np.sqrt(x.size)
    assert abs(x.mean() - expected) < 4 * se, (x.mean(), expected, se)


def test_refitting_recovers_the_cdnow_parameters(histories):
    lifetimes = pytest.importorskip("lifetimes", reason="the clv extra (in dev) fits BG/NBD")
    repeats, last = histories["at_end"]
    trial = histories["trial"][:COHORT]
    frequency = repeats[:COHORT]
    recency = (last[:COHORT] - trial) / 7.0
    age = (histories["end"] - trial) / 7.0
    fit = lifetimes.BetaGeoFitter().fit(frequency, recency, age)
    summary = fit.summary
    for name, truth in {"r": R, "alpha": ALPHA, "a": A, "b": B}.items():
        low, high = summary.loc[name, "lower 95% bound"], summary.loc[name, "upper 95% bound"]
        assert low <= truth <= high, (name, truth, low, high)
