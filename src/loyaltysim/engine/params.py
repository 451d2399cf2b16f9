"""Scenario values laid out as arrays indexed by shop, region and segment.

The mechanisms work on whole arrays of customers, so they need shop prices, courier
performance and segment needs as arrays too (``price[shop]``, ``on_time[shop, region]``),
not as nested pydantic objects. This module builds them once per model.
"""

from __future__ import annotations

from dataclasses import dataclass, make_dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel

if TYPE_CHECKING:
    from loyaltysim.scenario.schema import Scenario


# Shop fields that are not parameters of the day's rules: the per-region overrides are folded
# into the courier arrays, and strategies adjust the arrays themselves.
_NOT_ARRAYS = frozenset({"courier_by_region", "strategies"})
_PER_REGION = "courier"  # the sub-model ``Shop.courier_for(region)`` resolves per region
# Multipliers that no schema field sets: strategies raise them above 1 (see ``Strategy.adjust``).
_STRATEGY_KNOBS = ("complaint_voice", "talk_boost", "reach_boost")


@dataclass(frozen=True)
class ShopArrays:
    """Per-shop (``[s]``) and per-shop-per-region (``[s, r]``) parameters.

    Every field of the scenario's ``Shop`` model becomes ``params.<name>``: scalars and the fields
    of nested per-shop sections (``service``) as ``[s]`` arrays, the courier's fields (with their
    per-region overrides) as ``[s, r]`` arrays, so a new shop parameter is one schema field. A few
    arrays are derived rather than copied: ``promise`` (honest quality where unset),
    ``shipping_fee`` and ``shipping_cost`` (times the region's shipping factor, ``[s, r]``),
    ``lead_days`` (dispatch plus transit days of an on-time parcel, ``[s, r]``),
    ``promised_days`` (where unset, ``lead_days`` rounded to whole days as parcels travel), and the
    strategy multipliers ``complaint_voice``, ``talk_boost``, ``reach_boost`` (ones).
    The instance is of a dataclass generated from the schema (:func:`arrays_class`), so
    ``dataclasses.replace`` works on it as on any frozen dataclass.
    """

    names: list[str]

    def __getattr__(self, name: str) -> np.ndarray:
        """Only reached for a name the schema does not have: say so plainly."""
        raise AttributeError(f"no shop parameter {name!r} (not a field of the Shop schema)")

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> ShopArrays:
        """Lay out ``scenario.shops`` (in file order) and their couriers per region."""
        shops = list(scenario.shops.values())
        regions = list(scenario.market.regions.items())
        arrays = _schema_arrays(shops, [name for name, _ in regions])
        factor = np.array([r.shipping_factor for _, r in regions])
        transit = np.array([r.delivery_days for _, r in regions])
        arrays["promise"] = np.array([s.described_quality for s in shops])
        arrays["shipping_fee"] = arrays["shipping_fee"][:, None] * factor[None, :]
        arrays["shipping_cost"] = arrays["cost"] * factor[None, :]
        arrays["lead_days"] = arrays["dispatch_days"] + transit[None, :]
        unset = np.isnan(arrays["promised_days"])  # promised: the normal on-time arrival
        arrays["promised_days"][unset] = np.rint(arrays["lead_days"])[unset]
        arrays.update({knob: np.ones(len(shops)) for knob in _STRATEGY_KNOBS})
        generated = arrays_class(type(shops[0]) if shops else None)
        return generated(names=list(scenario.shops), **arrays)


def _schema_arrays(shops: list[BaseModel], regions: list[str]) -> dict[str, np.ndarray]:
    """One array per leaf field of the shops' schema, in schema order."""
    arrays: dict[str, np.ndarray] = {}
    if not shops:
        return arrays
    for name, info in type(shops[0]).model_fields.items():
        if name in _NOT_ARRAYS:
            continue
        if name == _PER_REGION:
            for leaf, leaf_info in info.annotation.model_fields.items():
                arrays[leaf] = np.array(
                    [[getattr(s.courier_for(r), leaf) for r in regions] for s in shops],
                    dtype=_dtype(leaf_info.annotation),
                )
        elif isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
            for leaf, leaf_info in info.annotation.model_fields.items():
                arrays[leaf] = np.array(
                    [getattr(getattr(s, name), leaf) for s in shops],
                    dtype=_dtype(leaf_info.annotation),
                )
        elif name != "promise":  # optional; derived in from_scenario
            arrays[name] = np.array([getattr(s, name) for s in shops], _dtype(info.annotation))
    return arrays


