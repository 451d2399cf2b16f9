"""Reading a scenario: TOML text, ``--set`` overrides, validation, variants, and back to TOML.

Every way bad input can fail ends here as a :class:`ScenarioError` whose problems name the
file, the line (or the ``--set`` argument that caused them), the key path, what was expected
and what was given, all at once, so one run of ``loyaltysim validate`` shows every mistake.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from loyaltysim.scenario.keypaths import deep_merge, known_keys_of, names_at
from loyaltysim.scenario.problems import (
    Problem,
    ScenarioError,
    error_paths,
    problems_from_nesting,
    problems_from_toml_error,
    problems_from_validation_error,
)
from loyaltysim.scenario.schema import Scenario, cross_reference_problems
from loyaltysim.scenario.toml_lines import KeyPath, format_path, key_lines, line_of
from loyaltysim.scenario.wording import unknown

__all__ = [
    "SetArgument",
    "load_scenario",
    "parse_set",
    "to_toml",
    "validate",
    "variant_names",
    "variant_of",
]

_KNOWN_KEYS = known_keys_of(Scenario)


@dataclass(frozen=True)
class SetArgument:
    """One ``--set KEY=VALUE``: where it points, the value read as TOML, and its own text."""

    path: tuple[str, ...]
    value: Any
    argument: str


def parse_set(item: str) -> SetArgument:
    """Parse one ``--set dotted.key=value`` into a key path and a TOML value.

    The value is read as TOML (``3``, ``0.5``, ``true``, ``"text"``, ``[1, 2]``); a bare word
    that is not valid TOML is taken as text, so ``--set network.kind=well_mixed`` works.

    Raises:
        ValueError: no ``=`` or an empty key part; the message says what was expected.

    """
    if "=" not in item:
        raise ValueError("KEY=VALUE, e.g. shops.thrift.price=90 (no '=' found)")
    key, raw = item.split("=", 1)
    path = tuple(part.strip() for part in key.strip().split("."))
    if not all(path):
        raise ValueError(f"KEY=VALUE with a dotted key of non-empty parts (not {key!r})")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        value = raw.strip()
    return SetArgument(path, value, f"--set {item}")


def _parse_sets(items: Iterable[str], file: str) -> list[SetArgument]:
    sets: list[SetArgument] = []
    problems: list[Problem] = []
    for item in items:
        try:
            sets.append(parse_set(item))
        except ValueError as exc:
            problems.append(Problem(file, None, "", str(exc), repr(item), f"--set {item}"))
    if problems:
        raise ScenarioError(problems, file)
    return sets


def _unknown_names(data: Mapping[str, Any], sets: list[SetArgument], file: str) -> list[Problem]:
    """``--set`` keys that pass through a shop, region, segment or variant the file lacks.

    ``--set shops.thirft.price=3`` would otherwise create a shop ``thirft`` with only a
    price and report its missing keys; the misspelt name is the real problem. Setting a
    whole named table (``--set 'shops.new={...}'``) is allowed.
    """
    problems: list[Problem] = []
    for item in sets:
        node: Any = data
        for depth, part in enumerate(item.path[:-1]):
            if not isinstance(node, Mapping):
                break
            if depth and part not in node and names_at(item.path[:depth]):
                what = item.path[depth - 1].split("_")[-1].removesuffix("s")
                problems.append(
                    Problem(
                        file,
                        None,
                        format_path(item.path[: depth + 1]),
                        f"a {what} of this scenario ({', '.join(map(repr, node)) or 'none'})",
                        unknown(part, what, node),
                        item.argument,
                    )
                )
                break
            node = node.get(part)
    return problems


def _read(path: Path) -> str:
    file = str(path)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        problem = Problem(file, None, "", "a readable scenario file", exc.strerror or str(exc))
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        bad = exc.object[exc.start]
        problem = Problem(file, line, "", "UTF-8 text", f"the byte 0x{bad:02x}, which is not UTF-8")
    raise ScenarioError([problem])


def load_scenario(path: str | Path, overrides: Iterable[str] | Mapping[str, Any] = ()) -> Scenario:
    """Read, override and validate a scenario file; raise :class:`ScenarioError` on bad input.

    Args:
        path: The TOML file.
        overrides: ``["shops.alpha.price=90", ...]`` as given to ``--set``, or a mapping
            ``{"shops.alpha.price": 90}``.

    """
    path = Path(path)
    file = str(path)
    text = _read(path)
    if isinstance(overrides, Mapping):
        overrides = [f"{k}={_toml_literal(v)}" for k, v in overrides.items()]
    sets = _parse_sets(overrides, file)
    try:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(problems_from_toml_error(exc, file, text)) from None
        wrong_names = _unknown_names(data, sets, file)
        if wrong_names:
            raise ScenarioError(wrong_names, file)
        for item in sets:
            override: Any = item.value
            for part in reversed(item.path):
                override = {part: override}
            data = deep_merge(data, override)
        data.setdefault("name", path.stem)
        return validate(data, file, text, sets=sets)
    except RecursionError:  # tomllib, or any later walk of a document nested too deeply
        raise ScenarioError(problems_from_nesting(file, text)) from None


def _blame(
    sets: Iterable[SetArgument], lines: Mapping[KeyPath, int]
) -> Callable[[KeyPath], str | None]:
    """The ``--set`` argument behind the value at a path (the last one wins), or None.

    That is the argument that set the path or a table around it, or else one that set a
    key inside it when the file does not have the path at all (the ``--set`` created it).
    """
    by_path = {item.path: item.argument for item in sets}

    def blame(path: KeyPath) -> str | None:
        for n in range(len(path), 0, -1):
            if path[:n] in by_path:
                return by_path[path[:n]]
        if path in lines:
            return None
        inside = [arg for set_path, arg in by_path.items() if set_path[: len(path)] == path]
        return inside[-1] if inside else None

    return blame


def _without(data: Any, paths: Iterable[KeyPath]) -> Any:
    """A copy of ``data`` without the values at ``paths`` (list elements become None)."""
    out = copy.deepcopy(data)
    for path in paths:
        node = out
        for part in path[:-1]:
            ok = isinstance(node, Mapping) and part in node
            ok = ok or (isinstance(node, list) and isinstance(part, int) and part < len(node))
            if not ok:
                break
            node = node[part]
        else:
            if path and isinstance(node, dict):
                node.pop(path[-1], None)
            elif (
                path
                and isinstance(node, list)
                and isinstance(path[-1], int)
                and -len(node) <= path[-1] < len(node)
            ):
                node[path[-1]] = None
    return out


def _problems(
    exc: ValidationError,
    data: Mapping[str, Any],
    file: str,
    text: str,
    locate: Callable[[KeyPath], int | None],
    blame: Callable[[KeyPath], str | None],
    prefix: KeyPath = (),
) -> list[Problem]:
    """Field problems plus cross-reference problems, each at its own key path and line.

    The cross-reference checks see only the values that passed their own checks, so they
    never meet a value of the wrong type; the model's one-line summary of them is replaced
    by one located problem each.
    """
    found = problems_from_validation_error(
        exc, file, text, prefix, locate=locate, known_keys=_KNOWN_KEYS, data=data, blame=blame
    )
    cross = cross_reference_problems(_without(data, error_paths(exc, data)))
    if not cross:
        return found
    root = format_path(prefix)
    kept = [p for p in found if p.path != root]
    for path, expected, given in cross:
        full = (*prefix, *path)
        argument = blame(full)
        line = None if argument else (locate(full) or 1)
        kept.append(Problem(file, line, format_path(full), expected, given, argument))
    return sorted(kept, key=lambda p: (p.line or 0, p.path))


def validate(
    data: dict[str, Any],
    file: str = "<scenario>",
    text: str = "",
    *,
    sets: Iterable[SetArgument] = (),
) -> Scenario:
    """Validate a scenario mapping and each of its variants, reporting all problems at once.

    Args:
        data: The scenario as parsed from TOML (with ``--set`` values merged in).
        file: File name to report.
        text: The TOML source, to place problems on lines.
        sets: The ``--set`` arguments merged into ``data``; problems at their keys name them.

    """
    lines = key_lines(text)

    def locate(path: KeyPath) -> int | None:
        return line_of(lines, path)

    blame = _blame(sets, lines)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_problems(exc, data, file, text, locate, blame), file) from None
    problems: list[Problem] = []
    for name in scenario.variants:
        try:
            variant_of(scenario, name)
        except ValidationError as exc:
            merged = deep_merge(scenario.base().model_dump(mode="python"), scenario.variants[name])
            problems += _problems(exc, merged, file, text, locate, blame, ("variants", name))
    if problems:
        raise ScenarioError(problems, file)
    return scenario


def variant_of(scenario: Scenario, name: str) -> Scenario:
    """The scenario with variant ``name``'s overrides applied (``"base"``: none)."""
    if name == "base":
        return scenario.base()
    data = scenario.base().model_dump(mode="python")
    merged = deep_merge(data, scenario.variants[name])
    merged["variants"] = {}
    return Scenario.model_validate(merged)


def variant_names(scenario: Scenario) -> list[str]:
    """Variants in the order the file gives them, ``base`` first."""
    return ["base", *[n for n in scenario.variants if n != "base"]]


def _toml_literal(value: Any) -> str:
    import tomli_w

    return tomli_w.dumps({"v": value}).split("=", 1)[1].strip()


def to_toml(scenario: Scenario) -> str:
    """The fully resolved scenario as TOML (every default written out)."""
    import tomli_w

    return tomli_w.dumps(scenario.model_dump(mode="python", exclude_none=True))
