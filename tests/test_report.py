"""The HTML report: findings that never overclaim, table values, self-containedness, rendering."""

from __future__ import annotations

import contextlib
import io
import math
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from loyaltysim.analysis.findings import findings_text, shop_finding, variant_findings
from loyaltysim.analysis.labels import label_of
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
    for heading in ("Findings", "Scenario in brief", "Variant comparison", "Figures"):
        assert heading in report_html
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
    cell = (
        f'{label.value(base["mean"])}<br><span class="ci">{label.value(base["ci_low"])} to '
        f"{label.value(base['ci_high'])}</span>"
    )
    assert cell in report_html
    variant = summary.loc[("tracking", "cheap", "market_share")]
    digits = label.interval_decimals(variant["diff_ci_low"], variant["diff_ci_high"])
    assert label.diff(variant["diff_vs_base"], digits) in report_html


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


# --------------------------------------------------------------------------- sweep folders
def test_sweep_report_shows_sensitivity(tmp_path):
    sensitivity_table().to_csv(tmp_path / "sensitivity.csv", index=False)
    html = build_report(tmp_path)
    for section in ("retention (sobol)", "profit (morris)", "share (rbd_fast)"):
        assert section in html
    assert html.count("<img ") == 3
    assert (
        "Measurably influential, by total-order Sobol index ST: shops.a.courier.on_time "
        "(0.6, 95% CI 0.55 to 0.65); shops.a.price (0.15, 95% CI 0.12 to 0.18)." in html
    )
    # tie_strength's ST interval 0.02 ± 0.03 reaches zero: not called influential
    assert "Not distinguishable from zero (the 95% interval of total-order Sobol index ST" in html
    assert "network.tie_strength (0.02, 95% CI -0.01 to 0.05)" in html
    assert "<td>0.600 ± 0.050</td>" in html  # the index table
    assert "https://" not in html and "http://" not in html


def test_grid_sweep_report_lists_the_points(tmp_path):
    (tmp_path / "design.json").write_text("{}", encoding="utf-8")
    points = pd.DataFrame(
        {
            "output": ["a.retention"] * 2,
            "point": [0, 1],
            "shops.a.price": [50.0, 70.0],
            "mean": [0.41, 0.35],
            "ci_low": [0.39, 0.33],
            "ci_high": [0.43, 0.37],
        }
    )
    points.to_csv(tmp_path / "points.csv", index=False)
    html = build_report(tmp_path)
    assert "no sensitivity indices" in html and "<h2>a.retention</h2>" in html
    assert "<td>0.35</td>" in html and "<td>70</td>" in html


def test_sweep_folder_without_analysis_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "design.json").write_text("{}", encoding="utf-8")
    assert main(["report", str(tmp_path)]) == 2
    assert "run `loyaltysim analyze" in capsys.readouterr().err


# --------------------------------------------------------------------------- rendering
CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium binary on PATH (Debian: apt-get install chromium); the report's "
    "rendering is not checked here",
)
def test_report_renders_in_headless_chromium(report_html, tmp_path):
    import matplotlib.image

    page = tmp_path / "report.html"
    page.write_text(report_html, encoding="utf-8")
    shot = tmp_path / "shot.png"
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--hide-scrollbars",
            "--window-size=1200,2400",
            f"--screenshot={shot}",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert shot.exists(), done.stderr[-2000:]
    pixels = matplotlib.image.imread(shot)[..., :3]
    assert pixels.shape[:2] == (2400, 1200)
    dark = (pixels.mean(axis=2) < 0.5).mean()
    assert 0.005 < dark < 0.5  # text and figures drawn, not a blank or black page
    assert pixels.std() > 0.05
