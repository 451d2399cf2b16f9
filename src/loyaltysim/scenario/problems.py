"""Problems with a scenario file, each with file, line, key path, expected and given.

Project rule: bad input must produce one clear message per problem -- file, line, key path,
what was expected and what was given -- all problems at once, and never a traceback.

``tomllib`` reports no line numbers for keys, and pydantic reports key paths (``loc``) but
knows nothing about the text. This module bridges the two: :func:`problems_from_toml_error`
and :func:`problems_from_validation_error` turn parser and validation errors into
:class:`Problem` records placed on lines (:mod:`loyaltysim.scenario.toml_lines`) and phrased
for people (:mod:`loyaltysim.scenario.wording`); :class:`ScenarioError` carries all problems
of one file and renders them. A problem caused by a ``--set`` argument names the argument
instead of a line, since no line of the file holds that value.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError

from loyaltysim.scenario.toml_lines import KeyPath, format_path, key_lines, line_of
from loyaltysim.scenario.wording import expected_text, given_text

__all__ = [
    "Problem",
    "ScenarioError",
    "UserError",
    "error_paths",
    "problems_from_nesting",
    "problems_from_toml_error",
    "problems_from_validation_error",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file, phrased for the person who wrote it.

    Attributes:
        file: The file name as given to the user.
        line: 1-based line number, or None when the problem comes from ``argument``.
        path: Dotted key path with ``[i]`` for list indices; empty for whole-file problems.
        expected: What would have been acceptable, in plain language.
        given: A short rendering of what the file actually contains.
        argument: The command-line argument (``--set shops.a.price=3``) that caused it,
            if the value came from there rather than from the file.

    """

    file: str
    line: int | None
    path: str
    expected: str
    given: str
    argument: str | None = None

    def __str__(self) -> str:
        if self.argument is not None:
            where = f"{self.file} ({self.argument})"
        else:
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
#: Brackets open at once beyond which a document counts as too deeply nested.
MAX_NESTING = 100


def _clamp(line: int, text: str | None) -> int:
    """Keep a line number inside the file: an error "at the end" sits on its last line."""
    last = 1 if not text else text.rstrip().count("\n") + 1
    return min(max(line, 1), last)


def problems_from_toml_error(
    exc: tomllib.TOMLDecodeError, file: str, text: str | None = None
) -> list[Problem]:
    """Turn a tomllib syntax error into a Problem with a line number.

    Args:
        exc: The error raised by ``tomllib.loads``.
        file: File name to report.
        text: The source, if available; keeps the line inside the file (tomllib places an
            unterminated string at the end of the document, past the last line).

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
        line = line if line is not None else len(text or " ")  # clamped to the last line
    if line is None:  # older/newer message formats: still try the full text
        match = _POSITION.search(str(exc))
        line = int(match.group(1)) if match else 1
    return [Problem(file, _clamp(line, text), "", "valid TOML", message.strip() or str(exc))]


def problems_from_nesting(file: str, text: str) -> list[Problem]:
    """The problem of a document nested too deeply to parse (tomllib hit the recursion limit).

    It is placed at the first line where more than :data:`MAX_NESTING` brackets or braces
    are open (strings and comments are not told apart: the count only has to find the
    line, and a document this deep is not a scenario anyway).
    """
    depth, line = 0, 1
    for number, row in enumerate(text.split("\n"), start=1):
        for char in row:
            depth += (char in "[{") - (char in "]}")
            if depth > MAX_NESTING:
                line = number
                break
        else:
            continue
        break
    return [
        Problem(
            file, line, "", f"lists or tables nested at most {MAX_NESTING} deep", "deeper nesting"
        )
    ]


# --------------------------------------------------------------------------------------------
# Pydantic validation errors
# --------------------------------------------------------------------------------------------

_UNKNOWN = object()  # "we cannot tell what data sits here"

# Labels pydantic inserts into ``loc`` for union members that are plain types.
_TYPE_LABELS = frozenset(
    {
        "int", "float", "str", "bool", "bytes", "none", "list", "dict", "set", "frozenset",
        "tuple", "date", "datetime", "time", "timedelta", "decimal", "uuid", "url", "any",
    }
)  # fmt: skip
_CLASS_NAME = re.compile(r"[A-Z][A-Za-z0-9_]*")


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
    blame: Callable[[KeyPath], str | None] | None = None,
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
            :func:`loyaltysim.scenario.keypaths.known_keys_of`.
        blame: Maps a full document path to the ``--set`` argument that gave its value,
            or None; such a problem names the argument instead of a line.
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
        argument = blame(full) if blame else None
        problem = Problem(
            file=file,
            line=None if argument else (locate(full) or 1),  # a missing table: line 1
            path=format_path(full),
            expected=expected_text(error, keys),
            given=given_text(error, rel, keys),
            argument=argument,
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
            merged[key] = replace(earlier, expected=f"{earlier.expected} or {problem.expected}")
    return sorted(merged.values(), key=_sort_key)


def error_paths(exc: ValidationError, data: Any) -> list[KeyPath]:
    """The key paths (relative to ``data``) of every value pydantic rejected.

    Checks that span several keys run on the data without these, so they only ever see
    values of the right type.
    """
    return [
        _clean_loc(error["loc"], data, keep_last=error["type"] == "missing")[0]
        for error in exc.errors(include_url=False)
    ]
