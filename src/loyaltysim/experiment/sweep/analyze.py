"""``loyaltysim analyze``: read a finished sweep folder, write tables, figures and a digest.

Writes into the sweep folder (or ``out``):

* ``sensitivity.csv``: indices per output and parameter (Sobol, Morris, RBD-FAST);
* ``interactions.csv``: Sobol second-order indices, when the design has them;
* ``points.csv``: per output and design point, the mean and 95% CI over replications;
* ``output_noise.csv``: per output, spread between points and within points;
* ``figures/``: index bars and tornado (samplers), Morris plane, response curves (grids).

See :mod:`loyaltysim.experiment.sensitivity` for the methods.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from loyaltysim.analysis.labels import parameter_label
from loyaltysim.experiment.sensitivity import METHODS, RANKING, Analysis, analyse
from loyaltysim.experiment.store import write_atomic
from loyaltysim.experiment.sweep.design import Design
from loyaltysim.experiment.sweep.store import read_sweep


def _csv(frame: pd.DataFrame, path: Path) -> None:
    write_atomic(path, frame.to_csv(index=False, float_format="%.6g"))


def analyze_sweep(
    folder: str | Path,
    outputs: list[str] | None = None,
    out: str | Path | None = None,
    figures: bool = True,
) -> tuple[Design, Analysis, list[Path]]:
    """Analyse a gathered sweep and write its tables and figures.

    Args:
        folder: The sweep folder (``sweep.parquet``, ``design.json``, ``design.csv``).
        outputs: Outputs to analyse (default: the sweep's ``outputs``).
        out: Where to write (default: ``folder``).
        figures: Also draw the figures.

    Returns:
        The design, the analysis and the files written.

    Raises:
        loyaltysim.scenario.problems.UserError: ``folder`` is not a finished sweep.
        ValueError: an output does not name a shop and figure.

    """
    design, table = read_sweep(folder)
    outputs = outputs or list(design.extra.get("outputs", []))
    if not outputs:
        raise ValueError(f"{folder}: the sweep names no outputs; pass --output SHOP.FIGURE")
    result = analyse(design, table, outputs)
    target = Path(out) if out is not None else Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    if design.method in METHODS:
        _csv(result.sensitivity, target / "sensitivity.csv")
        written.append(target / "sensitivity.csv")
    if not result.interactions.empty:
        _csv(result.interactions, target / "interactions.csv")
        written.append(target / "interactions.csv")
    _csv(result.points, target / "points.csv")
    _csv(result.noise, target / "output_noise.csv")
    written += [target / "points.csv", target / "output_noise.csv"]
    if figures:
        written += draw_figures(design.method, design.names, result, target / "figures")
    return design, result, written


def _varying(points: pd.DataFrame, names: list[str]) -> list[str]:
    """Design columns that take more than one value, most values first."""
    counts = {name: points[name].nunique() for name in names}
    return sorted((n for n in names if counts[n] > 1), key=lambda n: -counts[n])


def draw_figures(method: str, names: list[str], result: Analysis, folder: Path) -> list[Path]:
    """Save the standard figures of an analysis as PNG files in ``folder``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from loyaltysim.experiment import sensitivity_plots as sp
    from loyaltysim.plots.sensitivity import plot_sensitivity_indices, plot_tornado

    folder.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []

    def save(fig: plt.Figure, name: str) -> None:
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=120, bbox_inches="tight")  # long labels stay in the picture
        plt.close(fig)
        saved.append(path)

    sens = result.sensitivity
    for output in dict.fromkeys(result.points["output"]) if not result.points.empty else []:
        rows = sens[sens["output"] == output] if not sens.empty else sens
        if method != "grid" and not rows.empty and rows.drop(
            columns=["output", "parameter", "method"]).notna().any().any():  # fmt: skip
            ax = plot_sensitivity_indices(sens, output)
            save(ax.figure, f"indices_{output}")
            ax = plot_tornado(sens, output)
            save(ax.figure, f"tornado_{output}")
            if method == "morris":
                ax = sp.plot_morris(sens, output)
                save(ax.figure, f"morris_{output}")
        if method == "grid":
            points = result.points[result.points["output"] == output]
            varying = _varying(points, names)
            if not varying:
                continue
            if len(varying) <= 2:
                by = varying[1] if len(varying) == 2 else None
                ax = sp.plot_response(result.points, output, varying[0], by=by)
                save(ax.figure, f"response_{output}")
            else:
                cols = min(3, len(varying))
                rows_n = math.ceil(len(varying) / cols)
                fig, axes = plt.subplots(rows_n, cols, figsize=(4.2 * cols, 3.2 * rows_n),
                                         layout="constrained", squeeze=False)  # fmt: skip
                for ax, name in zip(axes.flat, varying, strict=False):
                    sp.plot_response(result.points, output, name, ax=ax)
                    ax.set_title(f"main effect of {parameter_label(name)}", fontsize=9)
                for ax in list(axes.flat)[len(varying) :]:
                    ax.set_visible(False)
                save(fig, f"response_{output}")
    return saved


def digest(method: str, result: Analysis, top: int = 8) -> str:
    """A short text report: per output, parameters ranked, with 95% half-widths."""
    lines: list[str] = []
    if method in METHODS:
        key = METHODS[method]
        value, conf, label = RANKING[key]
        for output, rows in result.sensitivity.groupby("output", sort=False):
            lines.append(f"\n{output}  ({label}, ± 95% half-width)")
            ranked = rows.sort_values(value, ascending=False, na_position="last").head(top)
            for _, row in ranked.iterrows():
                extra = ""
                if key == "sobol":
                    extra = f"   S1 {row['S1']:.3f} ± {row['S1_conf']:.3f}"
                elif key == "morris":
                    extra = f"   σ {row['sigma']:.4g}"
                lines.append(
                    f"  {row['parameter']:<42} {row[value]:>9.4g} ± {row[conf]:<9.3g}{extra}"
                )
    else:
        names = [c for c in result.points.columns
                 if c not in ("output", "point", "mean", "ci_low", "ci_high", "std",
                              "replications")]  # fmt: skip

        def where(row: pd.Series) -> str:
            shown = ", ".join(f"{n.removeprefix('shops.')} = {row[n]}" for n in names)
            return f"{row['mean']:.4g} [{row['ci_low']:.4g}, {row['ci_high']:.4g}] at {shown}"

        for output, rows in result.points.groupby("output", sort=False):
            if not rows["mean"].notna().any():
                continue
            lines.append(f"\n{output} across {len(rows)} points (mean [95% CI]):")
            lines.append(f"  highest {where(rows.loc[rows['mean'].idxmax()])}")
            lines.append(f"  lowest  {where(rows.loc[rows['mean'].idxmin()])}")
    for _, row in result.noise.iterrows():
        share = row["noise_share"]
        if share == share:
            warn = " (high: differences this small need more replications)" if share > 0.1 else ""
            lines.append(
                f"{row['output']}: replication noise is {share:.1%} of the variance of point "
                f"means{warn}"
            )
    lines += [f"note: {note}" for note in result.notes]
    return "\n".join(lines).lstrip("\n")
