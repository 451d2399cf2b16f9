"""The customer records: leavers kept split (a customer's fields once, its ties per shop) give
the same table as the ties written out in full, on four hand-made customers."""

from __future__ import annotations

import numpy as np

from loyaltysim.engine.records import (
    CUSTOMER_FIELDS,
    PAIR_FIELDS,
    DepartedLog,
    customer_records,
)
from loyaltysim.engine.state import NEVER, CustomerState


def _state() -> CustomerState:
    """Four customers, three shops: 0 knows shops 0 and 2, 1 knows none, 2 bought at 1 after
    dropping it, 3 knows shop 1."""
    s = CustomerState.empty(4, 3)
    s.active[:] = True
    s.uid[:] = [10, 11, 12, 13]
    s.segment[:] = [0, 1, 0, 1]
    s.joined[:] = [-5, -4, -3, 2]
    s.aware[0, [0, 2]] = True
    s.aware[3, 1] = True
    s.dropped[2, 1] = True
    s.last_order_day[2, 1] = 4
    s.orders[2, 1] = 3
    s.spend[:] = np.arange(12, dtype=float).reshape(4, 3)
    return s


def _written_out(state: CustomerState, slots: list[int], left: int):
    """The rows of ``slots`` as the table has them: one per known shop, by hand."""
    rows = []
    for slot in slots:
        for shop in range(state.shops):
            known = state.aware[slot, shop] or state.dropped[slot, shop]
            if not known and state.last_order_day[slot, shop] == NEVER:
                continue
            row = {name: getattr(state, name)[slot] for name in CUSTOMER_FIELDS}
            row |= {name: getattr(state, name)[slot, shop] for name in PAIR_FIELDS}
            row |= {"slot": slot, "shop": shop, "left": left}
            row |= {"tier": -1, "points": np.nan}  # no programme
            rows.append(row)
    return rows


def test_a_leaver_is_kept_once_and_its_ties_once_each():
    state, log = _state(), DepartedLog(3)
    log.add(state, np.array([0, 1, 2]), 7)
    customers, ties = log.chunks[0]
    assert customers["uid"].tolist() == [10, 11, 12]  # customer 1 knew no shop: no tie
    assert ties["row"].tolist() == [0, 0, 2] and ties["shop"].tolist() == [0, 2, 1]
    assert "tier" not in ties  # no programme: nothing stored, filled in by rows()
    rows = log.rows()
    want = _written_out(state, [0, 1, 2], 7)
    assert rows["shop"].dtype == np.int64
    for name in rows:
        np.testing.assert_array_equal(rows[name], [w[name] for w in want], err_msg=name)


def test_departures_with_and_without_a_programme_join_in_leaving_order():
    state, log = _state(), DepartedLog(3)
    log.add(state, np.array([2]), 5)
    tier = np.array([[1, 0, 2]], np.int16)  # the standing of the one leaver, at each shop
    points = np.array([[40.0, 0.0, 95.0]])
    log.add(state, np.array([0]), 6, {"tier": tier, "points": points})
    rows = log.rows()
    assert rows["uid"].tolist() == [12, 10, 10]
    assert rows["left"].tolist() == [5, 6, 6]
    assert rows["shop"].tolist() == [1, 0, 2]
    assert rows["tier"].tolist() == [-1, 1, 2]
    np.testing.assert_array_equal(rows["points"], [np.nan, 40.0, 95.0])
    assert rows["spend"].tolist() == [7.0, 0.0, 2.0]


def test_the_table_has_leavers_and_stayers_sorted_by_customer_and_shop():
    state, log = _state(), DepartedLog(3)
    log.add(state, np.array([2]), 5)
    state.active[2] = False
    table = customer_records(state, log, ["a", "b", "c"], ["s0", "s1"], ["r0"])
    assert table["customer"].tolist() == [10, 10, 12, 13]
    assert table["shop"].astype(str).tolist() == ["a", "c", "b", "b"]
    assert table["left"].tolist()[2] == 5 and table["left"].isna().sum() == 3
    assert table["orders"].tolist() == [0, 0, 3, 0]
    assert table["dropped"].tolist() == [False, False, True, False]
