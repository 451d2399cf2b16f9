"""Check ``[sweep]`` and ``[calibration]`` against the scenario, with file and line.

The schema (:mod:`loyaltysim.scenario.experiment`) checks each key's type on its own. What
needs the rest of the scenario is checked here, before any run starts, so that a mistake
costs seconds rather than a night on a cluster:

* each parameter is a dotted path to one value that exists in the scenario, and is not
  one the experiment controls itself (the seed, the replications);
* the keys given suit the design (``samples`` for samplers, ``values`` or ``steps`` for
  grids, a power of 2 for Sobol...);
* every value a parameter can take is valid for its key: each grid value, and both ends
  of each range, are validated once by the schema; then design points as a whole (for rules
  spanning keys, such as damage + loss <= 1): all, or a spread of a large design
  (:mod:`loyaltysim.experiment.sweep.size`, which also bounds a design's size);
* each output or target names a shop (or the market) and a known figure.

Every problem is reported at once, at the line of the offending key in the file, like
scenario errors (:class:`loyaltysim.scenario.problems.ScenarioError`, exit status 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from loyaltysim.experiment.sweep.design import Design, DesignParameter, grid_values, make_design
from loyaltysim.experiment.sweep.outputs import Output, parse_output
from loyaltysim.experiment.sweep.size import points_to_check, too_large
from loyaltysim.scenario.keypaths import (
    CONTROLLED,
    RESERVED,
    leaf_types,
    lookup,
    plain_base,
    point_scenario,
    split,
)
from loyaltysim.scenario.problems import Problem, ScenarioError, problems_from_validation_error
from loyaltysim.scenario.schema import Scenario
from loyaltysim.scenario.toml_lines import KeyPath, format_path, key_lines, line_of
from loyaltysim.scenario.wording import closest

if TYPE_CHECKING:
    from loyaltysim.experiment.calibration.targets import Target

#: Distinct reasons for invalid design points reported at most.
MAX_POINT_PROBLEMS = 5


class _Located:
    """Collects problems of one file, each placed at the line of its key path."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.lines = key_lines(text)
        self.problems: list[Problem] = []

    def add(self, path: KeyPath, expected: str, given: str) -> None:
        self.problems.append(
            Problem(self.file, line_of(self.lines, path), format_path(path), expected, given)
        )

    def raise_if_any(self) -> None:
        if self.problems:
            ordered = sorted(self.problems, key=lambda p: (p.line or 0, p.path))
            raise ScenarioError(ordered, self.file)


def read_text(file: str | Path) -> str:
    """The scenario's text, to place problems on lines (empty if it cannot be read)."""
    try:
        return Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def kind_of(types: set[type]) -> str | None:
    """One word for the schema type of a key: int, float, bool, str (None: not a value)."""
    if bool in types:
        return "bool"
    if float in types:
        return "float"
    if int in types:
        return "int"
    if str in types:
        return "str"
    return None


def _path_problem(data: Mapping[str, Any], name: str) -> tuple[str, str] | None:
    """Why ``name`` is not a settable value of the scenario, as ``(expected, given)``."""
    path = split(name)
    if not all(path):
        return "a dotted key such as shops.<name>.price", repr(name)
    if path[0] in RESERVED:
        return f"a key that changes a run ({RESERVED[path[0]]})", repr(name)
    if path[:2] in CONTROLLED:
        return f"a key the experiment does not set itself ({CONTROLLED[path[:2]]})", repr(name)
    found, value, depth = lookup(data, path)
    if not found:
        parent = path[:depth]
        node: Any = data
        for part in parent:
            node = node[part]
        if node is None:
            section = format_path(parent)
            return (
                f"a key of a section the scenario sets ([{section}] is off; add it to the "
                "file first)",
                repr(name),
            )
        if not isinstance(node, Mapping):
            return f"a key path ending at {format_path(parent)}, which is a value", repr(name)
        keys = sorted(str(k) for k in node)
        best = closest(path[depth], keys)
        hint = f" (did you mean {best!r}?)" if best is not None else ""
        where = format_path(parent) if parent else "the scenario"
        return f"a key of {where}: {', '.join(keys)}", f"{path[depth]!r}{hint}"
    if isinstance(value, Mapping):
        return (
            f"a key path to one value; {name} is a table with keys {', '.join(map(str, value))}",
            repr(name),
        )
    if kind_of(leaf_types(path)) is None:
        return "a number, true/false or text key", f"{name!r} (a {type(value).__name__})"
    return None


def _value_problems(base: Scenario, name: str, value: Any) -> list[tuple[str, str]]:
    """Problems of setting ``name`` to ``value`` in ``base``, as ``(expected, given)``."""
    try:
        point_scenario(base, {name: value})
    except ValidationError as exc:
        data = {"_": None}
        found = problems_from_validation_error(exc, "", "", data=data)
        out = []
        for problem in found:
            if problem.path == name:
                out.append((problem.expected, problem.given))
            else:
                where = problem.path or "the scenario"
                out.append(
                    (
                        f"a value that keeps the scenario valid ({where}: expected "
                        f"{problem.expected}, given {problem.given})",
                        repr(value),
                    )
                )
        return out
    return []


