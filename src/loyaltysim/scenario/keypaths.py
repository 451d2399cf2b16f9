"""Dotted key paths into a scenario: find a key, tell its type, and set values.

Sweeps and calibrations name the parameters they vary the way ``--set`` does
(``shops.premium.courier.on_time``). A design point is the base scenario with a few such
keys changed; :func:`point_scenario` builds it and lets the schema validate it, so a
swept value obeys exactly the rules of a value written in the file.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from loyaltysim.scenario.schema import Scenario, deep_merge

#: Top-level keys a sweep or calibration may not vary, and why.
RESERVED = {
    "name": "the scenario's name does not change a run",
    "description": "the description does not change a run",
    "variants": "a sweep runs the base scenario; vary the variant's keys instead",
    "sweep": "the sweep cannot sweep itself",
    "calibration": "the calibration section does not change a run",
}
#: Keys the experiment controls itself.
CONTROLLED = {
    ("run", "seed"): "seeds come from run.seed and the replication number (common random "
    "numbers); varying the seed would mix noise into the design",
    ("run", "replications"): "a sweep sets replications in [sweep] (or [calibration])",
}


def split(path: str) -> tuple[str, ...]:
    """``"shops.a.price"`` -> ``("shops", "a", "price")``."""
    return tuple(part.strip() for part in path.split("."))


def nested(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """``("a", "b"), 1`` -> ``{"a": {"b": 1}}``: one override, ready for ``deep_merge``."""
    out: Any = value
    for part in reversed(path):
        out = {part: out}
    return out


def overrides_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``{"dotted.path": value}`` into one nested override table."""
    merged: dict[str, Any] = {}
    for path, value in values.items():
        merged = deep_merge(merged, nested(split(path), value))
    return merged


def plain_base(scenario: Scenario) -> Scenario:
    """The scenario as one run sees it: no variants, no sweep, no calibration.

    Design points are built from this, so the task sent to a worker is small and a point
    never carries the (possibly long) design that produced it.
    """
    return scenario.model_copy(update={"variants": {}, "sweep": None, "calibration": None})


def point_scenario(base: Scenario, values: Mapping[str, Any]) -> Scenario:
    """``base`` with each dotted key set to its value, validated by the schema.

    Raises:
        pydantic.ValidationError: a value is invalid for its key (or for the keys around it).

    """
    data = deep_merge(base.model_dump(mode="python"), overrides_of(values))
    return Scenario.model_validate(data)


def lookup(data: Mapping[str, Any], path: tuple[str, ...]) -> tuple[bool, Any, int]:
    """Follow ``path`` through nested mappings.

    Returns:
        ``(found, value, depth)``: whether the whole path exists, the value there, and how
        many leading parts were found (to say which part is wrong).

    """
    node: Any = data
    for depth, part in enumerate(path):
        if not isinstance(node, Mapping) or part not in node:
            return False, None, depth
        node = node[part]
    return True, node, len(path)


def _members(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    if isinstance(annotation, typing.TypeAliasType):
        return _members(annotation.__value__)
    return [annotation]


def leaf_types(path: tuple[str, ...]) -> set[type]:
    """The Python types the schema allows at ``path`` (``{float}``, ``{int}``, ``{str}``...).

    Tells integer keys (rounded when sampled) from real-valued ones, also for optional
    keys whose value in the file is unset. ``Literal`` keys give ``{str}``.
    """
    current: list[Any] = [Scenario]
    for part in path:
        following: list[Any] = []
        for annotation in current:
            for member in _members(annotation):
                if isinstance(member, type) and issubclass(member, BaseModel):
                    field = member.model_fields.get(part)
                    if field is not None:
                        following.append(field.annotation)
                elif typing.get_origin(member) is dict:
                    following.append(typing.get_args(member)[1])
        current = following
    found: set[type] = set()
    for annotation in current:
        for member in _members(annotation):
            if typing.get_origin(member) is typing.Literal:
                found.update(type(v) for v in typing.get_args(member))
            elif member in (bool, int, float, str):
                found.add(member)
    return found
