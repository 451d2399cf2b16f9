"""Readable, line-numbered error reports for scenario files.

Project rule: bad input must produce one clear message per problem -- file, line, key path,
what was expected and what was given -- all problems at once, and never a traceback.

``tomllib`` parses but reports no line numbers for keys, and pydantic reports key paths
(``loc``) but knows nothing about the text. This module bridges the two:

* :func:`key_lines` scans the TOML text and maps every key path to its line;
* :func:`problems_from_toml_error` and :func:`problems_from_validation_error` turn parser and
  validation errors into :class:`Problem` records;
* :class:`ScenarioError` carries all problems of one file and renders them for the user.

Typical use::

    text = path.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(problems_from_toml_error(exc, str(path), text)) from None
    try:
        scenario = Scenario.model_validate(raw)
    except pydantic.ValidationError as exc:
        problems = problems_from_validation_error(
            exc, str(path), text, known_keys=known_keys_of(Scenario)
        )
        raise ScenarioError(problems) from None
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import math
import re
import tomllib
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

__all__ = [
    "KeyPath",
    "Problem",
    "ScenarioError",
    "format_path",
    "key_lines",
    "known_keys_of",
    "line_of",
    "problems_from_toml_error",
    "problems_from_validation_error",
]

KeyPath = tuple[str | int, ...]
"""A path into a TOML document: table keys (str) and list indices (int)."""

# --------------------------------------------------------------------------------------------
# Locating keys in TOML text
# --------------------------------------------------------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BASIC_STR = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_LITERAL_STR = re.compile(r"'[^'\n]*'")
# Multi-line strings may end with up to two extra quotes that belong to the content.
_ML_BASIC_STR = re.compile(r'"""(?:[^\\]|\\.)*?"""(?:"{1,2})?', re.DOTALL)
_ML_LITERAL_STR = re.compile(r"'''.*?'''(?:'{1,2})?", re.DOTALL)
# Numbers, booleans, dates: nothing structural can occur inside them.
_SCALAR = re.compile(r"[^,\]}#\n]*")


def _decode_basic_key(raw: str) -> str:
    """Decode a double-quoted key, reusing tomllib so escapes match what pydantic sees."""
    try:
        return str(tomllib.loads(f"k = {raw}")["k"])
    except tomllib.TOMLDecodeError:  # only reachable for invalid TOML
        return raw[1:-1]


class _Scanner:
    """A small recursive scanner for *valid* TOML that records where each key appears.

    It never validates: tomllib has already done that. It only needs to skip strings,
    comments and values correctly so that no keys are "found" inside them, and to always
    make progress so that odd input cannot hang it.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.lines: dict[KeyPath, int] = {}
        self.aot_count: dict[KeyPath, int] = {}  # array-of-tables path -> elements so far

    # -- low-level movement ------------------------------------------------------------------

    def _peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def _advance_to(self, new_pos: int) -> None:
        new_pos = min(new_pos, len(self.text))
        self.line += self.text.count("\n", self.pos, new_pos)
        self.pos = new_pos

    def _skip_ws(self) -> None:
        while self.text.startswith((" ", "\t", "\r"), self.pos):
            self.pos += 1

    def _skip_comment(self) -> None:
        if self._peek() == "#":
            end = self.text.find("\n", self.pos)
            self._advance_to(len(self.text) if end < 0 else end)

    def _skip_trivia(self) -> None:
        """Skip whitespace, newlines and comments (between statements or array elements)."""
        while self.pos < len(self.text):
            before = self.pos
            self._skip_ws()
            self._skip_comment()
            if self._peek() == "\n":
                self._advance_to(self.pos + 1)
            if self.pos == before:
                return

    def _skip_rest_of_line(self) -> None:
        self._skip_ws()
        self._skip_comment()
        if self._peek() not in ("\n", ""):  # junk: cannot happen in valid TOML
            end = self.text.find("\n", self.pos)
            self._advance_to(len(self.text) if end < 0 else end)

    def _match(self, pattern: re.Pattern[str]) -> str:
        m = pattern.match(self.text, self.pos)
        if m is None:  # unterminated string in invalid TOML: give up on the rest
            raw = self.text[self.pos :]
            self._advance_to(len(self.text))
            return raw
        self._advance_to(m.end())
        return m.group()

    # -- grammar -------------------------------------------------------------------------------

    def run(self) -> dict[KeyPath, int]:
        prefix: KeyPath = ()
        while True:
            self._skip_trivia()
            if self.pos >= len(self.text):
                return self.lines
            start = self.pos
            if self._peek() == "[":
                prefix = self._header()
            else:
                self._keyval(prefix)
            self._skip_rest_of_line()
            if self.pos == start:
                self._advance_to(start + 1)

    def _key(self) -> list[str]:
        """Read a (possibly dotted) key and return its decoded parts."""
        parts: list[str] = []
        while True:
            self._skip_ws()
            c = self._peek()
            if c == '"':
                parts.append(_decode_basic_key(self._match(_BASIC_STR)))
            elif c == "'":
                parts.append(self._match(_LITERAL_STR)[1:-1])
            elif c and _BARE_KEY.match(c):
                parts.append(self._match(_BARE_KEY))
            else:
                return parts
            self._skip_ws()
            if self._peek() != ".":
                return parts
            self.pos += 1

    def _header(self) -> KeyPath:
        """Read ``[table]`` or ``[[array]]`` and return the concrete path it opens."""
        line = self.line
        is_array = self.text.startswith("[[", self.pos)
        self.pos += 2 if is_array else 1
        parts = self._key()
        self._skip_ws()
        if self.text.startswith("]]" if is_array else "]", self.pos):
            self.pos += 2 if is_array else 1
        path: KeyPath = ()
        for i, part in enumerate(parts):
            path += (part,)
            if i < len(parts) - 1:
                # Implicit super-table: keep an explicit definition's line if there is one.
                self.lines.setdefault(path, line)
                if path in self.aot_count:  # [fruit.x] after [[fruit]] means the last fruit
                    path += (self.aot_count[path] - 1,)
            elif is_array:
                index = self.aot_count.get(path, 0)
                self.aot_count[path] = index + 1
                self.lines.setdefault(path, line)
                path += (index,)
                self.lines[path] = line
            else:
                self.lines[path] = line  # explicit header overrides an implicit mention
        return path

    def _keyval(self, prefix: KeyPath) -> None:
        line = self.line
        parts = self._key()
        self._skip_ws()
        if not parts or self._peek() != "=":
            return
        self.pos += 1
        path = prefix
        for part in parts[:-1]:
            path += (part,)
            self.lines.setdefault(path, line)
        path += (parts[-1],)
        self.lines[path] = line
        self._value(path)

    def _value(self, path: KeyPath) -> None:
        self._skip_ws()
        text, pos = self.text, self.pos
        if text.startswith('"""', pos):
            self._match(_ML_BASIC_STR)
        elif text.startswith("'''", pos):
            self._match(_ML_LITERAL_STR)
        elif text.startswith('"', pos):
            self._match(_BASIC_STR)
        elif text.startswith("'", pos):
            self._match(_LITERAL_STR)
        elif text.startswith("{", pos):
            self._inline_table(path)
        elif text.startswith("[", pos):
            self._array(path)
        else:
            self._match(_SCALAR)

    def _inline_table(self, path: KeyPath) -> None:
        self.pos += 1
        while self.pos < len(self.text):
            self._skip_trivia()  # lenient: TOML 1.1 allows newlines in inline tables
            if self._peek() == "}":
                self.pos += 1
                return
            before = self.pos
            self._keyval(path)
            self._skip_trivia()
            if self._peek() == ",":
                self.pos += 1
            if self.pos == before:
                self._advance_to(before + 1)

    def _array(self, path: KeyPath) -> None:
        self.pos += 1
        index = 0
        while self.pos < len(self.text):
            self._skip_trivia()
            if self._peek() == "]":
                self.pos += 1
                return
            before = self.pos
            element = (*path, index)
            self.lines[element] = self.line
            self._value(element)
            index += 1
            self._skip_trivia()
            if self._peek() == ",":
                self.pos += 1
            if self.pos == before:
                self._advance_to(before + 1)


