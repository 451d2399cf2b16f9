"""The RFM summary: hand-checked on three customers, equal to lifetimes' own, and the export.

The three customers (value = goods + fee; weeks are days 0-6, 7-13, 14-20, 21-27):

- 1: day 0 (10 + 2), day 3 (8 + 0), day 9 (20 + 5), day 20 (30 + 0): weeks 0 (20), 1 (25)
  and 2 (30); frequency 2, recency 2, T 3 (the end, day 27, is in week 3), monetary value
  (25 + 30) / 2 = 27.5.
- 2: day 15 (15 + 5) only: week 2; frequency 0, recency 0, T 1, monetary value 0.
- 3: day 6 at shop a (5 + 1) and shop b (4 + 0), day 27 (10 + 0): weeks 0 and 3;
  frequency 1, recency 3, T 3, monetary value 10.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from conftest import DATA_DIR
from loyaltysim.analysis.rfm import RFM_COLUMNS, rfm_summary, summarise_periods
from loyaltysim.cli import main

USAGE_ERROR = 2
CDNOW = DATA_DIR / "cdnow"
#: A Monday, so that lifetimes' calendar weeks are the run's weeks.
MONDAY = dt.date(2024, 1, 1)


def orders_of(rows: list[tuple[int, str, int, float, float]], **extra: object) -> pd.DataFrame:
    """An orders table in the layout of orders.parquet from (customer, shop, day, goods, fee)."""
    frame = pd.DataFrame(rows, columns=["customer", "shop", "day", "goods", "fee"])
    n = len(frame)
    columns = {
        "replication": 0,
        "variant": "base",
        "quantity": 1.0,
        "discount": 0.0,
        "outcome": "on_time",
        "delay": 0,
        "complaint": False,
        "resolved": False,
        "tier": None,
        "points": np.nan,
    }
    columns.update(extra)
    for name, value in columns.items():
        frame[name] = [value] * n
    return frame


THREE = [
    (1, "a", 0, 10.0, 2.0),
    (1, "a", 3, 8.0, 0.0),
    (1, "a", 9, 20.0, 5.0),
    (1, "a", 20, 30.0, 0.0),
    (2, "a", 15, 15.0, 5.0),
    (3, "a", 6, 5.0, 1.0),
    (3, "b", 6, 4.0, 0.0),
    (3, "a", 27, 10.0, 0.0),
]


def rows(frame: pd.DataFrame) -> dict[int, list[float]]:
    return {int(k): [float(v) for v in row] for k, row in frame.iterrows()}


def test_three_customers_by_week():
    summary = rfm_summary(orders_of(THREE))
    assert list(summary.columns) == list(RFM_COLUMNS)
    assert summary.index.name == "customer"
    assert rows(summary) == {1: [2, 2, 3, 27.5], 2: [0, 0, 1, 0], 3: [1, 3, 3, 10]}


def test_three_customers_by_day():
    # 1: days 0, 3, 9, 20 -> 3 repeats, mean (8 + 25 + 30) / 3 = 21; 3: day 6 is one day (10).
    summary = rfm_summary(orders_of(THREE), period_days=1)
    assert rows(summary) == {1: [3, 20, 27, 21], 2: [0, 0, 12, 0], 3: [1, 21, 21, 10]}


def test_later_orders_are_left_out_and_the_end_counts_quiet_periods():
    # End on day 13 (week 1): customer 2 has not bought yet, 1 has weeks 0 and 1.
    assert rows(rfm_summary(orders_of(THREE), observation_end=13)) == {
        1: [1, 1, 1, 25],
        3: [0, 0, 1, 0],
    }
    # Ending the run on day 48 (week 6) makes everyone 3 weeks older than the last order.
    assert rows(rfm_summary(orders_of(THREE), observation_end=48)) == {
        1: [2, 2, 6, 27.5],
        2: [0, 0, 4, 0],
        3: [1, 3, 6, 10],
    }


def test_one_shop():
    # At shop b, customer 3 bought once (day 6); the end is still the run's.
    assert rows(rfm_summary(orders_of(THREE), shop="b", observation_end=27)) == {3: [0, 0, 3, 0]}


def test_mixed_runs_and_unknown_shops_are_refused():
    mixed = pd.concat([orders_of(THREE), orders_of(THREE, replication=1)])
    with pytest.raises(ValueError, match="several values of replication"):
        rfm_summary(mixed)
    with pytest.raises(ValueError, match="did you mean 'b'"):
        rfm_summary(orders_of(THREE), shop="bb")
    with pytest.raises(ValueError, match="period_days"):
        rfm_summary(orders_of(THREE), period_days=0)


def random_orders(seed: int = 3, customers: int = 300, days: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 2000
    frame = pd.DataFrame(
        {
            "customer": rng.integers(0, customers, n),
            "shop": "a",
            "day": rng.integers(0, days, n),
            "goods": rng.gamma(2.0, 20.0, n).round(2),
            "fee": rng.choice([0.0, 4.99], n),
        }
    )
    return orders_of(list(frame.itertuples(index=False, name=None)))


@pytest.mark.parametrize(("period_days", "freq"), [(1, "D"), (7, "W")])
def test_equals_lifetimes_summary(period_days, freq):
    utils = pytest.importorskip("lifetimes.utils")
    orders = random_orders()
    transactions = pd.DataFrame(
        {
            "customer": orders["customer"],
            "date": pd.Timestamp(MONDAY) + pd.to_timedelta(orders["day"], unit="D"),
            "value": orders["goods"] + orders["fee"],
        }
    )
    theirs = utils.summary_data_from_transaction_data(
        transactions, "customer", "date", monetary_value_col="value", freq=freq
    )
    ours = rfm_summary(orders, period_days=period_days)
    pd.testing.assert_frame_equal(ours, theirs, check_names=False, check_index_type=False)
    assert ours["frequency"].sum() > 100  # plenty of repeat periods compared


def test_cdnow_sample_gives_the_papers_summary():
    """The raw CDNOW sample (weeks with day precision) gives the paper's x, t_x, T and zbar."""
    raw = pd.read_csv(
        CDNOW / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "id", "date", "cds", "value"],
        dtype={"date": str},
    )
    day = (pd.to_datetime(raw["date"], format="%Y%m%d") - pd.Timestamp("1997-01-01")).dt.days
    end = (pd.Timestamp("1997-09-30") - pd.Timestamp("1997-01-01")).days  # 39 weeks
    ours = summarise_periods(raw["id"].to_numpy(), day.to_numpy(), raw["value"].to_numpy(), 1, end)
    paper = pd.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv", index_col="ID")
    assert len(ours) == len(paper) == 2357
    assert (ours["frequency"] == paper["x"]).all()
    # The file rounds to 2 decimals.
    assert np.abs(ours["recency"] / 7 - paper["t_x"]).max() < 0.005
    assert np.abs(ours["T"] / 7 - paper["T"]).max() < 0.005
    assert np.abs(ours["monetary_value"] - paper["zbar"]).max() <= 0.005 + 1e-9


