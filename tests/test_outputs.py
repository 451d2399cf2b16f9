"""The result folder: complete and re-loadable, atomic, never half-written, resumable."""

from __future__ import annotations

import io
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import loyaltysim
from loyaltysim.analysis.metrics import kaplan_meier
from loyaltysim.experiment import run as runner
from loyaltysim.experiment.folder import OutputError, check_replaceable, partial_dir
from loyaltysim.experiment.orders import part_path
from loyaltysim.experiment.replication import simulate
from loyaltysim.experiment.store import PartStore, StaleStoreError, fingerprint
from loyaltysim.scenario import load_scenario, to_toml, variant_names

TABLES = ("timeseries", "replications", "summary", "retention", "customers")
FIGURES = ("market_share.png", "satisfaction_trust.png", "retention.png")
NO_FIGURES = ["output.figures=false"]


def assert_same_tables(a, b, tables=TABLES):
    for name in tables:
        left, right = getattr(a, name), getattr(b, name)
        if left is None or right is None:
            assert left is None and right is None, name
            continue
        assert_frame_equal(left, right, check_exact=True, obj=name)


def leftovers(out: Path) -> list[Path]:
    """Work folders a finished run must not leave beside ``out``."""
    return [p for p in (partial_dir(out), out.parent / f".{out.name}.old") if p.exists()]


# --------------------------------------------------------------------------------------------
# loyaltysim run, end to end
# --------------------------------------------------------------------------------------------


def test_cli_run_writes_a_complete_result_folder(tmp_path, write_scenario, cli):
    file = write_scenario(tmp_path / "small.toml")
    out = tmp_path / "results" / "small"
    script = Path(sys.executable).with_name("loyaltysim")
    command = ([str(script)] if script.exists() else [sys.executable, "-m", "loyaltysim.cli"]) + [
        "run",
        str(file),
        "--out",
        str(out),
        "--set",
        "run.seed=11",
        "--workers",
        "1",
    ]
    done = subprocess.run(
        command, env=cli.env, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert f"Figures: {out / 'figures'}/" in done.stdout
    assert str(out) in done.stdout

    for name in (
        "scenario.toml",
        "meta.json",
        "timeseries.csv",
        "customers.csv",
        "summary.csv",
        "replications.csv",
        "retention.csv",
    ):
        assert (out / name).is_file(), name
        assert (out / name).stat().st_size > 0, name
    for name in FIGURES:
        png = out / "figures" / name
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    assert leftovers(out) == []
    assert not any(p.name.endswith(".tmp") for p in out.rglob("*"))

    # The resolved scenario re-loads to exactly the scenario that ran (with its --set).
    expected = load_scenario(file, ["run.seed=11"])
    assert load_scenario(out / "scenario.toml") == expected

    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["status"] == "complete"
    assert meta["scenario"] == "small"
    assert meta["variants"] == ["base", "tracking"]
    assert meta["seed"] == 11
    assert meta["replications"] == 2
    assert meta["replication_seeds"] == [
        {"entropy": 11, "spawn_key": [0]},
        {"entropy": 11, "spawn_key": [1]},
    ]
    assert meta["versions"]["loyaltysim"] == loyaltysim.__version__
    for package in ("mesa", "numpy", "pandas"):
        assert meta["versions"][package] not in ("", "not installed"), package
    assert meta["command"][:3] == ["loyaltysim", "run", str(file)]
    assert "--set" in meta["command"]
    assert "run.seed=11" in meta["command"]
    assert meta["workers"] == 1
    for name in ("timeseries.csv", "summary.csv", *(f"figures/{f}" for f in FIGURES)):
        assert name in meta["files"], name

    ts = pd.read_csv(out / "timeseries.csv")
    assert len(ts) == 2 * 2 * 40 * 2  # variants x replications x days x shops
    summary = pd.read_csv(out / "summary.csv")
    assert {"variant", "shop", "figure", "mean", "ci_low", "ci_high"} <= set(summary.columns)
    assert {"retention", "repurchase_rate"} <= set(summary["figure"])
    customers = pd.read_csv(out / "customers.csv")
    assert set(customers["replication"]) == {0}  # output.customers = "first_replication"


def test_run_replaces_an_earlier_result_and_matches_the_api(
    tmp_path, small_scenario_file, small_result
):
    scenario = load_scenario(small_scenario_file, NO_FIGURES)
    out = tmp_path / "out"
    first = loyaltysim.run(scenario, out)
    assert first.out == out
    assert_same_tables(first, small_result)
    stamp = json.loads((out / "meta.json").read_text(encoding="utf-8"))["finished"]
    (out / "stale_marker.txt").write_text("from the first run", encoding="utf-8")

    second = loyaltysim.run(scenario, out)  # out is a loyaltysim result: replaced whole
    assert_same_tables(second, small_result)
    assert not (out / "stale_marker.txt").exists()
    assert json.loads((out / "meta.json").read_text(encoding="utf-8"))["finished"] >= stamp
    assert not (out / "figures").exists()  # output.figures = false
    assert leftovers(out) == []
    assert load_scenario(out / "scenario.toml") == scenario


def test_check_replaceable(tmp_path):
    check_replaceable(tmp_path / "missing")  # fine: will be created
    (tmp_path / "empty").mkdir()
    check_replaceable(tmp_path / "empty")  # fine: nothing to lose
    (tmp_path / "ours").mkdir()
    (tmp_path / "ours" / "meta.json").write_text("{}", encoding="utf-8")
    check_replaceable(tmp_path / "ours")
    (tmp_path / "theirs").mkdir()
    (tmp_path / "theirs" / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="not a loyaltysim result"):
        check_replaceable(tmp_path / "theirs")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="not a loyaltysim result"):
        check_replaceable(tmp_path / "file")


