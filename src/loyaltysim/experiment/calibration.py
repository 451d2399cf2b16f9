"""Calibration: fit free parameters so that simulated figures match observed ones.

``[calibration]`` names free parameters (dotted keys with bounds) and targets
(``"babyshop.repurchase_rate" = 0.10``). The loss is a weighted sum of squared scaled
errors of the mean over ``replications`` runs::

    loss(theta) = sum_i  w_i * ((mean_i(theta) - target_i) / scale_i) ** 2

with ``scale_i = |target_i|`` unless given (so, by default, relative errors).

**Common random numbers.** Every evaluation runs replications ``0..R-1`` with the same
seeds, so the loss is a deterministic function of the parameters. Where a parameter only
moves thresholds (a price), nearby parameter sets share their random draws and differ by
the parameter's effect; where it changes how many numbers are drawn (a need rate), the
streams drift apart and the loss stays nearly as rough as with fresh seeds. Either way it
has no useful gradient, and an optimiser that sees only these seeds can stop where they
happen to favour the target; hence the refinement and check steps below.

**Optimiser.** Hence a derivative-free method: Nelder-Mead (Nelder & Mead 1965; Gao & Han
2012's adaptive coefficients, ``scipy.optimize.minimize``) on the parameters scaled to
[0, 1], with bounds and a large initial simplex (a quarter of each range) so the first
steps are well above the roughness. It draws no random numbers, needs about ``10 x D``
evaluations for ``D`` parameters, and suits the 1-4 parameters a calibration usually frees.
For more parameters or a multi-modal loss, ``method = "differential-evolution"`` (Storn &
Price 1997) with a fixed ``seed`` searches globally at the cost of many more evaluations,
which run in parallel (population x replications).

**Refinement.** After the optimiser, the targets and their slopes are estimated on
``check_replications`` other seeds (``R..R+C-1``), and one Gauss-Newton step minimises the
linearised loss within the bounds (a local linear metamodel, as in response surface
methodology; Kleijnen 2008).

**Honest figures.** The achieved figures are estimated on a third set of seeds
(``R+C..R+2C-1``), which neither the optimiser nor the refinement saw, so their 95%
confidence intervals are not flattered by the fit. The local slopes tell how precisely the
targets pin the parameters down: an error ``e`` in a target moves the fitted parameter by
about ``e / slope``.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from loyaltysim.analysis.summary import mean_ci
from loyaltysim.experiment.checks import calibration_plan
from loyaltysim.experiment.main_module import workers_skip_main
from loyaltysim.experiment.store import write_atomic
from loyaltysim.experiment.sweep.design import DesignParameter
from loyaltysim.experiment.sweep.outputs import Output, output_values
from loyaltysim.experiment.sweep.task import run_point
from loyaltysim.scenario import Scenario, to_toml
from loyaltysim.scenario.experiment import CalibrationTarget
from loyaltysim.scenario.keypaths import deep_merge, overrides_of, plain_base
from loyaltysim.scenario.problems import UserError

#: Initial simplex: each vertex moves one parameter by this share of its range.
SIMPLEX_STEP = 0.25
#: Central differences for the local slopes: this share of each range on either side (wide
#: enough that the difference stands out from the noise common random numbers leave).
SLOPE_STEP = 0.1


class CalibrationError(UserError):
    """A calibration cannot go on (e.g. a run failed)."""


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
            target, the loss.
        figures: Per target: the target, the fit on the fitting seeds and on fresh seeds,
            each with its 95% CI.
        slopes: Per target and parameter: d(target)/d(parameter) at the fit, 95% CI.
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
    slopes: pd.DataFrame
    wall_seconds: float


@contextmanager
def _mapper(workers: int) -> Iterator[Callable[[Sequence[tuple[Any, ...]]], list[Any]]]:
    """``map(tasks)`` running ``run_point`` tasks in a pool that lives for the calibration.

    A new process pool per evaluation would spend seconds starting workers each time.
    """
    if workers <= 1:
        yield lambda tasks: [run_point(*args) for args in tasks]
        return
    context = multiprocessing.get_context("forkserver")
    parent = os.getpid()
    with workers_skip_main(), ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield lambda tasks: list(
            pool.map(run_point, *zip(*[(*task, parent) for task in tasks], strict=True))
        )


class _Evaluator:
    """Runs parameter sets over fixed replications and turns figures into losses."""

    def __init__(
        self,
        base: Scenario,
        parameters: list[DesignParameter],
        targets: dict[Output, CalibrationTarget],
        run_many: Callable[[Sequence[tuple[Any, ...]]], list[Any]],
        report: Callable[[str], None] | None = None,
    ) -> None:
        self.base = base
        self.report = report
        self.parameters = parameters
        self.targets = targets
        self.run_many = run_many
        self.cache: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.history: list[dict[str, Any]] = []
        self.stage = "search"  # recorded with each evaluation: the optimiser's, or the fit

    def values(self, unit: Sequence[float]) -> dict[str, Any]:
        """Scenario values of a point in the unit cube (integers rounded)."""
        out: dict[str, Any] = {}
        for p, u in zip(self.parameters, unit, strict=True):
            assert p.low is not None and p.high is not None
            x = p.low + float(np.clip(u, 0.0, 1.0)) * (p.high - p.low)
            out[p.name] = round(x) if p.kind == "int" else x
        return out

    def unit(self, values: dict[str, float]) -> np.ndarray:
        """The unit-cube position of scenario values."""
        return np.array(
            [(values[p.name] - p.low) / (p.high - p.low) for p in self.parameters]  # type: ignore[operator]
        )

    def runs(self, sets: list[dict[str, Any]], replications: range) -> list[pd.DataFrame]:
        """Per parameter set: the per-shop figures of each replication (point = set)."""
        tasks = [(self.base, v, i, k) for i, v in enumerate(sets) for k in replications]
        records = self.run_many(tasks)
        frames: list[list[pd.DataFrame]] = [[] for _ in sets]
        for record in records:
            if not record["ok"]:
                shown = ", ".join(f"{k} = {v:.6g}" for k, v in sets[record["point"]].items())
                raise CalibrationError(
                    f"a run failed at {shown}, replication {record['replication']}: "
                    f"{record['error']}"
                )
            figures = pd.DataFrame(record["figures"])
            figures.insert(0, "replication", record["replication"])
            frames[record["point"]].append(figures)
        return [pd.concat(f, ignore_index=True) for f in frames]

    def target_values(self, figures: pd.DataFrame) -> dict[Output, np.ndarray]:
        """Per target: its value in each replication."""
        return {
            output: output_values(figures, output, ["replication"])["value"].to_numpy()
            for output in self.targets
        }

    def loss_of(self, means: dict[Output, float]) -> float:
        """Weighted sum of squared scaled errors (inf if a figure is undefined)."""
        total = 0.0
        for output, target in self.targets.items():
            scale = target.scale if target.scale is not None else abs(target.value)
            error = (means[output] - target.value) / scale
            if not np.isfinite(error):
                return float("inf")
            total += target.weight * error**2
        return total

    def losses(self, units: Sequence[Sequence[float]], replications: range) -> list[float]:
        """Losses of several points, run together (new ones only; others from the cache)."""
        sets = [self.values(u) for u in units]
        keys = [tuple(s.values()) for s in sets]
        new = [s for s, key in zip(sets, keys, strict=True) if key not in self.cache]
        unique = list({tuple(s.values()): s for s in new}.values())
        for values, figures in zip(unique, self.runs(unique, replications), strict=True):
            per_rep = self.target_values(figures)
            means = {o: float(np.nanmean(v)) if np.isfinite(v).any() else np.nan
                     for o, v in per_rep.items()}  # fmt: skip
            loss = self.loss_of(means)
            self.cache[tuple(values.values())] = {"loss": loss, "means": means}
            self.history.append(
                {
                    "evaluation": len(self.history),
                    "stage": self.stage,
                    **values,
                    **{o.name: m for o, m in means.items()},
                    "loss": loss,
                }
            )
            if self.report is not None:
                shown = ", ".join(f"{k} = {v:.6g}" for k, v in values.items())
                self.report(f"  evaluation {len(self.history):3d}: {shown}: loss {loss:.4g}")
        return [self.cache[key]["loss"] for key in keys]


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
    with _mapper(workers) as run_many:
        evaluator = _Evaluator(base, parameters, targets, run_many, progress)
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
            fitted, slopes, step = _refine(evaluator, searched, refine_reps)
            message += f" Then {step}."
        else:
            fitted, slopes = searched, _local_linear(evaluator, searched, fit_reps)[2]
        loss = evaluator.losses([evaluator.unit(fitted)], fit_reps)[0]
        figures = _achieved(evaluator, fitted, fit_reps, check_reps)
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
        slopes=slopes,
        wall_seconds=time.time() - started,
    )


def _achieved(
    evaluator: _Evaluator, fitted: dict[str, Any], fit_reps: range, check_reps: range
) -> pd.DataFrame:
    """Targets and achieved figures (mean, 95% CI) on the fitting and on fresh seeds."""
    sets = [(fit_reps, "fit")] + ([(check_reps, "check")] if len(check_reps) else [])
    found: dict[str, dict[Output, np.ndarray]] = {}
    for reps, label in sets:
        [figures] = evaluator.runs([fitted], reps)
        found[label] = evaluator.target_values(figures)
    rows = []
    for output, target in evaluator.targets.items():
        row: dict[str, Any] = {"output": output.name, "target": target.value}
        for label in ("fit", "check"):
            values = found.get(label, {}).get(output)
            mean, low, high = mean_ci(values) if values is not None else (np.nan,) * 3
            row[f"{label}_mean"] = mean
            row[f"{label}_ci_low"] = low
            row[f"{label}_ci_high"] = high
            row[f"{label}_replications"] = 0 if values is None else int(values.size)
        rows.append(row)
    return pd.DataFrame(rows)


def _local_linear(
    evaluator: _Evaluator, values: dict[str, Any], reps: range
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """The targets at ``values`` and their slopes there, on the replications ``reps``.

    Each slope is a central difference over ±:data:`SLOPE_STEP` of the parameter's range
    (clipped to the bounds), paired by replication, so it has a Student-t 95% interval.

    Returns:
        The targets' means at ``values`` (one per target), the Jacobian (targets x
        parameters, per unit of each parameter), and the slopes as a table.

    """
    sets: list[dict[str, Any]] = [values]
    steps = []
    for p in evaluator.parameters:
        assert p.low is not None and p.high is not None
        h = SLOPE_STEP * (p.high - p.low)
        lower = max(p.low, values[p.name] - h)
        upper = min(p.high, values[p.name] + h)
        if p.kind == "int":
            lower, upper = round(lower), round(upper)
        sets += [{**values, p.name: lower}, {**values, p.name: upper}]
        steps.append(upper - lower)
    figures = [evaluator.target_values(f) for f in evaluator.runs(sets, reps)]
    outputs = list(evaluator.targets)
    centre = np.array([np.nanmean(figures[0][o]) for o in outputs])
    jacobian = np.full((len(outputs), len(evaluator.parameters)), np.nan)
    rows = []
    for j, p in enumerate(evaluator.parameters):
        low_values, high_values = figures[1 + 2 * j], figures[2 + 2 * j]
        for i, output in enumerate(outputs):
            diffs = (high_values[output] - low_values[output]) / steps[j] if steps[j] else np.nan
            mean, low, high = mean_ci(np.atleast_1d(diffs))
            jacobian[i, j] = mean
            rows.append({"output": output.name, "parameter": p.name, "slope": mean,
                         "ci_low": low, "ci_high": high})  # fmt: skip
    return centre, jacobian, pd.DataFrame(rows)


def _refine(
    evaluator: _Evaluator, values: dict[str, Any], reps: range
) -> tuple[dict[str, Any], pd.DataFrame, str]:
    """One Gauss-Newton step from the optimiser's point, on fresh replications.

    The optimiser only ever saw the fitting seeds, and where the loss is rough it stops at
    a point those seeds happen to favour. Here the targets and their slopes are estimated
    on other seeds, and the linearised loss is minimised within the bounds
    (``scipy.optimize.lsq_linear``): a local linear metamodel in the manner of response
    surface methodology. The step is skipped when no slope's 95% interval excludes zero
    (the targets do not pin the parameters down at this noise).

    Returns:
        The refined values, the slopes table, and a sentence on what the step did.

    """
    from scipy.optimize import lsq_linear

    centre, jacobian, slopes = _local_linear(evaluator, values, reps)
    outputs = list(evaluator.targets)
    weights = np.array(
        [
            np.sqrt(evaluator.targets[o].weight)
            / (evaluator.targets[o].scale or abs(evaluator.targets[o].value))
            for o in outputs
        ]
    )
    residual = np.array([evaluator.targets[o].value for o in outputs]) - centre
    informative = ((slopes["ci_low"] > 0) | (slopes["ci_high"] < 0)).any()
    if not informative or not (np.isfinite(jacobian).all() and np.isfinite(residual).all()):
        return values, slopes, "no refinement step: no slope is distinguishable from zero"
    params = evaluator.parameters
    lower = np.array([p.low - values[p.name] for p in params], dtype=np.float64)  # type: ignore[operator]
    upper = np.array([p.high - values[p.name] for p in params], dtype=np.float64)  # type: ignore[operator]
    step = lsq_linear(jacobian * weights[:, None], residual * weights, bounds=(lower, upper)).x
    refined = {}
    for p, delta in zip(params, step, strict=True):
        x = float(np.clip(values[p.name] + delta, p.low, p.high))
        refined[p.name] = round(x) if p.kind == "int" else x
    moved = ", ".join(f"{k} {values[k]:.6g} -> {v:.6g}" for k, v in refined.items())
    return refined, slopes, f"refined by one Gauss-Newton step on {len(reps)} fresh seeds ({moved})"


def _with_values(scenario: Scenario, values: dict[str, Any]) -> Scenario:
    """The whole scenario (variants, sweep, calibration kept) with ``values`` set."""
    data = deep_merge(scenario.model_dump(mode="python"), overrides_of(values))
    return Scenario.model_validate(data)


def write_calibration(
    result: CalibrationResult, out: str | Path, command: list[str] | None = None
) -> list[Path]:
    """Write ``calibrated.toml``, ``calibration.csv``, ``calibration_fit.csv``,
    ``calibration_slopes.csv`` and ``meta.json`` into ``out``.
    """  # noqa: D205
    from loyaltysim.experiment.folder import check_replaceable

    folder = Path(out)
    check_replaceable(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "calibrated.toml": to_toml(result.scenario),
        "calibration.csv": result.history.to_csv(index=False),
        "calibration_fit.csv": result.figures.to_csv(index=False),
        "calibration_slopes.csv": result.slopes.to_csv(index=False),
    }
    for name, text in files.items():
        write_atomic(folder / name, text)
    config = result.scenario.calibration
    assert config is not None
    meta = {
        "kind": "calibration",
        "status": "complete",
        "scenario": result.scenario.name,
        "method": config.method,
        "replications": config.replications,
        "check_replications": config.check_replications,
        "seed": result.scenario.run.seed,
        "seeds": "the optimiser's evaluations use replications 0..R-1 (children of "
        "numpy.random.SeedSequence(seed)); the refinement step R..R+C-1; the check the next C",
        "start": result.start,
        "searched": result.searched,
        "fitted": result.fitted,
        "loss": result.loss,
        "evaluations": result.evaluations,
        "optimiser_message": result.message,
        "wall_seconds": round(result.wall_seconds, 3),
        "command": command,
    }
    write_atomic(folder / "meta.json", json.dumps(meta, indent=2))
    return [folder / name for name in (*files, "meta.json")]


def report(result: CalibrationResult, file: str | Path) -> str:
    """The text ``loyaltysim calibrate`` prints."""
    config = result.scenario.calibration
    assert config is not None
    lines = [
        f"calibration of {file}: {len(result.fitted)} parameter(s), "
        f"{len(result.figures)} target(s), {config.method}, {config.replications} "
        "replications per evaluation (common random numbers)",
        f"  {result.evaluations} evaluations: {result.message}",
        f"  loss at the fit {result.loss:.3g} (fitting seeds); {result.wall_seconds:.0f} s",
        "fitted (start -> optimiser -> fit):",
    ]
    for name, value in result.fitted.items():
        spec = config.parameters[name]
        lines.append(f"  {name:<44} {result.start[name]:.6g} -> {result.searched[name]:.6g} -> "
                     f"{value:.6g}   [{spec.low:g}, {spec.high:g}]")  # fmt: skip
    for label, title in (("fit", "on the fitting seeds"), ("check", "on fresh seeds")):
        reps = int(result.figures[f"{label}_replications"].max()) if len(result.figures) else 0
        if not reps:
            continue
        lines.append(f"achieved, {title} ({reps} replications, mean [95% CI]):")
        for _, row in result.figures.iterrows():
            lines.append(
                f"  {row['output']:<44} target {row['target']:.4g}   {row[f'{label}_mean']:.4g} "
                f"[{row[f'{label}_ci_low']:.4g}, {row[f'{label}_ci_high']:.4g}]"
            )
    lines.append("local slopes at the fit (d target / d parameter, 95% CI):")
    for _, row in result.slopes.iterrows():
        lines.append(f"  d {row['output']} / d {row['parameter']} = {row['slope']:.4g} "
                     f"[{row['ci_low']:.4g}, {row['ci_high']:.4g}]")  # fmt: skip
    if len(result.slopes) == 1 and len(result.figures) == 1:
        row, fit = result.slopes.iloc[0], result.figures.iloc[0]
        label = "check" if fit["check_replications"] else "fit"
        half = (fit[f"{label}_ci_high"] - fit[f"{label}_ci_low"]) / 2
        if np.isfinite(half) and row["slope"]:
            lines.append(
                f"  the achieved figure's 95% half-width ({half:.3g}) corresponds to "
                f"±{half / abs(row['slope']):.3g} in {row['parameter']}"
            )
    return "\n".join(lines)
