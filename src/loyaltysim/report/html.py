"""``loyaltysim report``: one self-contained HTML file from a run or sweep result folder.

The file is meant to be mailed, archived or opened offline, so everything is inside it:
figures are base64 PNGs, the style sheet is inline, the figures' definitions are written
out (:mod:`loyaltysim.report.definitions`), and there are no scripts and no links to the
network. It is built only from the folder's files (see :mod:`loyaltysim.experiment.folder`),
never from a live model.

A run report opens with its bottom line (:mod:`loyaltysim.analysis.bottom_line`), then the
findings in plain language (:mod:`loyaltysim.analysis.findings`), the scenario in brief, a
table per shop comparing every variant with the base (means, 95% CIs, paired differences)
with the definitions of its figures, and the standard figures
(:func:`loyaltysim.plots.run_pages`). A sweep report is :mod:`loyaltysim.report.sweep`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from loyaltysim.analysis import clv_prediction
from loyaltysim.analysis.bottom_line import bottom_line
from loyaltysim.analysis.findings import ShopFinding, concentration_findings, variant_findings
from loyaltysim.analysis.labels import label_of, retention_label
from loyaltysim.experiment.folder import RunFolder, kind_of, load_run
from loyaltysim.experiment.store import write_atomic
from loyaltysim.report.cells import difference, level
from loyaltysim.report.clv import clv_section, holdout_days
from loyaltysim.report.definitions import (
    complaint_service,
    definitions_html,
    expected_resolved,
    lapse_days,
    patience_days,
)
from loyaltysim.report.markup import (
    breakable,
    days,
    esc,
    image,
    meta_line,
    number,
    page,
    percent,
    plain,
    settings,
    table,
)
from loyaltysim.report.sweep import sweep_report
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
        f"{esc(name)} {percent(r.get('share'))} ({days(r.get('delivery_days', 2.0))})"
        for name, r in regions.items()
    )
    segments = ", ".join(esc(s) for s in market.get("segments", {}))
    rows = [
        ["recorded days", f"{run.get('days', '?')} (after {run.get('warmup_days', 0)} warm-up)"],
        ["replications", f"{run.get('replications', '?')} (root seed {run.get('seed', '?')})"],
        ["customers at start", f"{market.get('customers', 0):,}"],
        [
            "arrivals / departures",
            f"{number(market.get('arrival_rate', 0))} / {number(market.get('departure_rate', 0))}"
            " per day",
        ],
        ["regions (delivery time)", region_text or "—"],
        ["segments", segments or "—"],
        [
            "social network",
            f"{esc(network.get('kind', '?'))}, mean degree {plain(network.get('mean_degree'))}",
        ],
    ]
    out = ["<h3>Market and run</h3>", table(["setting", "value"], rows)]
    out += ["<h3>Shops</h3>", shops_table(scenario.get("shops", {}), patience_days(scenario))]
    events = scenario.get("events", [])
    if events:
        items = "".join(
            f"<li>{esc(e.get('kind', 'event'))}: "
            f"{settings({k: v for k, v in e.items() if k != 'kind'})}</li>"
            for e in events
        )
        out += ["<h3>Scheduled events</h3>", f"<ul>{items}</ul>"]
    variants = scenario.get("variants", {})
    out.append("<h3>Variants</h3>")
    if variants:
        items = "".join(
            f"<li><b>{esc(name)}</b>: {settings(flatten(changes)) or 'no change'}</li>"
            for name, changes in variants.items()
        )
        out.append(
            "<p>Each variant is the base with these values changed, run on the same seeds "
            f"(common random numbers).</p><ul>{items}</ul>"
        )
    else:
        out.append("<p>None: the run has only the base.</p>")
    return out


def shops_table(shops: Mapping[str, Any], patience: float) -> str:
    """Each shop's key settings: offer, logistics, service, marketing, strategies.

    Beside the resolution rate (of answered complaints) is the share of all complaints it
    leads to, once complainants who give up waiting are counted (``patience`` days).
    """
    header = [
        "shop",
        "price",
        "shipping fee",
        "quality (promised)",
        "unit cost",
        "courier: on time / damaged / lost",
        "tracking",
        "complaints: response days / resolved of answered (of all, expected)",
        "aware at start",
        "strategies and regional couriers",
    ]
    rows = []
    for name, shop in shops.items():
        courier = shop.get("courier", {})
        rate, wait = complaint_service(shop)
        promise = shop.get("promise")
        quality = f"{shop.get('quality', 0):g}" + (f" ({promise:g})" if promise is not None else "")
        extras = [
            f"{esc(k)}: {settings(v) if isinstance(v, Mapping) else esc(plain(v))}"
            for k, v in shop.get("strategies", {}).items()
        ]
        extras += [
            f"courier in {esc(region)}: {settings(override)}"
            for region, override in shop.get("courier_by_region", {}).items()
        ]
        rows.append(
            [
                f"<b>{esc(name)}</b>",
                f"{shop.get('price', 0):,.2f}",
                f"{shop.get('shipping_fee', 0):,.2f}",
                quality,
                f"{shop.get('unit_cost', 0):,.2f}",
                f"{percent(courier.get('on_time', 0.9))} / "
                f"{percent(courier.get('damage_rate', 0.02))} / "
                f"{percent(courier.get('loss_rate', 0.005))}",
                "yes" if courier.get("tracking", True) else "no",
                f"{number(wait)} / {percent(rate)}<br><span class='ci'>"
                f"({percent(expected_resolved(shop, patience))} of all)</span>",
                percent(shop.get("initial_awareness", 0.1)),
                "<br>".join(extras) or "—",
            ]
        )
    return table(header, rows)


# ---------------------------------------------------------------------------------- run report
def comparison_tables(run: RunFolder) -> list[str]:
    """Per shop: every key figure, base and variants, with 95% CIs and paired differences."""
    summary = run.summary
    keyed = summary.set_index(["variant", "shop", "figure"])
    variants = run.variants
    figures = [f for f in TABLE_FIGURES if f in set(summary["figure"])]
    header = ["figure", "base<br>mean, 95% CI"]
    for v in variants[1:]:
        name = breakable(v)
        header += [f"{name}<br>mean, 95% CI", f"{name} − base<br>difference, 95% CI"]
    out = []
    for shop in run.shops:
        rows, classes = [], []
        for figure in figures:
            name = retention_label(run.days) if figure == "retention" else label_of(figure).label
            row, cls = [esc(name), level(keyed.loc[("base", shop, figure)], figure)], ["", ""]
            for v in variants[1:]:
                data = keyed.loc[(v, shop, figure)]
                cell, kind = difference(data, figure)
                row += [level(data, figure), cell]
                cls += ["", kind]
            rows.append(row)
            classes.append(cls)
        out += [f"<h3>{esc(shop)}</h3>", table(header, rows, classes)]
    return out


def run_figures(run: RunFolder) -> list[str]:
    """The standard pages of the run, embedded."""
    from loyaltysim.plots import png_bytes, run_pages

    out = []
    pages = run_pages(
        run.timeseries,
        run.retention,
        run.summary,
        run.customers,
        run.days,
        lapse_days=lapse_days(run.scenario),
    )
    for fig_page in pages:
        try:
            out.append(image(png_bytes(fig_page.figure), fig_page.name, fig_page.caption))
        finally:
            plt.close(fig_page.figure)
    return out


def finding_html(finding: ShopFinding) -> str:
    """A shop's finding as a list item: the measurable changes as bullets, then the rest."""
    head = f"<li><b>{esc(finding.shop)}</b>: "
    if finding.effects:
        items = "".join(f"<li>{esc(e)}</li>" for e in finding.effects)
        head += f"variant {esc(finding.variant)}<ul>{items}</ul>"
    rest = " ".join(esc(s) for s in (finding.nulls, finding.unjudged) if s)
    return f"{head}{rest}</li>"


