"""Parcels on their way: one structured array, kept in the order they fall due.

The queue is touched twice a day (the day's parcels go in, the parcels due come out), and
both must stay cheap however many parcels are in transit. So the parcels live in ONE
structured array (a row per parcel, a field per :data:`PARCEL_FIELDS`), where a set of
parallel columns would cost one numpy call per column for every add and every pop; and the
rows are kept sorted by due day, so the parcels due come out as a prefix, with no mask over
the whole queue and no copy of the parcels that stay. Adding merges the new parcels in
(one insert of the sorted new rows).

Parcels leave in the order they were added (an ``order`` number each, counting the adds),
as a queue that appended and filtered would hand them out: a day's pop holds one due day,
already in that order; a pop over several due days (the run's end) is sorted back to it.
"""

from __future__ import annotations

import numpy as np

#: What every parcel carries, and its dtype.
PARCEL_FIELDS: dict[str, type] = {
    "slot": np.int64,
    "uid": np.int64,
    "shop": np.int64,
    "outcome": np.int8,
    "delay": np.int32,
    "days": np.int32,  # days from order to arrival (or to giving up on a lost parcel)
    "due": np.int64,
    "paid": np.float64,
}
#: What a parcel also carries when the run keeps a transaction log: its order's details.
ORDER_FIELDS: dict[str, type] = {
    "ordered": np.int32,
    "goods": np.float64,
    "fee": np.float64,
    "quantity": np.float64,
    "discount": np.float64,
    "tier": np.int16,
    "points": np.float64,
}
#: The queue's own field: the parcel's place in the order of adding.
ORDER_NUMBER = "queued"


class ParcelQueue:
    """Parcels in transit, sorted by due day; ``pop_due`` costs per parcel popped.

    ``fields`` names what each parcel carries (``PARCEL_FIELDS``, plus ``ORDER_FIELDS`` when
    the orders are logged on delivery); the queue adds its :data:`ORDER_NUMBER`. Pops return
    structured arrays: ``parcels["slot"]`` is a column, ``parcels[mask]`` a subset.
    """

    def __init__(self, fields: dict[str, type] = PARCEL_FIELDS) -> None:
        self.fields = dict(fields)
        self.dtype = np.dtype([*self.fields.items(), (ORDER_NUMBER, np.int64)])
        self._rows = np.empty(0, self.dtype)  # the parcels, a view into one of two buffers
        self._spare = np.empty(0, self.dtype)  # the other buffer: the next merge's target
        self._added = 0

    def __len__(self) -> int:
        return int(self._rows.shape[0])

    def add(self, **parcels: np.ndarray) -> None:
        """New parcels, one array per field, all of one length (extra keys are ignored)."""
        rows = np.empty(parcels["slot"].shape[0], self.dtype)
        for name in self.fields:
            rows[name] = parcels[name]
        self._insert(rows)

    def put_back(self, parcels: np.ndarray, due: int) -> None:
        """Queue popped ``parcels`` again, due on ``due``, after the parcels already waiting."""
        rows = parcels.copy()
        rows["due"] = due
        self._insert(rows)

    def pop_due(self, day: int) -> np.ndarray:
        """Remove and return the parcels that arrive (or are given up on) by ``day``."""
        return self._take(int(np.searchsorted(self._rows["due"], day, side="right")))

    def pop_all(self) -> np.ndarray:
        """Remove and return every parcel still on its way (the run ends)."""
        return self._take(len(self))

    def _insert(self, rows: np.ndarray) -> None:
        """Number ``rows`` on from the last add and merge them in by due day (stably).

        The merge writes into the spare buffer, and the buffer the parcels were in becomes
        the spare: the two are reused day after day (growing by half when full), where a
        new array every day fragments the heap and the run's peak memory creeps up.
        """
        rows[ORDER_NUMBER] = np.arange(self._added, self._added + rows.shape[0])
        self._added += rows.shape[0]
        rows = rows[np.argsort(rows["due"], kind="stable")]
        total = self._rows.shape[0] + rows.shape[0]
        at = np.searchsorted(self._rows["due"], rows["due"], side="right")
        at += np.arange(rows.shape[0])  # where each new parcel lands in the merged queue
        stays = np.ones(total, bool)
        stays[at] = False
        if self._spare.shape[0] < total:
            self._spare = np.empty(total + total // 2, self.dtype)
        merged = self._spare[:total]
        merged[stays] = self._rows
        merged[at] = rows
        self._spare = self._rows.base if self._rows.base is not None else self._rows
        self._rows = merged

    def _take(self, count: int) -> np.ndarray:
        """The first ``count`` parcels, in the order they were added.

        A copy: what was popped must not keep the queue's whole array alive.
        """
        head, self._rows = self._rows[:count].copy(), self._rows[count:]
        if count and head["due"][0] != head["due"][-1]:
            head = head[np.argsort(head[ORDER_NUMBER], kind="stable")]
        return head
