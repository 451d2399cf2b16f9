"""The search: the optimiser over the unit cube, then the refinement and the check.

See :mod:`loyaltysim.experiment.calibration` for the method and why it is built this way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from loyaltysim.experiment.calibration.evaluator import CalibrationError, Evaluator, mapper
from loyaltysim.experiment.calibration.local import achieved, local_linear, refine_step
from loyaltysim.experiment.calibration.targets import Target
from loyaltysim.experiment.checks import calibration_plan
from loyaltysim.experiment.sweep.design import DesignParameter
from loyaltysim.scenario import Scenario
from loyaltysim.scenario.keypaths import deep_merge, overrides_of, plain_base

#: Initial simplex: each vertex moves one parameter by this share of its range.
SIMPLEX_STEP = 0.25

__all__ = ["CalibrationError", "CalibrationResult", "calibrate"]


@dataclass
class CalibrationResult:
    """A finished calibration.

    Attributes:
        scenario: The calibrated scenario (fitted values set, all sections kept).
        fitted: ``{dotted key: fitted value}``.
        searched: Where the optimiser stopped, before the refinement step.
        start: ``{dotted key: starting value}``.
        loss: The loss at the fit (on the fitting seeds).
        evaluations: Parameter sets the optimiser evaluated.
        message: The optimiser's own account of why it stopped.
        history: One row per evaluation on the fitting seeds: ``stage`` (``search`` for the
            optimiser's, ``refined`` for the refined point), parameters, the mean of each
            scalar target and each curve's term of the loss (``<name>:loss``), the loss.
        figures: Per scalar target: the target, the fit on the fitting seeds and on fresh
            seeds, each with its 95% CI.
        curves: Per point of each series target: its time, the observed value and the same
            fit and check columns as ``figures``.
        slopes: Per target (per point of a curve) and parameter: d(target)/d(parameter) at
            the fit, 95% CI.
        targets: The targets, as checked (curves with the CSV file they came from).
        wall_seconds: Wall time.

    """

    scenario: Scenario
    fitted: dict[str, float]
    searched: dict[str, float]
    start: dict[str, float]
    loss: float
    evaluations: int
    message: str
    history: pd.DataFrame
    figures: pd.DataFrame
    curves: pd.DataFrame
    slopes: pd.DataFrame
    targets: list[Target]
    wall_seconds: float


def _start_values(scenario: Scenario, parameters: list[DesignParameter]) -> dict[str, float]:
    from loyaltysim.scenario.keypaths import lookup, split

    assert scenario.calibration is not None
    data = scenario.model_dump(mode="python")
    start = {}
    for p in parameters:
        given = scenario.calibration.parameters[p.name].start
        if given is None:
            _, value, _ = lookup(data, split(p.name))
            given = value if value is not None else (p.low + p.high) / 2  # type: ignore[operator]
        start[p.name] = float(np.clip(given, p.low, p.high))
    return start


def calibrate(
    scenario: Scenario,
    *,
    file: str | Path = "<scenario>",
    workers: int = 1,
    progress: Callable[[str], None] | None = None,
) -> CalibrationResult:
    """Fit the scenario's ``[calibration]`` free parameters to its targets.

    Args:
        scenario: A validated scenario with a ``calibration`` section.
        file: The scenario file, to place errors on their lines.
        workers: Processes running replications in parallel (results do not depend on it).
        progress: Called with a line after each evaluation.

    Raises:
        loyaltysim.scenario.problems.ScenarioError: the calibration section is invalid (located).
        CalibrationError: a run failed.

    """
    from scipy.optimize import differential_evolution, minimize

    started = time.time()
    parameters, targets = calibration_plan(scenario, file, None if file != "<scenario>" else "")
    config = scenario.calibration
    assert config is not None
    base = plain_base(scenario)
    start = _start_values(scenario, parameters)
    fit_reps = range(config.replications)
    fresh = config.check_replications
    refine = config.refine and fresh > 0
    refine_reps = range(config.replications, config.replications + fresh) if refine else range(0)
    check_start = config.replications + len(refine_reps)
    check_reps = range(check_start, check_start + fresh)
    with mapper(workers) as run_many:
        evaluator = Evaluator(base, parameters, targets, run_many, progress)
        dims = len(parameters)

        def objective(unit: np.ndarray) -> float:
            return evaluator.losses([unit], fit_reps)[0]

        u0 = evaluator.unit(start)
        if config.method == "nelder-mead":
            simplex = [u0]
            for i in range(dims):
                vertex = u0.copy()
                vertex[i] += SIMPLEX_STEP if u0[i] + SIMPLEX_STEP <= 1.0 else -SIMPLEX_STEP
                simplex.append(vertex)
            found = minimize(
                objective,
                u0,
                method="Nelder-Mead",
                bounds=[(0.0, 1.0)] * dims,
                options={
                    "initial_simplex": np.array(simplex),
                    "xatol": config.tolerance,
                    "fatol": config.tolerance**2,
                    "maxfev": config.max_evaluations,
                    "adaptive": dims > 2,
                },
            )
            best_unit, message = np.asarray(found.x), str(found.message)
        else:
            popsize = 10
            generation = popsize * dims
            found = differential_evolution(
                objective,
                bounds=[(0.0, 1.0)] * dims,
                seed=config.seed if config.seed is not None else scenario.run.seed,
                popsize=popsize,
                maxiter=max(0, config.max_evaluations // generation - 1),
                tol=config.tolerance,
                polish=False,
                init="sobol" if generation & (generation - 1) == 0 else "latinhypercube",
                x0=u0,
                updating="deferred",
                workers=lambda _f, units: evaluator.losses(list(units), fit_reps),
            )
            best_unit, message = np.asarray(found.x), str(found.message)
        evaluator.report, evaluator.stage = None, "refined"  # no longer the optimiser's search
        evaluations = len(evaluator.history)
        searched = evaluator.values(best_unit)
        if refine:
            fitted, slopes, step = refine_step(evaluator, searched, refine_reps)
            message += f" Then {step}."
        else:
            fitted, slopes = searched, local_linear(evaluator, searched, fit_reps)[2]
        loss = evaluator.losses([evaluator.unit(fitted)], fit_reps)[0]
        figures, curves = achieved(evaluator, fitted, fit_reps, check_reps)
    calibrated = _with_values(scenario, fitted)
    return CalibrationResult(
        scenario=calibrated,
        fitted=fitted,
        searched=searched,
        start=start,
        loss=loss,
        evaluations=evaluations,
        message=message,
        history=pd.DataFrame(evaluator.history),
        figures=figures,
        curves=curves,
        slopes=slopes,
        targets=targets,
        wall_seconds=time.time() - started,
    )


def _with_values(scenario: Scenario, values: dict[str, Any]) -> Scenario:
    """The whole scenario (variants, sweep, calibration kept) with ``values`` set."""
    data = deep_merge(scenario.model_dump(mode="python"), overrides_of(values))
    return Scenario.model_validate(data)
