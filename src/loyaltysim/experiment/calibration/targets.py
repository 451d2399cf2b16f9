"""The targets of a calibration, scalar or curve, and each one's term of the loss.

A scalar target is one observed figure ``v`` with a scale ``s`` (default ``|v|``); a series
target is an observed curve ``y_1 .. y_n`` read from a CSV file, with a scale per point
(``scale``, by default the mean of ``|y_t|``, or ``|y_t|`` itself with
``error = "relative"``). Both give the loss the same kind of term, a weighted mean of squared
scaled errors of the mean ``m`` over the fitting replications::

    term = w * mean_t ((m_t - y_t) / s_t) ** 2

so a scalar is a curve of one point, and a curve of ``n`` points weighs as much as one
scalar target: its weight does not grow with how finely it was observed.

The CSV file is read, and every problem with it found, when the calibration is checked
(``loyaltysim validate``), before any run: each problem names the CSV's file and line.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from loyaltysim.experiment.calibration.curves import (
    COHORT_FIGURES,
    Curve,
    curve_figures,
    first_time,
    flow,
    last_time,
)
from loyaltysim.experiment.sweep.outputs import MARKET, Output, parse_output
from loyaltysim.scenario.experiment import CalibrationSeries, CalibrationTarget
from loyaltysim.scenario.problems import Problem
from loyaltysim.scenario.toml_lines import KeyPath


class Places(Protocol):
    """Where problems go: located on the scenario's lines, or given whole (a CSV's)."""

    problems: list[Problem]

    def add(self, path: KeyPath, expected: str, given: str) -> None:
        """A problem at the line of ``path`` in the scenario file."""


@dataclass(frozen=True)
class Target:
    """One target: the observed value(s) and how errors count.

    Attributes:
        name: As written in the scenario (``"market.repeat_orders"``).
        output: The shop (or market) and figure.
        observed: The observed values (one for a scalar target).
        scales: The error that counts as one unit, per point.
        weight: Weight of the target's term in the loss.
        curve: For a series target, which curve of the run it is compared with.
        source: For a series target, the CSV file it was read from.
    """

    name: str
    output: Output
    observed: np.ndarray
    scales: np.ndarray
    weight: float
    curve: Curve | None = None
    source: Path | None = None

    def labels(self) -> list[str]:
        """One label per point: the name, or ``name[week 12]`` for a curve's points."""
        if self.curve is None:
            return [self.name]
        return [f"{self.name}[{self.curve.period} {t}]" for t in self.curve.times]

    def term(self, means: np.ndarray) -> float:
        """The target's term of the loss at the simulated ``means`` (inf if undefined)."""
        errors = (means - self.observed) / self.scales
        if not np.isfinite(errors).all():
            return float("inf")
        return float(self.weight * np.mean(errors**2))


def plan_targets(
    targets: dict[str, float | CalibrationTarget | CalibrationSeries],
    shops: list[str],
    days: int,
    folder: Path,
    places: Places,
) -> list[Target]:
    """Check every target of ``[calibration.targets]``; the valid ones, in file order.

    Args:
        targets: The section as validated by the schema.
        shops: The scenario's shop names.
        days: The run's recorded days (a curve's times must fall inside them).
        folder: Where CSV paths start (the scenario file's folder).
        places: Collects the problems found.

    """
    out = []
    for name, raw in targets.items():
        where: KeyPath = ("calibration", "targets", name)
        if isinstance(raw, CalibrationSeries):
            target = _series_target(name, raw, shops, days, folder, where, places)
        else:
            target = _scalar_target(name, raw, shops, where, places)
        if target is not None:
            out.append(target)
    return out


def _scalar_target(
    name: str, raw: float | CalibrationTarget, shops: list[str], where: KeyPath, places: Places
) -> Target | None:
    parsed = parse_output(name, shops)
    if not isinstance(parsed, Output):
        places.add(where, *parsed)
        return None
    spec = raw if isinstance(raw, CalibrationTarget) else CalibrationTarget(value=raw)
    if spec.scale is None and spec.value == 0:
        places.add(where, "scale = <error that counts as 1> for a target of 0 (the "
                   "default scale is the target itself)", "no scale")  # fmt: skip
        return None
    scale = spec.scale if spec.scale is not None else abs(spec.value)
    return Target(name, parsed, np.array([spec.value]), np.array([scale]), spec.weight)


