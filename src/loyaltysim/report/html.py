"""``loyaltysim report``: one self-contained HTML file from a run or sweep result folder.

The file is meant to be mailed, archived or opened offline, so everything is inside it:
figures are base64 PNGs, the style sheet is inline, and there are no scripts and no links
to the network. It is built only from the folder's files (see
:mod:`loyaltysim.experiment.folder`), never from a live model.

A run report has the findings in plain language (:mod:`loyaltysim.analysis.findings`), the scenario
in brief, a table per shop comparing every variant with the base (means, 95% CIs, paired
differences), and the standard figures (:func:`loyaltysim.plots.run_pages`). A sweep report
has the sensitivity indices of every output as tables, findings and figures.
"""

from __future__ import annotations

import base64
import html
import math
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from loyaltysim.analysis.findings import ShopFinding, concentration_findings, variant_findings
from loyaltysim.analysis.labels import label_of, retention_label
from loyaltysim.experiment.folder import RunFolder, kind_of, load_run, read_meta, read_scenario
from loyaltysim.experiment.store import write_atomic
from loyaltysim.scenario.keypaths import flatten

#: Figures in the comparison table, in this order (those the summary has).
TABLE_FIGURES = (
    "market_share",
    "orders",
    "revenue",
    "profit",
    "repurchase_rate",
    "retention",
    "clv",
    "mean_satisfaction",
    "mean_trust",
    "rating",
    "complaints",
    "resolution_share",
)

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
       max-width: 1180px; margin: 2em auto; padding: 0 1.5em; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #ddd; padding-bottom: 0.2em;
     margin-top: 2em; }