def _check_values(
    located: _Located,
    base: Scenario,
    where: KeyPath,
    parameter: DesignParameter,
    steps: int | None,
) -> None:
    """Validate each value a parameter takes on its own (grid values, range ends)."""
    if parameter.values is not None:
        candidates = [((*where, "values", i), v) for i, v in enumerate(parameter.values)]
    else:
        ends = [parameter.low, parameter.high]
        if parameter.kind == "int":
            ends = [round(v) for v in ends if v is not None]
        candidates = [((*where, key), v) for key, v in zip(("low", "high"), ends, strict=True)]
        if steps is not None and parameter.kind == "int":
            candidates += [((*where, "steps"), v) for v in grid_values(parameter, steps)]
    seen: set[KeyPath] = set()
    tried: list[Any] = []
    for path, value in candidates:
        if any(value == other and type(value) is type(other) for other in tried):
            continue  # an integer grid repeats its rounded ends
        tried.append(value)
        for expected, given in _value_problems(base, parameter.name, value):
            if path not in seen:
                located.add(path, expected, given)
                seen.add(path)


def _check_outputs(
    located: _Located, names: list[str], shops: list[str], where: KeyPath
) -> list[Output]:
    outputs = []
    for i, name in enumerate(names):
        parsed = parse_output(name, shops)
        if isinstance(parsed, Output):
            outputs.append(parsed)
        else:
            located.add((*where, i), *parsed)
    return outputs


def sweep_design(scenario: Scenario, file: str | Path, text: str | None = None) -> Design:
    """Check the scenario's ``[sweep]`` against the scenario and build its design.

    Args:
        scenario: A validated scenario with a ``sweep`` section.
        file: The scenario file (for messages).
        text: Its text (read from ``file`` if not given), to find lines.

    Raises:
        ScenarioError: every problem found, located in the file.

    """
    file = str(file)
    located = _Located(file, read_text(file) if text is None else text)
    sweep = scenario.sweep
    if sweep is None:
        located.add(("sweep",), "a [sweep] section (see docs/experiments.md)", "none")
        located.raise_if_any()
    assert sweep is not None
    base = plain_base(scenario)
    data = base.model_dump(mode="python")
    design = sweep.design
    samplers = ("lhs", "sobol", "morris")
    if design == "grid" and sweep.samples is not None:
        located.add(("sweep", "samples"), "no samples with design = 'grid' (the grid is "
                    "every combination of the values)", str(sweep.samples))  # fmt: skip
    if design in samplers and sweep.samples is None:
        located.add(("sweep",), f"samples = <number> with design = '{design}'", "no samples")
    if design == "sobol" and sweep.samples is not None and sweep.samples & (sweep.samples - 1):
        located.add(
            ("sweep", "samples"),
            "a power of 2 with design = 'sobol' (the Sobol' sequence balances only then)",
            str(sweep.samples),
        )
    # Resolved files (scenario.toml of a sweep) spell out defaults: only other values are wrong.
    defaults = {name: field.default for name, field in type(sweep).model_fields.items()}
    if sweep.levels != defaults["levels"] and design != "morris":
        located.add(("sweep", "levels"), "levels only with design = 'morris'", str(sweep.levels))
    if sweep.second_order and design != "sobol":
        located.add(
            ("sweep", "second_order"),
            "second_order only with design = 'sobol'",
            str(sweep.second_order).lower(),
        )
    kinds: dict[str, str] = {}
    for name, spec in sweep.parameters.items():
        where: KeyPath = ("sweep", "parameters", name)
        wrong_path = _path_problem(data, name)
        if wrong_path is not None:
            located.add(where, *wrong_path)
            continue
        kind = kind_of(leaf_types(split(name)))
        assert kind is not None
        kinds[name] = kind
        has_range = spec.low is not None or spec.high is not None
        if spec.values is not None and (has_range or spec.steps is not None):
            located.add(where, "either values = [...] or low, high (and steps)", "both")
            continue
        if design in samplers:
            if spec.values is not None:
                located.add(
                    (*where, "values"),
                    f"low and high with design = '{design}' (samplers draw from a range; "
                    "lists of values are for grids)",
                    "values",
                )
                continue
            if spec.steps is not None:
                located.add((*where, "steps"), "steps only with design = 'grid'", "steps")
        if spec.values is None:
            if spec.low is None or spec.high is None:
                located.add(where, "low and high (or values = [...] in a grid)", "neither")
                continue
            if kind in ("bool", "str"):
                what = "true/false" if kind == "bool" else "text"
                located.add(
                    where, f"values = [...] in a grid ({name} is {what}, which has no range)",
                    "low and high",
                )  # fmt: skip
                continue
            if design == "grid" and spec.steps is None:
                located.add(where, "steps = <number of values> for a grid over a range", "none")
                continue
            if not spec.low < spec.high:
                located.add((*where, "high"), f"a number > low ({spec.low:g})", f"{spec.high:g}")
                continue
            if spec.scale == "log" and spec.low <= 0:
                located.add((*where, "low"), "a number > 0 with scale = 'log'", f"{spec.low:g}")
                continue
        elif spec.scale == "log":
            located.add((*where, "scale"), "scale only with low and high", "'log'")
            continue
        parameter = DesignParameter(name, kind, spec.values and tuple(spec.values),
                                    spec.low, spec.high, spec.scale)  # fmt: skip
        _check_values(located, base, where, parameter, spec.steps)
    _check_outputs(located, sweep.outputs, list(scenario.shops), ("sweep", "outputs"))
    located.raise_if_any()
    big = too_large(sweep) if design in samplers else None  # a sampler's, before drawing
    result = make_design(sweep, kinds, scenario.run.seed) if big is None else None
    big = big or too_large(sweep, result)
    if big is not None:
        located.add(*big)
        located.raise_if_any()
    assert result is not None
    _check_points(located, base, result)
    located.raise_if_any()
    return result


