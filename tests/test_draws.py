"""Keyed random numbers: the generator's known answers, and a number fixed by its place.

Statistical checks use a tolerance of 5 standard errors, written out next to each check.
"""

import numpy as np
import pytest
from scipy import stats

from loyaltysim.engine import draws as keyed
from loyaltysim.engine.draws import Decision, Draws, KeyedStream, expand, philox4x32

#: Random123's kat_vectors, the three "philox4x32 10" lines: counter, key, expected output.
KNOWN_ANSWERS = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]


@pytest.mark.parametrize(("counter", "key", "expected"), KNOWN_ANSWERS)
def test_philox_known_answers(counter, key, expected):
    out = philox4x32(np.array(counter, np.uint32), np.array(key, np.uint32))
    np.testing.assert_array_equal(out[0], np.array(expected, np.uint32))


def draws(seed=0):
    return Draws.of(np.random.default_rng(seed))


def test_a_number_depends_on_its_place_not_on_the_others():
    # customer 7's number is the same alone, among others, in any order, in any batch
    alone = draws().stream(Decision.CHOICE, 3, np.array([7])).random()[0]
    among = draws().stream(Decision.CHOICE, 3, np.array([9, 7, 1, 4])).random()
    backwards = draws().stream(Decision.CHOICE, 3, np.array([4, 1, 7, 9])).random()
    assert among[1] == alone
    assert backwards[2] == alone


def test_the_counter_words_each_change_the_number():
    d = draws()
    base = d.stream(Decision.CHOICE, 3, np.array([7])).random()[0]
    others = [
        draws().stream(Decision.CHURN, 3, np.array([7])).random()[0],  # decision
        draws().stream(Decision.CHOICE, 4, np.array([7])).random()[0],  # day
        draws().stream(Decision.CHOICE, 3, np.array([8])).random()[0],  # customer
        draws().stream(Decision.CHOICE, 3, np.array([7]), 1).random()[0],  # sub (shop)
        draws(1).stream(Decision.CHOICE, 3, np.array([7])).random()[0],  # seed
        d.stream(Decision.CHOICE, 3, np.array([7])).random()[0],  # a second opening
    ]
    assert base not in others
    assert len(set(others)) == len(others)


def test_each_call_on_a_stream_gets_new_numbers():
    s = draws().stream(Decision.COMPLAINT, 0, np.arange(5))
    first, second = s.random(), s.random()
    assert not np.intersect1d(first, second).size


def test_the_seed_sequence_of_the_model_generator_keys_without_drawing_from_it():
    rng = np.random.default_rng(5)
    Draws.of(rng)
    assert rng.random() == np.random.default_rng(5).random()


def test_uniforms_are_uniform():
    u = draws().stream(Decision.NEED, 0, np.arange(200_000)).random()
    assert u.min() >= 0.0 and u.max() < 1.0
    # SE(mean) = sqrt(1/12 / n) = 6.45e-4; Kolmogorov-Smirnov at the 0.1 % level
    assert abs(u.mean() - 0.5) < 5 * np.sqrt(1 / 12 / u.size)
    assert stats.kstest(u, "uniform").pvalue > 0.001
    # neighbouring customers are not correlated: SE(r) = 1 / sqrt(n)
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 5 / np.sqrt(u.size)


def test_normal_and_lognormal():
    s = draws().stream(Decision.QUALITY, 0, np.arange(100_000))
    z = s.normal(1.0, 2.0)
    # SE(mean) = 2 / sqrt(n) = 0.0063; SE(sd) ~ 2 / sqrt(2 n) = 0.0045
    assert abs(z.mean() - 1.0) < 5 * 2 / np.sqrt(z.size)
    assert abs(z.std() - 2.0) < 5 * 2 / np.sqrt(2 * z.size)
    assert stats.kstest((z - 1.0) / 2.0, "norm").pvalue > 0.001
    g = s.lognormal(-0.125, 0.5)  # mean 1
    assert abs(np.log(g).std() - 0.5) < 5 * 0.5 / np.sqrt(2 * g.size)


@pytest.mark.parametrize("lam", [0.0, 0.3, 4.0, 60.0, 2_000.0])
def test_poisson_by_inversion_and_for_huge_means(lam):
    k = draws().stream(Decision.DELIVERY, 0, np.arange(100_000)).poisson(lam)
    assert k.dtype == np.int64 and k.min() >= 0
    sd = np.sqrt(lam)
    # SE(mean) = sqrt(lam / n); SE(variance) ~ lam sqrt(2 / n) (plus the excess kurtosis 1/lam)
    assert abs(k.mean() - lam) <= 5 * sd / np.sqrt(k.size)
    assert abs(k.var() - lam) <= 5 * np.sqrt((2 * lam**2 + lam) / k.size)


def test_poisson_takes_a_mean_per_row():
    lam = np.array([0.0, 1.0, 5.0] * 20_000)
    k = draws().stream(Decision.DELIVERY, 0, np.arange(lam.size)).poisson(lam)
    for mean in (0.0, 1.0, 5.0):
        got = k[lam == mean]
        assert abs(got.mean() - mean) <= 5 * np.sqrt(max(mean, 1e-9) / got.size)