def key_lines(text: str) -> dict[KeyPath, int]:
    """Map every key path in a TOML document to the 1-based line where it is defined.

    tomllib reports no positions, yet users need line numbers to find their mistakes.

    Tables map to their header line; ``[[array]]`` elements appear with their index, e.g.
    ``("events", 0, "day")``; intermediate tables of dotted keys and headers map to their
    first mention (an explicit ``[header]`` wins); keys inside inline tables map to their
    own line; array elements map to the line where the element starts. The result is only
    meaningful for valid TOML (parse with tomllib first).

    Args:
        text: The TOML source.

    Returns:
        A dict from key path to line number.

    """
    return _Scanner(text).run()


def line_of(lines: Mapping[KeyPath, int], path: Sequence[str | int]) -> int | None:
    """Return the line of the longest prefix of ``path`` found in ``lines``.

    A missing key has no line of its own, so it is reported at its parent table.

    Args:
        lines: Output of :func:`key_lines`.
        path: The key path to locate.

    Returns:
        A 1-based line number, or None if not even the first key is present (document root).

    """
    key = tuple(path)
    for n in range(len(key), 0, -1):
        line = lines.get(key[:n])
        if line is not None:
            return line
    return None


def format_path(path: Iterable[str | int]) -> str:
    """Render a key path the way a user would write it: ``events[0].day``, ``a."b.c"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        key = part if _BARE_KEY.fullmatch(part) else json.dumps(part, ensure_ascii=False)
        out += f".{key}" if out else key
    return out


# --------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file, phrased for the person who wrote it.

    Attributes:
        file: The file name as given to the user.
        line: 1-based line number, or None when no line applies (e.g. document root).
        path: Dotted key path with ``[i]`` for list indices; empty for whole-file problems.
        expected: What would have been acceptable, in plain language.
        given: A short rendering of what the file actually contains.

    """

    file: str
    line: int | None
    path: str
    expected: str
    given: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        what = f"{self.path}: " if self.path else ""
        return f"{where}: {what}expected {self.expected}, given {self.given}"