.lead { font-size: 1.1em; color: #444; } .meta { color: #666; font-size: 0.9em; }
nav a { margin-right: 1.2em; }
table { border-collapse: collapse; margin: 0.8em 0 1.6em; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.6em; text-align: right; vertical-align: top; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
td.effect { font-weight: 600; } td.null { color: #888; }
.ci { color: #666; font-size: 0.85em; white-space: nowrap; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.92em; }
.note { background: #f7f7f2; border-left: 4px solid #c8c29a; padding: 0.6em 1em; }
li { margin-bottom: 0.5em; }
"""


# ---------------------------------------------------------------------------------- HTML bits
def esc(value: object) -> str:
    """Text made safe for HTML text and double-quoted attributes (apostrophes stay as is)."""
    return html.escape(str(value), quote=False).replace('"', "&quot;")


def table(header: list[str], rows: Iterable[list[str]], cls: Iterable[list[str]] = ()) -> str:
    """An HTML table; cells are already HTML (escape text first); ``cls`` per-cell classes."""
    classes = list(cls)
    out = ["<table>", "<tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr>"]
    for i, row in enumerate(rows):
        row_cls = classes[i] if i < len(classes) else [""] * len(row)
        cells = "".join(
            f'<td class="{c}">{v}</td>' if c else f"<td>{v}</td>"
            for v, c in zip(row, row_cls, strict=True)
        )
        out.append(f"<tr>{cells}</tr>")
    out.append("</table>")
    return "\n".join(out)


def image(png: bytes, alt: str, caption: str) -> str:
    """A figure with the PNG embedded as a data URI."""
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img alt="{esc(alt)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def page(title: str, body: list[str]) -> str:
    """The whole document."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>",
            *body,
            "</body></html>",
        ]
    )


def _settings(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{esc(k)} = {esc(_plain(v))}" for k, v in values.items())


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _days(value: Any) -> str:
    return f"{_plain(value)} day" + ("" if value == 1 else "s")


def _percent(value: Any) -> str:
    return f"{100 * value:.1f}%" if isinstance(value, int | float) else "—"


# ---------------------------------------------------------------------------------- scenario
def scenario_brief(scenario: Mapping[str, Any]) -> list[str]:
    """The scenario in brief: run, market, network, shops, events and variants."""
    if not scenario:
        return ["<p>The folder has no <code>scenario.toml</code>.</p>"]
    run = scenario.get("run", {})
    market = scenario.get("market", {})
    network = scenario.get("network", {})
    regions = market.get("regions", {})
    region_text = ", ".join(
        f"{esc(name)} {_percent(r.get('share'))} ({_days(r.get('delivery_days', 2.0))})"
        for name, r in regions.items()
    )
    segments = ", ".join(esc(s) for s in market.get("segments", {}))
    rows = [
        ["recorded days", f"{run.get('days', '?')} (after {run.get('warmup_days', 0)} warm-up)"],
        ["replications", f"{run.get('replications', '?')} (root seed {run.get('seed', '?')})"],
        ["customers at start", f"{market.get('customers', 0):,}"],
        [
            "arrivals / departures",
            f"{market.get('arrival_rate', 0):g} / {market.get('departure_rate', 0):g} per day",
        ],
        ["regions (delivery time)", region_text or "—"],
        ["segments", segments or "—"],
        [
            "social network",
            f"{esc(network.get('kind', '?'))}, mean degree {_plain(network.get('mean_degree'))}",
        ],
    ]
    out = ["<h3>Market and run</h3>", table(["setting", "value"], rows)]
    out += ["<h3>Shops</h3>", shops_table(scenario.get("shops", {}))]
    events = scenario.get("events", [])
    if events:
        items = "".join(
            f"<li>{esc(e.get('kind', 'event'))}: "
            f"{_settings({k: v for k, v in e.items() if k != 'kind'})}</li>"
            for e in events
        )
        out += ["<h3>Scheduled events</h3>", f"<ul>{items}</ul>"]
    variants = scenario.get("variants", {})
    out.append("<h3>Variants</h3>")
    if variants:
        items = "".join(
            f"<li><b>{esc(name)}</b>: {_settings(flatten(changes)) or 'no change'}</li>"
            for name, changes in variants.items()
        )
        out.append(
            "<p>Each variant is the base with these values changed, run on the same seeds "
            f"(common random numbers).</p><ul>{items}</ul>"
        )
    else:
        out.append("<p>None: the run has only the base.</p>")
    return out


def shops_table(shops: Mapping[str, Any]) -> str:
    """Each shop's key settings: offer, logistics, service, marketing, strategies."""
    header = [
        "shop",
        "price",
        "shipping fee",
        "quality (promised)",
        "unit cost",
        "courier: on time / damaged / lost",
        "tracking",
        "complaints: response days / resolved",
        "aware at start",
        "strategies and regional couriers",
    ]
    rows = []
    for name, shop in shops.items():
        courier = shop.get("courier", {})
        service = shop.get("service", {})
        promise = shop.get("promise")
        quality = f"{shop.get('quality', 0):g}" + (f" ({promise:g})" if promise is not None else "")
        extras = [
            f"{esc(k)}: {_settings(v) if isinstance(v, Mapping) else esc(_plain(v))}"
            for k, v in shop.get("strategies", {}).items()
        ]
        extras += [
            f"courier in {esc(region)}: {_settings(override)}"
            for region, override in shop.get("courier_by_region", {}).items()
        ]
        rows.append(
            [
                f"<b>{esc(name)}</b>",
                f"{shop.get('price', 0):,.2f}",
                f"{shop.get('shipping_fee', 0):,.2f}",
                quality,
                f"{shop.get('unit_cost', 0):,.2f}",
                f"{_percent(courier.get('on_time', 0.9))} / "
                f"{_percent(courier.get('damage_rate', 0.02))} / "
                f"{_percent(courier.get('loss_rate', 0.005))}",
                "yes" if courier.get("tracking", True) else "no",
                f"{service.get('response_days', 2):g} / "
                f"{_percent(service.get('resolution_rate', 0.6))}",
                _percent(shop.get("initial_awareness", 0.1)),
                "<br>".join(extras) or "—",
            ]
        )
    return table(header, rows)


# ---------------------------------------------------------------------------------- run report
def _level(row: pd.Series, figure: str) -> str:
    label = label_of(figure)
    low, high = row["ci_low"], row["ci_high"]
    if not (math.isfinite(low) and math.isfinite(high)):
        return label.value(row["mean"])
    digits = label.interval_decimals(low, high)
    ci = f"{label.value(low, digits)} to {label.value(high, digits)}"
    return f'{label.value(row["mean"], digits)}<br><span class="ci">{ci}</span>'


def _difference(row: pd.Series, figure: str) -> tuple[str, str]:
    """Cell and class of a paired difference: bold if its CI excludes zero."""
    label = label_of(figure)
    low, high = row["diff_ci_low"], row["diff_ci_high"]
    if not (math.isfinite(low) and math.isfinite(high)):
        return label.diff(row["diff_vs_base"]), ""
    digits = label.interval_decimals(low, high)
    cell = (
        f"{label.diff(row['diff_vs_base'], digits)}<br><span class='ci'>"
        f"{label.bare_diff(low, digits)} to {label.bare_diff(high, digits)}</span>"
    )
    return cell, "effect" if (low > 0 or high < 0) else "null"


def comparison_tables(run: RunFolder) -> list[str]:
    """Per shop: every key figure, base and variants, with 95% CIs and paired differences."""
    summary = run.summary
    keyed = summary.set_index(["variant", "shop", "figure"])
    variants = run.variants
    figures = [f for f in TABLE_FIGURES if f in set(summary["figure"])]
    header = ["figure", "base<br>mean, 95% CI"]
    for v in variants[1:]:
        header += [f"{esc(v)}<br>mean, 95% CI", f"{esc(v)} − base<br>difference, 95% CI"]
    out = []
    for shop in run.shops:
        rows, classes = [], []
        for figure in figures:
            name = retention_label(run.days) if figure == "retention" else label_of(figure).label
            row, cls = [esc(name), _level(keyed.loc[("base", shop, figure)], figure)], ["", ""]
            for v in variants[1:]:
                data = keyed.loc[(v, shop, figure)]
                cell, kind = _difference(data, figure)
                row += [_level(data, figure), cell]
                cls += ["", kind]
            rows.append(row)
            classes.append(cls)
        out += [f"<h3>{esc(shop)}</h3>", table(header, rows, classes)]
    return out


def run_figures(run: RunFolder) -> list[str]:
    """The standard pages of the run, embedded."""
    from loyaltysim.plots import png_bytes, run_pages

    out = []
    pages = run_pages(run.timeseries, run.retention, run.summary, run.customers, run.days)
    for fig_page in pages:
        try:
            out.append(image(png_bytes(fig_page.figure), fig_page.name, fig_page.caption))
        finally:
            plt.close(fig_page.figure)
    return out


def _meta_line(folder: Path, meta: Mapping[str, Any]) -> str:
    parts = [f"Result folder <code>{esc(folder)}</code>"]
    if meta.get("finished"):
        parts.append(f"run finished {esc(meta['finished'])}")
    version = meta.get("versions", {}).get("loyaltysim")
    if version:
        parts.append(f"loyaltysim {esc(version)}")
    if meta.get("git_commit"):
        parts.append(f"commit {esc(str(meta['git_commit'])[:10])}")
    parts.append(f"report written {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    return f'<p class="meta">{"; ".join(parts)}.</p>'


def finding_html(finding: ShopFinding) -> str:
    """A shop's finding as a list item: the measurable changes as bullets, then the rest."""
    head = f"<li><b>{esc(finding.shop)}</b>: "
    if finding.effects:
        items = "".join(f"<li>{esc(e)}</li>" for e in finding.effects)
        head += f"variant {esc(finding.variant)}<ul>{items}</ul>"
    rest = " ".join(esc(s) for s in (finding.nulls, finding.unjudged) if s)
    return f"{head}{rest}</li>"


def run_report(run: RunFolder) -> str:
    """The HTML report of a run folder."""
    scenario = run.scenario
    name = scenario.get("name", run.path.name)
    replications = int(run.summary["replications"].max())
    body = [
        f"<h1>loyaltysim report: {esc(name)}</h1>",
        f'<p class="lead">{esc(scenario.get("description", ""))}</p>',
        _meta_line(run.path, run.meta),
        '<nav><a href="#findings">Findings</a><a href="#scenario">Scenario</a>'
        '<a href="#comparison">Variant comparison</a><a href="#figures">Figures</a></nav>',
        '<h2 id="findings">Findings</h2>',
        '<p class="note">These are effects inside the simulated market. A variant differs '
        "from the base only in the values listed under Variants and runs on the same seeds, "
        f"so each difference is measured replication by replication ({replications} "
        "replications). A change is reported only when its 95% confidence interval excludes "
        "zero; &ldquo;no measurable change&rdquo; means the interval includes zero, and the "
        "interval shows how large an effect could still be hidden in the noise. With many "
        "figures compared, about one true non-effect in twenty still shows up as a change by "
        "chance, so read small changes near the edge of their interval with care.</p>",
    ]
    findings = variant_findings(run.summary, run.days)
    if not findings:
        body.append(
            "<p>The scenario has no variants, so there is nothing to compare; the table "
            "below gives the base's figures with 95% confidence intervals.</p>"
        )
    for variant, found in findings.items():
        body.append(f"<h3>{esc(variant)} vs base</h3><ul>")
        body += [finding_html(f) for f in found]
        body.append("</ul>")
    if run.customers is not None:
        concentration = concentration_findings(run.customers)
        if concentration:
            kept = run.customers.loc[run.customers["variant"] == "base", "replication"]
            which = (
                f"replication {kept.iloc[0]}"
                if kept.nunique() == 1
                else f"{kept.nunique()} replications pooled"
            )
            body.append(f"<h3>Revenue concentration (base, {which})</h3><ul>")
            body += [f"<li>{esc(p)}</li>" for p in concentration]
            body.append("</ul>")
    body += ['<h2 id="scenario">Scenario in brief</h2>', *scenario_brief(scenario)]
    body += [
        '<h2 id="comparison">Variant comparison</h2>',
        "<p>Means over replications with their 95% confidence intervals; differences are "
        "paired by replication (common random numbers). <b>Bold</b> differences have a "
        "confidence interval that excludes zero; grey ones do not. Definitions are in "
        "<code>docs/metrics.md</code>.</p>",
        *comparison_tables(run),
        '<h2 id="figures">Figures</h2>',
        *run_figures(run),
    ]
    return page(f"loyaltysim report: {name}", body)


# ---------------------------------------------------------------------------------- sweeps
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


#: Per method: the ranking measure, its 95% half-width, and how findings name it.
RANKED_BY = {
    "sobol": ("ST", "ST_conf", "total-order Sobol index ST"),
    "rbd_fast": ("S1", "S1_conf", "first-order index S1 (RBD-FAST)"),
    "morris": ("mu_star", "mu_star_conf", "Morris μ*"),
}
#: Rows of a grid's point table shown in the report (the file has them all).
MAX_POINTS = 60


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
        text = f"{row.parameter} ({value:.3g}, 95% CI {value - half:.3g} to {value + half:.3g})"
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


def _pm(value: float, half: float) -> str:
    if not math.isfinite(value):
        return "—"
    return f"{value:.3f}" + (f" ± {half:.3f}" if math.isfinite(half) else "")


def _sensitivity_table(rows: pd.DataFrame, method: str) -> str:
    ranked = rows.sort_values(RANKED_BY[method][0], ascending=False)
    columns = {
        "sobol": [("S1 ± 95% CI", "S1", "S1_conf"), ("ST ± 95% CI", "ST", "ST_conf")],
        "rbd_fast": [("S1 ± 95% CI", "S1", "S1_conf")],
        "morris": [("μ* ± 95% CI", "mu_star", "mu_star_conf"), ("σ", "sigma", None)],
    }[method]
    header = ["parameter", *(name for name, _, _ in columns)]
    body = [
        [esc(row["parameter"])]
        + [_pm(float(row[v]), float(row[c]) if c else math.nan) for _, v, c in columns]
        for _, row in ranked.iterrows()
    ]
    return table(header, body)


def _sensitivity_sections(sensitivity: pd.DataFrame) -> list[str]:
    """Per output and method: findings, the index table and the two index figures."""
    from loyaltysim.plots import png_bytes
    from loyaltysim.plots.sensitivity import plot_sensitivity_indices, plot_tornado

    body = []
    methods = sensitivity["method"].astype(str).str.lower()
    for output in dict.fromkeys(sensitivity["output"]):
        for method in dict.fromkeys(methods[sensitivity["output"] == output]):
            if method not in RANKED_BY:
                body.append(f"<p>{esc(output)}: method {esc(method)} is not shown.</p>")
                continue
            rows = sensitivity[(sensitivity["output"] == output) & (methods == method)]
            body.append(f"<h2>{esc(output)} ({esc(method)})</h2>")
            items = "".join(f"<li>{esc(p)}</li>" for p in sensitivity_findings(rows, method))
            body += [f"<ul>{items}</ul>", _sensitivity_table(rows, method)]
            fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5))
            try:
                plot_sensitivity_indices(sensitivity, str(output), method, ax=left)
                plot_tornado(sensitivity, str(output), method, ax=right)
                fig.tight_layout()
                caption = f"Indices of {output} per parameter, and the parameters ranked."
                body.append(image(png_bytes(fig), f"{output} {method}", caption))
            finally:
                plt.close(fig)
    return body


def _grid_sections(points: pd.DataFrame) -> list[str]:
    """A grid has no indices: per output, the mean and 95% CI of each design point."""
    body = [
        "<p>A grid sweep has no sensitivity indices: here is each output's mean and 95% CI "
        "at every design point (<code>points.csv</code>).</p>"
    ]
    for output, rows in points.groupby("output", sort=False):
        shown = rows.drop(columns="output").head(MAX_POINTS)
        header = [esc(c) for c in shown.columns]
        body_rows = [
            [esc(f"{v:.4g}" if isinstance(v, float) else v) for v in row]
            for row in shown.itertuples(index=False)
        ]
        body += [f"<h2>{esc(output)}</h2>", table(header, body_rows)]
        if len(rows) > MAX_POINTS:
            body.append(f"<p>First {MAX_POINTS} of {len(rows)} points; see points.csv.</p>")
    return body


def sweep_brief(sweep: Mapping[str, Any]) -> list[str]:
    """The sweep's settings, and its parameters as a table (one row each)."""
    settings = [
        [esc(k), esc(", ".join(map(str, v)) if isinstance(v, list) else _plain(v))]
        for k, v in sweep.items()
        if k != "parameters"
    ]
    out = [table(["setting", "value"], settings)]
    parameters = sweep.get("parameters", {})
    if parameters:
        keys = list(dict.fromkeys(k for p in parameters.values() for k in p))
        rows = [
            [esc(name)] + [esc(_plain(p[k])) if k in p else "" for k in keys]
            for name, p in parameters.items()
        ]
        out.append(table(["parameter", *map(esc, keys)], rows))
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
    body = [
        f"<h1>loyaltysim sensitivity report: {esc(name)}</h1>",
        f'<p class="lead">{esc(scenario.get("description", ""))}</p>',
        _meta_line(folder, meta),
        _sweep_rows(folder),
    ]
    if "sweep" in scenario:
        body += ["<h2>Sweep</h2>", *sweep_brief(scenario["sweep"])]
    if sensitivity_path.exists():
        sensitivity = pd.read_csv(sensitivity_path)
        missing = {"output", "parameter", "method"} - set(sensitivity.columns)
        if missing:
            raise UserError(
                f"{sensitivity_path}: expected the columns output, parameter, method; missing "
                f"{', '.join(sorted(missing))}"
            )
        body.append(
            '<p class="note">Sobol indices are shares of the output\'s variance: S1 what a '
            "parameter causes alone, ST including its interactions. Morris μ* is the mean "
            "absolute change of the output per step of a parameter, σ the spread of those "
            "changes. Intervals are 95% bootstrap intervals; a parameter is called "
            "influential only when its interval excludes zero.</p>"
        )
        body += _sensitivity_sections(sensitivity)
    else:
        body += _grid_sections(pd.read_csv(points_path))
    return page(f"loyaltysim sensitivity report: {name}", body)


# ---------------------------------------------------------------------------------- entry
def build_report(folder: Path) -> str:
    """The HTML of the report for a run or sweep folder."""
    if kind_of(folder) == "sweep":
        return sweep_report(folder)
    return run_report(load_run(folder))


def write_report(folder: Path, out: Path | None = None) -> Path:
    """Build the report and write it atomically (default: ``folder/report.html``)."""
    folder = Path(folder)
    text = build_report(folder)
    out = Path(out) if out is not None else folder / "report.html"
    write_atomic(out, text)
    return out
