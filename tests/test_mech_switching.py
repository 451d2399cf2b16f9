"""Main-shop switching after ``switch_after`` wins in a row, and churn."""

import math

import numpy as np

from loyaltysim.engine.state import NO_SHOP
from loyaltysim.mechanisms.switching import ChurnRule, churns, update_main_shop


def i16(*values):
    return np.array(values, np.int16)


def buy_sequence(main, purchases, switch_after):
    """Feed one customer's purchases in order; return (main, challenger, wins) after each."""
    m, c, w = i16(main), i16(NO_SHOP), i16(0)
    out = []
    for shop in purchases:
        m, c, w = update_main_shop(m, c, w, np.array([shop]), switch_after)
        out.append((int(m[0]), int(c[0]), int(w[0])))
    return out


def test_first_purchase_makes_the_main_shop():
    assert buy_sequence(NO_SHOP, [2], 2) == [(2, NO_SHOP, 0)]


def test_switch_only_after_two_wins_in_a_row():
    # main 0; shop 1 wins once -> challenger; twice -> new main shop
    assert buy_sequence(0, [1, 1], 2) == [(0, 1, 1), (1, NO_SHOP, 0)]


def test_run_broken_by_the_main_shop():
    assert buy_sequence(0, [1, 0, 1], 2) == [(0, 1, 1), (0, NO_SHOP, 0), (0, 1, 1)]


def test_run_broken_by_another_challenger():
    # 1 wins, then 2 wins: 2 is the challenger with a run of 1; then 2 again -> switch
    assert buy_sequence(0, [1, 2, 2], 2) == [(0, 1, 1), (0, 2, 1), (2, NO_SHOP, 0)]


def test_switch_after_one_and_three():
    assert buy_sequence(0, [1], 1) == [(1, NO_SHOP, 0)]
    assert buy_sequence(0, [1, 1, 1], 3) == [(0, 1, 1), (0, 1, 2), (1, NO_SHOP, 0)]


def test_buying_at_the_main_shop_keeps_it():
    assert buy_sequence(0, [0, 0], 2) == [(0, NO_SHOP, 0), (0, NO_SHOP, 0)]


def test_vectorised_over_customers():
    # customers: new (no main), main 0 first win of 1, main 0 second win of 1, main 0 buys 0
    main, chall, wins = update_main_shop(
        i16(NO_SHOP, 0, 0, 0),
        i16(NO_SHOP, NO_SHOP, 1, 1),
        i16(0, 0, 1, 1),
        np.array([1, 1, 1, 0]),
        2,
    )
    np.testing.assert_array_equal(main, [1, 0, 1, 0])
    np.testing.assert_array_equal(chall, [NO_SHOP, 1, NO_SHOP, NO_SHOP])
    np.testing.assert_array_equal(wins, [0, 1, 0, 0])
    assert main.dtype == chall.dtype == wins.dtype == np.int16


def test_update_main_shop_empty():
    out = update_main_shop(i16(), i16(), i16(), np.empty(0, int), 2)
    assert all(a.size == 0 for a in out)


# --------------------------------------------------------------------------- churns
def test_churn_on_bad_experience_and_on_trust_below_floor():
    # threshold 0.25 (strict), propensity 1, floor 0.1 (strict)
    experience = np.array([0.1, 0.25, 0.5, 0.9, 0.9])
    trust = np.array([0.5, 0.5, 0.5, 0.09, 0.1])
    out = churns(np.random.default_rng(0), experience, trust, ChurnRule(0.25, 1.0, 0.1))
    np.testing.assert_array_equal(out, [True, False, False, True, False])


def test_trust_below_floor_churns_for_sure():
    # propensity 0: bad experiences alone never churn, low trust always does
    out = churns(
        np.random.default_rng(0),
        np.array([0.0, 0.0]),
        np.array([0.05, 0.5]),
        ChurnRule(0.25, 0.0, 0.1),
    )
    np.testing.assert_array_equal(out, [True, False])


def test_churn_propensity_share():
    # all experiences bad, trust fine: churn share 0.3, SE = sqrt(0.21 / 40000) = 0.00229
    n = 40000
    out = churns(np.random.default_rng(5), np.zeros(n), np.full(n, 0.5), ChurnRule(0.25, 0.3, 0.1))
    assert abs(out.mean() - 0.3) < 5 * math.sqrt(0.3 * 0.7 / n)