def _sort_key(problem: Problem) -> tuple[int, str]:
    return (problem.line if problem.line is not None else 0, problem.path)


class UserError(Exception):
    """Bad input from the user: the CLI prints ``str()`` and exits with status 2."""


class ScenarioError(UserError):
    """All problems found in one scenario file; the CLI prints ``str()`` and exits with 2."""

    def __init__(self, problems: Iterable[Problem], file: str | None = None) -> None:
        self.problems: list[Problem] = list(problems)
        if file is None:
            file = self.problems[0].file if self.problems else "<unknown>"
        self.file = file
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.problems)
        header = f"{n} problem{'' if n == 1 else 's'} in {self.file}:"
        return "\n".join([header, *(f"  {p}" for p in self.problems)])

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[list[Problem], str]]:
        # Keep the error picklable (e.g. across process pools) despite the custom __init__.
        return (type(self), (self.problems, self.file))


# --------------------------------------------------------------------------------------------
# TOML syntax errors
# --------------------------------------------------------------------------------------------

_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")


def problems_from_toml_error(
    exc: tomllib.TOMLDecodeError, file: str, text: str | None = None
) -> list[Problem]:
    """Turn a tomllib syntax error into a Problem with a line number.

    Args:
        exc: The error raised by ``tomllib.loads``.
        file: File name to report.
        text: The source, if available; used to place "end of document" errors.

    Returns:
        A one-element list (the parser stops at the first syntax error).

    """
    raw_msg = getattr(exc, "msg", None)  # Python >= 3.14 keeps the bare message here
    message = raw_msg if isinstance(raw_msg, str) else str(exc)
    line = getattr(exc, "lineno", None)
    if not isinstance(line, int):
        line = None
    match = _POSITION.search(message)
    if match:
        message = message[: match.start()]
        line = line if line is not None else int(match.group(1))
    elif (end := _AT_END.search(message)) is not None:
        message = message[: end.start()]
        if line is None and text is not None:
            line = text.rstrip().count("\n") + 1
    if line is None:  # older/newer message formats: still try the full text
        match = _POSITION.search(str(exc))
        line = int(match.group(1)) if match else None
    return [Problem(file, line, "", "valid TOML", message.strip() or str(exc))]


# --------------------------------------------------------------------------------------------
# Pydantic validation errors
# --------------------------------------------------------------------------------------------

_MAX_GIVEN = 60
_UNKNOWN = object()  # "we cannot tell what data sits here"

# Labels pydantic inserts into ``loc`` for union members that are plain types.
_TYPE_LABELS = frozenset(
    {
        "int", "float", "str", "bool", "bytes", "none", "list", "dict", "set", "frozenset",
        "tuple", "date", "datetime", "time", "timedelta", "decimal", "uuid", "url", "any",
    }
)  # fmt: skip
_CLASS_NAME = re.compile(r"[A-Z][A-Za-z0-9_]*")

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


def _show(value: Any, limit: int = _MAX_GIVEN) -> str:
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


def _kind(value: Any) -> str:
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