def test_integers_cover_the_range_evenly():
    k = draws().stream(Decision.CONTACT, 0, np.arange(60_000)).integers(1, 7)
    counts = np.bincount(k, minlength=7)
    assert counts[0] == 0 and k.max() == 6
    assert stats.chisquare(counts[1:]).pvalue > 0.001


def test_expand_gives_each_message_its_own_number_fixed_by_its_rank():
    talkers = draws().stream(Decision.CONTACT, 2, np.array([10, 20]))
    # talker 20 sends 3 messages; its numbers do not depend on talker 10's count
    one = expand(talkers, np.array([0, 1, 1, 1])).random()
    talkers = draws().stream(Decision.CONTACT, 2, np.array([10, 20]))
    many = expand(talkers, np.array([0, 0, 0, 0, 1, 1, 1])).random()
    np.testing.assert_array_equal(one[1:], many[4:])
    assert np.unique(many).size == many.size
    # the messages' numbers differ from the talkers' own (lane 0) at the same call
    own = draws().stream(Decision.CONTACT, 2, np.array([10, 20])).random()
    assert not np.intersect1d(own, many).size


def test_expand_of_a_generator_is_the_generator():
    rng = np.random.default_rng(0)
    assert expand(rng, np.array([0, 0, 1])) is rng


def test_a_stream_draws_one_number_per_row():
    s = draws().stream(Decision.RATING, 0, np.arange(4))
    with pytest.raises(ValueError, match="4 rows"):
        s.random(5)
    assert s.random((4,)).shape == (4,)


def test_subs_are_one_or_one_per_customer():
    with pytest.raises(ValueError, match="3 subs for 2 customers"):
        draws().stream(Decision.TALK, 0, np.arange(2), np.arange(3))


def test_threads_do_not_change_a_number(monkeypatch):
    uid = np.arange(100_000)
    serial = draws().stream(Decision.NEED, 1, uid).random()
    monkeypatch.setattr(keyed, "PARALLEL_FROM", 1)
    threaded = draws().stream(Decision.NEED, 1, uid).random()
    np.testing.assert_array_equal(serial, threaded)


def test_keyed_streams_are_what_the_sampling_helpers_take():
    from loyaltysim.engine.sampling import bernoulli_indices, thinned_indices

    s = draws().stream(Decision.NEED, 0, np.arange(50_000))
    u = draws().stream(Decision.NEED, 0, np.arange(50_000)).random()
    np.testing.assert_array_equal(bernoulli_indices(s, 50_000, 0.1), np.flatnonzero(u < 0.1))
    # thinning keeps exactly those with u < p(i): customer i's decision is its own number's
    s = draws().stream(Decision.NEED, 0, np.arange(50_000))
    p = np.linspace(0.0, 0.2, 50_000)
    picked = thinned_indices(s, 50_000, 0.2, lambda i: p[i])
    np.testing.assert_array_equal(picked, np.flatnonzero(u < p))
    assert isinstance(s, KeyedStream)


def test_models_on_one_seed_sequence_share_their_keys():
    # a base and its variant built on the same SeedSequence object: spawning would count
    # children on it and key the second model differently
    seq = np.random.SeedSequence(11)
    first = Draws.of(np.random.default_rng(seq)).stream(Decision.NEED, 0, np.arange(3)).random()
    again = Draws.of(np.random.default_rng(seq)).stream(Decision.NEED, 0, np.arange(3)).random()
    np.testing.assert_array_equal(first, again)
    assert seq.n_children_spawned == 0


def test_below_takes_a_threshold_per_row_in_blocks_and_row_by_row():
    # 1,300 rows: two whole blocks of the vectorised pass and a partial one; a shop per
    # row takes the row-by-row pass instead; both give random()'s numbers
    uid = np.arange(1_300) * 7 + 3
    limit = np.linspace(0.0, 1.0, uid.size)
    for sub in (0, np.arange(uid.size) % 3):
        rows, u = draws().stream(Decision.QUALITY, 2, uid, sub).below(limit)
        every = draws().stream(Decision.QUALITY, 2, uid, sub).random()
        np.testing.assert_array_equal(rows, np.flatnonzero(every < limit))
        np.testing.assert_array_equal(u, every[rows])
    with pytest.raises(ValueError, match="1300 rows got 2 thresholds"):
        draws().stream(Decision.NEED, 2, uid).below(np.array([0.1, 0.2]))


def test_thinning_with_bounds_per_row_keeps_the_same_rows():
    # a bound per row (at least its probability) picks exactly what one p_max picks
    from loyaltysim.engine.sampling import thinned_indices

    uid = np.arange(30_000)
    p = np.random.default_rng(1).gamma(0.5, 0.04, uid.size)
    s = draws().stream(Decision.NEED, 5, uid)
    by_max = thinned_indices(s, uid.size, float(p.max()), lambda i: p[i])
    s = draws().stream(Decision.NEED, 5, uid)
    by_row = thinned_indices(s, uid.size, float(p.max()), lambda i: p[i], lambda: p * 1.5)
    np.testing.assert_array_equal(by_row, by_max)
    assert by_max.size > 500


def test_below_finds_the_rows_random_would_put_below():
    uid = np.arange(20_000)
    rows, u = draws().stream(Decision.NEED, 4, uid).below(0.03)
    every = draws().stream(Decision.NEED, 4, uid).random()
    np.testing.assert_array_equal(rows, np.flatnonzero(every < 0.03))
    np.testing.assert_array_equal(u, every[rows])