def _check_points(located: _Located, base: Scenario, design: Design) -> None:
    """Validate design points as whole scenarios (rules spanning several keys).

    Points failing for the same reason are reported once, with the first such point and
    how many there are (see :func:`points_to_check` for which points of a large design).
    """
    swept = set(design.names)
    reasons: dict[str, list[int]] = {}
    for point in points_to_check(design):
        try:
            point_scenario(base, design.values_of(point))
        except ValidationError as exc:
            found = problems_from_validation_error(exc, "", "", data={"_": None})
            reason = "; ".join(
                f"{p.path}: expected {p.expected}, given {p.given}"
                if p.path in swept
                else f"{p.path or 'scenario'}: {p.expected}"
                for p in found
            )
            reasons.setdefault(reason, []).append(point)
    for reason, points in list(reasons.items())[:MAX_POINT_PROBLEMS]:
        shown = ", ".join(f"{k} = {v!r}" for k, v in design.values_of(points[0]).items())
        more = f" and {len(points) - 1} more point(s)" if len(points) > 1 else ""
        located.add(
            ("sweep", "parameters"),
            "design points that are valid scenarios",
            f"point {points[0]} ({shown}){more}, where {reason}",
        )


def check_experiment_sections(scenario: Scenario, file: str | Path) -> Design | None:
    """Check ``[sweep]`` and ``[calibration]`` if present; return the sweep's design if any."""
    text = read_text(file)
    problems: list[Problem] = []
    design = None
    for section, check in (
        ("sweep", sweep_design),
        ("calibration", calibration_plan),
    ):
        if getattr(scenario, section) is None:
            continue
        try:
            found = check(scenario, file, text)  # type: ignore[operator]
        except ScenarioError as exc:
            problems += exc.problems
        else:
            design = found if section == "sweep" else design
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: (p.line or 0, p.path)), str(file))
    return design


def calibration_plan(
    scenario: Scenario, file: str | Path, text: str | None = None
) -> tuple[list[DesignParameter], list[Target]]:
    """Check ``[calibration]``: free parameters (float or integer keys) and targets.

    Returns:
        The free parameters (with their bounds) and the targets (curves read from their
        CSV files, relative to ``file``'s folder).

    Raises:
        ScenarioError: every problem found, located in the file.

    """
    file = str(file)
    located = _Located(file, read_text(file) if text is None else text)
    calibration = scenario.calibration
    if calibration is None:
        located.add(("calibration",), "a [calibration] section (see docs/experiments.md)",
                    "none")  # fmt: skip
        located.raise_if_any()
    assert calibration is not None
    base = plain_base(scenario)
    data = base.model_dump(mode="python")
    parameters = []
    for name, spec in calibration.parameters.items():
        where: KeyPath = ("calibration", "parameters", name)
        wrong_path = _path_problem(data, name)
        if wrong_path is not None:
            located.add(where, *wrong_path)
            continue
        kind = kind_of(leaf_types(split(name)))
        if kind not in ("float", "int"):
            located.add(where, "a number key (an optimiser moves numbers)", f"a {kind} key")
            continue
        if not spec.low < spec.high:
            located.add((*where, "high"), f"a number > low ({spec.low:g})", f"{spec.high:g}")
            continue
        if spec.start is not None and not spec.low <= spec.start <= spec.high:
            located.add((*where, "start"), f"a number from {spec.low:g} to {spec.high:g}",
                        f"{spec.start:g}")  # fmt: skip
            continue
        parameter = DesignParameter(name, kind, None, spec.low, spec.high)
        _check_values(located, base, where, parameter, None)
        parameters.append(parameter)
    # Imported here: the calibration package imports this module.
    from loyaltysim.experiment.calibration.targets import plan_targets

    shops, folder = list(scenario.shops), Path(file).parent
    targets = plan_targets(calibration.targets, shops, base.run.days, folder, located)
    if calibration.seed is not None and calibration.method != "differential-evolution":
        located.add(("calibration", "seed"), "seed only with method = 'differential-evolution' "
                    "(Nelder-Mead draws no random numbers)", str(calibration.seed))  # fmt: skip
    located.raise_if_any()
    return parameters, targets
