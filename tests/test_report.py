"""The HTML report: findings that never overclaim, table values, self-containedness, rendering."""

from __future__ import annotations

import contextlib
import io
import math
import re

import numpy as np
import pandas as pd
import pytest

from browser import needs_browser
from loyaltysim.analysis.findings import findings_text, shop_finding, variant_findings
from loyaltysim.analysis.intervals import proportion_ci
from loyaltysim.analysis.labels import label_of, output_label, parameter_label
from loyaltysim.cli import main
from loyaltysim.experiment.folder import load_run
from loyaltysim.report.html import build_report, run_report
from viz_helpers import sensitivity_table

#: The standard figures of a run with variants and kept customers.
PAGES = (
    "market_share.png",
    "satisfaction_trust.png",
    "retention.png",
    "word_of_mouth.png",
    "variant_comparison.png",
    "attitude_distributions.png",
    "lorenz.png",
    "clv.png",
    "cohort_retention.png",
)
NAN = math.nan


# --------------------------------------------------------------------------- synthetic summary
def summary_row(variant, shop, figure, mean, diff=NAN, low=NAN, high=NAN, half=0.01):
    return {
        "variant": variant,
        "shop": shop,
        "figure": figure,
        "mean": mean,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "std": NAN,
        "replications": 10,
        "diff_vs_base": diff,
        "diff_ci_low": low,
        "diff_ci_high": high,
    }


def synthetic_summary() -> pd.DataFrame:
    """thrift: retention +25 points and profit +104% (effects), CLV +0.3 (no effect)."""
    rows = [
        summary_row("base", "thrift", "retention", 0.34),
        summary_row("base", "thrift", "profit", 100_000.0, half=3000),
        summary_row("base", "thrift", "clv", 27.5),
        summary_row("base", "thrift", "market_share", 0.25),
        summary_row("base", "premium", "retention", 0.75),
        summary_row("courier", "thrift", "retention", 0.59, 0.25, 0.22, 0.27),
        summary_row("courier", "thrift", "profit", 204_000.0, 104_000.0, 98_000.0, 110_000.0),
        summary_row("courier", "thrift", "clv", 27.8, 0.3, -0.2, 0.8),
        summary_row("courier", "thrift", "market_share", 0.20, -0.05, -0.07, -0.03),
        summary_row("courier", "premium", "retention", 0.751, 0.001, -0.004, 0.006),
    ]
    return pd.DataFrame(rows)


def test_findings_text_for_known_numbers():
    found = variant_findings(synthetic_summary(), days=365)
    thrift, premium = found["courier"]
    assert thrift.shop == "thrift"  # shops with measurable effects come first
    assert thrift.text == (
        "Variant courier cut thrift's market share from 25.0% to 20.0% (difference -5.0 "
        "points, 95% CI -7.0 to -3.0); raised its yearly retention from 34.0% to 59.0% "
        "(difference +25.0 points, 95% CI +22.0 to +27.0); and raised its profit by 104% "
        "(from 100,000 to 204,000; difference +104,000, 95% CI +98,000 to +110,000). "
        "No measurable change in thrift's customer lifetime value (difference +0.3, "
        "95% CI -0.2 to +0.8)."
    )
    assert premium.effects == ()
    assert premium.text == (
        "Variant courier made no measurable change to premium's yearly retention "
        "(difference +0.1 points, 95% CI -0.4 to +0.6)."
    )


def test_findings_never_call_an_interval_that_includes_zero_an_effect():
    summary = synthetic_summary()
    variant = summary["variant"] == "courier"
    summary.loc[variant, "diff_ci_low"] = summary.loc[variant, "diff_vs_base"] - 1e9
    summary.loc[variant, "diff_ci_high"] = summary.loc[variant, "diff_vs_base"] + 1e9
    text = findings_text(summary, days=365)
    assert "raised" not in text and "cut" not in text
    assert text.count("no measurable change") == 2


