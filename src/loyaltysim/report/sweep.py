"""The sweep report: sensitivity indices or a grid's design points, with their figures.

Built from the files ``loyaltysim analyze`` writes into a sweep folder (``sensitivity.csv``
or ``points.csv``, and the PNGs of ``figures/``, embedded as they are), with people's
labels for outputs and parameters (:func:`loyaltysim.analysis.labels.output_label`,
:func:`~loyaltysim.analysis.labels.parameter_label`), numbers written out in full, and
intervals of proportions on the logit scale (:mod:`loyaltysim.analysis.intervals`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from loyaltysim.analysis.intervals import proportion_ci
from loyaltysim.analysis.labels import FigureLabel, output_label, parameter_label
from loyaltysim.experiment.folder import read_meta, read_scenario
from loyaltysim.report.markup import breakable, esc, image, meta_line, number, page, plain, table

#: Per method: the ranking measure, its 95% half-width, and how findings name it.
RANKED_BY = {
    "sobol": ("ST", "ST_conf", "total-order Sobol index ST"),
    "rbd_fast": ("S1", "S1_conf", "first-order index S1 (RBD-FAST)"),
    "morris": ("mu_star", "mu_star_conf", "Morris μ*"),
}
METHOD_NAMES = {"sobol": "Sobol", "rbd_fast": "RBD-FAST", "morris": "Morris"}
#: What each method's indices mean, for the note above them.
METHOD_NOTES = (
    (
        "sobol",
        "Sobol indices are shares of the output's variance: S1 what a parameter causes "
        "alone, ST including its interactions.",
    ),
    ("rbd_fast", "RBD-FAST gives first-order indices S1 only, from a Latin hypercube."),
    (
        "morris",
        "Morris μ* is the mean absolute change of the output per step of a parameter, σ the "
        "spread of those changes.",
    ),
)
#: Rows of a grid's point table shown in the report (the file has them all).
MAX_POINTS = 60
#: The figures ``loyaltysim analyze`` draws per output (file name prefix), with captions.
FIGURES = (
    ("indices", "Sensitivity indices of {} per parameter, with 95% confidence intervals."),
    ("tornado", "What moves {}: parameters ranked by influence, the strongest on top."),
    (
        "morris",
        "Morris plane of {}: importance μ* against σ, the spread of its effects "
        "(interactions or non-linearity).",
    ),
    (
        "response",
        "{} against the swept parameters: mean over replications with its 95% band (a "
        "parameter neither on the axis nor in the legend is averaged out).",
    ),
)
#: ``[sweep]`` settings and the designs they apply to, with their names for people.
SETTINGS = (
    ("design", "design", ("grid", "lhs", "sobol", "morris")),
    ("samples", "design points", ("lhs",)),
    ("samples", "base sample N", ("sobol",)),
    ("samples", "trajectories", ("morris",)),
    ("levels", "levels of the Morris grid", ("morris",)),
    ("second_order", "second-order indices", ("sobol",)),
    ("replications", "replications per point", ("grid", "lhs", "sobol", "morris")),
    ("seed", "seed of the design sampler", ("lhs", "sobol", "morris")),
)


def _sweep_rows(folder: Path) -> str:
    path = folder / "sweep.parquet"
    if not path.exists():
        return ""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        return "<p><code>sweep.parquet</code> is present (install pyarrow to count its rows).</p>"
    rows = pq.ParquetFile(path).metadata.num_rows
    return f"<p>The sweep's results, <code>sweep.parquet</code>, hold {rows:,} rows.</p>"


def sensitivity_findings(rows: pd.DataFrame, method: str) -> list[str]:
    """Plain findings for one output: which parameters measurably matter.

    A parameter is called influential only when the 95% interval of its ranking index (ST
    for Sobol, S1 for RBD-FAST, μ* for Morris) excludes zero; the others are "not
    distinguishable from zero", which says the sweep could not show an influence, not that
    there is none.
    """
    key, conf, what = RANKED_BY[method]
    ranked = rows.sort_values(key, ascending=False)
    strong, weak = [], []
    for row in ranked.itertuples(index=False):
        value, half = float(getattr(row, key)), float(getattr(row, conf))
        text = (
            f"{parameter_label(str(row.parameter))} ({number(value, 3)}, 95% CI "
            f"{number(value - half, 3)} to {number(value + half, 3)})"
        )
        (strong if math.isfinite(half) and value - half > 0 else weak).append(text)
    out = []
    if strong:
        out.append(f"Measurably influential, by {what}: " + "; ".join(strong) + ".")
    if weak:
        out.append(
            f"Not distinguishable from zero (the 95% interval of {what} reaches zero; more "
            "samples or replications may still show an influence): " + "; ".join(weak) + "."
        )
    return out


def _pm(value: float, half: float, index: bool) -> str:
    """``0.600 ± 0.050`` for a variance share, ``12,350 ± 1,200`` for an effect in units."""
    if not math.isfinite(value):
        return "—"
    show = (lambda x: f"{x:.3f}") if index else number
    return show(value) + (f" ± {show(half)}" if math.isfinite(half) else "")


def _parameter_cell(path: str) -> str:
    return f'{esc(parameter_label(path))}<br><code class="key">{breakable(path)}</code>'


def _sensitivity_table(rows: pd.DataFrame, method: str) -> str:
    ranked = rows.sort_values(RANKED_BY[method][0], ascending=False)
    columns = {
        "sobol": [("S1 ± 95% CI", "S1", "S1_conf"), ("ST ± 95% CI", "ST", "ST_conf")],
        "rbd_fast": [("S1 ± 95% CI", "S1", "S1_conf")],
        "morris": [("μ* ± 95% CI", "mu_star", "mu_star_conf"), ("σ", "sigma", None)],
    }[method]
    index = method != "morris"
    body = [
        [_parameter_cell(str(row["parameter"]))]
        + [_pm(float(row[v]), float(row[c]) if c else math.nan, index) for _, v, c in columns]
        for _, row in ranked.iterrows()
    ]
    return table(["parameter", *(name for name, _, _ in columns)], body)


def embedded_figures(folder: Path, output: str, name: str) -> list[str]:
    """The PNGs ``loyaltysim analyze`` drew for ``output``, embedded with captions."""
    out = []
    for prefix, caption in FIGURES:
        path = folder / "figures" / f"{prefix}_{output}.png"
        if path.exists():
            out.append(image(path.read_bytes(), f"{prefix} {output}", caption.format(name)))
    return out


def _sensitivity_sections(sensitivity: pd.DataFrame, folder: Path, days: int) -> list[str]:
    """Per output and method: findings, the index table and the figures of ``analyze``."""
    body = []
    methods = sensitivity["method"].astype(str).str.lower()
    for output in dict.fromkeys(sensitivity["output"].astype(str)):
        name, _ = output_label(output, days)
        for method in dict.fromkeys(methods[sensitivity["output"] == output]):
            if method not in RANKED_BY:
                body.append(f"<p>{esc(name)}: method {esc(method)} is not shown.</p>")
                continue
            rows = sensitivity[(sensitivity["output"] == output) & (methods == method)]
            body.append(f"<h2>{esc(name)} ({METHOD_NAMES[method]})</h2>")
            items = "".join(f"<li>{esc(p)}</li>" for p in sensitivity_findings(rows, method))
            body += [f"<ul>{items}</ul>", _sensitivity_table(rows, method)]
        body += embedded_figures(folder, output, name)
    return body


def _levels(rows: pd.DataFrame, label: FigureLabel) -> tuple[list[str], list[str]]:
    """Means and 95% CIs of a grid's points as text.

    Proportions are in % with the logit-scale interval; other figures are written in full to
    4 significant digits.
    """
    low, high = rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float)
    if label.kind == "share":
        low, high = proportion_ci(rows["mean"].to_numpy(float), low, high)
    show = label.value if label.kind == "share" else number
    means = [show(m) for m in rows["mean"]]
    intervals = [f"{show(lo)} to {show(hi)}" for lo, hi in zip(low, high, strict=True)]
    return means, intervals


def _grid_sections(points: pd.DataFrame, folder: Path, days: int) -> list[str]:
    """A grid has no indices: per output, the mean and 95% CI of each design point."""
    fixed = {"output", "point", "mean", "ci_low", "ci_high", "std", "replications"}
    names = [c for c in points.columns if c not in fixed]
    body = [
        "<p>A grid sweep has no sensitivity indices: here is each output's mean and 95% CI "
        "at every design point (<code>points.csv</code>), and its response figure.</p>"
    ]
    for output, rows in points.groupby("output", sort=False):
        name, label = output_label(str(output), days)
        shown = rows.head(MAX_POINTS)
        means, intervals = _levels(shown, label)
        header = ["point", *(esc(parameter_label(n)) for n in names), "mean", "95% CI"]
        if "replications" in shown:
            header.append("replications")
        body_rows = []
        for i, (_, row) in enumerate(shown.iterrows()):
            cells = [esc(row["point"]), *(esc(plain(row[n])) for n in names)]
            cells += [means[i], f'<span class="ci">{intervals[i]}</span>']
            if "replications" in shown:
                cells.append(esc(row["replications"]))
            body_rows.append(cells)
        body += [f"<h2>{esc(name)}</h2>", *embedded_figures(folder, str(output), name)]
        body.append(table(header, body_rows))
        if len(rows) > MAX_POINTS:
            body.append(f"<p>First {MAX_POINTS} of {len(rows)} points; see points.csv.</p>")
    return body


def _values(parameter: Mapping[str, Any], design: str) -> str:
    """What a parameter takes: its grid values, or its range (with steps on a grid)."""
    if parameter.get("values") is not None:
        return esc(plain(parameter["values"]))
    text = f"{plain(parameter.get('low'))} to {plain(parameter.get('high'))}"
    if design == "grid" and parameter.get("steps"):
        text += f", {parameter['steps']} evenly spaced values"
    if parameter.get("scale", "linear") != "linear":
        text += f" ({parameter['scale']} scale)"
    return esc(text)


def sweep_brief(sweep: Mapping[str, Any], days: int) -> list[str]:
    """The sweep's settings that apply to its design, its outputs and its parameters."""
    design = str(sweep.get("design", "grid"))
    rows = [
        [esc(name), esc(plain(sweep[key]))]
        for key, name, designs in SETTINGS
        if design in designs and sweep.get(key) is not None
    ]
    outputs = [output_label(str(o), days)[0] for o in sweep.get("outputs", [])]
    if outputs:
        rows.append(["outputs", esc("; ".join(outputs))])
    out = [table(["setting", "value"], rows)]
    parameters = sweep.get("parameters", {})
    if parameters:
        body = [[_parameter_cell(path), _values(p, design)] for path, p in parameters.items()]
        out.append(table(["parameter", "values"], body))
    return out