def bottom_line_of(run: RunFolder) -> list[str]:
    """The bottom line of a run folder as sentences (one for a run without variants)."""
    variant_keys = {k: flatten(v) for k, v in run.scenario.get("variants", {}).items()}
    path = run.path / "replications.csv"
    replications = pd.read_csv(path) if path.exists() else None
    sentences = bottom_line(run.summary, run.days, variant_keys, replications) or [
        "The scenario has no variants, so there is nothing to compare: the report "
        "describes the base market, with 95% confidence intervals over "
        f"{int(run.summary['replications'].max())} replications."
    ]
    return sentences + clv_prediction.bottom_line(run.summary, holdout_days(run))


def bottom_line_html(run: RunFolder) -> list[str]:
    """The bottom line section: a few sentences from the run's numbers."""
    paragraphs = "".join(f"<p>{esc(s)}</p>" for s in bottom_line_of(run))
    return [
        f'<section class="bottom-line"><h2 id="bottom-line">Bottom line</h2>{paragraphs}</section>'
    ]


def run_report(run: RunFolder) -> str:
    """The HTML report of a run folder."""
    scenario = run.scenario
    name = scenario.get("name", run.path.name)
    replications = int(run.summary["replications"].max())
    body = [
        f"<h1>loyaltysim report: {esc(name)}</h1>",
        f'<p class="lead">{esc(scenario.get("description", ""))}</p>',
        meta_line(run.path, run.meta),
        '<nav><a href="#bottom-line">Bottom line</a><a href="#findings">Findings</a>'
        '<a href="#scenario">Scenario</a><a href="#comparison">Variant comparison</a>'
        '<a href="#definitions">Definitions</a><a href="#figures">Figures</a>'
        + ('<a href="#clv">CLV prediction</a>' if holdout_days(run) else "")
        + "</nav>",
        *bottom_line_html(run),
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
        "confidence interval that excludes zero; grey ones do not. Intervals of proportions "
        "(shares, rates, retention) are computed on the logit scale, so they stay within "
        "0-100%.</p>",
        *comparison_tables(run),
        '<h3 id="definitions">What the figures mean</h3>',
        definitions_html(
            [f for f in TABLE_FIGURES if f in set(run.summary["figure"])],
            scenario,
            run.summary,
            run.days,
        ),
        '<h2 id="figures">Figures</h2>',
        *run_figures(run),
        *clv_section(run),
    ]
    return page(f"loyaltysim report: {name}", body)


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
