"""Pydantic errors as sentences a scenario's author understands: what was expected, what given.

Users never see pydantic's wording: each error type is phrased here ("a number <= 1",
"true or false") and the value found is shown as TOML, cut short so a problem stays on one
line.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from loyaltysim.scenario.toml_lines import KeyPath, format_path

_MAX_GIVEN = 60

_TYPE_WORDS = {
    "int_type": "an integer",
    "int_from_float": "an integer",
    "int_parsing": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "decimal_type": "a number",
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
    "dataclass_type": "a table",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "frozen_set_type": "a list",
    "date_type": "a date (YYYY-MM-DD)",
    "datetime_type": "a date-time",
    "time_type": "a time",
}
_COMPARISONS = {
    "greater_than": ("gt", ">"),
    "greater_than_equal": ("ge", ">="),
    "less_than": ("lt", "<"),
    "less_than_equal": ("le", "<="),
}


def show(value: Any, limit: int = _MAX_GIVEN) -> str:
    """Render a value as TOML-like text, truncated so one problem stays on one line."""
    text = _render(value, limit + 1)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _render(value: Any, budget: int) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, Mapping):
        items = (f"{format_path([str(k)])} = {_render(v, budget)}" for k, v in value.items())
        return _join(items, "{", "}", budget)
    if isinstance(value, (list, tuple)):
        return _join((_render(v, budget) for v in value), "[", "]", budget)
    return repr(value)


def _join(items: Iterable[str], open_: str, close: str, budget: int) -> str:
    """Join rendered items but stop early: huge lists must not be rendered in full."""
    out = open_
    for i, item in enumerate(items):
        out += (", " if i else "") + item
        if len(out) > budget:
            return out
    return out + close


def kind_of(value: Any) -> str:
    """Name the TOML type of a value, for "given" in type errors."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, (_dt.date, _dt.time)):
        return "a date/time"
    return type(value).__name__


def _number(value: Any) -> str:
    """Show a bound as the user would write it: ``0`` rather than pydantic's ``0.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return show(value)


def expected_text(error: Mapping[str, Any], allowed_keys: list[str]) -> str:
    """Phrase what the user should have written, for one pydantic error."""
    kind = str(error["type"])
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind == "missing":
        return "a value (this key is required)"
    if kind == "extra_forbidden":
        if allowed_keys:
            return f"one of the known keys: {', '.join(allowed_keys)}"
        return "no such key (check spelling)"
    if kind in _COMPARISONS and _COMPARISONS[kind][0] in ctx:
        name, symbol = _COMPARISONS[kind]
        if isinstance(error.get("input"), _dt.date):
            return f"a date {symbol} {ctx[name]}"
        return f"a number {symbol} {_number(ctx[name])}"
    if kind in _TYPE_WORDS:
        return _TYPE_WORDS[kind]
    if kind == "finite_number":
        return "a finite number (not nan or inf)"
    if kind in ("literal_error", "enum") and "expected" in ctx:
        return f"one of: {ctx['expected']}"
    if kind == "union_tag_invalid" and "expected_tags" in ctx:
        return f"one of: {ctx['expected_tags']}"
    if kind == "union_tag_not_found" and "discriminator" in ctx:
        return f"a table with a {ctx['discriminator']} key saying which kind it is"
    if kind == "multiple_of" and "multiple_of" in ctx:
        return f"a multiple of {_number(ctx['multiple_of'])}"
    if kind == "string_too_short" and "min_length" in ctx:
        return f"text of at least {ctx['min_length']} character(s)"
    if kind == "string_too_long" and "max_length" in ctx:
        return f"text of at most {ctx['max_length']} character(s)"
    if kind == "too_short" and "min_length" in ctx:
        return f"at least {ctx['min_length']} item(s)"
    if kind == "too_long" and "max_length" in ctx:
        return f"at most {ctx['max_length']} item(s)"
    if kind == "string_pattern_mismatch" and "pattern" in ctx:
        return f"text matching the pattern {ctx['pattern']!r}"
    if kind in ("value_error", "assertion_error"):
        if "error" in ctx and str(ctx["error"]):
            return str(ctx["error"])
        msg = str(error.get("msg", ""))
        for lead in ("Value error, ", "Assertion failed, "):
            msg = msg.removeprefix(lead)
        return msg
    return str(error.get("msg", kind))


def given_text(error: Mapping[str, Any], path: KeyPath, similar_to: list[str]) -> str:
    """Describe what the file contains at the error's location."""
    kind = str(error["type"])
    value = error.get("input")
    if kind == "missing":
        return "nothing"
    if kind == "extra_forbidden" and path and isinstance(path[-1], str):
        return unknown(path[-1], "key", similar_to)
    if kind == "union_tag_invalid" and "tag" in (error.get("ctx") or {}):
        return show(error["ctx"]["tag"])
    if kind in _TYPE_WORDS and kind.endswith("_type"):
        return f"{show(value)} ({kind_of(value)})"
    return show(value)


def unknown(name: str, what: str, known: Iterable[str]) -> str:
    """``unknown shop 'thirft', did you mean 'thrift'?``: a misspelt name with its likely fix."""
    text = f"unknown {what} {name!r}"
    best = closest(name, known)
    return text if best is None else f"{text}, did you mean {best!r}?"


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name ``name`` most likely misspells, if any is close.

    difflib finds the candidates; the fewest edits decide among them (difflib alone prefers
    'promise' to 'price' for 'prise'). Ties keep difflib's order.
    """
    close = difflib.get_close_matches(name, list(known), n=5)
    return min(close, key=lambda option: _edits(name, option)) if close else None


def _edits(a: str, b: str) -> int:
    """Levenshtein distance between two names."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]