def _looks_like_label(part: str) -> bool:
    """Guess whether a loc element is a pydantic union label rather than a TOML key."""
    return (
        "[" in part
        or "(" in part
        or part in _TYPE_LABELS
        or part.startswith(("constrained-", "function-", "tagged-union", "lax-or-strict"))
        or _CLASS_NAME.fullmatch(part) is not None
    )


def _clean_loc(loc: Sequence[str | int], root: Any, keep_last: bool) -> tuple[KeyPath, bool]:
    """Remove pydantic's internal union labels from ``loc``, keeping only real TOML keys.

    Rule: walk ``loc`` alongside the validated data. Integers (list indices) and keys that
    exist in the data are kept. A string that is *not* a key of the data at that point is
    dropped if it cannot be a key (the data there is not a table), or if it looks like a
    pydantic label (``function-after[...]``, ``int``, a class name, ``[key]``) or equals a
    string value of that table (the tag of a discriminated union). Otherwise it is kept:
    the last element of a ``missing`` error is the missing key itself, and once we step
    off the known data (``root`` unknown) nothing is dropped.

    Returns:
        The cleaned path and whether anything was dropped (i.e. a union was involved).

    """
    node = root
    clean: list[str | int] = []
    dropped = False
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(part, int):
            clean.append(part)
            in_range = isinstance(node, list) and -len(node) <= part < len(node)
            node = node[part] if in_range else _UNKNOWN
        elif node is _UNKNOWN:
            clean.append(part)
        elif isinstance(node, Mapping):
            if part in node:
                clean.append(part)
                node = node[part]
            elif last and keep_last:
                clean.append(part)
            elif _looks_like_label(part) or part in [
                v for v in node.values() if isinstance(v, str)
            ]:
                dropped = True
            else:
                clean.append(part)
                node = _UNKNOWN
        else:  # a scalar or list cannot have keys: this is a label
            dropped = True
    return tuple(clean), dropped


def _number(value: Any) -> str:
    """Show a bound as the user would write it: ``0`` rather than pydantic's ``0.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _show(value)


def _expected(error: Mapping[str, Any], allowed_keys: list[str]) -> str:
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


def _given(error: Mapping[str, Any], path: KeyPath, similar_to: list[str]) -> str:
    """Describe what the file contains at the error's location."""
    kind = str(error["type"])
    value = error.get("input")
    if kind == "missing":
        return "nothing"
    if kind == "extra_forbidden" and path and isinstance(path[-1], str):
        text = f"unknown key {path[-1]!r}"
        close = difflib.get_close_matches(path[-1], similar_to, n=1)
        return f"{text} (did you mean {close[0]!r}?)" if close else text
    if kind == "union_tag_invalid" and "tag" in (error.get("ctx") or {}):
        return _show(error["ctx"]["tag"])
    if kind in _TYPE_WORDS and kind.endswith("_type"):
        return f"{_show(value)} ({_kind(value)})"
    return _show(value)


def _navigate(data: Any, path: KeyPath) -> Any:
    node = data
    for part in path:
        is_index = isinstance(part, int) and isinstance(node, list)
        if (is_index and -len(node) <= part < len(node)) or (
            isinstance(part, str) and isinstance(node, Mapping) and part in node
        ):
            node = node[part]
        else:
            return _UNKNOWN
    return node


