"""Expectation-disconfirmation, cumulative satisfaction, expectations and trust."""

import numpy as np
import pytest

from loyaltysim.mechanisms.experience import (
    Learning,
    experience_satisfaction,
    perceived_performance,
    prospect_value,
    updated_expectation,
    updated_satisfaction,
    updated_trust,
)

GAIN, LOSS = 0.3, 0.8  # scenario defaults: loss > gain


def rules(
    gain=GAIN,
    loss=LOSS,
    satisfaction=0.3,
    expectation=0.3,
    tolerance=0.15,
    up=0.05,
    down=0.3,
    form="legacy",
    loss_aversion=2.25,
):
    """A parameter record; only the fields a test's function reads matter to it."""
    return Learning(
        gain=gain,
        loss=loss,
        disconfirmation=form,
        loss_aversion=loss_aversion,
        satisfaction_learning=satisfaction,
        expectation_learning=expectation,
        promise_tolerance=tolerance,
        trust_gain=up,
        trust_loss=down,
    )


def a(*values):
    return np.array(values, dtype=np.float64)


def test_perceived_performance_weighted_mean():
    # (0.8 + 1*0.55)/2 = 0.675; weight 0 -> product only 0.8; (0.8 + 3*0.4)/4 = 0.5
    p = perceived_performance(a(0.8, 0.8, 0.8), a(0.55, 0.1, 0.4), a(1.0, 0.0, 3.0))
    np.testing.assert_allclose(p, [0.675, 0.8, 0.5])


def test_experience_satisfaction_hand_checked():
    x = experience_satisfaction(a(0.675, 0.9, 0.6), a(0.8, 0.7, 0.6), rules())
    # P 0.675, E 0.8: gap -0.125 -> 0.675 - 0.8*0.125 = 0.575
    # P 0.9, E 0.7: gap +0.2 -> 0.9 + 0.3*0.2 = 0.96
    # P = E = 0.6: no disconfirmation -> 0.6
    np.testing.assert_allclose(x, [0.575, 0.96, 0.6])


def test_disconfirmation_is_asymmetric_loss_over_gain():
    # same |gap| 0.1 around P = 0.5: surplus +0.3*0.1 = +0.03, shortfall -0.8*0.1 = -0.08
    x = experience_satisfaction(a(0.5, 0.5), a(0.4, 0.6), rules())
    np.testing.assert_allclose(x, [0.53, 0.42])
    assert 0.5 - x[1] > x[0] - 0.5


def test_experience_satisfaction_clipped():
    # 0.95 + 0.3*0.75 = 1.175 -> 1; 0.1 - 0.8*0.8 = -0.54 -> 0
    x = experience_satisfaction(a(0.95, 0.1), a(0.2, 0.9), rules())
    np.testing.assert_array_equal(x, [1.0, 0.0])


def test_prospect_value_weights_losses_by_lambda():
    # v(0.2) = 0.2; v(-0.2) = 2.25 * -0.2 = -0.45; v(0) = 0
    np.testing.assert_allclose(prospect_value(a(0.2, -0.2, 0.0), 2.25), [0.2, -0.45, 0.0])


def test_prospect_disconfirmation_hand_checked():
    # x = E + gain * v(P - E), gain 1, lambda 2.25
    # P 0.8, E 0.7: surplus 0.1 -> 0.7 + 0.1 = 0.8
    # P 0.6, E 0.7: shortfall 0.1 -> 0.7 - 2.25*0.1 = 0.475
    # P = E = 0.6 -> 0.6 (confirmation: the expectation itself)
    # gain 0.5 scales both sides: P 0.8, E 0.7 -> 0.75; P 0.6, E 0.7 -> 0.7 - 0.1125 = 0.5875
    x = experience_satisfaction(
        a(0.8, 0.6, 0.6), a(0.7, 0.7, 0.6), rules(gain=1.0, form="prospect")
    )
    np.testing.assert_allclose(x, [0.8, 0.475, 0.6])
    half = experience_satisfaction(a(0.8, 0.6), a(0.7, 0.7), rules(gain=0.5, form="prospect"))
    np.testing.assert_allclose(half, [0.75, 0.5875])


