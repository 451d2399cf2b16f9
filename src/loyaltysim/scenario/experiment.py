"""Schema of the ``[sweep]`` and ``[calibration]`` sections of a scenario file.

Both sections live in the scenario file, so they are validated with the rest of it (unknown
keys, wrong types, NaN are errors with file and line). Parameters are named by their dotted
path in the scenario (``"shops.premium.price"``), written as quoted TOML keys::

    [sweep]
    design = "sobol"
    samples = 256
    replications = 2
    outputs = ["premium.retention", "market.profit"]

    [sweep.parameters]
    "shops.premium.price" = { low = 100, high = 160 }
    "shops.thrift.courier.on_time" = { low = 0.6, high = 0.95 }

Checks that need the rest of the scenario (does the path exist, is each value valid for
that key, does the output name a shop) are in :mod:`loyaltysim.experiment.checks`. This
module imports nothing from the package except the schema base, because
:mod:`loyaltysim.scenario.schema` imports it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Discriminator, Field, Tag

from loyaltysim.scenario.base import Strict

#: Sweep designs: a full factorial grid, or samples drawn by SALib.
Design = Literal["grid", "lhs", "sobol", "morris"]
#: A value a grid may set: a number, a switch or a word (e.g. ``network.kind``).
GridValue = bool | int | float | str


class SweepParameter(Strict):
    """One swept parameter: explicit values (grid) or a range.

    A grid takes ``values`` or ``low``, ``high`` and ``steps`` (evenly spaced, ends
    included); Latin hypercube, Sobol and Morris designs sample between ``low`` and
    ``high``. Integer keys are rounded to the nearest integer.
    """

    values: list[GridValue] | None = Field(
        None, min_length=1, description="Grid: the values to run, in this order."
    )
    low: float | None = Field(None, description="Lower end of the range.")
    high: float | None = Field(None, description="Upper end of the range.")
    steps: int | None = Field(
        None, ge=2, le=100_000, description="Grid over a range: number of values, ends included."
    )
    scale: Literal["linear", "log"] = Field(
        "linear",
        description="log: sample (or space grid steps) evenly in log10, for rates spanning "
        "orders of magnitude; needs low > 0.",
    )


class SweepConfig(Strict):
    """``[sweep]``: which parameters vary, how, how often, and what to analyse."""

    design: Design = Field("grid", description="grid, lhs, sobol (Saltelli) or morris.")
    parameters: dict[str, SweepParameter] = Field(
        min_length=1, description="Dotted scenario key -> values or range."
    )
    replications: int = Field(
        1,
        ge=1,
        le=100_000,
        description="Runs per design point; replication k of every point uses the same seed.",
    )
    outputs: list[str] = Field(
        min_length=1,
        description="Figures to analyse: '<shop>.<figure>' or 'market.<figure>'.",
    )
    samples: int | None = Field(
        None,
        ge=1,
        le=1_048_576,
        description="lhs: design points; sobol: base sample N (a power of 2); "
        "morris: trajectories. At most 2**20, and the design at most 10,000,000 points.",
    )
    levels: int = Field(4, ge=2, le=1000, description="morris: levels of the grid.")
    second_order: bool = Field(
        False, description="sobol: also estimate second-order indices (N*(2D+2) points)."
    )
    seed: int | None = Field(
        None, ge=0, description="Seed of the design sampler (default: run.seed)."
    )


class CalibrationParameter(Strict):
    """A free parameter of a calibration: its bounds and optional starting value."""

    low: float = Field(description="Lower bound.")
    high: float = Field(description="Upper bound.")
    start: float | None = Field(None, description="Starting value (default: the scenario's).")


class CalibrationTarget(Strict):
    """An observed figure the calibrated model should reproduce."""

    value: float = Field(description="The observed value.")
    weight: float = Field(1.0, gt=0.0, description="Weight in the loss.")
    scale: float | None = Field(
        None,
        gt=0.0,
        description="Error that counts as one unit in the loss (default: |value|, i.e. "
        "relative error); needed when value is 0.",
    )


class CalibrationSeries(Strict):
    """An observed curve the calibrated model should reproduce, read from a CSV file.

    The file has a header line naming its columns; ``time`` names the time column and its
    unit (recorded day 0, 1, ... or week 1, 2, ..., week ``w`` being days ``7w - 7`` to
    ``7w - 1``), ``column`` the observed values. Its points are compared with the run's
    figure per day or week (summed over the period for a count or money figure, its value on
    the period's last day for a level), cumulated from day 0 if ``cumulative``. With
    ``cohort_weeks`` the orders counted are those of one cohort of new customers, per
    member of the cohort, read from the run's transaction log.
    """

    file: str = Field(description="CSV file, relative to the scenario file.")
    time: Literal["day", "week"] = Field(
        "week", description="The time column's name and unit: day (from 0) or week (from 1)."
    )
    column: str = Field(min_length=1, description="The column of observed values.")
    cumulative: bool = Field(
        False, description="Compare running totals from day 0 (count and money figures)."
    )
    cohort_weeks: int | None = Field(
        None,
        ge=1,
        le=520,
        description="Follow only the cohort whose first order (at the shop; for the market, "
        "anywhere) falls in recorded weeks 1 to cohort_weeks, per member of the cohort, as in "
        "Fader, Hardie & Lee's CDNOW cohort; figures orders and repeat_orders only.",
    )
    error: Literal["scaled", "relative"] = Field(
        "scaled",
        description="scaled: each point's error over scale; relative: over the point's own "
        "observed value (none may be 0).",
    )
    weight: float = Field(1.0, gt=0.0, description="Weight in the loss.")
    scale: float | None = Field(
        None,
        gt=0.0,
        description="error = 'scaled': the error that counts as one unit at every point "
        "(default: the mean absolute observed value).",
    )


def _target_kind(raw: object) -> str:
    """Which kind of target a value is: a curve has a ``file``, a table a ``value``.

    The tags are the class names, which the problem wording drops from key paths.
    """
    if isinstance(raw, CalibrationSeries) or (isinstance(raw, dict) and "file" in raw):
        return "CalibrationSeries"
    return "CalibrationTarget" if isinstance(raw, dict | CalibrationTarget) else "float"


#: A target: a number, a table with value (weight, scale), or a curve read from a CSV file.
TargetSpec = Annotated[
    Annotated[float, Tag("float")]
    | Annotated[CalibrationTarget, Tag("CalibrationTarget")]
    | Annotated[CalibrationSeries, Tag("CalibrationSeries")],
    Discriminator(_target_kind),
]


class CalibrationConfig(Strict):
    """``[calibration]``: free parameters with bounds, target figures, and the fit."""

    parameters: dict[str, CalibrationParameter] = Field(
        min_length=1, description="Dotted scenario key -> bounds."
    )
    targets: dict[str, TargetSpec] = Field(
        min_length=1,
        description="'<shop>.<figure>' or 'market.<figure>' -> observed value (or a table "
        "with value, weight, scale), or an observed curve (a table with file, column...); "
        "the loss adds each curve's mean squared scaled error over its points.",
    )
    replications: int = Field(
        8,
        ge=1,
        le=10_000,
        description="Replications per evaluation; the same seeds at every evaluation.",
    )
    check_replications: int = Field(
        10,
        ge=0,
        le=10_000,
        description="Fresh replications (seeds the optimiser never used) that estimate the "
        "achieved figures and their confidence intervals; the refinement step uses as many "
        "other fresh seeds.",
    )
    method: Literal["nelder-mead", "differential-evolution"] = Field(
        "nelder-mead", description="The optimiser (scipy.optimize)."
    )
    refine: bool = Field(
        True,
        description="After the optimiser, one Gauss-Newton step with targets and slopes "
        "estimated on check_replications other fresh seeds (corrects a fit to lucky seeds).",
    )
    max_evaluations: int = Field(
        60, ge=1, le=100_000, description="Most parameter sets to evaluate."
    )
    tolerance: float = Field(
        0.005,
        gt=0.0,
        le=1.0,
        description="Stop when the parameters move less than this share of their range.",
    )
    seed: int | None = Field(
        None, ge=0, description="differential-evolution: seed of the optimiser."
    )