def problems_from_validation_error(
    exc: ValidationError,
    file: str,
    text: str,
    prefix: KeyPath = (),
    *,
    locate: Callable[[KeyPath], int | None] | None = None,
    known_keys: Callable[[KeyPath], list[str]] | None = None,
    data: Any = None,
) -> list[Problem]:
    """Convert every pydantic error into a located, plain-language Problem.

    Users never see pydantic's wording or ``loc`` tuples; they get the key path as they
    wrote it, the line, and what was expected.

    Pydantic inserts union labels into ``loc`` (``function-after[...]``, model class
    names, discriminator tag values, ``int``/``float`` for scalar unions). They are removed
    by comparing ``loc`` with the validated data (see :func:`_clean_loc` for the exact
    rule). Errors from different union branches that end up at the same key with the same
    input are merged ("an integer or a number"); a branch that merely says "expected a
    number" for a table, when other errors exist inside that table, is dropped as noise.

    Args:
        exc: The validation error.
        file: File name to report.
        text: The TOML source that was parsed.
        prefix: Where the validated data sits in the document; prepended to each ``loc``.
        locate: Maps a full document path (``prefix + loc``) to a line; replaces the
            default ``line_of(key_lines(text), path)``, e.g. for variant overrides merged
            from several places.
        known_keys: Maps a path *relative to the validated data* (no ``prefix``) to the
            keys allowed in that table, to list them for unknown keys; see
            :func:`known_keys_of`.
        data: The data that was validated, if it is not simply ``tomllib.loads(text)`` at
            ``prefix`` (used only to tell real keys from union labels).

    Returns:
        Problems sorted by line, then path.

    """
    if data is None:
        try:
            data = _navigate(tomllib.loads(text), tuple(prefix))
        except tomllib.TOMLDecodeError:
            data = _UNKNOWN
    if locate is None:
        lines = key_lines(text)

        def locate(path: KeyPath) -> int | None:
            return line_of(lines, path)

    raw: list[tuple[KeyPath, bool, Problem]] = []
    for error in exc.errors(include_url=False):
        kind = str(error["type"])
        rel, dropped = _clean_loc(error["loc"], data, keep_last=kind == "missing")
        tag_key = str((error.get("ctx") or {}).get("discriminator", "")).strip("'\"")
        if kind == "union_tag_invalid" and tag_key:
            rel += (tag_key,)  # point at the offending `kind = "..."` line itself
        full = (*prefix, *rel)
        keys = known_keys(rel[:-1]) if (known_keys and kind == "extra_forbidden") else []
        problem = Problem(
            file=file,
            line=locate(full),
            path=format_path(full),
            expected=_expected(error, keys),
            given=_given(error, rel, keys),
        )
        raw.append((rel, dropped and kind.endswith("_type"), problem))

    # Drop union-branch type errors at a table that has more specific errors inside it.
    kept = [
        problem
        for rel, branch_type_error, problem in raw
        if not (
            branch_type_error and any(len(o) > len(rel) and o[: len(rel)] == rel for o, _, _ in raw)
        )
    ]
    # Merge errors that land on the same key with the same input (union branches).
    merged: dict[tuple[str, int | None, str], Problem] = {}
    for problem in kept:
        key = (problem.path, problem.line, problem.given)
        if key not in merged:
            merged[key] = problem
            continue
        earlier = merged[key]
        options = earlier.expected.split(" or ")
        if problem.expected not in options:
            merged[key] = Problem(
                earlier.file, earlier.line, earlier.path,
                f"{earlier.expected} or {problem.expected}", earlier.given,
            )  # fmt: skip
    return sorted(merged.values(), key=_sort_key)


# --------------------------------------------------------------------------------------------
# Known keys from a model
# --------------------------------------------------------------------------------------------


def _members(annotation: Any) -> list[Any]:
    """Flatten Annotated / Optional / Union / type aliases into the concrete member types."""
    if isinstance(annotation, typing.TypeAliasType):
        return _members(annotation.__value__)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [annotation]


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _field_key(name: str, field: Any) -> str:
    alias = getattr(field, "validation_alias", None) or getattr(field, "alias", None)
    return alias if isinstance(alias, str) else name


def _step(annotation: Any, part: str | int) -> list[Any]:
    """Types reachable from ``annotation`` by one path element."""
    found: list[Any] = []
    for tp in _members(annotation):
        origin = typing.get_origin(tp) or tp
        args = typing.get_args(tp)
        if _is_model(tp) and isinstance(part, str):
            found += [f.annotation for n, f in tp.model_fields.items() if _field_key(n, f) == part]
        elif isinstance(part, int) and isinstance(origin, type):
            if origin is tuple and args and args[-1] is not Ellipsis:
                found += [args[part]] if -len(args) <= part < len(args) else []
            elif issubclass(origin, (list, tuple, set, frozenset, Sequence)) and args:
                found.append(args[0])
        elif (
            isinstance(part, str)
            and isinstance(origin, type)
            and issubclass(origin, (dict, Mapping))
            and len(args) == 2
        ):
            found.append(args[1])
    return found


def known_keys_of(model: type[BaseModel]) -> Callable[[KeyPath], list[str]]:
    """Build a ``known_keys`` callback from a model, so unknown-key errors list the options.

    For a union of models at some path, the keys of all members are listed.

    Args:
        model: The model that was validated.

    Returns:
        A function from a path (relative to the model) to the sorted allowed keys there.

    """

    def known(path: KeyPath) -> list[str]:
        current: list[Any] = [model]
        for part in path:
            current = [t for tp in current for t in _step(tp, part)]
        keys: set[str] = set()
        for tp in current:
            for member in _members(tp):
                if _is_model(member):
                    keys.update(_field_key(n, f) for n, f in member.model_fields.items())
        return sorted(keys)

    return known