def test_findings_without_an_interval_claim_nothing():
    summary = synthetic_summary()
    summary[["diff_ci_low", "diff_ci_high"]] = NAN
    text = findings_text(summary, days=365)
    assert "raised" not in text and "cut" not in text and "no measurable" not in text
    assert "cannot be judged: with one replication" in text


def test_percent_change_only_between_positive_levels():
    from loyaltysim.analysis.findings import Change

    loss_to_profit = Change("v", "s", "profit", -1000.0, 500.0, 1500.0, 1200.0, 1800.0)
    text = shop_finding("v", "s", [loss_to_profit], days=365).text
    assert not re.search(r"by \d+%", text)
    assert "raised s's profit from -1,000 to 500 (difference +1,500" in text


def test_short_runs_do_not_call_retention_yearly():
    text = findings_text(synthetic_summary(), days=90)
    assert "89-day retention" in text and "yearly" not in text


def test_precision_follows_the_interval():
    label = label_of("mean_trust")
    assert label.interval_decimals(0.180, 0.183) == 3
    assert label.interval_decimals(-0.0004, 0.0017) == 4  # no bound printed as "-0.000"
    assert label_of("retention").interval_decimals(0.228, 0.264) == 1
    profit = label_of("profit")
    assert profit.interval_decimals(98_000, 110_000) == -3  # thousands
    assert profit.diff(-349_979, -4) == "-350,000"
    assert profit.interval_decimals(-3_000, 40_000) == -3  # -3,000 is not printed as "-0"


def test_no_variants_means_no_findings():
    summary = synthetic_summary().query("variant == 'base'")
    assert variant_findings(summary, days=365) == {}


# --------------------------------------------------------------------------- a real run folder
@pytest.fixture(scope="module")
def run_folder(tmp_path_factory, write_scenario):
    from loyaltysim import load_scenario, run

    root = tmp_path_factory.mktemp("report")
    file = write_scenario(root / "small.toml")
    out = root / "run"
    run(load_scenario(file, ["market.customers=400", "run.days=90"]), out)
    return out


@pytest.fixture(scope="module")
def cli_report(run_folder, tmp_path_factory):
    """``loyaltysim report RUN --out FILE``, run once: (exit status, stdout, the file)."""
    out = tmp_path_factory.mktemp("cli") / "deep" / "report.html"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        status = main(["report", str(run_folder), "--out", str(out)])
    return status, stdout.getvalue(), out


@pytest.fixture(scope="module")
def report_html(cli_report):
    return cli_report[2].read_text(encoding="utf-8")


def test_run_folder_has_the_standard_figures(run_folder):
    assert sorted(p.name for p in (run_folder / "figures").iterdir()) == sorted(PAGES)


def test_report_has_every_section_and_figure(report_html):
    headings = ("Bottom line", "Findings", "Scenario in brief", "Variant comparison", "Figures")
    for heading in headings:
        assert heading in report_html
    places = [report_html.index(f">{h}</h2>") for h in headings]
    assert places == sorted(places)  # the bottom line comes first
    assert "docs/metrics.md" not in report_html  # the definitions travel with the report
    assert report_html.count("<img ") == len(PAGES)
    assert "tracking vs base" in report_html
    assert "shops.cheap.courier.tracking = true" in report_html  # the variant's change
    assert "400" in report_html and "90 (after 5 warm-up)" in report_html
    assert "Revenue concentration (base, replication 0)" in report_html
    assert "The top 20% of cheap's" in report_html


def test_report_is_self_contained(report_html):
    assert "http://" not in report_html and "https://" not in report_html
    links = re.findall(r"""\b(src|href)\s*=\s*["']([^"']*)""", report_html, re.I)
    assert links, "the report has figures and a table of contents"
    for attribute, target in links:
        if attribute.lower() == "src":
            assert target.startswith("data:image/png;base64,"), target[:40]
        else:
            assert target.startswith("#"), target  # only links within the page
    for tag in ("<script", "<link", "<iframe", "@import", "url("):
        assert tag not in report_html.lower()


