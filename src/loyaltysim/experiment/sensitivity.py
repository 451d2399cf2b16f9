"""Sensitivity of sweep outputs to the swept parameters: Sobol, Morris, RBD-FAST, grids.

Each design point ran ``R`` replications with common random numbers. An index is computed
on the **mean over replications** of each point, the quantity whose dependence on the
parameters we want; the replications' spread gives each point's 95% confidence interval
and, compared with the spread between points, the share of the variance of point means
that is replication noise (``noise_share``; when it is large, add replications before
trusting small indices).

* ``sobol``: first-order ``S1`` and total ``ST`` indices (Sobol' 2001; Saltelli et al.
  2010), with bootstrap 95% confidence half-widths (SALib ``analyze.sobol``).
* ``morris``: ``mu_star`` (mean absolute elementary effect, in output units for a step of
  ``levels / (2 (levels - 1))`` of the parameter's range), its bootstrap 95% half-width,
  and ``sigma`` (their spread: interactions or non-linearity) (Morris 1991; Campolongo et
  al. 2007; SALib ``analyze.morris``).
* ``lhs``: first-order ``S1`` by RBD-FAST (Tarantola et al. 2006; Plischke 2010), which
  works on any space-filling sample (SALib ``analyze.rbd_fast``).
* ``grid``: no indices; the mean and 95% CI of every point (``points.csv``).

The tables are tidy. ``sensitivity.csv`` has one row per output, parameter and method with
columns ``output, parameter, method, S1, S1_conf, ST, ST_conf, mu_star, mu_star_conf,
sigma`` (NaN where a method does not give a measure); ``*_conf`` are half-widths of 95%
intervals.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from loyaltysim.analysis.summary import mean_ci
from loyaltysim.experiment.sweep.design import POINT, Design
from loyaltysim.experiment.sweep.outputs import Output, output_values, parse_output

#: Columns of ``sensitivity.csv``.
SENSITIVITY_COLUMNS = ["output", "parameter", "method", "S1", "S1_conf", "ST", "ST_conf",
                       "mu_star", "mu_star_conf", "sigma"]  # fmt: skip
#: Method of each design's indices.
METHODS = {"sobol": "sobol", "morris": "morris", "lhs": "rbd_fast"}
#: Per method: the measure that ranks parameters, its 95% half-width, and its label.
RANKING = {
    "sobol": ("ST", "ST_conf", "total-order index ST"),
    "rbd_fast": ("S1", "S1_conf", "first-order index S1"),
    "morris": ("mu_star", "mu_star_conf", "μ* (mean |elementary effect|)"),
}
#: Bootstrap resamples for the confidence intervals of the indices.
RESAMPLES = 1000
#: RBD-FAST: harmonics of the interference factor (SALib's default).
RBD_HARMONICS = 10
#: RBD-FAST needs many more points than harmonics: its bias correction divides by
#: 1 - 2M/N, and its bootstrap uses halves of the sample (so N/2 >= 4M here).
RBD_MIN_POINTS = 8 * RBD_HARMONICS


@dataclass
class Analysis:
    """Everything ``loyaltysim analyze`` computes from one sweep.

    Attributes:
        sensitivity: ``sensitivity.csv`` (empty for grids).
        interactions: Sobol second-order indices (``output, parameter_1, parameter_2, S2,
            S2_conf``), when the design has them.
        points: ``points.csv``: per output and point, mean and 95% CI over replications.
        noise: Per output, the spread between points and within points (replications).
        notes: Warnings for the reader (missing points, constant outputs...).

    """

    sensitivity: pd.DataFrame
    interactions: pd.DataFrame
    points: pd.DataFrame
    noise: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def run_values(design: Design, table: pd.DataFrame, output: Output) -> pd.DataFrame:
    """One value per run of ``output``: columns point, replication, value."""
    return output_values(table, output, [POINT, "replication"])


def point_summary(design: Design, values: pd.DataFrame) -> pd.DataFrame:
    """Per design point: mean, 95% CI and standard deviation over replications.

    Points without a (non-NaN) value have NaN means and 0 replications.
    """
    rows = []
    grouped = dict(iter(values.groupby(POINT, sort=True)))
    for point in range(len(design)):
        group = grouped.get(point)
        found = group["value"].to_numpy() if group is not None else np.array([])
        finite = found[~np.isnan(found)]
        mean, low, high = mean_ci(finite)
        rows.append(
            {
                POINT: point,
                "mean": mean,
                "ci_low": low,
                "ci_high": high,
                "std": float(finite.std(ddof=1)) if finite.size > 1 else np.nan,
                "replications": int(finite.size),
            }
        )
    return pd.DataFrame(rows)


def _blank(output: str, parameter: str, method: str) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(SENSITIVITY_COLUMNS, np.nan)
    row.update(output=output, parameter=parameter, method=method)
    return row


def indices(
    design: Design, means: np.ndarray, output: str
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Sensitivity rows (and Sobol second-order rows) of one output.

    Args:
        design: The sweep's design (sobol, morris or lhs).
        means: Mean over replications of each design point, in point order.
        output: The output's name, for the rows.

    Raises:
        ValueError: the design has no sensitivity method, or SALib rejects the data.

    """
    method = METHODS.get(design.method)
    if method is None:
        raise ValueError(f"a {design.method} design has no sensitivity indices")
    problem = design.problem()
    rows = [_blank(output, name, method) for name in design.names]
    pairs: list[dict[str, object]] = []
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        if method == "sobol":
            from SALib.analyze import sobol

            found = sobol.analyze(
                problem,
                means,
                calc_second_order=design.second_order,
                num_resamples=RESAMPLES,
                conf_level=0.95,
                seed=design.seed,
            )
            for i, row in enumerate(rows):
                for key in ("S1", "S1_conf", "ST", "ST_conf"):
                    row[key] = float(found[key][i])
            if design.second_order:
                for i, first in enumerate(design.names):
                    for j in range(i + 1, len(design.names)):
                        pairs.append(
                            {
                                "output": output,
                                "parameter_1": first,
                                "parameter_2": design.names[j],
                                "S2": float(found["S2"][i, j]),
                                "S2_conf": float(found["S2_conf"][i, j]),
                            }
                        )
        elif method == "morris":
            from SALib.analyze import morris

            found = morris.analyze(
                problem,
                design.sampler_matrix(),
                means,
                num_resamples=RESAMPLES,
                conf_level=0.95,
                num_levels=design.levels,
                seed=design.seed,
            )
            for i, row in enumerate(rows):
                row["mu_star"] = float(found["mu_star"][i])
                row["mu_star_conf"] = float(found["mu_star_conf"][i])
                row["sigma"] = float(found["sigma"][i])
        else:
            from SALib.analyze import rbd_fast

            found = rbd_fast.analyze(
                problem,
                design.sampler_matrix(),
                means,
                M=RBD_HARMONICS,
                num_resamples=RESAMPLES,
                conf_level=0.95,
                seed=design.seed,
            )
            for i, row in enumerate(rows):
                row["S1"] = float(found["S1"][i])
                row["S1_conf"] = float(found["S1_conf"][i])
    return rows, pairs