def _dtype(annotation: object) -> type:
    """Booleans stay boolean (``tracking``); every other parameter is a float64 array."""
    return bool if annotation is bool else np.float64


@cache
def arrays_class(shop_model: type[BaseModel] | None = None) -> type[ShopArrays]:
    """The frozen dataclass with one array field per parameter of ``shop_model``."""
    if shop_model is None:
        from loyaltysim.scenario.schema import Shop

        shop_model = Shop
    names = [
        leaf
        for name, info in shop_model.model_fields.items()
        if name not in _NOT_ARRAYS
        for leaf in (
            info.annotation.model_fields
            if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)
            else [name]
        )
    ]
    derived = ["shipping_cost", "lead_days", *_STRATEGY_KNOBS]
    return make_dataclass(
        "ShopArrays",
        [(name, np.ndarray) for name in dict.fromkeys(names + derived)],
        bases=(ShopArrays,),
        frozen=True,
        module=__name__,
    )


#: What an unset optional segment key means, as an array value.
_SEGMENT_UNSET = {
    "purchase_rate_shape": np.inf,  # all customers of the segment buy at its mean rate
    "dropout_a": 0.0,  # nobody leaves the category
    "dropout_b": 0.0,
    "duration_days": np.inf,  # the stage never ends
}
# Segment keys laid out by hand: ``arrival_share`` defaults to ``share`` as a whole, and
# ``next`` names a segment, which becomes its index ``next_segment`` (-1: leave the market).
_SEGMENT_DERIVED = ("arrival_share", "next")


@dataclass(frozen=True)
class SegmentArrays:
    """Per-segment parameters, indexed like ``CustomerState.segment``.

    Every numeric field of the scenario's ``Segment`` model becomes ``segments.<name>``, one
    value per segment in file order (an unset optional key takes the value
    ``_SEGMENT_UNSET`` gives it, NaN if none), so a new segment parameter is one schema
    field. Laid out by hand: ``arrival_share`` (``share`` when no segment sets it, else 0
    where unset) and ``next_segment`` (the index of ``next``, -1: the customer leaves).
    The instance is of a dataclass generated from the schema (:func:`segment_arrays_class`).
    """

    names: list[str]

    def __getattr__(self, name: str) -> np.ndarray:
        """Only reached for a name the schema does not have: say so plainly."""
        raise AttributeError(f"no segment parameter {name!r} (not a field of the Segment schema)")

    @property
    def heterogeneous(self) -> bool:
        """Whether customers' purchase rates differ within a segment (a finite Gamma shape)."""
        return bool(np.isfinite(self.purchase_rate_shape).any())

    @property
    def drop_out(self) -> bool:
        """Whether some customers leave the category after purchases (BG/NBD dropout)."""
        return bool((self.dropout_a > 0).any())

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> SegmentArrays:
        """Lay out ``scenario.market.segments`` in file order."""
        segs = scenario.market.segments
        names = list(segs)
        values = list(segs.values())
        model = type(values[0])
        arrays = {
            name: np.array(
                [
                    _SEGMENT_UNSET.get(name, np.nan) if (v := getattr(s, name)) is None else v
                    for s in values
                ],
                dtype=np.float64,
            )
            for name in _segment_fields(model)
        }
        arrivals = [s.arrival_share for s in values]
        arrays["arrival_share"] = (
            arrays["share"]
            if all(a is None for a in arrivals)
            else np.array([a or 0.0 for a in arrivals])
        )
        arrays["next_segment"] = np.array(
            [-1 if s.next is None else names.index(s.next) for s in values], dtype=np.int16
        )
        return segment_arrays_class(model)(names=names, **arrays)


def _segment_fields(segment_model: type[BaseModel] | None = None) -> list[str]:
    """The segment schema's fields that become arrays as they are, in schema order."""
    if segment_model is None:
        from loyaltysim.scenario.schema import Segment

        segment_model = Segment
    return [name for name in segment_model.model_fields if name not in _SEGMENT_DERIVED]


@cache
def segment_arrays_class(segment_model: type[BaseModel] | None = None) -> type[SegmentArrays]:
    """The frozen dataclass with one array field per parameter of ``segment_model``."""
    fields = [*_segment_fields(segment_model), "arrival_share", "next_segment"]
    return make_dataclass(
        "SegmentArrays",
        [(name, np.ndarray) for name in fields],
        bases=(SegmentArrays,),
        frozen=True,
        module=__name__,
    )
