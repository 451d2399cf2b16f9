"""BG/NBD and Gamma-Gamma on the real CDNOW sample, the closed form E[X(t)], fit-customers.

The published values: Fader, Hardie & Lee (2005), "Counting your customers the easy way",
BG/NBD on the CDNOW sample's first 39 weeks: r = 0.243, alpha = 4.414 (weeks), a = 0.793,
b = 2.426; Fader, Hardie & Lee (2005), "RFM and CLV", Gamma-Gamma on the same customers:
p = 6.25, q = 3.74, gamma = 15.44. E[X(t)] at 0.1429 ... 78 weeks: the values of Hardie's
spreadsheet in lifetimes' test suite (test_expectation_returns_same_value_Hardie_excel_sheet).
"""

from __future__ import annotations

import datetime as dt
import tomllib

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from conftest import DATA_DIR
from loyaltysim.analysis.bgnbd import bgnbd_expected_repeats
from loyaltysim.cli import main

USAGE_ERROR = 2
PAPER = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
SPEND = {"p": 6.25, "q": 3.74, "gamma": 15.44}
CALIBRATION_END = dt.date(1997, 9, 30)  # the end of week 39


def expected_by_quadrature(t: float, r: float, alpha: float, a: float, b: float) -> float:
    """E[X(t)] without 2F1: E[X(t) | p] = (1 - (alpha / (alpha + p t))^r) / p, over Beta(a, b)."""

    def given_p(p: float) -> float:
        return (1 - (alpha / (alpha + p * t)) ** r) / p * stats.beta.pdf(p, a, b)

    return integrate.quad(given_p, 0, 1, epsabs=1e-12, limit=200)[0]


@pytest.mark.parametrize("t", [39.0, 52.0, 78.0])
def test_expected_repeats_equal_the_integral_of_the_model(t):
    closed = bgnbd_expected_repeats(t, **PAPER)
    assert closed == pytest.approx(expected_by_quadrature(t, **PAPER), rel=1e-8)


def test_expected_repeats_at_the_cdnow_parameters():
    # Hand-computed from eq. 9 with the paper's rounded parameters (0.243, 4.414, 0.793, 2.426).
    values = bgnbd_expected_repeats(np.array([39.0, 52.0, 78.0]), **PAPER)
    np.testing.assert_allclose(values, [1.196723, 1.446051, 1.860519], atol=5e-7)


def test_expected_repeats_equal_lifetimes_own():
    lifetimes = pytest.importorskip("lifetimes")
    bg = lifetimes.BetaGeoFitter()
    bg.params_ = pd.Series(PAPER)
    times = np.array([39.0, 52.0, 78.0])
    theirs = bg.expected_number_of_purchases_up_to_time(times)
    np.testing.assert_allclose(bgnbd_expected_repeats(times, **PAPER), theirs, rtol=1e-12)


def test_expected_repeats_match_hardies_spreadsheet():
    # The spreadsheet's values come from the unrounded fit (ours, to four figures); lifetimes'
    # own test holds them to 3 decimals, and so do we (at 78 weeks the two differ by 4e-4).
    times = np.array([0.1429, 1.0, 3.0, 31.8571, 32.0, 78.0])
    sheet = np.array([0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576])
    values = bgnbd_expected_repeats(times, r=0.2426, alpha=4.4136, a=0.7929, b=2.4259)
    assert np.abs(values - sheet).max() < 5e-4
    assert bgnbd_expected_repeats(0.0, **PAPER) == 0.0


def test_expected_repeats_refuse_bad_parameters():
    with pytest.raises(ValueError, match="a = 1"):
        bgnbd_expected_repeats(10.0, 0.2, 4.0, 1.0, 2.0)
    with pytest.raises(ValueError, match="> 0"):
        bgnbd_expected_repeats(10.0, 0.0, 4.0, 0.8, 2.0)


@pytest.fixture(scope="module")
def cdnow_csv(tmp_path_factory) -> str:
    """The CDNOW sample as a user's CSV: header, other column names, dates as 19970101."""
    raw = pd.read_csv(
        DATA_DIR / "cdnow" / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "cust", "day", "cds", "usd"],
        dtype=str,
    )
    path = tmp_path_factory.mktemp("cdnow") / "cdnow.csv"
    raw.to_csv(path, index=False)
    return str(path)