def noise_row(output: str, summary: pd.DataFrame) -> dict[str, object]:
    """Spread of point means, and how much of it replication noise explains."""
    means = summary["mean"].to_numpy()
    finite = means[~np.isnan(means)]
    between = float(finite.var(ddof=1)) if finite.size > 1 else np.nan
    within_var = summary["std"].to_numpy() ** 2
    reps = summary["replications"].to_numpy()
    ok = ~np.isnan(within_var) & (reps > 1)
    noise_of_mean = float(np.mean(within_var[ok] / reps[ok])) if ok.any() else np.nan
    share = noise_of_mean / between if between and between > 0 else np.nan
    return {
        "output": output,
        "points": int(finite.size),
        "mean": float(finite.mean()) if finite.size else np.nan,
        "sd_between_points": float(np.sqrt(between)) if between == between else np.nan,
        "sd_within_point": float(np.sqrt(np.mean(within_var[ok]))) if ok.any() else np.nan,
        "noise_share": share,
    }


def analyse(design: Design, table: pd.DataFrame, outputs: list[str]) -> Analysis:
    """Indices, per-point summaries and noise for each output of a gathered sweep.

    Args:
        design: The design that ran (``design.json``, ``design.csv``).
        table: The gathered runs (``sweep.parquet``).
        outputs: ``"<shop>.<figure>"`` or ``"market.<figure>"`` names.

    Raises:
        ValueError: an output does not name a shop and figure of the table.

    """
    shops = list(dict.fromkeys(table["shop"])) if "shop" in table else []
    sens_rows: list[dict[str, object]] = []
    pair_rows: list[dict[str, object]] = []
    point_frames = []
    noise_rows = []
    notes: list[str] = []
    planned = int(design.extra.get("replications", 0))
    if planned == 1 and design.method in METHODS:
        effect = {
            "sobol": "puts a floor under every ST",
            "morris": "adds to every elementary effect, so an inert parameter's mu* is not 0",
            "lhs": "adds to the output's variance, so every S1 is understated",
        }[design.method]
        notes.append(
            "one replication per point: replication noise cannot be told apart from the "
            f"parameters' effects; it acts like one more input and {effect}. Run 2 or more "
            "replications to measure it (output_noise.csv)"
        )
    for name in outputs:
        parsed = parse_output(name, shops)
        if not isinstance(parsed, Output):
            expected, given = parsed
            raise ValueError(f"output {name!r}: expected {expected}, given {given}")
        summary = point_summary(design, run_values(design, table, parsed))
        frame = design.points.merge(summary, on=POINT)
        frame.insert(0, "output", name)
        point_frames.append(frame)
        noise_rows.append(noise_row(name, summary))
        short = int(((summary["replications"] > 0) & (summary["replications"] < planned)).sum())
        if short:
            notes.append(
                f"{name}: {short} points have fewer than {planned} replications (failed runs or "
                "an undefined figure); their means are less precise"
            )
        if design.method not in METHODS:
            continue
        means = summary["mean"].to_numpy()
        missing = int(np.isnan(means).sum())
        if missing:
            notes.append(
                f"{name}: {missing} of {len(means)} points have no value (failed runs or an "
                "undefined figure); indices left out"
            )
            sens_rows += [_blank(name, p, METHODS[design.method]) for p in design.names]
            continue
        if design.method == "lhs" and len(means) < RBD_MIN_POINTS:
            notes.append(
                f"{name}: RBD-FAST needs at least {RBD_MIN_POINTS} Latin hypercube points "
                f"(this design has {len(means)}); indices left out, see points.csv"
            )
            sens_rows += [_blank(name, p, METHODS[design.method]) for p in design.names]
            continue
        if np.ptp(means) == 0:
            notes.append(f"{name}: the same at every point; indices left out")
            sens_rows += [_blank(name, p, METHODS[design.method]) for p in design.names]
            continue
        try:
            rows, pairs = indices(design, means, name)
        except ValueError as exc:
            notes.append(f"{name}: {exc}")
            rows, pairs = [_blank(name, p, METHODS[design.method]) for p in design.names], []
        sens_rows += rows
        pair_rows += pairs
    noise = pd.DataFrame(noise_rows)
    return Analysis(
        sensitivity=pd.DataFrame(sens_rows, columns=SENSITIVITY_COLUMNS),
        interactions=pd.DataFrame(
            pair_rows, columns=["output", "parameter_1", "parameter_2", "S2", "S2_conf"]
        ),
        points=pd.concat(point_frames, ignore_index=True) if point_frames else pd.DataFrame(),
        noise=noise,
        notes=notes,
    )


def main_effects(points: pd.DataFrame, parameter: str) -> pd.DataFrame:
    """Mean of the point means at each value of ``parameter`` (the others averaged out).

    Args:
        points: Rows of ``points.csv`` for one output.
        parameter: A design column.

    Returns:
        ``parameter, mean, ci_low, ci_high, replications`` (CI over the points at each value).

    """
    rows = []
    for value, group in points.groupby(parameter, sort=True):
        mean, low, high = mean_ci(group["mean"].to_numpy())
        rows.append(
            {
                parameter: value,
                "mean": mean,
                "ci_low": low,
                "ci_high": high,
                "replications": int(group["replications"].sum()),
            }
        )
    return pd.DataFrame(rows)
