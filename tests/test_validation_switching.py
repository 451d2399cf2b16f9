"""The fast case of validation/switching.py: a breach's fall in spending.

Three replications (about 30 s of CPU). Only the breach check that three replications
resolve is asserted: the fall in the breached shop's spending. Where thrift's lost orders
go is measured too but not asserted here: with NBD need rates (shape 0.78) a 90-day count of
orders is overdispersed, and the breached and unbreached runs draw apart after the breach,
so the other shops' gain (about 100 of about 200 lost orders) is within one replication's
spread (sd about 140 orders at 4,000 customers). The hostage checks, the patronage and
membership contrasts and the migration need more replications
(``scripts/validate_mechanisms.py --only switching``; docs/validation.md gives their
intervals).
"""

from __future__ import annotations

import pytest
from validation import switching

pytestmark = pytest.mark.validation


def test_breach_cuts_spending():
    checks = {check.claim: check for check in switching.measure(3)}
    fall = checks["breach: relative fall in the breached shop's spending, 90 days"]
    assert fall.agrees, fall.row()
    assert len(checks) == 6
