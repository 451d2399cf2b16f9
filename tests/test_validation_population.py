"""Validation: baby_products starts and stays in its steady state (essay 003's 70/20/10)."""

import pytest
from validation import population

pytestmark = pytest.mark.validation


def test_population_checks_agree_with_the_essay():
    # eight replications of the full-size file (10,000 customers, 180 + 365 days): a year's
    # arrivals and departures move the size by about 1.4% (sd over replications), so four
    # would give a 95% half-width of about 2.2% and could not show a band of 2.5%
    checks = population.measure(8)
    assert len(checks) == 10
    failed = [check.row() for check in checks if not check.agrees]
    assert not failed, "\n".join(failed)