def test_table_values_come_from_the_summary(run_folder, report_html):
    summary = pd.read_csv(run_folder / "summary.csv").set_index(["variant", "shop", "figure"])
    label = label_of("market_share")
    base = summary.loc[("base", "cheap", "market_share")]
    low, high = proportion_ci(base["mean"], base["ci_low"], base["ci_high"])
    cell = (
        f'{label.value(base["mean"])}<br><span class="ci">{label.value(low)} to '
        f"{label.value(high)}</span>"
    )
    assert cell in report_html
    profit = summary.loc[("base", "cheap", "profit")]  # not a proportion: the t interval
    money = label_of("profit")
    digits = money.interval_decimals(profit["ci_low"], profit["ci_high"])
    assert f'<span class="ci">{money.value(profit["ci_low"], digits)} to ' in report_html
    variant = summary.loc[("tracking", "cheap", "market_share")]
    digits = label.interval_decimals(variant["diff_ci_low"], variant["diff_ci_high"])
    assert label.diff(variant["diff_vs_base"], digits) in report_html


def test_a_run_without_variants_says_so_in_its_bottom_line(run_folder):
    run = load_run(run_folder)
    run.summary = run.summary[run.summary["variant"] == "base"]
    run.scenario["variants"] = {}
    html = run_report(run)
    section = html[html.index('class="bottom-line"') : html.index("</section>")]
    assert "no variants, so there is nothing to compare" in section
    assert "over 2 replications" in section


def test_report_without_the_customers_table(run_folder):
    run = load_run(run_folder)
    run.customers = None
    html = run_report(run)
    assert html.count("<img ") == 5  # the pages that need customers.csv are left out
    assert "Revenue concentration" not in html


def test_loaded_tables_keep_the_scenario_order_of_shops(run_folder):
    run = load_run(run_folder)
    assert run.shops == ["cheap", "dear"]
    assert list(run.customers["shop"].cat.categories) == ["cheap", "dear"]
    assert run.customers["order_months"].dtype == np.uint64
    assert run.days == 90


def test_cli_writes_the_report_atomically(cli_report):
    status, stdout, out = cli_report
    assert status == 0
    assert stdout.strip() == f"Report: {out}"
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no temporary left


def test_report_goes_into_the_folder_by_default(tmp_path):
    sensitivity_table().to_csv(tmp_path / "sensitivity.csv", index=False)
    assert main(["report", str(tmp_path)]) == 0
    assert (tmp_path / "report.html").read_text(encoding="utf-8").endswith("</html>")


def test_cli_refuses_a_folder_that_is_no_result(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path}: not a loyaltysim result folder" in err
    assert "summary.csv" in err and "sensitivity.csv" in err
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert "no such folder" in capsys.readouterr().err


# --------------------------------------------------------------------------- what travels with it
def test_definitions_are_inline_with_this_runs_numbers(report_html):
    definitions = report_html[report_html.index('id="definitions"') :]
    # the run's own lapse: output.lapse_days is 180 by default
    assert "going 180 days without an order (output.lapse_days" in definitions
    assert "still its customer 89 days after that first order" in definitions
    assert "<dt>orders</dt><dd>Orders placed with the shop each day" in definitions


def test_the_retention_caption_says_when_a_customer_is_lost(run_folder):
    from loyaltysim.report.definitions import lapse_days

    run = load_run(run_folder)
    run.scenario["output"]["lapse_days"] = 45
    assert lapse_days(run.scenario) == 45
    html = run_report(run)
    caption = re.search(r'alt="retention.png".*?<figcaption>(.*?)</figcaption>', html).group(1)
    assert "after 45 days without an order" in caption and "step at day 45" in caption


