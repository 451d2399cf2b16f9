"""Validation: word of mouth as Anderson's (1998) U, against East, Hammond & Wright (2007).

Three replications of the baseline with the published settings; the intervals come from
their spread (``validation.common.measured``). With every published mechanism on (the
loss-averse disconfirmation and delivery against the promise make bad experiences as
common as they are), the least satisfied tenth talks modestly more than the most
satisfied. Two checks are known disagreements, marked strictly (each turns into a failure
the day the model agrees): thrift, with its poor courier, hears more criticism than praise
(0.94 : 1), where East, Hammond & Wright found positive word of mouth more common in every
category they studied; and the market's ratio, 5.8 : 1 with equal need rates, is 6.9 : 1
with the NBD rates (shape 0.78), above the 1.5 to 6 we take as agreeing with their 3 : 1.
"""

from __future__ import annotations

import pytest
from validation import word_of_mouth

pytestmark = pytest.mark.validation


@pytest.fixture(scope="module")
def checks():
    return {check.claim: check for check in word_of_mouth.measure(replications=3)}


@pytest.mark.parametrize(
    "shop",
    [
        "middle",
        "premium",
        pytest.param(
            "thrift",
            marks=pytest.mark.xfail(strict=True, reason="thrift's poor courier: 0.94 : 1"),
        ),
    ],
)
def test_positive_word_of_mouth_is_more_common_at_every_shop(checks, shop):
    check = checks[f"positive : negative messages about {shop}"]
    assert check.agrees, check.row()


@pytest.mark.xfail(
    strict=True,
    reason="7.1 : 1 with NBD need rates and keyed numbers (5.8 : 1 with equal rates), above "
    "the 1.5 to 6 taken as agreeing (docs/validation.md, section 6.0)",
)
def test_market_ratio_is_east_hammond_wright_3_to_1(checks):
    check = checks["positive : negative messages, market-wide, over a year"]
    assert check.agrees, check.row()


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
