"""Public ratings: stars from satisfaction and the Bayesian mean with a prior."""

import numpy as np
import pytest

from loyaltysim.mechanisms.ratings import RatingBoard, stars


def test_stars_mapping():
    # 1 + 4x rounded: 0 -> 1; 0.1 -> 1.4 -> 1; 0.2 -> 1.8 -> 2; 0.5 -> 3; 0.7 -> 3.8 -> 4;
    # 0.9 -> 4.6 -> 5; 1 -> 5; outside 0..1 clipped to 1..5
    x = np.array([0.0, 0.1, 0.2, 0.5, 0.7, 0.9, 1.0, -0.2, 1.3])
    out = stars(x)
    np.testing.assert_array_equal(out, [1, 1, 2, 3, 4, 5, 5, 1, 5])
    assert out.dtype == np.int8


def test_empty_board_shows_the_prior():
    board = RatingBoard(3, prior_mean=4.0, prior_weight=20.0)
    np.testing.assert_allclose(board.rating, [4.0, 4.0, 4.0])


def test_bayesian_rating_with_prior():
    board = RatingBoard(3, prior_mean=4.0, prior_weight=20.0)
    board.add(np.array([0, 0, 0]), np.array([5, 5, 1], np.int8))
    board.add(np.full(10, 1), np.ones(10, np.int8))
    board.add(np.empty(0, int), np.empty(0, np.int8))  # nothing rated: no change
    # shop 0: (4*20 + 11) / (20 + 3) = 91/23 = 3.9565
    # shop 1: (80 + 10) / 30 = 3.0; shop 2: no ratings -> prior 4
    np.testing.assert_allclose(board.rating, [91 / 23, 3.0, 4.0])
    np.testing.assert_array_equal(board.count, [3, 10, 0])


def test_new_shop_is_neither_perfect_nor_hopeless():
    # one 5-star rating: (80 + 5)/21 = 4.048; one 1-star rating: (80 + 1)/21 = 3.857
    board = RatingBoard(2, prior_mean=4.0, prior_weight=20.0)
    board.add(np.array([0, 1]), np.array([5, 1], np.int8))
    np.testing.assert_allclose(board.rating, [85 / 21, 81 / 21])


def test_without_prior_the_rating_is_the_plain_mean():
    board = RatingBoard(1, prior_mean=4.0, prior_weight=0.0)
    board.add(np.array([0, 0]), np.array([5, 4], np.int8))
    assert board.rating[0] == pytest.approx(4.5)


def test_many_ratings_outweigh_the_prior():
    # 980 ratings of 2 stars: (80 + 1960) / 1000 = 2.04
    board = RatingBoard(1, prior_mean=4.0, prior_weight=20.0)
    board.add(np.zeros(980, int), np.full(980, 2, np.int8))
    assert board.rating[0] == pytest.approx(2.04)
