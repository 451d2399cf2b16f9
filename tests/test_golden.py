"""The golden digests: every output table of every scenario is bit-identical to the record.

A refactoring must leave them unchanged. A change of the model's behaviour on purpose
rewrites ``tests/data/golden_digests.json`` with ``python scripts/golden_digests.py --write``,
once, and says why in its commit.
"""

from __future__ import annotations

import importlib.util
import json

import pytest

from conftest import DATA_DIR, REPO_ROOT

_spec = importlib.util.spec_from_file_location(
    "golden_digests", REPO_ROOT / "scripts" / "golden_digests.py"
)
golden_digests = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden_digests)

GOLDEN = json.loads((DATA_DIR / "golden_digests.json").read_text())


def test_every_scenario_has_a_golden_case():
    assert set(GOLDEN) == set(golden_digests.cases())


@pytest.mark.parametrize("case", sorted(golden_digests.cases()))
def test_outputs_are_bit_identical(case):
    current = golden_digests.compute([case])[case]
    assert not golden_digests.differences(GOLDEN[case], current)


def test_differences_name_each_column():
    old = {"customers": {"a": "1", "b": "2"}, "summary": {"x": "9"}}
    new = {"customers": {"a": "1", "b": "3", "c": "4"}, "summary": {}}
    assert golden_digests.differences(old, new) == [
        "customers.b: values changed",
        "customers.c: new column",
        "summary.x: column gone",
    ]
    assert golden_digests.differences(old, old) == []
