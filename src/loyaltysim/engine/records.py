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


def _pairs(
    state: CustomerState,
    slots: np.ndarray,
    left: int | None,
    standing: dict[str, np.ndarray] | None,
) -> dict[str, np.ndarray]:
    """Rows (customer x shop) of ``slots`` where the customer knew or bought from the shop.

    ``standing`` holds the ``(slots, shops)`` arrays of ``STANDING_FIELDS`` (None: no
    programme anywhere).
    """
    known = state.aware[slots] | state.dropped[slots] | (state.last_order_day[slots] != NEVER)
    rows, shop = np.nonzero(known)
    slot = slots[rows]
    out = {name: getattr(state, name)[slot] for name in CUSTOMER_FIELDS}
    out["slot"] = slot
    out["shop"] = shop
    out["left"] = np.full(slot.shape[0], NEVER if left is None else left, np.int32)
    for name in PAIR_FIELDS:
        out[name] = getattr(state, name)[slot, shop]
    out["tier"] = np.full(slot.shape[0], -1, np.int16)
    out["points"] = np.full(slot.shape[0], np.nan)
    if standing is not None:
        for name in STANDING_FIELDS:
            out[name] = standing[name][rows, shop]
    return out


class DepartedLog:
    """Records of customers who have left the market, kept in arrival order of their leaving."""

    def __init__(self, shops: int) -> None:
        self.shops = shops
        self.chunks: list[dict[str, np.ndarray]] = []

    def add(
        self,
        state: CustomerState,
        slots: np.ndarray,
        day: int,
        standing: dict[str, np.ndarray] | None = None,
    ) -> None:
        """Copy the records of customers in ``slots``, who leave on ``day``."""
        self.chunks.append(_pairs(state, slots, day, standing))


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
    chunks = [*departed.chunks, _pairs(state, active, None, here)]
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