def sweep_report(folder: Path) -> str:
    """The HTML report of a sweep folder: sensitivity tables, findings and figures."""
    from loyaltysim.scenario.problems import UserError

    sensitivity_path, points_path = folder / "sensitivity.csv", folder / "points.csv"
    if not sensitivity_path.exists() and not points_path.exists():
        raise UserError(
            f"{folder}: a sweep folder without sensitivity.csv or points.csv; run "
            f"`loyaltysim analyze {folder}` first, then make the report"
        )
    scenario, meta = read_scenario(folder), read_meta(folder)
    name = scenario.get("name", folder.name)
    days = int(scenario.get("run", {}).get("days", 365))
    body = [
        f"<h1>loyaltysim sensitivity report: {esc(name)}</h1>",
        f'<p class="lead">{esc(scenario.get("description", ""))}</p>',
        meta_line(folder, meta),
        _sweep_rows(folder),
    ]
    if "sweep" in scenario:
        body += ["<h2>Sweep</h2>", *sweep_brief(scenario["sweep"], days)]
    if not (folder / "figures").is_dir():
        body.append(
            "<p>The folder has no figures (<code>analyze --no-figures</code>); run "
            f"<code>loyaltysim analyze {esc(folder)}</code> to draw them.</p>"
        )
    if sensitivity_path.exists():
        sensitivity = pd.read_csv(sensitivity_path)
        missing = {"output", "parameter", "method"} - set(sensitivity.columns)
        if missing:
            raise UserError(
                f"{sensitivity_path}: expected the columns output, parameter, method; missing "
                f"{', '.join(sorted(missing))}"
            )
        methods = set(sensitivity["method"].astype(str).str.lower())
        notes = [text for method, text in METHOD_NOTES if method in methods]
        body.append(
            f'<p class="note">{" ".join(notes)} Intervals are 95% bootstrap intervals; a '
            "parameter is called influential only when its interval excludes zero.</p>"
        )
        body += _sensitivity_sections(sensitivity, folder, days)
    else:
        body += _grid_sections(pd.read_csv(points_path), folder, days)
    return page(f"loyaltysim sensitivity report: {name}", body)
