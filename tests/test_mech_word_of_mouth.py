"""Word of mouth: who talks, who hears, how messages compound."""

import math

import numpy as np
import pytest
from scipy import sparse

from loyaltysim.engine.ties import tie_weights
from loyaltysim.mechanisms.word_of_mouth import (
    Influence,
    Messages,
    Talk,
    Ties,
    compounded,
    contacts,
    talk_probability,
    who_talks,
)


def csr(n, edges):
    u, v = np.array(edges).T
    m = sparse.coo_array((np.ones(2 * len(edges), np.int8), (np.r_[u, v], np.r_[v, u])), (n, n))
    out = m.tocsr()
    out.sort_indices()
    return out


# --------------------------------------------------------------------------- who_talks
STEP = {"talk_base": 0.0, "talk_curvature": 0.0}  # the original step rule


def step(positive_threshold, negative_threshold, positive_propensity, negative_propensity):
    return Talk(
        positive_threshold, negative_threshold, positive_propensity, negative_propensity, **STEP
    )


def test_who_talks_thresholds_with_certain_propensities():
    # thresholds: praise if >= 0.75, decry if <= 0.3 (both inclusive)
    x = np.array([0.9, 0.75, 0.5, 0.3, 0.1])
    praise, decry = who_talks(np.random.default_rng(0), x, np.ones(5), step(0.75, 0.3, 1.0, 1.0))
    np.testing.assert_array_equal(praise, [True, True, False, False, False])
    np.testing.assert_array_equal(decry, [False, False, False, True, True])


def test_silent_customers_never_talk():
    x = np.array([0.95, 0.05])
    praise, decry = who_talks(np.random.default_rng(0), x, np.zeros(2), step(0.75, 0.3, 1.0, 1.0))
    assert not praise.any()
    assert not decry.any()


def test_talkativeness_multiplies_propensities():
    # talkativeness 2: praise 0.1 * 2 = 0.2, decry 0.3 * 2 = 0.6; SE = sqrt(p (1-p) / n)
    n = 40000
    g = np.random.default_rng(1)
    praise, _ = who_talks(g, np.full(n, 0.9), np.full(n, 2.0), step(0.75, 0.3, 0.1, 0.3))
    _, decry = who_talks(g, np.full(n, 0.1), np.full(n, 2.0), step(0.75, 0.3, 0.1, 0.3))
    assert abs(praise.mean() - 0.2) < 5 * math.sqrt(0.2 * 0.8 / n)
    assert abs(decry.mean() - 0.6) < 5 * math.sqrt(0.6 * 0.4 / n)


