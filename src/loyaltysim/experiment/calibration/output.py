"""A finished calibration's files and the text ``loyaltysim calibrate`` prints."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from loyaltysim.experiment.calibration.search import CalibrationResult
from loyaltysim.experiment.store import write_atomic
from loyaltysim.scenario import Scenario, to_toml
from loyaltysim.scenario.experiment import CalibrationSeries

#: Where a result folder keeps copies of the curves' CSV files.
TARGETS_FOLDER = "targets"


def _with_copied_curves(result: CalibrationResult) -> tuple[Scenario, dict[str, bytes]]:
    """The calibrated scenario reading its curves from the result folder, and those files.

    ``calibrated.toml`` sits in the result folder, so CSV paths relative to the original
    scenario would not resolve from it; each curve's file is copied to
    ``targets/<target name>.csv`` and the scenario points there.
    """
    config = result.scenario.calibration
    assert config is not None
    files: dict[str, bytes] = {}
    targets = dict(config.targets)
    for target in result.targets:
        spec = targets[target.name]
        if isinstance(spec, CalibrationSeries) and target.source is not None:
            name = f"{TARGETS_FOLDER}/{re.sub(r'[^A-Za-z0-9._-]', '_', target.name)}.csv"
            files[name] = target.source.read_bytes()
            targets[target.name] = spec.model_copy(update={"file": name})
    calibration = config.model_copy(update={"targets": targets})
    return result.scenario.model_copy(update={"calibration": calibration}), files


def write_calibration(
    result: CalibrationResult, out: str | Path, command: list[str] | None = None
) -> list[Path]:
    """Write ``calibrated.toml``, ``calibration.csv``, ``calibration_fit.csv``,
    ``calibration_slopes.csv`` and ``meta.json`` into ``out``, and for curve targets
    ``calibration_curves.csv`` and a copy of each curve's CSV file under ``targets/``.
    """  # noqa: D205
    from loyaltysim.experiment.folder import check_replaceable

    folder = Path(out)
    check_replaceable(folder)
    folder.mkdir(parents=True, exist_ok=True)
    scenario, copies = _with_copied_curves(result)
    files = {
        "calibrated.toml": to_toml(scenario),
        "calibration.csv": result.history.to_csv(index=False),
        "calibration_fit.csv": result.figures.to_csv(index=False),
        "calibration_slopes.csv": result.slopes.to_csv(index=False),
    }
    if len(result.curves):
        files["calibration_curves.csv"] = result.curves.to_csv(index=False)
    for name, text in files.items():
        write_atomic(folder / name, text)
    for name, data in copies.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / name, data)
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
    return [folder / name for name in (*files, *copies, "meta.json")]


def report(result: CalibrationResult, file: str | Path) -> str:
    """The text ``loyaltysim calibrate`` prints."""
    config = result.scenario.calibration
    assert config is not None
    lines = [
        f"calibration of {file}: {len(result.fitted)} parameter(s), "
        f"{len(result.targets)} target(s), {config.method}, {config.replications} "
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
    lines += _curve_lines(result.curves)
    lines.append("local slopes at the fit (d target / d parameter, 95% CI):")
    # A curve's slope at its last point only; every point's is in calibration_slopes.csv.
    shown = {t.labels()[-1] for t in result.targets}
    for _, row in result.slopes[result.slopes["output"].isin(shown)].iterrows():
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


def _curve_lines(curves: pd.DataFrame) -> list[str]:
    """Per curve and seed set: the root mean squared scaled error and the largest gap."""
    lines = []
    for label, title in (("fit", "on the fitting seeds"), ("check", "on fresh seeds")):
        if not len(curves) or not curves[f"{label}_replications"].max():
            continue
        lines.append(f"curves, {title} (observed vs mean over replications):")
        for name, points in curves.groupby("output", sort=False):
            gap = (points[f"{label}_mean"] - points["target"]).abs()
            worst = points.loc[gap.idxmax()] if gap.notna().any() else points.iloc[-1]
            relative = gap / points["target"].abs().mean()
            lines.append(
                f"  {name:<44} {len(points)} {points['period'].iloc[0]}s, mean |gap| "
                f"{relative.mean():.3g} of the mean observed value; largest at "
                f"{worst['period']} {worst['time']}: {worst['target']:.4g} vs "
                f"{worst[f'{label}_mean']:.4g}"
            )
    return lines