@pytest.fixture(scope="module")
def cdnow_fit(cdnow_csv):
    pytest.importorskip("lifetimes")
    from loyaltysim.analysis.fit_customers import fit_customers
    from loyaltysim.analysis.order_log import read_order_log

    log = read_order_log(cdnow_csv, "cust", "day", "usd", date_format="%Y%m%d")
    return fit_customers(log, CALIBRATION_END)


def test_bgnbd_on_cdnow_gives_the_papers_values(cdnow_fit):
    assert (cdnow_fit.customers, cdnow_fit.repeat_customers) == (2357, 946)
    for name, published in PAPER.items():
        estimate = cdnow_fit.bgnbd[name]
        # Within half a unit of the last published digit.
        assert estimate.value == pytest.approx(published, abs=5e-4), name
        assert estimate.lower < published < estimate.upper
    rate = cdnow_fit.purchase_rate
    assert rate.value == pytest.approx(0.243 / 4.414 / 7, rel=2e-3)  # 0.00786 a day
    assert rate.lower < rate.value < rate.upper


def test_gamma_gamma_on_cdnow_gives_the_papers_values(cdnow_fit):
    assert cdnow_fit.spend is not None
    for name, published in SPEND.items():
        assert cdnow_fit.spend[name].value == pytest.approx(published, abs=5e-3), name
    assert cdnow_fit.mean_spend == pytest.approx(6.25 * 15.44 / 2.74, rel=2e-3)


def test_standard_errors_are_lifetimes_own(cdnow_fit):
    lifetimes = pytest.importorskip("lifetimes")
    from loyaltysim.analysis.fit_customers import PERIOD_DAYS

    summary = pd.read_csv(DATA_DIR / "cdnow" / "cdnow_customers_summary.csv")
    bg = lifetimes.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    for name in PAPER:
        assert cdnow_fit.bgnbd[name].se == pytest.approx(bg.summary.loc[name, "se(coef)"], rel=0.02)
    assert PERIOD_DAYS == 7


def run_fit(arguments: list[str], capsys) -> tuple[int, str, str]:
    status = main(["fit-customers", *arguments])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_fit_customers_writes_a_segment_the_scenario_accepts(cdnow_csv, tmp_path, capsys):
    pytest.importorskip("lifetimes")
    from loyaltysim.scenario.schema import Segment

    out = tmp_path / "segment.toml"
    arguments = [cdnow_csv, "--id", "cust", "--date", "day", "--amount", "usd"]
    arguments += ["--date-format", "%Y%m%d", "--end", "1997-09-30", "--segment", "cdnow"]
    status, stdout, err = run_fit([*arguments, "--out", str(out)], capsys)
    assert (status, err) == (0, "")
    assert "Segment cdnow" in stdout
    text = out.read_text(encoding="utf-8")
    keys = tomllib.loads(text)["market"]["segments"]["cdnow"]
    assert keys["purchase_rate_shape"] == pytest.approx(0.243, abs=5e-4)
    assert keys["purchase_rate"] == pytest.approx(0.243 / 4.414 / 7, rel=2e-3)
    assert (keys["dropout_a"], keys["dropout_b"]) == pytest.approx((0.793, 2.426), abs=5e-4)
    Segment.model_validate(keys)  # the keys are the schema's
    assert "# BG/NBD (Fader, Hardie & Lee 2005)" in text
    assert "mean spend p * gamma / (q - 1) = 35.1" in text
    # To standard output, the same text and nothing else (no fitter chatter).
    status, stdout, _ = run_fit(arguments, capsys)
    assert (status, stdout) == (0, text)


def write(tmp_path, text: str) -> str:
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


GOOD = "customer,date,amount\nc1,2026-01-05,20\nc1,2026-02-01,30\nc2,2026-01-20,15\n"


