"""Complaints, abandonment by slow service, resolution and service recovery."""

import math

import numpy as np
import pytest

from loyaltysim.mechanisms.complaints import (
    ComplaintOutcome,
    Handling,
    handle_complaints,
    recovered,
)


def handle(seed, experience, response, resolution, threshold=0.35, propensity=0.5, patience=2.0):
    n = experience.shape[0]
    return handle_complaints(
        np.random.default_rng(seed),
        experience,
        np.broadcast_to(np.asarray(response, float), (n,)),
        np.broadcast_to(np.asarray(resolution, float), (n,)),
        np.ones(n),  # the shop's voice: neutral
        Handling(threshold, propensity, patience, unresolved_penalty=0.2),
    )


# --------------------------------------------------------------------------- handle_complaints
def test_only_experiences_below_threshold_complain():
    # threshold 0.35 (strict): 0.1 and 0.3 complain for sure, 0.35 and 0.9 never
    out = handle(0, np.array([0.1, 0.3, 0.35, 0.9]), 0.0, 1.0, propensity=1.0)
    np.testing.assert_array_equal(out.complained, [True, True, False, False])
    # instant answer (abandon share 0/(0+2) = 0), resolution 1: all resolved
    np.testing.assert_array_equal(out.resolved, [True, True, False, False])
    assert not out.unresolved.any()


def test_propensity_zero_nobody_complains():
    out = handle(0, np.zeros(20), 0.0, 1.0, propensity=0.0)
    assert not out.complained.any()
    assert not out.resolved.any()


def test_resolution_rate_zero_leaves_every_complaint_unresolved():
    out = handle(0, np.zeros(20), 0.0, 0.0, propensity=1.0)
    assert out.complained.all()
    assert not out.resolved.any()
    assert out.unresolved.all()


def test_empty():
    out = handle(0, np.empty(0), 1.0, 0.5)
    assert out.complained.size == out.resolved.size == 0


def test_unresolved_property():
    o = ComplaintOutcome(np.array([True, True, False]), np.array([True, False, False]))
    np.testing.assert_array_equal(o.unresolved, [False, True, False])


@pytest.mark.parametrize(
    ("response", "patience", "abandon"),
    [(4.0, 2.0, 4 / 6), (2.0, 2.0, 0.5), (0.5, 2.0, 0.2)],
)
def test_abandonment_share_response_over_response_plus_patience(response, patience, abandon):
    # everyone complains (propensity 1), every answered complaint is resolved (rate 1):
    # resolved share = 1 - response/(response + patience); SE = sqrt(p (1-p) / n)
    n = 40000
    out = handle(1, np.zeros(n), response, 1.0, propensity=1.0, patience=patience)
    share = out.resolved.mean()
    assert abs(share - (1 - abandon)) < 5 * math.sqrt(abandon * (1 - abandon) / n)


def test_complaint_and_resolution_shares():
    # propensity 0.5; response 0.5, patience 2 -> abandon 0.2; resolution 0.6:
    # complained 0.5; resolved 0.5 * 0.8 * 0.6 = 0.24; SE = sqrt(p (1-p) / n)
    n = 40000
    out = handle(2, np.full(n, 0.1), 0.5, 0.6, propensity=0.5)
    assert abs(out.complained.mean() - 0.5) < 5 * math.sqrt(0.25 / n)
    assert abs(out.resolved.mean() - 0.24) < 5 * math.sqrt(0.24 * 0.76 / n)
    assert not (out.resolved & ~out.complained).any()


def test_per_experience_shop_parameters():
    # shop arrays are per experience: first half answered at once and always resolved,
    # second half never resolved
    n = 10
    response = np.r_[np.zeros(5), np.full(5, 1.0)]
    resolution = np.r_[np.ones(5), np.zeros(5)]
    out = handle(3, np.zeros(n), response, resolution, propensity=1.0)
    np.testing.assert_array_equal(out.resolved, [True] * 5 + [False] * 5)


# --------------------------------------------------------------------------- recovered
def outcome(complained, resolved):
    return ComplaintOutcome(np.array(complained), np.array(resolved))


def test_recovery_restores_part_of_the_loss():
    # satisfaction: before 0.8, after 0.4: lost 0.4; recovery 0.7 -> 0.4 + 0.28 = 0.68
    # trust: before 0.6, after 0.42: lost 0.18; trust_recovery 0.2 -> 0.42 + 0.036 = 0.456
    o = outcome([True], [True])
    sat = recovered(np.array([0.8]), np.array([0.4]), o, np.array([0.7]), 0.2)
    trust = recovered(np.array([0.6]), np.array([0.42]), o, np.array([0.2]), 0.2)
    assert sat[0] == pytest.approx(0.68)
    assert trust[0] == pytest.approx(0.456)
    assert sat[0] < 0.8  # only part of the loss comes back


def test_unresolved_complaint_penalises_and_no_complaint_changes_nothing():
    before, after = np.array([0.8, 0.8, 0.3]), np.array([0.4, 0.4, 0.5])
    o = outcome([True, False, True], [False, False, True])
    out = recovered(before, after, o, np.array([0.7, 0.7, 0.7]), 0.2)
    # unresolved: 0.4 * (1 - 0.2) = 0.32; no complaint: 0.4 unchanged;
    # resolved but nothing was lost (after > before): 0.5 unchanged
    np.testing.assert_allclose(out, [0.32, 0.4, 0.5])


def test_full_recovery_and_empty():
    o = outcome([True], [True])
    assert recovered(np.array([0.9]), np.array([0.3]), o, np.array([1.0]), 0.2)[0] == (
        pytest.approx(0.9)
    )
    e = np.empty(0)
    assert recovered(e, e, outcome(np.empty(0, bool), np.empty(0, bool)), e, 0.2).size == 0
