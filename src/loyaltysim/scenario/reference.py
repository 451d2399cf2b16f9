"""The scenario reference (docs/scenario-reference.md), generated from the schema itself.

Every key's type, default, allowed range and description come from the pydantic models, so
the reference cannot drift from what the validator accepts; a test regenerates it and
compares.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from loyaltysim.scenario.events import Event
from loyaltysim.scenario.keypaths import models_in
from loyaltysim.scenario.schema import Scenario


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(annotation))
    if origin is typing.Literal:
        return " / ".join(f'"{a}"' for a in typing.get_args(annotation))
    if origin is list:
        return f"list of {_plural(typing.get_args(annotation)[0])}"
    if origin is dict:
        return f"named {_plural(typing.get_args(annotation)[1])}"
    if isinstance(annotation, type):
        return {
            "NoneType": "none",
            "str": "text",
            "float": "number",
            "int": "integer",
            "bool": "true/false",
            "date": "date",
        }.get(annotation.__name__, "table")
    return str(annotation)


_BOUNDS = ((Ge, "ge", ">="), (Gt, "gt", ">"), (Le, "le", "<="), (Lt, "lt", "<"))


def _plural(annotation: Any) -> str:
    """'tables' for models (and unions of them), else the type's name."""
    if models_in(annotation) or typing.get_origin(annotation) is dict:
        return "tables"
    return _type_name(annotation)


def _range(field: FieldInfo) -> str:
    """Numeric bounds from the field and from Annotated members of its type."""
    items = list(field.metadata)
    for arg in typing.get_args(field.annotation):
        items += list(getattr(arg, "__metadata__", ()))
    bounds = []
    for item in items:
        for cls, attr, sign in _BOUNDS:
            if isinstance(item, cls):
                bounds.append(f"{sign} {getattr(item, attr)}")
    return ", ".join(bounds)


def _default(field: FieldInfo) -> str:
    if field.default is PydanticUndefined:
        return "required" if field.default_factory is None else "(see below)"
    value = field.default
    return "none" if value is None else f"`{value!r}`".replace("'", '"')


def _table(model: type[BaseModel], path: str) -> list[str]:
    lines = [f"### `{path}`", "", (model.__doc__ or "").strip().split("\n")[0], ""]
    lines += ["| key | type | default | range | meaning |", "|---|---|---|---|---|"]
    for name, field in model.model_fields.items():
        meaning = (field.description or "").replace("|", "/")
        lines.append(
            f"| `{name}` | {_type_name(field.annotation)} | {_default(field)} | "
            f"{_range(field)} | {meaning} |"
        )
    return [*lines, ""]


def reference() -> str:
    """The whole reference as Markdown."""
    lines = [
        "# Scenario reference",
        "",
        "Generated from the schema by `python -m loyaltysim.scenario.reference`;",
        "do not edit by hand.",
        "Unknown keys, wrong types, NaN/inf and out-of-range values are errors. `<name>`",
        "stands for a name you choose (a shop, region, segment or variant).",
        "",
    ]
    seen: set[type[BaseModel]] = set()
    queue: list[tuple[type[BaseModel], str]] = [(Scenario, "(top level)")]
    queue += [
        (m, "[[events]] " + m.model_fields["kind"].annotation.__args__[0]) for m in models_in(Event)
    ]
    while queue:
        model, path = queue.pop(0)
        if model in seen:
            continue
        seen.add(model)
        lines += _table(model, path)
        for name, field in model.model_fields.items():
            origin = typing.get_origin(field.annotation)
            key = f"{name}.<name>" if origin is dict else name
            prefix = "" if path == "(top level)" else f"{path}."
            for sub in models_in(field.annotation):
                if sub not in seen and not path.startswith("[[events]]"):
                    queue.append((sub, f"{prefix}{key}"))
    return "\n".join(lines)


if __name__ == "__main__":
    from pathlib import Path

    target = Path(__file__).resolve().parents[3] / "docs" / "scenario-reference.md"
    target.write_text(reference() + "\n", encoding="utf-8")
    print(f"wrote {target}")