def test_step_probabilities_are_the_propensities_exactly():
    # curvature 0: flat at the propensity beyond each threshold, silent in between; the
    # floats are the propensities themselves, so the step draws the talkers it always did
    x = np.array([1.0, 0.9, 0.75, 0.74, 0.5, 0.31, 0.3, 0.1, 0.0])
    praise, decry = talk_probability(x, step(0.75, 0.3, 0.1, 0.3))
    assert praise.tolist() == [0.1, 0.1, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert decry.tolist() == [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3, 0.3, 0.3]


def test_step_draws_what_the_original_rule_drew():
    # the original rule, written out: one uniform per experience, the same one for both
    n = 5000
    g = np.random.default_rng(7)
    x, t = g.random(n), g.lognormal(0.0, 0.5, n)
    praise, decry = who_talks(np.random.default_rng(8), x, t, step(0.75, 0.3, 0.1, 0.3))
    u = np.random.default_rng(8).random(n)
    np.testing.assert_array_equal(praise, (x >= 0.75) & (u < 0.1 * t))
    np.testing.assert_array_equal(decry, (x <= 0.3) & (u < 0.3 * t))


# the U: neutral point 0.5, 0.02 of talk there, quadratic rise to 0.2 (x = 1) and 0.4 (x = 0)
U = Talk(0.5, 0.5, 0.2, 0.4, talk_base=0.02, talk_curvature=2.0)


@pytest.mark.parametrize(
    ("x", "praise", "decry"),
    [
        (1.0, 0.2, 0.0),  # share 1: the positive propensity
        (0.75, 0.065, 0.0),  # share 0.25/0.5 = 0.5: 0.02 + 0.18 * 0.25
        (0.6, 0.0272, 0.0),  # share 0.2: 0.02 + 0.18 * 0.04
        (0.5, 0.0, 0.02),  # at the neutral point the tie goes to criticism, at the base
        (0.25, 0.0, 0.115),  # share 0.5: 0.02 + 0.38 * 0.25
        (0.0, 0.0, 0.4),  # share 1: the negative propensity
        (1.2, 0.2, 0.0),  # beyond the scale: as at its end
    ],
)
def test_u_probabilities_hand_checked(x, praise, decry):
    p, d = talk_probability(np.array([x]), U)
    assert p[0] == pytest.approx(praise)
    assert d[0] == pytest.approx(decry)


def test_u_is_asymmetric_and_rises_away_from_the_neutral_point():
    # equal distances from 0.5: the unhappy side talks more, by (0.02 + 0.38 s^2) / (0.02 +
    # 0.18 s^2); at s = 1 that is 0.4 / 0.2 = 2
    s = np.linspace(0.0, 0.5, 11)
    praise, _ = talk_probability(0.5 + s, U)
    _, decry = talk_probability(0.5 - s, U)
    assert np.all(np.diff(praise[1:]) > 0) and np.all(np.diff(decry) > 0)
    np.testing.assert_allclose(
        decry[1:] / praise[1:], (0.02 + 0.38 * (2 * s[1:]) ** 2) / (0.02 + 0.18 * (2 * s[1:]) ** 2)
    )


def test_thresholds_at_the_ends_of_the_scale():
    # a zero span leaves only the end itself, at the propensity
    talk = Talk(1.0, 0.0, 0.2, 0.4, talk_base=0.05, talk_curvature=2.0)
    praise, decry = talk_probability(np.array([1.0, 0.99, 0.5, 0.0]), talk)
    np.testing.assert_allclose(praise, [0.2, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(decry, [0.0, 0.0, 0.0, 0.4])


def test_u_talk_rate_times_talkativeness():
    # x = 0.75 under U: 0.065, times talkativeness 3 = 0.195; SE = sqrt(p (1-p) / n)
    n = 40000
    praise, decry = who_talks(np.random.default_rng(4), np.full(n, 0.75), np.full(n, 3.0), U)
    assert not decry.any()
    assert abs(praise.mean() - 0.195) < 5 * math.sqrt(0.195 * 0.805 / n)


# --------------------------------------------------------------------------- contacts
def ties(mean_degree=10.0, tie_strength=1.0, weak_ties=0, weak_tie_strength=0.0):
    return Ties(mean_degree, tie_strength, weak_ties, weak_tie_strength)


def test_contacts_on_a_network_are_the_neighbours():
    # path 0-1-2-3, node 4 alone
    adj = csr(5, [(0, 1), (1, 2), (2, 3)])
    g = np.random.default_rng(0)
    position, listener, weak = contacts(g, tie_weights(adj, 1.0), np.array([1, 4, 3]), 5, ties())
    # talker 1 (position 0) -> 0 and 2; talker 4 -> nobody; talker 3 (position 2) -> 2
    np.testing.assert_array_equal(position, [0, 0, 2])
    np.testing.assert_array_equal(listener, [0, 2, 2])
    assert not weak.any()
    position, listener, _ = contacts(g, tie_weights(adj, 0.0), np.array([1, 2]), 5, ties())
    assert position.size == listener.size == 0  # tie strength 0: nobody takes it in


def test_contacts_tie_strength_share():
    # one talker with 4 neighbours, listed 10000 times: 40000 contacts, each takes the message
    # in with 0.3; SE = sqrt(0.3 * 0.7 / 40000) = 0.00229
    adj = tie_weights(csr(5, [(0, 1), (0, 2), (0, 3), (0, 4)]), 0.3)
    talkers = np.zeros(10000, int)
    position, listener, _ = contacts(np.random.default_rng(2), adj, talkers, 5, ties(0.0))
    share = position.size / 40000
    assert abs(share - 0.3) < 5 * math.sqrt(0.3 * 0.7 / 40000)
    assert set(np.unique(listener)) <= {1, 2, 3, 4}


def test_contacts_use_each_ties_own_weight():
    # star 0-(1, 2, 3, 4); talker 0's ties weigh 1, 0, 1, 0: exactly 1 and 3 hear it
    adj = csr(5, [(0, 1), (0, 2), (0, 3), (0, 4)]).astype(np.float64)
    adj.data[:4] = [1.0, 0.0, 1.0, 0.0]  # row 0 comes first in CSR order
    position, listener, _ = contacts(np.random.default_rng(0), adj, np.array([0, 0]), 5, ties())
    np.testing.assert_array_equal(position, [0, 0, 1, 1])
    np.testing.assert_array_equal(listener, [1, 3, 1, 3])


def test_boost_multiplies_the_weight_and_is_capped_at_one():
    # weight 0.5: boost 2 -> 1.0 (everyone), boost 0 -> nobody, boost 4 -> 2.0 capped at 1
    adj = tie_weights(csr(3, [(0, 1), (0, 2)]), 0.5)
    g = np.random.default_rng(4)
    talkers = np.zeros(50, int)
    assert contacts(g, adj, talkers, 3, ties(), 2.0)[0].size == 100
    assert contacts(g, adj, talkers, 3, ties(), 0.0)[0].size == 0
    assert contacts(g, adj, talkers, 3, ties(), np.full(50, 4.0))[0].size == 100


def test_weak_ties_are_random_others_after_the_networks_own():
    # path 0-1, nodes 2..5 alone; every talker also meets 3 random others, all take it in
    adj = tie_weights(csr(6, [(0, 1)]), 1.0)
    talkers = np.array([0, 4])
    position, listener, weak = contacts(
        np.random.default_rng(5), adj, talkers, 6, ties(weak_ties=3, weak_tie_strength=1.0)
    )
    # the tie 0 -> 1 first, then 3 weak contacts of talker 0 and 3 of talker 4
    np.testing.assert_array_equal(position, [0, 0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(weak, [False, True, True, True, True, True, True])
    assert listener[0] == 1
    assert np.all(listener != talkers[position])  # never the talker itself
    assert listener.min() >= 0 and listener.max() < 6


def test_weak_tie_strength_share_and_uniform_draws():
    # 20000 talkers x 2 weak contacts among 5 customers with beta_w = 0.2:
    # 40000 contacts, share 0.2, SE = sqrt(0.2 * 0.8 / 40000) = 0.002; the 4 others of
    # talker 0 are met equally often: each 1/4 of the heard, SE = sqrt(1/4 * 3/4 / 8000)
    adj = tie_weights(csr(5, [(1, 2)]), 0.0)
    position, listener, weak = contacts(
        np.random.default_rng(6),
        adj,
        np.zeros(20000, int),
        5,
        ties(weak_ties=2, weak_tie_strength=0.2),
    )
    assert weak.all()
    assert abs(position.size / 40000 - 0.2) < 5 * math.sqrt(0.2 * 0.8 / 40000)
    shares = np.bincount(listener, minlength=5) / listener.size
    assert shares[0] == 0.0
    assert np.all(np.abs(shares[1:] - 0.25) < 5 * math.sqrt(0.25 * 0.75 / listener.size))


def test_contacts_well_mixed_poisson_and_never_self():
    # Poisson(5) draws among 1000 customers, minus the 1/1000 that hit the talker:
    # mean 5 * 999/1000 = 4.995 per talker, SE = sqrt(5 / 4000) = 0.0354
    population, k = 1000, 4000
    g = np.random.default_rng(3)
    talkers = g.integers(0, population, k)
    position, listener, weak = contacts(g, None, talkers, population, ties(5.0))
    assert np.all(listener != talkers[position])
    assert listener.min() >= 0 and listener.max() < population
    assert abs(position.size / k - 4.995) < 5 * math.sqrt(5.0 / k)
    assert not weak.any()


def test_contacts_well_mixed_alone():
    # the only customer cannot talk to itself, not even by a weak tie
    alone = ties(20.0, weak_ties=3, weak_tie_strength=1.0)
    position, listener, _ = contacts(np.random.default_rng(0), None, np.array([0]), 1, alone)
    assert position.size == listener.size == 0


# --------------------------------------------------------------------------- compounded
@pytest.mark.parametrize(
    ("positive", "negative", "expected"),
    [
        (0, 0, 0.5),  # no message: unchanged
        (1, 0, 0.55),  # 1 - 0.5 * 0.9
        (2, 0, 0.595),  # 1 - 0.5 * 0.9^2
        (0, 1, 0.4),  # 0.5 * 0.8
        (0, 2, 0.32),  # 0.5 * 0.8^2
        (1, 1, 0.44),  # (1 - 0.5 * 0.9) * 0.8
        (3, 2, (1 - 0.5 * 0.9**3) * 0.8**2),  # 0.6355 * 0.64 = 0.40672
    ],
)
def test_compounded_hand_checked(positive, negative, expected):
    out = compounded(
        np.array([0.5]), np.array([positive]), np.array([negative]), Influence(0.1, 0.2)
    )
    assert out[0] == pytest.approx(expected)


def test_compounded_equals_messages_one_at_a_time():
    value = np.array([0.3, 0.7])
    once = compounded(value, np.array([3, 0]), np.array([0, 2]), Influence(0.1, 0.2))
    step = value
    for _ in range(3):
        step = compounded(step, np.array([1, 0]), np.array([0, 0]), Influence(0.1, 0.2))
    for _ in range(2):
        step = compounded(step, np.array([0, 0]), np.array([0, 1]), Influence(0.1, 0.2))
    np.testing.assert_allclose(once, step)
    # hand: 1 - 0.7 * 0.9^3 = 0.4897; 0.7 * 0.8^2 = 0.448
    np.testing.assert_allclose(once, [0.4897, 0.448])


# --------------------------------------------------------------------------- Messages
def test_messages_counts():
    m = Messages(
        listener=np.array([4, 5, 6, 7]),
        shop=np.array([0, 1, 0, 2]),
        positive=np.array([True, True, False, True]),
    )
    pos, neg = m.counts(3)
    np.testing.assert_array_equal(pos, [1, 1, 1])
    np.testing.assert_array_equal(neg, [1, 0, 0])
    pos, neg = Messages.none().counts(3)
    np.testing.assert_array_equal(pos, [0, 0, 0])
    np.testing.assert_array_equal(neg, [0, 0, 0])


# --------------------------------------------------------------------------- shocks
@pytest.mark.parametrize("curve", [STEP, {"talk_base": 0.05, "talk_curvature": 2.0}])
def test_shock_victims_decry_as_after_the_worst_experience(monkeypatch, curve):
    # a breach is the worst experience (x = 0) to its victims: negative_propensity 1 makes
    # every victim with talkativeness 1 decry, under the step and the U alike; a silent one
    # (talkativeness 0) never does
    from loyaltysim.engine.model import LoyaltyModel
    from loyaltysim.engine.phases import market
    from strategy_helpers import ALPHA, tiny_scenario

    experience = {"negative_propensity": 1.0, "positive_threshold": 0.5}
    experience |= {"negative_threshold": 0.5, **curve}
    model = LoyaltyModel(tiny_scenario(experience=experience), rng=3, create_agents=False)
    with model.mutate.by_hand() as state:
        state.experiences[[0, 1, 2], ALPHA] = 1
        state.talkativeness[:] = 1.0
        state.talkativeness[2] = 0.0
    told = []
    monkeypatch.setattr(market, "spread", lambda _m, *args: told.append(args))
    market.shock(model, ALPHA, 0.3, 0.2)
    ((talker, shop, positive, _decision),) = told
    np.testing.assert_array_equal(talker, [0, 1])
    np.testing.assert_array_equal(shop, [ALPHA, ALPHA])
    assert not positive.any()


# --------------------------------------------------------------------------- the keys
@pytest.mark.parametrize(
    ("experience", "path"),
    [
        ({"negative_threshold": 0.6, "positive_threshold": 0.5}, "experience"),
        ({"talk_curvature": 11.0}, "experience.talk_curvature"),
        ({"talk_curvature": -1.0}, "experience.talk_curvature"),
        ({"talk_base": 1.5}, "experience.talk_base"),
    ],
)
def test_bad_talk_keys_are_located_problems(experience, path):
    from loyaltysim.scenario.problems import ScenarioError
    from strategy_helpers import tiny_scenario

    with pytest.raises(ScenarioError) as caught:
        tiny_scenario(experience=experience)
    (problem,) = caught.value.problems
    assert problem.path == path, str(caught.value)


def test_equal_thresholds_are_a_u_and_fill_the_talk_record():
    from loyaltysim.engine.rules import Rules
    from strategy_helpers import tiny_scenario

    experience = {"positive_threshold": 0.5, "negative_threshold": 0.5, "talk_curvature": 2.0}
    talk = Rules.of(tiny_scenario(experience=experience).experience).talk
    assert talk == Talk(0.5, 0.5, 0.1, 0.15, talk_base=0.0, talk_curvature=2.0)
