"""Parcels on their way: structured arrays, filed by the day they fall due.

The queue is touched twice a day (the day's parcels go in, the parcels due come out), and
both must stay cheap however many parcels are in transit. So parcels travel as structured
arrays (a row per parcel, a field per :data:`PARCEL_FIELDS`), where a set of parallel
columns would cost one numpy call per column for every add and every pop; and each add is
sorted by due day once and filed in one bucket per due day, so neither adding nor popping
touches the parcels that stay (merging into one sorted queue copied all of them daily).

Parcels leave in the order they were added (an ``order`` number each, counting the adds),
as a queue that appended and filtered would hand them out: a day's pop holds one due day,
whose bucket is already in that order; a pop over several due days (the run's end) is
sorted back to it.
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
    """Parcels in transit, filed by due day; ``pop_due`` costs per parcel popped.

    ``fields`` names what each parcel carries (``PARCEL_FIELDS``, plus ``ORDER_FIELDS`` when
    the orders are logged on delivery); the queue adds its :data:`ORDER_NUMBER`. Pops return
    structured arrays: ``parcels["slot"]`` is a column, ``parcels[mask]`` a subset.
    """

    def __init__(self, fields: dict[str, type] = PARCEL_FIELDS) -> None:
        self.fields = dict(fields)
        self.dtype = np.dtype([*self.fields.items(), (ORDER_NUMBER, np.int64)])
        self._due: dict[int, list[np.ndarray]] = {}  # due day -> its parcels, in adding order
        self._count = 0
        self._added = 0

    def __len__(self) -> int:
        return self._count

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
        return self._take([d for d in self._due if d <= day])

    def pop_all(self) -> np.ndarray:
        """Remove and return every parcel still on its way (the run ends)."""
        return self._take(list(self._due))

    def _insert(self, rows: np.ndarray) -> None:
        """Number ``rows`` on from the last add and file them by due day (stably).

        Each bucket gets a copy of its slice of the sorted rows, after the parcels already in
        it: a view would keep the whole add alive until its last parcel arrives (weeks for a
        late parcel): at 1,000,000 customers, 39 MiB of views for 9 MiB of parcels.
        """
        if rows.shape[0] == 0:
            return
        rows[ORDER_NUMBER] = np.arange(self._added, self._added + rows.shape[0])
        self._added += rows.shape[0]
        self._count += rows.shape[0]
        rows = rows[np.argsort(rows["due"], kind="stable")]
        due = rows["due"]
        days, starts = np.unique(due, return_index=True)
        ends = [*starts[1:].tolist(), due.shape[0]]
        for day, start, end in zip(days.tolist(), starts.tolist(), ends, strict=True):
            part = rows if end - start == rows.shape[0] else rows[start:end].copy()
            self._due.setdefault(day, []).append(part)

    def _take(self, days: list[int]) -> np.ndarray:
        """The parcels due on ``days``, in the order they were added.

        Each bucket owns its arrays, so what is returned holds no other day's parcels.
        """
        parts = [part for day in sorted(days) for part in self._due.pop(day)]
        if not parts:
            return np.empty(0, self.dtype)
        # the dtype given: otherwise numpy promotes the structured dtype field by field,
        # 10 of 2.4 us a call (about 0.1 ms a day at 10,000 customers)
        head = np.concatenate(parts, dtype=self.dtype) if len(parts) > 1 else parts[0]
        self._count -= head.shape[0]
        if len(days) > 1:
            head = head[np.argsort(head[ORDER_NUMBER], kind="stable")]
        return head