def test_api_refuses_a_foreign_out_folder_untouched(tmp_path, small_scenario):
    out = tmp_path / "data"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputError):
        loyaltysim.run(small_scenario, out)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert (out / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert leftovers(out) == []


def test_kaplan_meier_without_losses_is_one():
    """Regression: customers but no loss events used to raise IndexError (empty curve)."""
    got = kaplan_meier(np.array([3.0, 5.0]), np.array([False, False]), np.array([0, 4, 10]))
    assert got.tolist() == [1.0, 1.0, 1.0]
    assert np.isnan(kaplan_meier(np.array([]), np.array([], dtype=bool), [1])).all()


# --------------------------------------------------------------------------------------------
# Resume
# --------------------------------------------------------------------------------------------


def test_resume_simulates_only_the_missing_replications(
    tmp_path, small_scenario_file, small_result, monkeypatch
):
    scenario = load_scenario(small_scenario_file, NO_FIGURES)
    out = tmp_path / "out"
    # An interrupted run: two of the four replications finished and were stored.
    store = PartStore(partial_dir(out), fingerprint(to_toml(scenario)))
    store.open(resume=False)
    stored = {("base", 1), ("tracking", 0)}
    for variant, k in stored:
        orders = part_path(partial_dir(out), variant, k)
        store.save(variant, k, simulate(scenario, variant, k, k == 0, orders))

    calls: list[tuple[str, int]] = []

    def counting_simulate(scenario, variant, replication, keep_customers=False, orders=None):
        calls.append((variant, replication))
        return simulate(scenario, variant, replication, keep_customers, orders)

    monkeypatch.setattr(runner, "simulate", counting_simulate)
    result = loyaltysim.run(scenario, out, resume=True)

    everything = {(v, k) for v in variant_names(scenario) for k in range(2)}
    assert sorted(calls) == sorted(everything - stored)  # each missing one exactly once
    assert_same_tables(result, small_result)
    assert_frame_equal(pd.read_csv(out / "summary.csv"), _csv_round_trip(small_result.summary))
    assert leftovers(out) == []


def _csv_round_trip(frame: pd.DataFrame) -> pd.DataFrame:
    """What ``frame`` looks like after the result folder's CSV writer and pandas' reader."""
    return pd.read_csv(io.StringIO(frame.to_csv(index=False, float_format="%.6g")))


def test_resume_with_nothing_to_resume_runs_everything(
    tmp_path, small_scenario_file, small_result, monkeypatch
):
    scenario = load_scenario(small_scenario_file, NO_FIGURES)
    calls: list[tuple[str, int]] = []
    monkeypatch.setattr(
        runner, "simulate", lambda *args: calls.append(args[1:3]) or simulate(*args)
    )
    result = loyaltysim.run(scenario, tmp_path / "out", resume=True)
    assert len(calls) == 4
    assert_same_tables(result, small_result)


def test_resume_with_a_changed_scenario_is_refused(tmp_path, small_scenario_file):
    before = load_scenario(small_scenario_file, NO_FIGURES)
    out = tmp_path / "out"
    store = PartStore(partial_dir(out), fingerprint(to_toml(before)))
    store.open(resume=False)
    store.save("base", 0, simulate(before, "base", 0, True))

    changed = load_scenario(small_scenario_file, [*NO_FIGURES, "shops.dear.price=110.0"])
    with pytest.raises(StaleStoreError, match="different scenario"):
        loyaltysim.run(changed, out, resume=True)
    assert not out.exists()
    assert store.has("base", 0)  # the earlier work is kept


def test_fresh_run_discards_an_old_partial_folder(
    tmp_path, small_scenario_file, small_result, monkeypatch
):
    scenario = load_scenario(small_scenario_file, NO_FIGURES)
    out = tmp_path / "out"
    other = load_scenario(small_scenario_file, [*NO_FIGURES, "run.seed=99"])
    store = PartStore(partial_dir(out), fingerprint(to_toml(other)))
    store.open(resume=False)
    store.save("base", 0, simulate(other, "base", 0, True))  # would be wrong if reused

    calls: list[tuple[str, int]] = []
    monkeypatch.setattr(
        runner, "simulate", lambda *args: calls.append(args[1:3]) or simulate(*args)
    )
    result = loyaltysim.run(scenario, out)  # resume=False
    assert len(calls) == 4
    assert_same_tables(result, small_result)
    assert leftovers(out) == []


# --------------------------------------------------------------------------------------------
# A run killed with SIGKILL leaves no result, and --resume finishes it identically
# --------------------------------------------------------------------------------------------

KILL_SETS = [
    "market.customers=2000",
    "run.days=80",
    "run.replications=6",
    "output.figures=false",
    "output.customers=none",
]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_leaves_no_result_and_resume_completes_it(tmp_path, write_scenario, cli):
    file = write_scenario(tmp_path / "kill.toml", variants=False)
    out = tmp_path / "out"
    sets = [arg for item in KILL_SETS for arg in ("--set", item)]
    parts = partial_dir(out) / "parts" / "base"

    victim = subprocess.Popen(
        cli.command("run", file, "--out", out, "--workers", "1", "--quiet", *sets),
        env=cli.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not any(parts.glob("*.pkl")):
            assert victim.poll() is None, victim.stderr.read().decode() if victim.stderr else ""
            assert time.monotonic() < deadline, "no replication finished in time"
            time.sleep(0.005)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.wait()
        if victim.stderr is not None:
            victim.stderr.close()
    assert victim.returncode == -signal.SIGKILL, "the run finished before it could be killed"

    # No half result: out does not exist; finished replications wait in the partial folder.
    assert not out.exists()
    done_before = sorted(p.name for p in parts.glob("*.pkl"))
    assert 1 <= len(done_before) < 6

    resumed = cli.run("run", file, "--out", out, "--workers", "1", "--resume", *sets)
    assert resumed.returncode == 0, resumed.stderr
    assert "Traceback" not in resumed.stderr
    assert leftovers(out) == []

    reference = tmp_path / "reference"
    loyaltysim.run(load_scenario(file, KILL_SETS), reference)
    for name in ("summary.csv", "timeseries.csv", "replications.csv", "retention.csv"):
        assert_frame_equal(
            pd.read_csv(out / name), pd.read_csv(reference / name), check_exact=True, obj=name
        )
    assert (out / "summary.csv").read_bytes() == (reference / "summary.csv").read_bytes()
    shutil.rmtree(reference)