@pytest.fixture
def run_folder(tmp_path):
    """A run folder with the three customers in two variants and two replications."""
    folder = tmp_path / "result"
    folder.mkdir()
    (folder / "summary.csv").write_text("variant,shop\nbase,a\n", encoding="utf-8")
    (folder / "scenario.toml").write_text("[run]\ndays = 49\n", encoding="utf-8")
    noise = [(9, "a", 1, 1.0, 0.0)]
    tables = [
        orders_of(THREE),
        orders_of(noise, replication=1),
        orders_of(noise, variant="dear"),
    ]
    pd.concat(tables).to_parquet(folder / "orders.parquet")
    return folder


def read_csv_text(text: str) -> dict[int, list[float]]:
    from io import StringIO

    return rows(pd.read_csv(StringIO(text), index_col="customer"))


def test_export_rfm_writes_the_summary_of_one_run(run_folder, capsys):
    # The run's last day is 48 (49 recorded days), week 6, as in the test above.
    assert main(["export", "rfm", str(run_folder)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "customer,frequency,recency,T,monetary_value"
    assert read_csv_text(out) == {1: [2, 2, 6, 27.5], 2: [0, 0, 4, 0], 3: [1, 3, 6, 10]}
    assert main(["export", "rfm", str(run_folder), "--replication", "1", "--period", "1"]) == 0
    assert read_csv_text(capsys.readouterr().out) == {9: [0, 0, 47, 0]}


def test_export_rfm_of_one_shop_to_a_file(run_folder, tmp_path, capsys):
    out = tmp_path / "rfm.csv"
    assert main(["export", "rfm", str(run_folder), "--shop", "b", "--out", str(out)]) == 0
    assert "1 customers" in capsys.readouterr().out
    assert read_csv_text(out.read_text(encoding="utf-8")) == {3: [0, 0, 6, 0]}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--shop", "c"], "unknown shop 'c'"),
        (["--variant", "deer"], "did you mean 'dear'"),
        (["--replication", "5"], "expected one of 0, 1"),
    ],
)
def test_export_rfm_bad_choices_exit_2(run_folder, capsys, arguments, message):
    assert main(["export", "rfm", str(run_folder), *arguments]) == USAGE_ERROR
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_export_rfm_without_an_order_log_exits_2(run_folder, tmp_path, capsys):
    (run_folder / "orders.parquet").unlink()
    assert main(["export", "rfm", str(run_folder)]) == USAGE_ERROR
    assert "orders.parquet: missing" in capsys.readouterr().err
    assert main(["export", "rfm", str(tmp_path / "nowhere")]) == USAGE_ERROR
    assert "no such folder" in capsys.readouterr().err
