"""The parcel queue: parcels come out when due, in the order they went in, with their dtypes."""

import numpy as np
import pytest

from loyaltysim.engine.parcels import ORDER_FIELDS, PARCEL_FIELDS, ParcelQueue


def parcels(slot, due, paid=None):
    n = len(slot)
    return dict(
        slot=np.asarray(slot),
        uid=np.asarray(slot) + 100,
        shop=np.zeros(n, int),
        outcome=np.zeros(n, np.int8),
        delay=np.zeros(n, int),
        days=np.full(n, 3),
        due=np.asarray(due),
        paid=np.asarray(paid if paid is not None else np.full(n, 60.0)),
    )


def test_parcel_queue_pop_due():
    q = ParcelQueue()
    assert len(q) == 0
    assert q.pop_due(5).size == 0
    q.add(**parcels([0, 1, 2], [3, 5, 7]))
    q.add(**parcels([3], [4], paid=[90]))
    assert len(q) == 4
    out = q.pop_due(4)  # due 3 and 4 (due <= day)
    np.testing.assert_array_equal(out["slot"], [0, 3])
    np.testing.assert_array_equal(out["uid"], [100, 103])
    np.testing.assert_array_equal(out["paid"], [60.0, 90.0])
    assert out["paid"].dtype == np.float64
    assert out["delay"].dtype == np.int32
    assert len(q) == 2
    assert q.pop_due(4).size == 0  # nothing popped twice
    np.testing.assert_array_equal(q.pop_due(100)["slot"], [1, 2])
    assert len(q) == 0


def test_parcels_leave_in_the_order_they_were_added_whatever_their_due_days():
    # kept sorted by due day inside; a pop over several due days is put back in adding order
    q = ParcelQueue()
    q.add(**parcels([0, 1, 2, 3], [9, 2, 9, 5]))
    q.add(**parcels([4, 5], [5, 2]))
    np.testing.assert_array_equal(q.pop_due(2)["slot"], [1, 5])  # one due day
    np.testing.assert_array_equal(q.pop_due(5)["slot"], [3, 4])
    q.add(**parcels([6], [7]))
    np.testing.assert_array_equal(q.pop_all()["slot"], [0, 2, 6])  # due 9, 9, 7


def test_parcels_put_back_leave_after_those_already_waiting():
    # one parcel a day per customer and shop: the second is put back for tomorrow, and
    # tomorrow it comes after the parcels that were due then anyway, but before new ones
    q = ParcelQueue()
    q.add(**parcels([0, 0, 1], [3, 3, 4]))
    today = q.pop_due(3)
    q.put_back(today[1:], 4)
    q.add(**parcels([2], [4]))
    tomorrow = q.pop_due(4)
    np.testing.assert_array_equal(tomorrow["slot"], [1, 0, 2])
    np.testing.assert_array_equal(tomorrow["due"], [4, 4, 4])
    assert today["due"].tolist() == [3, 3]  # the popped parcels themselves are untouched


def test_parcel_queue_add_casts_dtypes():
    q = ParcelQueue()
    q.add(**parcels([1], [2], paid=[7]))  # integer price is stored as float64
    out = q.pop_all()
    assert out["paid"].dtype == np.float64
    assert out["paid"][0] == pytest.approx(7.0)
    assert out["outcome"].dtype == np.int8


def test_parcel_queue_carries_order_fields_only_when_asked():
    plain, logged = ParcelQueue(), ParcelQueue(PARCEL_FIELDS | ORDER_FIELDS)
    extra = {"ordered": [3], "goods": [50.0], "fee": [5.0], "quantity": [1.0], "discount": [2.0]}
    extra |= {"tier": [-1], "points": [np.nan]}
    for q in (plain, logged):
        q.add(**parcels([1], [2]), **{k: np.array(v) for k, v in extra.items()})
    assert set(PARCEL_FIELDS) <= set(plain.dtype.names)
    assert not set(ORDER_FIELDS) & set(plain.dtype.names)
    assert logged.dtype["ordered"] == np.int32
    everything = logged.pop_all()
    assert everything["discount"].tolist() == [2.0] and len(logged) == 0


def test_many_days_of_parcels_stay_in_order():
    # a month of adds and daily pops against a plain list kept in adding order
    rng = np.random.default_rng(3)
    q, waiting, added = ParcelQueue(), [], 0
    for day in range(30):
        n = int(rng.integers(0, 40))
        due = day + rng.integers(0, 6, n)
        q.add(**parcels(np.arange(added, added + n), due))
        waiting += list(zip(range(added, added + n), due, strict=True))
        added += n
        expected = [slot for slot, d in waiting if d <= day]
        waiting = [(slot, d) for slot, d in waiting if d > day]
        assert q.pop_due(day)["slot"].tolist() == expected
    assert q.pop_all()["slot"].tolist() == [slot for slot, _ in waiting]


def test_a_days_parcels_do_not_keep_the_rest_of_their_add_alive():
    # a late parcel must not hold on to the whole day's add while it waits (at 1,000,000
    # customers, weeks of days of parcels kept alive by one late parcel each)
    q = ParcelQueue()
    q.add(**parcels([0, 1, 2, 3], [2, 30, 2, 9]))
    early = q.pop_due(2)
    assert early["slot"].tolist() == [0, 2]
    for day in (9, 30):
        (part,) = q._due[day]
        assert part.base is None  # owns its rows, so it holds no other day's parcels
        assert not np.shares_memory(part, early)
    assert q.pop_due(30)["slot"].tolist() == [1, 3]  # in adding order
