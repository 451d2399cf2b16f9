"""Per-customer records: the final state of every customer, including those who left.

A slot is reused when a newcomer arrives, so a leaver's ties to shops are copied into a
:class:`DepartedLog` at the moment it leaves; :func:`customer_records` joins that log with the
customers still in the market. The table is long (one row per customer and shop the customer
knew or bought from) and feeds retention, repurchase and lifetime-value figures; its
``heard_first`` says how the customer first heard of the shop (``HEARD_FROM``).
"""

from __future__ import annotations

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


def _pairs(state: CustomerState, slots: np.ndarray, left: int | None) -> dict[str, np.ndarray]:
    """Rows (customer x shop) of ``slots`` where the customer knew or bought from the shop."""
    known = state.aware[slots] | state.dropped[slots] | (state.last_order_day[slots] != NEVER)
    rows, shop = np.nonzero(known)
    slot = slots[rows]
    out = {name: getattr(state, name)[slot] for name in CUSTOMER_FIELDS}
    out["slot"] = slot
    out["shop"] = shop
    out["left"] = np.full(slot.shape[0], NEVER if left is None else left, np.int32)
    for name in PAIR_FIELDS:
        out[name] = getattr(state, name)[slot, shop]
    return out


class DepartedLog:
    """Records of customers who have left the market, kept in arrival order of their leaving."""

    def __init__(self, shops: int) -> None:
        self.shops = shops
        self.chunks: list[dict[str, np.ndarray]] = []

    def add(self, state: CustomerState, slots: np.ndarray, day: int) -> None:
        """Copy the records of customers in ``slots``, who leave on ``day``."""
        self.chunks.append(_pairs(state, slots, day))


def customer_records(
    state: CustomerState,
    departed: DepartedLog,
    shop_names: list[str],
    segment_names: list[str],
    region_names: list[str],
) -> pd.DataFrame:
    """One row per customer and shop it knew or bought from; ``left`` is NaN if still here."""
    chunks = [*departed.chunks, _pairs(state, np.flatnonzero(state.active), None)]
    data = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[-1]}
    frame = pd.DataFrame(data)
    frame = frame.rename(columns={"uid": "customer"})
    frame["shop"] = pd.Categorical.from_codes(frame["shop"], shop_names)
    frame["segment"] = pd.Categorical.from_codes(frame["segment"], segment_names)
    frame["region"] = pd.Categorical.from_codes(frame["region"], region_names)
    frame["heard_first"] = pd.Categorical.from_codes(frame["heard_first"] - 1, HEARD_FROM)
    main = frame["main_shop"].to_numpy()
    frame["main_shop"] = pd.Categorical.from_codes(np.where(main < 0, -1, main), shop_names)
    frame["is_main_shop"] = main == frame["shop"].cat.codes.to_numpy()
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
    ]
    return frame[order].sort_values(["customer", "shop"], kind="stable").reset_index(drop=True)
