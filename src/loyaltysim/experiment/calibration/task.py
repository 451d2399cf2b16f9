"""One run of a calibration, as a worker executes it: a parameter set, one replication.

Like a sweep's task (:func:`loyaltysim.experiment.sweep.task.run_point`), a pure function
of its arguments whose replication ``k`` uses child ``k`` of the scenario's root seed; it
returns the run's per-shop figures and, for series targets, the curves they follow (a few
numbers per observed point), never the whole time series.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loyaltysim.experiment.calibration.curves import Curve, curve_values
from loyaltysim.experiment.replication import simulate
from loyaltysim.experiment.sweep.task import exit_with_parent
from loyaltysim.scenario.keypaths import point_scenario
from loyaltysim.scenario.schema import Scenario


def run_calibration_point(
    base: Scenario,
    values: Mapping[str, Any],
    point: int,
    replication: int,
    curves: tuple[Curve, ...] = (),
    parent: int | None = None,
) -> dict[str, Any]:
    """Run replication ``replication`` of the parameter set ``values`` of ``base``.

    Returns:
        ``point``, ``replication``, ``ok``, and either ``figures`` (column -> list, one
        entry per shop) and ``curves`` (one list of values per curve), or ``error``.

    """
    if parent is not None:
        exit_with_parent(parent)
    record: dict[str, Any] = {"point": point, "replication": replication}
    try:
        scenario = point_scenario(base, values)
        cohorts = any(c.cohort_weeks is not None for c in curves)
        result = simulate(scenario, "base", replication, keep_orders=cohorts)
        figures = result.figures.drop(columns=["variant", "replication"])
        record["figures"] = {column: figures[column].tolist() for column in figures.columns}
        days = scenario.run.days
        record["curves"] = [
            curve_values(result.timeseries, c, days, result.orders).tolist() for c in curves
        ]
        record["ok"] = True
    except Exception as exc:  # reported by the calibration, with the parameter values
        record["ok"] = False
        record["error"] = f"{type(exc).__name__}: {exc}"
    return record