def _series_output(name: str, shops: list[str]) -> Output | tuple[str, str]:
    """Read ``"<shop>.<figure>"`` naming a curve; the Output, or ``(expected, given)``."""
    if "." not in name:
        return "'<shop>.<figure>' or 'market.<figure>'", repr(name)
    shop, figure = name.rsplit(".", 1)
    if shop != MARKET and shop not in shops:
        return f"a shop of {sorted(shops)} or 'market'", repr(shop)
    known = curve_figures(shop)
    if figure not in known:
        kind = "a market figure that adds up over shops" if shop == MARKET else "a daily figure"
        return f"{kind}: {', '.join(known)}", repr(figure)
    return Output(shop, figure)


def _series_target(
    name: str,
    spec: CalibrationSeries,
    shops: list[str],
    days: int,
    folder: Path,
    where: KeyPath,
    places: Places,
) -> Target | None:
    parsed = _series_output(name, shops)
    if not isinstance(parsed, Output):
        places.add(where, *parsed)
        return None
    if spec.cumulative and not flow(parsed.figure):
        places.add((*where, "cumulative"), "cumulative = false for a level (a running total "
                   "only of counts and amounts)", f"true for {parsed.figure!r}")  # fmt: skip
        return None
    if spec.cohort_weeks is not None and parsed.figure not in COHORT_FIGURES:
        places.add((*where, "cohort_weeks"), f"a curve of {' or '.join(COHORT_FIGURES)} "
                   "(a cohort is followed through its orders)", repr(parsed.figure))  # fmt: skip
        return None
    path = folder / spec.file
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        places.add((*where, "file"), "a readable UTF-8 CSV file, relative to the scenario "
                   "file", f"{spec.file!r} ({type(exc).__name__} on {path})")  # fmt: skip
        return None
    found = read_points(text, str(path), spec, days)
    if isinstance(found, list):
        places.problems.extend(found)
        return None
    times, observed, lines = found
    if spec.error == "relative":
        zero = [line for line, y in zip(lines, observed, strict=True) if y == 0]
        if zero:
            places.problems.append(Problem(str(path), zero[0], spec.column, "a value other "
                                   "than 0 (error = 'relative' divides by it)", "0"))  # fmt: skip
            return None
        scales = np.abs(observed)
    else:
        scale = spec.scale if spec.scale is not None else float(np.mean(np.abs(observed)))
        if scale == 0:
            places.add(where, "scale = <error that counts as 1> (the default scale, the mean "
                       "observed value, is 0)", "no scale")  # fmt: skip
            return None
        scales = np.full(observed.shape, scale)
    curve = Curve(
        parsed.shop, parsed.figure, spec.time, spec.cumulative, tuple(times), spec.cohort_weeks
    )
    return Target(name, parsed, observed, scales, spec.weight, curve, path.resolve())


def read_points(
    text: str, file: str, spec: CalibrationSeries, days: int
) -> tuple[list[int], np.ndarray, list[int]] | list[Problem]:
    """The CSV's times, observed values and line numbers; or every problem with it."""
    rows = csv.reader(text.splitlines())
    header = next(rows, [])
    columns = [c.strip() for c in header]
    missing = [c for c in (spec.time, spec.column) if c not in columns]
    if missing:
        shown = ", ".join(repr(c) for c in columns) or "an empty file"
        return [Problem(file, 1, "", f"a header line naming the columns {spec.time!r} and "
                        f"{spec.column!r}", shown)]  # fmt: skip
    at_time, at_value = columns.index(spec.time), columns.index(spec.column)
    low, high = first_time(spec.time), last_time(spec.time, days)
    problems: list[Problem] = []
    times: list[int] = []
    values: list[float] = []
    lines: list[int] = []
    seen: dict[int, int] = {}
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = [row[i].strip() if i < len(row) else "" for i in (at_time, at_value)]
        time, value = (_number(cell) for cell in cells)
        if time is None or not time.is_integer():
            problems.append(Problem(file, line, spec.time, f"a whole number of {spec.time}s",
                                    repr(cells[0])))  # fmt: skip
        elif not low <= time <= high:
            problems.append(Problem(file, line, spec.time, f"a {spec.time} from {low} to {high} "
                                    f"(the run records {days} days)", cells[0]))  # fmt: skip
        elif int(time) in seen:
            again = f"{cells[0]} again (first on line {seen[int(time)]})"
            problems.append(Problem(file, line, spec.time, f"each {spec.time} once", again))
        else:
            seen[int(time)] = line
        if value is None:
            problems.append(Problem(file, line, spec.column, "a finite number", repr(cells[1])))
        times.append(int(time) if time is not None and time.is_integer() else 0)
        values.append(value if value is not None else np.nan)
        lines.append(line)
    if not lines and not problems:
        problems.append(Problem(file, 2, "", "at least one row of data", "none"))
    if problems:
        return problems
    return times, np.array(values, dtype=np.float64), lines


def _number(cell: str) -> float | None:
    """A finite number written in a CSV cell, or None."""
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if np.isfinite(value) else None
