"""Validation: tie weights and the Bass curve; the strength of weak ties (GLM 2001).

Few replications of ``validation/ties.py``; each check's interval comes from the spread over
replications (``validation.common.measured``). The checks of GLM's whole design need many
replications to be informative and are left to ``scripts/validate_mechanisms.py``.
"""

import itertools
import math

import numpy as np
import pytest
from validation import ties

pytestmark = pytest.mark.validation


@pytest.fixture(scope="module")
def checks():
    return {check.claim: check for check in ties.measure(replications=5, design_replications=2)}


def find(checks, start):
    (claim,) = [c for c in checks if c.startswith(start)]
    return checks[claim]


def test_a_random_network_follows_the_bass_curve(checks):
    # the control: no degree heterogeneity, so the set-up itself reproduces Bass
    check = find(checks, "control")
    assert check.agrees, check.row()


def test_hubs_push_a_scale_free_network_past_the_bass_curve(checks):
    check = find(checks, "scale-free, one tie strength")
    assert check.agrees, check.row()


@pytest.mark.xfail(
    strict=True,
    reason="normalising the talkers' reach leaves hubs listening more: the curve lags Bass "
    "by about 18% (docs/validation.md)",
)
def test_normalised_scale_free_network_follows_the_bass_curve(checks):
    check = find(checks, "scale-free, normalise_by_degree")
    assert check.agrees, check.row()


def test_normalising_slows_the_scale_free_network(checks):
    # the hubs' extra talking is gone: slower than with one global tie strength
    legacy = find(checks, "scale-free, one tie strength")
    normalised = find(checks, "scale-free, normalise_by_degree")
    assert normalised.low > legacy.high


def test_weak_and_strong_ties_both_speed_diffusion(checks):
    for start in (
        "days to half awareness saved by beta_w",
        "days to half awareness saved by beta_s",
    ):
        check = find(checks, start)
        assert check.agrees, check.row()


def test_every_check_is_measured(checks):
    assert len(checks) == 8
    assert all(math.isfinite(c.value) for c in checks.values())


def test_glm_design_is_a_balanced_half_fraction():
    points = ties.glm_design()
    rows = {tuple(p.values()) for p in points}
    assert len(points) == len(rows) == 16
    keys = list(points[0])
    for key in keys:  # each factor at each of its two ends in half the runs
        values = [p[key] for p in points]
        assert len(set(values)) == 2
        assert values.count(values[0]) == 8
    for a, b in itertools.combinations(keys, 2):  # and every pair of ends in a quarter
        pairs = [(p[a], p[b]) for p in points]
        assert all(pairs.count(pair) == 4 for pair in set(pairs))


def test_half_time_of_the_bass_recursion_by_hand():
    # p = 0.5, q = 0: the share after day t is 1 - 0.5**(t+1): 0.5 on day 0 already
    assert ties.bass_half_time(10, 0.5, 0.0) == pytest.approx(0.0)
    # p = 0.2: 0.2, 0.36, 0.488, 0.5904 -> between day 2 and 3: 2 + 0.012 / 0.1024
    assert ties.bass_half_time(10, 0.2, 0.0) == pytest.approx(2 + 0.012 / 0.1024)
    assert np.isfinite(ties.bass_half_time(100, 0.01, 0.1))
