"""The fast case of validation/switching.py: a breach's fall in spending, and where it goes.

Three replications (about 30 s of CPU). Asserted: the fall in the breached shop's spending,
the larger fall of low- than of high-patronage customers, and the migration of the lost
orders to the other shops. The last two need the breached and unbreached runs paired
customer by customer: with NBD need rates (shape 0.78) a 90-day count of orders is
overdispersed, and when the runs shared only a seed the other shops' gain (about 100 of
about 200 lost orders) was within one replication's spread. The keyed random numbers give
each customer the same numbers in both runs (3 replications, seeds 1-3: patronage 0.101
[0.056, 0.146], migration 0.65 [0.54, 0.76]). The hostage checks and the membership
contrast need more replications (``scripts/validate_mechanisms.py --only switching``;
docs/validation.md gives their intervals).
"""

from __future__ import annotations

import pytest
from validation import switching

pytestmark = pytest.mark.validation


def test_breach_cuts_spending_more_for_the_less_loyal_and_sends_it_elsewhere():
    checks = {check.claim: check for check in switching.measure(3)}
    for claim in (
        "breach: relative fall in the breached shop's spending, 90 days",
        "breach: fall in spending, low- minus high-patronage customers",
        "breach: share of the thrift orders lost that went to other shops",
    ):
        assert checks[claim].agrees, checks[claim].row()
    assert len(checks) == 6
