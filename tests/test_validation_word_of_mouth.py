"""Validation: word of mouth as Anderson's (1998) U, against East, Hammond & Wright (2007).

Three replications of the baseline with the published settings; the intervals come from
their spread (``validation.common.measured``). Two checks are known disagreements of the
published curve, marked so strictly (they turn into failures the day the model agrees):
the baseline's customers are so satisfied (about 7% of experiences fall below the neutral
point) that positive messages outnumber negative ones about 20 : 1, not 3 : 1, and the
least satisfied tenth of customers is mildly satisfied, so it talks less than the most
satisfied tenth instead of modestly more.
"""

from __future__ import annotations

import pytest
from validation import word_of_mouth

pytestmark = pytest.mark.validation


@pytest.fixture(scope="module")
def checks():
    return {check.claim: check for check in word_of_mouth.measure(replications=3)}


@pytest.mark.parametrize("shop", ["middle", "premium", "thrift"])
def test_positive_word_of_mouth_is_more_common_at_every_shop(checks, shop):
    check = checks[f"positive : negative messages about {shop}"]
    assert check.agrees, check.row()


@pytest.mark.xfail(strict=True, reason="too few bad experiences in the baseline: ~20 : 1")
def test_market_ratio_is_east_hammond_wright_3_to_1(checks):
    check = checks["positive : negative messages, market-wide, over a year"]
    assert check.agrees, check.row()


@pytest.mark.xfail(strict=True, reason="the least satisfied tenth is mildly satisfied")
def test_least_satisfied_tenth_talks_modestly_more(checks):
    check = checks["talk probability, least / most satisfied tenth of customers"]
    assert check.agrees, check.row()


def test_published_curve_is_a_u_with_a_modest_asymmetry():
    # the U's two arms meet at the neutral point 0.5; criticism at x = 0 is 1.5 times
    # praise at x = 1 (0.15 / 0.1), below the folklore's 3 (the old 0.3 / 0.1)
    published = word_of_mouth.PUBLISHED
    assert published["experience.positive_threshold"] == published["experience.negative_threshold"]
    assert published["experience.negative_propensity"] / 0.1 == pytest.approx(1.5)
    assert published["experience.talk_curvature"] == 2.0