def test_resolution_share_is_explained_from_the_settings():
    """40% of answered complaints, answers after 4 days, patience 2 days: 40% x 2/6 = 13.3%."""
    from loyaltysim.report.definitions import resolution_explained

    scenario = {
        "experience": {"patience_days": 2.0},
        "shops": {
            "thrift": {"service": {"response_days": 4.0, "resolution_rate": 0.4}},
            "premium": {"service": {"response_days": 0.5, "resolution_rate": 0.9}},
            # a service strategy's values replace the shop's own
            "middle": {"strategies": {"service": {"response_days": 0.0}}},
        },
    }
    summary = pd.DataFrame(
        [
            summary_row("base", "thrift", "resolution_share", 0.134),
            summary_row("base", "premium", "resolution_share", 0.736),
        ]
    )
    text = resolution_explained(scenario, summary)
    assert "applies only to complaints the shop answers" in text
    assert "thrift: 40.0% × 2 / (2 + 4) = 13.3% (simulated, base: 13.4%)" in text
    assert "premium: 90.0% × 2 / (2 + 0.5) = 72.0% (simulated, base: 73.6%)" in text
    assert "middle: 60.0% × 2 / (2 + 0) = 60.0%." in text  # the default rate, no wait


def test_resolution_explained_in_the_report(run_folder, report_html):
    summary = pd.read_csv(run_folder / "summary.csv")
    seen = summary.query("variant == 'base' and shop == 'cheap' and figure == 'resolution_share'")
    # cheap answers after the default 2 days, patience 2 days, default rate 60%: 30%
    expected = f"cheap: 60.0% × 2 / (2 + 2) = 30.0% (simulated, base: {seen['mean'].iloc[0]:.1%})"
    assert expected in report_html


def test_proportion_intervals_stay_inside_0_and_1():
    # hand-checked: logit(0.5) = 0, half-width 0.1 / 0.25 = 0.4, expit(0.4) = 0.59869
    low, high = proportion_ci(0.5, 0.4, 0.6)
    assert (round(float(low), 5), round(float(high), 5)) == (0.40131, 0.59869)
    # a t interval of 0.97 +- 0.0358 reaches 1.0058; logit(0.97) = 3.4761, half-width
    # 0.0358 / (0.97 x 0.03) = 1.2291: expit(2.2470) = 0.9044, expit(4.7052) = 0.9910
    low, high = proportion_ci(0.97, 0.97 - 0.035768, 0.97 + 0.035768)
    assert (round(float(low), 4), round(float(high), 4)) == (0.9044, 0.9910)
    assert proportion_ci(1.0, 1.0, 1.0) == (1.0, 1.0)  # every replication at the bound
    assert all(math.isnan(x) for x in proportion_ci(0.5, NAN, NAN))


def test_numbers_are_written_in_full():
    from loyaltysim.report.markup import number, plain

    assert number(1_234_567.0) == "1,235,000"
    assert number(0.00003) == "0.00003" and plain(0.0003) == "0.0003"
    assert number(35.2149) == "35.21" and number(999.96) == "1,000"
    assert plain([60.0, 99.0]) == "60, 99" and plain(True) == "true"


def test_human_labels_for_outputs_and_parameters():
    assert parameter_label("shops.thrift.courier.on_time") == "thrift: courier on time"
    assert parameter_label("shops.middle.strategies.free_shipping.threshold") == (
        "middle: free shipping threshold"
    )
    assert parameter_label("network.tie_strength") == "network: tie strength"
    assert output_label("middle.retention", 365)[0] == "middle: yearly retention"
    assert output_label("middle.retention", 120)[0] == "middle: 119-day retention"
    name, label = output_label("market.hhi")
    assert name == "market: order concentration (HHI)" and label.kind == "score"


