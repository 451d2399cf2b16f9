"""Per-customer records: the final state of every customer, including those who left.

A slot is reused when a newcomer arrives, so a leaver's ties to shops are copied into a
:class:`DepartedLog` at the moment it leaves; :func:`customer_records` joins that log with the
customers still in the market. The table is long (one row per customer and shop the customer
knew or bought from) and feeds retention, repurchase and lifetime-value figures; its
``heard_first`` says how the customer first heard of the shop (``HEARD_FROM``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from loyaltysim.engine.state import HEARD_FROM, NEVER, CustomerState

#: Per customer x shop columns copied from the state.
PAIR_FIELDS = (
    "aware",
    "dropped",
    "orders",
    "spend",
    "margin",
    "satisfaction",
    "trust",
    "expectation",
    "experiences",
    "first_order_day",
    "last_order_day",
    "churn_day",
    "order_months",
    "heard_first",
)
#: Per customer columns copied from the state.
CUSTOMER_FIELDS = (
    "uid",
    "segment",
    "region",
    "joined",
    "main_shop",
    "price_sensitivity",
    "need_scale",
    "dropout",
    "alive",
)


#: Per customer x shop columns a membership programme reports (``engine/standing``): the
#: tier code (-1: not a member) and points (NaN).
STANDING_FIELDS = ("tier", "points")
#: What a tie reports where no programme runs: no tier, no points.
NO_STANDING = {"tier": (-1, np.int16), "points": (np.nan, np.float64)}


def _split(
    state: CustomerState,
    slots: np.ndarray,
    left: int | None,
    standing: dict[str, np.ndarray] | None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The customers' own fields (a row per slot) and their ties (a row per known shop).

    A tie's ``row`` is its customer's row; its shop is an int16 (ten shops need no int64)
    and it carries ``STANDING_FIELDS`` only if ``standing`` is given.
    """
    known = state.aware[slots] | state.dropped[slots] | (state.last_order_day[slots] != NEVER)
    rows, shop = np.nonzero(known)
    customers = {name: getattr(state, name)[slots] for name in CUSTOMER_FIELDS}
    customers["slot"] = slots
    customers["left"] = np.full(slots.shape[0], NEVER if left is None else left, np.int32)
    slot = slots[rows]
    pairs = {"row": rows.astype(np.int32), "shop": shop.astype(np.int16)}
    for name in PAIR_FIELDS:
        pairs[name] = getattr(state, name)[slot, shop]
    if standing is not None:
        for name in STANDING_FIELDS:
            pairs[name] = standing[name][rows, shop]
    return customers, pairs


def _expand(
    customers: dict[str, np.ndarray], pairs: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """One row per tie, the customer's fields repeated: the columns of the records table."""
    rows = pairs["row"]
    out = {name: customers[name][rows] for name in CUSTOMER_FIELDS}
    out["slot"] = customers["slot"][rows]
    out["shop"] = pairs["shop"].astype(np.int64)
    out["left"] = customers["left"][rows]
    for name in (*PAIR_FIELDS, *STANDING_FIELDS):
        out[name] = pairs[name]
    return out


def _no_standing(name: str, n: int) -> np.ndarray:
    """``n`` ties' ``name`` (a ``STANDING_FIELDS``) outside any programme."""
    fill, dtype = NO_STANDING[name]
    return np.full(n, fill, dtype)


def _join(
    chunks: list[tuple[dict[str, np.ndarray], dict[str, np.ndarray]]],
) -> dict[str, np.ndarray]:
    """The rows of split ``chunks``, in their order, expanded once (not chunk by chunk)."""
    offsets = np.cumsum([0, *(customers["slot"].shape[0] for customers, _ in chunks[:-1])])
    customers = {k: np.concatenate([c[k] for c, _ in chunks]) for k in chunks[0][0]}
    pairs = {
        "row": np.concatenate(
            [p["row"] + offset for (_, p), offset in zip(chunks, offsets, strict=True)]
        )
    }
    for name in ("shop", *PAIR_FIELDS):
        pairs[name] = np.concatenate([p[name] for _, p in chunks])
    for name in STANDING_FIELDS:  # ties outside any programme carry none: filled in here
        parts = [p[name] if name in p else _no_standing(name, len(p["row"])) for _, p in chunks]
        pairs[name] = np.concatenate(parts)
    return _expand(customers, pairs)


class DepartedLog:
    """Records of customers who have left the market, kept in arrival order of their leaving.

    Kept split, the customers' own fields once per customer and the ties per shop, and
    expanded only by :meth:`rows`: the log grows all run long (a year of a 1,000,000-customer,
    10-shop market leaves 587,367 ties: 67 MiB written out, 120 bytes a tie; 41 MiB split).
    """

    def __init__(self, shops: int) -> None:
        self.shops = shops
        self.chunks: list[tuple[dict[str, np.ndarray], dict[str, np.ndarray]]] = []

    def add(
        self,
        state: CustomerState,
        slots: np.ndarray,
        day: int,
        standing: dict[str, np.ndarray] | None = None,
    ) -> None:
        """Copy the records of customers in ``slots``, who leave on ``day``."""
        self.chunks.append(_split(state, slots, day, standing))

    def rows(self) -> dict[str, np.ndarray]:
        """The leavers' rows (customer x shop), in the order they left, as columns."""
        return _join(self.chunks) if self.chunks else {}


def customer_records(
    state: CustomerState,
    departed: DepartedLog,
    shop_names: list[str],
    segment_names: list[str],
    region_names: list[str],
    standing: Callable[[np.ndarray], dict[str, np.ndarray]] | None = None,
    tier_names: list[str] | None = None,
) -> pd.DataFrame:
    """One row per customer and shop it knew or bought from; ``left`` is NaN if still here.

    ``standing`` gives the active customers' tiers and points (``Standings.of``), whose
    tier codes index ``tier_names``.
    """
    active = np.flatnonzero(state.active)
    here = None if standing is None else standing(active)
    data = _join([*departed.chunks, _split(state, active, None, here)])
    frame = pd.DataFrame(data)
    frame = frame.rename(columns={"uid": "customer"})
    frame["shop"] = pd.Categorical.from_codes(frame["shop"], shop_names)
    frame["segment"] = pd.Categorical.from_codes(frame["segment"], segment_names)
    frame["region"] = pd.Categorical.from_codes(frame["region"], region_names)
    frame["heard_first"] = pd.Categorical.from_codes(frame["heard_first"] - 1, HEARD_FROM)
    main = frame["main_shop"].to_numpy()
    frame["main_shop"] = pd.Categorical.from_codes(np.where(main < 0, -1, main), shop_names)
    frame["is_main_shop"] = main == frame["shop"].cat.codes.to_numpy()
    frame["tier"] = pd.Categorical.from_codes(frame["tier"], tier_names or [])
    for col in ("first_order_day", "last_order_day", "churn_day", "left"):
        values = frame[col].to_numpy()
        frame[col] = pd.array(np.where(values == NEVER, None, values), dtype="Int32")
    order = [
        "customer",
        "slot",
        "segment",
        "region",
        "joined",
        "left",
        "price_sensitivity",
        "need_scale",
        "dropout",
        "alive",
        "main_shop",
        "shop",
        "is_main_shop",
        *PAIR_FIELDS,
        *STANDING_FIELDS,
    ]
    return frame[order].sort_values(["customer", "shop"], kind="stable").reset_index(drop=True)
