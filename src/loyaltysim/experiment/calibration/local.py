"""Around the optimiser's point: local slopes, one Gauss-Newton step, the achieved figures.

Each target contributes one row per point (one for a scalar, one per observed time for a
curve) to the slopes and to the linearised loss, with the weight it has in the loss.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from loyaltysim.analysis.summary import mean_ci
from loyaltysim.experiment.calibration.evaluator import Evaluator, Samples, columns

#: Central differences for the local slopes: this share of each range on either side (wide
#: enough that the difference stands out from the noise common random numbers leave).
SLOPE_STEP = 0.1


def _summary(label: str, values: np.ndarray | None) -> dict[str, Any]:
    """Mean and 95% CI of one point's values over replications (NaN when not run)."""
    mean, low, high = mean_ci(values) if values is not None else (np.nan,) * 3
    return {f"{label}_mean": mean, f"{label}_ci_low": low, f"{label}_ci_high": high,
            f"{label}_replications": 0 if values is None else int(values.size)}  # fmt: skip


def achieved(
    evaluator: Evaluator, fitted: dict[str, Any], fit_reps: range, check_reps: range
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Targets and achieved figures (mean, 95% CI) on the fitting and on fresh seeds.

    Returns:
        One row per scalar target (``output``, ``target``...), and one row per point of
        each curve (``output``, ``period``, ``time``, ``target``...).

    """
    sets = [(fit_reps, "fit")] + ([(check_reps, "check")] if len(check_reps) else [])
    found: dict[str, Samples] = {}
    for reps, label in sets:
        [found[label]] = evaluator.runs([fitted], reps)
    scalars, points = [], []
    for target in evaluator.targets:
        per_label = {label: found[label][target.name] for label in found}
        for j, observed in enumerate(target.observed):
            row: dict[str, Any] = {"output": target.name}
            if target.curve is not None:
                row |= {"period": target.curve.period, "time": target.curve.times[j]}
            row["target"] = observed
            for label in ("fit", "check"):
                values = per_label.get(label)
                row |= _summary(label, None if values is None else columns(values)[j])
            (scalars if target.curve is None else points).append(row)
    stats = [f"{label}_{s}" for label in ("fit", "check")
             for s in ("mean", "ci_low", "ci_high", "replications")]  # fmt: skip
    return (
        pd.DataFrame(scalars, columns=["output", "target", *stats]),
        pd.DataFrame(points, columns=["output", "period", "time", "target", *stats]),
    )


def local_linear(
    evaluator: Evaluator, values: dict[str, Any], reps: range
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """The targets at ``values`` and their slopes there, on the replications ``reps``.

    Each slope is a central difference over ±:data:`SLOPE_STEP` of the parameter's range
    (clipped to the bounds), paired by replication, so it has a Student-t 95% interval.

    Returns:
        The targets' means at ``values`` (one per point), the Jacobian (points x
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
    samples = [_points(evaluator, s) for s in evaluator.runs(sets, reps)]
    labels = [label for t in evaluator.targets for label in t.labels()]
    centre = np.array([np.nanmean(v) for v in samples[0]])
    jacobian = np.full((len(labels), len(evaluator.parameters)), np.nan)
    rows = []
    for j, p in enumerate(evaluator.parameters):
        low_values, high_values = samples[1 + 2 * j], samples[2 + 2 * j]
        for i, label in enumerate(labels):
            diffs = (high_values[i] - low_values[i]) / steps[j] if steps[j] else np.nan
            mean, low, high = mean_ci(np.atleast_1d(diffs))
            jacobian[i, j] = mean
            rows.append({"output": label, "parameter": p.name, "slope": mean,
                         "ci_low": low, "ci_high": high})  # fmt: skip
    return centre, jacobian, pd.DataFrame(rows)


def _points(evaluator: Evaluator, samples: Samples) -> list[np.ndarray]:
    """Every target's points in order, each over the replications."""
    return [column for t in evaluator.targets for column in columns(samples[t.name])]


def refine_step(
    evaluator: Evaluator, values: dict[str, Any], reps: range
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

    centre, jacobian, slopes = local_linear(evaluator, values, reps)
    targets = evaluator.targets
    # Row weights such that the sum of squares is the loss: sqrt(w / n) / scale per point.
    weights = np.concatenate([np.sqrt(t.weight / t.observed.size) / t.scales for t in targets])
    residual = np.concatenate([t.observed for t in targets]) - centre
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