# --------------------------------------------------------------------------- sweep folders
def draw_index_figures(folder, sensitivity: pd.DataFrame) -> None:
    """The index figures ``analyze`` draws, for a hand-made sensitivity table."""
    import matplotlib.pyplot as plt

    from loyaltysim.plots.sensitivity import plot_sensitivity_indices, plot_tornado

    (folder / "figures").mkdir()
    for output in dict.fromkeys(sensitivity["output"]):
        for name, draw in (("indices", plot_sensitivity_indices), ("tornado", plot_tornado)):
            ax = draw(sensitivity, output)
            ax.figure.savefig(folder / "figures" / f"{name}_{output}.png")
            plt.close(ax.figure)


def test_sweep_report_shows_sensitivity(tmp_path):
    sensitivity_table().to_csv(tmp_path / "sensitivity.csv", index=False)
    draw_index_figures(tmp_path, sensitivity_table())
    html = build_report(tmp_path)
    for section in ("yearly retention (Sobol)", "profit (Morris)", "share (RBD-FAST)"):
        assert f"<h2>{section}</h2>" in html
    assert html.count("<img ") == 6  # the index and tornado PNGs of each output, embedded
    assert "What moves yearly retention: parameters ranked by influence" in html
    assert (
        "Measurably influential, by total-order Sobol index ST: a: courier on time "
        "(0.6, 95% CI 0.55 to 0.65); a: price (0.15, 95% CI 0.12 to 0.18)." in html
    )
    # tie_strength's ST interval 0.02 ± 0.03 reaches zero: not called influential
    assert "Not distinguishable from zero (the 95% interval of total-order Sobol index ST" in html
    assert "network: tie strength (0.02, 95% CI -0.01 to 0.05)" in html
    assert "<td>0.600 ± 0.050</td>" in html  # the index table
    assert '<code class="key">shops.<wbr>a.<wbr>courier.<wbr>on_<wbr>time</code>' in html
    assert "<td>90 ± 8</td><td>30</td>" in html  # Morris: effects in the output's units
    assert "https://" not in html and "http://" not in html


def test_sweep_report_without_figures_says_how_to_draw_them(tmp_path):
    sensitivity_table().to_csv(tmp_path / "sensitivity.csv", index=False)
    html = build_report(tmp_path)
    assert "<img " not in html and "to draw them" in html


def test_the_note_explains_only_the_methods_present(tmp_path):
    table = sensitivity_table()
    table[table["method"] == "morris"].to_csv(tmp_path / "sensitivity.csv", index=False)
    html = build_report(tmp_path)
    assert "Morris μ* is the mean absolute change" in html
    assert "Sobol indices are" not in html and "RBD-FAST gives" not in html


def test_grid_sweep_report_lists_the_points(tmp_path):
    (tmp_path / "design.json").write_text("{}", encoding="utf-8")
    points = pd.DataFrame(
        {
            "output": ["a.retention"] * 2 + ["a.profit"] * 2,
            "point": [0, 1] * 2,
            "shops.a.price": [50.0, 70.0] * 2,
            "mean": [0.41, 0.97, 1_234_567.0, 0.00003],
            "ci_low": [0.39, 0.97 - 0.035768, 1_200_000.0, -0.00001],
            "ci_high": [0.43, 0.97 + 0.035768, 1_269_134.0, 0.00007],
            "std": [0.01] * 4,
            "replications": [10] * 4,
        }
    )
    points.to_csv(tmp_path / "points.csv", index=False)
    html = build_report(tmp_path)
    assert "no sensitivity indices" in html and "<h2>a: yearly retention</h2>" in html
    assert "<th>a: price</th>" in html and "<td>70</td>" in html
    # retention at 97.0% with a t interval reaching 100.6%: the logit interval stays below 100%
    assert '<td>97.0%</td><td><span class="ci">90.4% to 99.1%</span></td>' in html
    assert "<td>1,235,000</td>" in html and "1,200,000 to 1,269,000" in html
    assert "<td>0.00003</td>" in html and "-0.00001 to 0.00007" in html
    assert not re.search(r"\d[eE][+-]?\d", html.split("</style>")[1])  # no e-notation


