"""Key paths into the schema and into scenario data: the one walk of the type annotations.

The schema's annotations are walked here and nowhere else: :func:`types_at` follows a key
path through models, dicts and lists; :func:`known_keys_of` lists the keys allowed at a path
(for unknown-key problems), :func:`names_at` tells a named table (``shops.<name>``) from a
key, :func:`leaf_types` gives the scalar types at a path (sweeps round integer keys) and
:func:`models_in` the models inside an annotation (the reference).

Sweeps and calibrations name the parameters they vary the way ``--set`` does
(``shops.premium.courier.on_time``). A design point is the base scenario with a few such
keys changed; :func:`point_scenario` builds it and lets the schema validate it, so a
swept value obeys exactly the rules of a value written in the file.
"""

from __future__ import annotations

import copy
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from loyaltysim.scenario.schema import Scenario
from loyaltysim.scenario.toml_lines import KeyPath


def members(annotation: Any) -> list[Any]:
    """Flatten Annotated / Optional / Union / type aliases into the concrete member types."""
    if isinstance(annotation, typing.TypeAliasType):
        return members(annotation.__value__)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return members(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return [m for arg in typing.get_args(annotation) for m in members(arg)]
    return [annotation]


def is_model(tp: Any) -> bool:
    """Whether ``tp`` is a pydantic model (a TOML table with fixed keys)."""
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def field_key(name: str, field: Any) -> str:
    """The key a field is written under in the file (its alias, if it has one)."""
    alias = getattr(field, "validation_alias", None) or getattr(field, "alias", None)
    return alias if isinstance(alias, str) else name


def is_named_table(tp: Any) -> bool:
    """Whether ``tp`` is a table of names the user chooses (``dict[str, ...]``)."""
    origin = typing.get_origin(tp) or tp
    return isinstance(origin, type) and issubclass(origin, (dict, Mapping))


def step(annotation: Any, part: str | int) -> list[Any]:
    """Types reachable from ``annotation`` by one path element."""
    found: list[Any] = []
    for tp in members(annotation):
        origin = typing.get_origin(tp) or tp
        args = typing.get_args(tp)
        if is_model(tp) and isinstance(part, str):
            found += [f.annotation for n, f in tp.model_fields.items() if field_key(n, f) == part]
        elif isinstance(part, int) and isinstance(origin, type):
            if origin is tuple and args and args[-1] is not Ellipsis:
                found += [args[part]] if -len(args) <= part < len(args) else []
            elif issubclass(origin, (list, tuple, set, frozenset, Sequence)) and args:
                found.append(args[0])
        elif isinstance(part, str) and is_named_table(tp) and len(args) == 2:
            found.append(args[1])
    return found


def types_at(model: Any, path: Sequence[str | int]) -> list[Any]:
    """The annotations the schema allows at ``path`` below ``model`` (empty: no such key)."""
    current: list[Any] = [model]
    for part in path:
        current = [t for tp in current for t in step(tp, part)]
    return current


def models_in(annotation: Any) -> list[type[BaseModel]]:
    """Pydantic models inside an annotation (through unions, lists, dicts, Annotated)."""
    out: list[type[BaseModel]] = []
    for member in members(annotation):
        if is_model(member):
            out.append(member)
        elif typing.get_origin(member) is not typing.Literal:
            for arg in typing.get_args(member):
                out += models_in(arg)
    return out


def known_keys_of(model: type[BaseModel]) -> Callable[[KeyPath], list[str]]:
    """Build a ``known_keys`` callback from a model, so unknown-key errors list the options.

    For a union of models at some path, the keys of all members are listed.

    Args:
        model: The model that was validated.

    Returns:
        A function from a path (relative to the model) to the sorted allowed keys there.

    """

    def known(path: KeyPath) -> list[str]:
        keys: set[str] = set()
        for tp in types_at(model, path):
            for member in members(tp):
                if is_model(member):
                    keys.update(field_key(n, f) for n, f in member.model_fields.items())
        return sorted(keys)

    return known


def names_at(path: Sequence[str | int]) -> bool:
    """Whether the scenario's value at ``path`` is a table of chosen names (shops, regions)."""
    return any(is_named_table(m) for tp in types_at(Scenario, path) for m in members(tp))


def leaf_types(path: tuple[str, ...]) -> set[type]:
    """The Python types the schema allows at ``path`` (``{float}``, ``{int}``, ``{str}``...).

    Tells integer keys (rounded when sampled) from real-valued ones, also for optional
    keys whose value in the file is unset. ``Literal`` keys give ``{str}``.
    """
    found: set[type] = set()
    for annotation in types_at(Scenario, path):
        for member in members(annotation):
            if typing.get_origin(member) is typing.Literal:
                found.update(type(v) for v in typing.get_args(member))
            elif member in (bool, int, float, str):
                found.add(member)
    return found


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables as dotted keys: ``{"a": {"b": 1}}`` -> ``{"a.b": 1}``."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{path}."))
        else:
            out[path] = value
    return out


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge nested mappings; values in ``override`` win, tables merge key by key."""
    out = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


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