@pytest.mark.parametrize(
    ("text", "arguments", "messages"),
    [
        (GOOD, ["--amount", "amonut"], ["orders.csv:1: amonut: expected a column named"]),
        (
            GOOD.replace("amount", "value"),
            [],
            ["unknown column 'amount'", "columns: customer, date, value"],
        ),
        (
            "customer,date,amount\nc1,2026-01-05,20\nc1,5 Feb,x\n,2026-02-09,-3\n",
            [],
            [
                "4 problems",  # one per bad cell, in line order
                'orders.csv:3: date: expected a date like 2026-03-01, given "5 Feb"',
                'orders.csv:3: amount: expected an amount >= 0, given "x"',
                'orders.csv:4: amount: expected an amount >= 0, given "-3"',
                'orders.csv:4: customer: expected a customer id, given ""',
            ],
        ),
        (
            "customer,date,amount\nc1,20260105,20\n",
            ["--date-format", "%Y-%m-%d"],
            ['orders.csv:2: date: expected a date like %Y-%m-%d, given "20260105"'],
        ),
        ("customer,date,amount\n", [], ["orders.csv:2: expected orders, given none"]),
        ("", [], ["cannot be read as a CSV table"]),
        (GOOD, ["--end", "2025-12-31"], ["--end: expected a date on or after"]),
        (
            "customer,date,amount\nc1,2026-01-05,20\nc1,2026-01-05,30\nc2,2026-01-20,15\n",
            [],
            ["no customer in the order log bought on a second day"],
        ),
        # Two customers cannot pin four parameters: refused, not keys with infinite intervals.
        # Whether the optimiser stops unconverged or converges to an unbounded interval
        # depends on the CPU's floating point (AVX-512 or not): both refusals name the cure.
        (GOOD, [], ["give a log with more customers"]),
        (GOOD, ["--date-format", "%Q"], ["--date-format: expected strftime codes"]),
    ],
)
def test_bad_order_logs_exit_2_with_the_place(tmp_path, capsys, text, arguments, messages):
    pytest.importorskip("lifetimes")
    status, stdout, err = run_fit([write(tmp_path, text), *arguments], capsys)
    assert status == USAGE_ERROR
    assert stdout == ""
    for message in messages:
        assert message in err
    assert "Traceback" not in err


def test_a_missing_file_exits_2(tmp_path, capsys):
    pytest.importorskip("lifetimes")
    status, _, err = run_fit([str(tmp_path / "none.csv")], capsys)
    assert status == USAGE_ERROR
    assert "none.csv: cannot be read" in err


def test_bad_options_exit_2(tmp_path, capsys):
    for option in (["--end", "30/09/1997"], ["--segment", "a b"]):
        with pytest.raises(SystemExit) as stop:
            main(["fit-customers", write(tmp_path, GOOD), *option])
        assert stop.value.code == USAGE_ERROR
        assert "expected" in capsys.readouterr().err


def test_without_lifetimes_the_clv_extra_is_named(tmp_path, monkeypatch, capsys):
    import sys

    from loyaltysim.analysis.fit_customers import clv_fitters
    from loyaltysim.scenario.problems import UserError

    monkeypatch.setitem(sys.modules, "lifetimes", None)
    status, _, err = run_fit([write(tmp_path, GOOD)], capsys)
    assert status == USAGE_ERROR
    assert "comes with the `clv` extra" in err
    with pytest.raises(UserError, match="`clv` extra"):  # the Python function says so too
        clv_fitters()


def test_dates_are_the_days_as_written(tmp_path):
    from loyaltysim.analysis.order_log import read_order_log

    text = "customer,date,amount\na,2026-03-01T23:30:00+01:00,1\nb,2026-03-02 00:10:00-05:00,2\n"
    text += "c,2026-03-03,3\n"
    log = read_order_log(write(tmp_path, text))
    assert [d.date().isoformat() for d in log["date"]] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    zoned = "customer,date,amount\na,2026-03-01 23:30+0100,1\nb,2026-03-02 01:30+0000,2\n"
    log = read_order_log(write(tmp_path, zoned), date_format="%Y-%m-%d %H:%M%z")
    assert [str(d) for d in log["date"]] == ["2026-03-01 00:00:00", "2026-03-02 00:00:00"]


def test_without_spend_the_keys_are_still_written(cdnow_csv):
    pytest.importorskip("lifetimes")
    from loyaltysim.analysis.fit_customers import fit_customers, segment_toml
    from loyaltysim.analysis.order_log import read_order_log

    log = read_order_log(cdnow_csv, "cust", "day", "usd", date_format="%Y%m%d")
    log["amount"] = 0.0  # free orders: nothing for the spend model
    fit = fit_customers(log, CALIBRATION_END)
    assert fit.spend is None
    assert fit.bgnbd["r"].value == pytest.approx(0.243, abs=5e-4)  # buying does not change
    text = segment_toml(fit, "free", "cdnow.csv")
    assert "# Spend: no Gamma-Gamma fit (fewer than 2 repeat buyers who spent)." in text
    assert tomllib.loads(text)["market"]["segments"]["free"]["dropout_b"] > 0