def test_sweep_brief_shows_only_settings_of_its_design():
    from loyaltysim.report.sweep import sweep_brief

    sweep = {
        "design": "grid",
        "replications": 4,
        "levels": 4,
        "second_order": False,
        "samples": 64,
        "outputs": ["middle.retention"],
        "parameters": {"shops.middle.shipping_fee": {"low": 0.0, "high": 15.0, "steps": 4}},
    }
    html = "".join(sweep_brief(sweep, 365))
    assert "<td>replications per point</td><td>4</td>" in html
    for other in ("levels", "second-order", "design points", "trajectories", "seed"):
        assert other not in html
    assert "<td>outputs</td><td>middle: yearly retention</td>" in html
    assert "0 to 15, 4 evenly spaced values" in html
    morris = "".join(sweep_brief({**sweep, "design": "morris"}, 365))
    assert "<td>trajectories</td><td>64</td>" in morris and "levels of the Morris grid" in morris
    assert "evenly spaced" not in morris and "second-order" not in morris


def test_sweep_folder_without_analysis_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "design.json").write_text("{}", encoding="utf-8")
    assert main(["report", str(tmp_path)]) == 2
    assert "run `loyaltysim analyze" in capsys.readouterr().err


# --------------------------------------------------------------------------- in a browser
@pytest.fixture(scope="module")
def sweep_reports(tmp_path_factory):
    """Reports of two real tiny sweeps, a grid and a Morris screening, after ``analyze``."""
    from loyaltysim import load_scenario
    from loyaltysim.experiment.sweep.run import run_sweep
    from sweep_helpers import GRID_SWEEP, MORRIS_SWEEP, write

    root = tmp_path_factory.mktemp("sweeps")
    out = {}
    for name, section in (("grid", GRID_SWEEP), ("morris", MORRIS_SWEEP)):
        path = write(root / f"{name}.toml", section)
        run_sweep(load_scenario(path), root / name, file=path)
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["analyze", str(root / name)]) == 0
            assert main(["report", str(root / name), "--quiet"]) == 0
        out[name] = root / name / "report.html"
    return out


#: Page width the reports are checked at: a laptop browser window.
WIDTH = 1280
LAYOUT = """() => ({
    scrollWidth: document.documentElement.scrollWidth,
    wideTables: [...document.querySelectorAll('table')]
        .filter(t => t.getBoundingClientRect().width > t.parentElement.clientWidth + 1)
        .map(t => t.rows[0].innerText.slice(0, 80)),
    images: [...document.images].map(i => [i.alt, i.complete && i.naturalWidth > 0]),
})"""


def wide_report(run_folder) -> str:
    """The run's report with four variants of long names: the widest comparison table."""
    run = load_run(run_folder)
    tracking = run.summary[run.summary["variant"] == "tracking"]
    copies = [
        tracking.assign(variant=f"thrift_reliable_courier_with_tracking_{i}") for i in range(3)
    ]
    run.summary = pd.concat([run.summary, *copies], ignore_index=True)
    run.customers = None
    return run_report(run)


@needs_browser
@pytest.mark.parametrize("which", ["run", "wide", "grid", "morris"])
def test_reports_fit_a_1280_pixel_window(which, run_folder, report_html, sweep_reports, tmp_path):
    from browser import open_page
    from test_app_browser import SHOTS

    if which in ("run", "wide"):
        path = tmp_path / "report.html"
        path.write_text(report_html if which == "run" else wide_report(run_folder), "utf-8")
    else:
        path = sweep_reports[which]
    with open_page(path, width=WIDTH) as page:
        layout = page.evaluate(LAYOUT)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / f"report-{which}-{WIDTH}.png", full_page=True)
    assert layout["scrollWidth"] <= WIDTH  # no horizontal scrolling
    assert layout["wideTables"] == []  # no table wider than the page's column
    assert layout["images"], "the report embeds its figures"
    assert [alt for alt, loaded in layout["images"] if not loaded] == []
