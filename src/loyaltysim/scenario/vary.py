"""``--vary KEY=lo:hi:n``: one parameter's values as the variants of a run.

A quick one-parameter comparison without a ``[sweep]`` section: every value becomes a
variant named after it (``price=80``), compared with the base (the file's own value, after
``--set``) in the variant table and the report. The forms are::

    --vary shops.middle.price=60:100:5          # 5 values from 60 to 100: 60, 70, 80, 90, 100
    --vary shops.middle.price=[60, 80, 100]     # a TOML list
    --vary network.kind=small_world,well_mixed  # comma-separated, each read like --set

Each value is checked exactly as ``--set KEY=value`` would be (unknown keys and names with a
did-you-mean, types, bounds), and every problem names the ``--vary`` argument. The file's
own variants are replaced: a one-parameter comparison is the point.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from loyaltysim.scenario.load import _toml_literal, load_scenario, parse_set
from loyaltysim.scenario.problems import Problem, ScenarioError
from loyaltysim.scenario.schema import Scenario

RANGE_FORM = "lo:hi:n (numbers lo and hi, a whole number n >= 2 of values)"


def vary_values(item: str) -> tuple[tuple[str, ...], list[Any]]:
    """The key path and the values of one ``--vary`` argument (without ``--vary``).

    Raises:
        ValueError: the argument has none of the three forms; the message says what would be.

    """
    parsed = parse_set(item)  # KEY=VALUE, the value read as TOML (a list stays a list)
    key = ".".join(parsed.path)
    if isinstance(parsed.value, list):
        values = parsed.value
    elif isinstance(parsed.value, str) and ":" in parsed.value:
        values = _range(parsed.value)
    elif isinstance(parsed.value, str) and "," in parsed.value:
        values = [parse_set(f"{key}={part}").value for part in parsed.value.split(",")]
    else:
        values = [parsed.value]
    if not values:
        raise ValueError("at least one value")
    names = [variant_name(parsed.path, v) for v in values]
    if len(set(names)) < len(names):
        raise ValueError(f"values that differ (given {', '.join(names)})")
    return parsed.path, values


def _range(text: str) -> list[Any]:
    """``"60:100:5"`` -> ``[60, 70, 80, 90, 100]``; floats where the step is not whole."""
    parts = [parse_set(f"v={p}").value for p in text.split(":")]
    numbers = len(parts) == 3 and all(
        isinstance(p, int | float) and not isinstance(p, bool) and math.isfinite(p) for p in parts
    )
    if not numbers or not isinstance(parts[2], int) or parts[2] < 2:
        raise ValueError(RANGE_FORM)
    lo, hi, n = parts
    if all(isinstance(p, int) for p in (lo, hi)) and (hi - lo) % (n - 1) == 0:
        return [lo + i * ((hi - lo) // (n - 1)) for i in range(n)]
    return [float(round(lo + i * (hi - lo) / (n - 1), 12)) for i in range(n)]


def variant_name(path: tuple[str, ...], value: Any) -> str:
    """``("shops", "middle", "price"), 80`` -> ``"price=80"``."""
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, float):
        text = f"{value:.12g}"
    else:
        text = str(value)
    return f"{path[-1]}={text}"


def load_varied(path: str | Path, overrides: Iterable[str], item: str) -> Scenario:
    """The scenario of ``path`` with ``overrides``, whose variants are the ``--vary`` values.

    Args:
        path: The scenario file.
        overrides: ``--set`` arguments, applied to the base and so to every variant.
        item: The ``--vary`` argument without ``--vary`` (``"shops.middle.price=60:100:5"``).

    Raises:
        ScenarioError: bad input in the file, a ``--set`` or the ``--vary`` argument; problems
            caused by a ``--vary`` value name the ``--vary`` argument.

    """
    overrides = list(overrides)
    argument = f"--vary {item}"
    base = load_scenario(path, overrides)
    try:
        key, values = vary_values(item)
    except ValueError as exc:
        raise ScenarioError(
            [Problem(str(path), None, "", str(exc), repr(item), argument)]
        ) from None
    problems: list[Problem] = []
    variants: dict[str, dict[str, Any]] = {}
    for value in values:
        literal = f"{'.'.join(key)}={_toml_literal(value)}"
        try:
            load_scenario(path, [*overrides, literal])  # the value checked as --set checks it
        except ScenarioError as exc:
            for p in exc.problems:
                if p.argument == f"--set {literal}":
                    p = dataclasses.replace(p, argument=argument)
                if p not in problems:
                    problems.append(p)
            continue
        nested: Any = value
        for part in reversed(key):
            nested = {part: nested}
        variants[variant_name(key, value)] = nested
    if problems:
        raise ScenarioError(problems, str(path))
    return base.model_copy(update={"variants": variants})