def test_prospect_asymmetry_is_lambda_where_legacy_dilutes_it():
    # at E = 0.5 and gaps of +-0.1: prospect moves x by +0.1 and -0.225 (ratio 2.25);
    # legacy by +0.1*(1 + 0.3) = +0.13 and -0.1*(1 + 0.8) = -0.18 (ratio 1.8/1.3 = 1.385)
    e = a(0.5, 0.5)
    p = a(0.6, 0.4)
    prospect = experience_satisfaction(p, e, rules(gain=1.0, form="prospect")) - 0.5
    legacy = experience_satisfaction(p, e, rules()) - 0.5
    np.testing.assert_allclose(prospect, [0.1, -0.225])
    np.testing.assert_allclose(legacy, [0.13, -0.18])
    assert -prospect[1] / prospect[0] == pytest.approx(2.25)
    assert -legacy[1] / legacy[0] == pytest.approx(1.8 / 1.3)


def test_prospect_clipped():
    # 0.9 + 1*0.5 = 1.4 -> 1; 0.5 - 2.25*0.4 = -0.4 -> 0
    x = experience_satisfaction(a(1.4, 0.1), a(0.9, 0.5), rules(gain=1.0, form="prospect"))
    np.testing.assert_array_equal(x, [1.0, 0.0])


def test_first_experience_sets_satisfaction_directly():
    # first: the default 0.5 is replaced by the experience 0.2;
    # later: 0.8 + 0.3*(0.2 - 0.8) = 0.62
    s = updated_satisfaction(
        a(0.5, 0.8), a(0.2, 0.2), np.array([True, False]), rules(satisfaction=0.3)
    )
    np.testing.assert_allclose(s, [0.2, 0.62])


def test_updated_expectation_moves_towards_performance():
    # 0.8 + 0.3*(0.5 - 0.8) = 0.71; 0.4 + 0.3*(0.9 - 0.4) = 0.55
    e = updated_expectation(a(0.8, 0.4), a(0.5, 0.9), rules(expectation=0.3))
    np.testing.assert_allclose(e, [0.71, 0.55])


def test_trust_kept_and_broken_promises():
    # tol 0.15, gain 0.05, loss 0.3
    # kept: 0.7 >= 0.8 - 0.15 = 0.65 -> 0.6 + 0.05*(1 - 0.6) = 0.62
    # broken: 0.6 < 0.65 -> 0.6 * (1 - 0.3) = 0.42
    t = updated_trust(
        a(0.6, 0.6), a(0.7, 0.6), a(0.8, 0.8), rules(tolerance=0.15, up=0.05, down=0.3)
    )
    np.testing.assert_allclose(t, [0.62, 0.42])


def test_shortfall_of_exactly_the_tolerance_keeps_the_promise():
    # binary-exact numbers: P = 0.5 = E - tol = 0.75 - 0.25 -> kept: 0.5 + 0.05*0.5 = 0.525
    t = updated_trust(a(0.5), a(0.5), a(0.75), rules(tolerance=0.25, up=0.05, down=0.3))
    assert t[0] == pytest.approx(0.525)


def test_trust_slow_gain_fast_loss():
    # from 0.6 a broken promise costs 0.18, a kept one gains 0.02.
    # After the break (0.42) it takes n kept promises with 1 - 0.58 * 0.95^n >= 0.6:
    # 0.95^7 = 0.6983 -> 0.5950 (< 0.6); 0.95^8 = 0.6634 -> 0.6152 (>= 0.6): n = 8
    trust = updated_trust(a(0.6), a(0.5), a(0.8), rules(tolerance=0.15, up=0.05, down=0.3))
    assert trust[0] == pytest.approx(0.42)
    path = []
    for _ in range(8):
        trust = updated_trust(trust, a(0.8), a(0.8), rules(tolerance=0.15, up=0.05, down=0.3))
        path.append(float(trust[0]))
    assert path[6] == pytest.approx(1 - 0.58 * 0.95**7)
    assert path[6] < 0.6 <= path[7]
    assert path[7] == pytest.approx(0.615216, abs=1e-6)


def test_empty_inputs():
    e = np.empty(0)
    assert experience_satisfaction(e, e, rules()).size == 0
    assert updated_trust(e, e, e, rules(tolerance=0.1, up=0.05, down=0.3)).size == 0
    assert updated_satisfaction(e, e, np.empty(0, bool), rules(satisfaction=0.3)).size == 0
