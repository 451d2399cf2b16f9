"""The fast case of validation/switching.py: a breach's fall in spending and where it goes.

Three replications (about 30 s of CPU). Only the breach checks that three replications
resolve are asserted: the fall in the breached shop's spending and the move of its lost
orders to other shops. The hostage checks and the patronage and membership contrasts need
more replications (``scripts/validate_mechanisms.py --only switching``; docs/validation.md
gives their intervals, and the hostage checks disagree there).
"""

from __future__ import annotations

import pytest
from validation import switching

pytestmark = pytest.mark.validation


def test_breach_cuts_spending_and_moves_it_to_other_shops():
    checks = {check.claim: check for check in switching.measure(3)}
    fall = checks["breach: relative fall in the breached shop's spending, 90 days"]
    moved = checks["breach: share of the thrift orders lost that went to other shops"]
    assert fall.agrees, fall.row()
    assert moved.agrees, moved.row()
    assert len(checks) == 6
