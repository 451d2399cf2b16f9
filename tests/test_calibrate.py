"""Calibration: recovering a known parameter, honest checks, located errors, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from loyaltysim.cli import main
from loyaltysim.experiment.calibration import calibrate
from loyaltysim.experiment.checks import calibration_plan
from loyaltysim.experiment.sweep.task import run_point
from loyaltysim.scenario import load_scenario
from loyaltysim.scenario.keypaths import plain_base
from loyaltysim.scenario.problems import ScenarioError
from sweep_helpers import write

TRUE_AWARENESS = 0.57
REPLICATIONS = 3


def _observed(tmp_path) -> float:
    """The cheap shop's end-of-run awareness at a known parameter, on the fitting seeds."""
    base = plain_base(load_scenario(write(tmp_path / "plain.toml")))
    records = [
        run_point(base, {"shops.cheap.initial_awareness": TRUE_AWARENESS}, 0, k)
        for k in range(REPLICATIONS)
    ]
    aware = [dict(zip(r["figures"]["shop"], r["figures"]["aware"], strict=True))["cheap"]
             for r in records]  # fmt: skip
    return float(np.mean(aware))


def _calibration(target: float, extra: str = "") -> str:
    return f"""
[calibration]
replications = {REPLICATIONS}
check_replications = 3
max_evaluations = 30
{extra}
[calibration.parameters]
"shops.cheap.initial_awareness" = {{ low = 0.1, high = 0.9, start = 0.2 }}

[calibration.targets]
"cheap.aware" = {target!r}
"""


def test_calibration_recovers_a_known_parameter(tmp_path, capsys):
    # The target is what the model gives at initial_awareness = 0.57 on the fitting seeds,
    # so the loss is exactly 0 there; starting from 0.2, Nelder-Mead must come back to it
    # (within the roughness that common random numbers leave).
    target = _observed(tmp_path)
    path = write(tmp_path / "cal.toml", _calibration(target))
    out = tmp_path / "out"
    assert main(["calibrate", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    printed = capsys.readouterr().out
    meta = json.loads((out / "meta.json").read_text())
    fitted = meta["fitted"]["shops.cheap.initial_awareness"]
    assert fitted == pytest.approx(TRUE_AWARENESS, abs=0.04), printed
    history = pd.read_csv(out / "calibration.csv")
    start_loss = history.loc[history["shops.cheap.initial_awareness"] == 0.2, "loss"].item()
    assert meta["loss"] < start_loss / 100
    assert meta["evaluations"] == (history["stage"] == "search").sum() <= 30
    fit = pd.read_csv(out / "calibration_fit.csv").iloc[0]
    assert fit["output"] == "cheap.aware" and fit["target"] == target
    assert fit["fit_ci_low"] <= target <= fit["fit_ci_high"]
    assert fit["check_replications"] == 3 and np.isfinite(fit["check_mean"])
    slopes = pd.read_csv(out / "calibration_slopes.csv")
    assert slopes["slope"].item() > 0  # more initial awareness, more aware customers
    calibrated = load_scenario(out / "calibrated.toml")
    assert calibrated.shops["cheap"].initial_awareness == fitted
    assert calibrated.calibration is not None  # the whole scenario, sections kept
    calibration_plan(calibrated, out / "calibrated.toml")  # and it can be calibrated again
    assert "fitted (start -> optimiser -> fit):" in printed
    assert "on fresh seeds (3 replications" in printed and "Gauss-Newton step" in printed


def test_parallel_evaluations_give_the_same_fit(tmp_path):
    # Differential evolution evaluates a population at once (in parallel); with a fixed seed
    # and common random numbers the result does not depend on the number of workers.
    extra = 'method = "differential-evolution"\nseed = 5\nmax_evaluations = 20'
    text = _calibration(150.0, extra).replace("max_evaluations = 30\n", "")
    text = text.replace(f"replications = {REPLICATIONS}\ncheck_replications = 3",
                        "replications = 2\ncheck_replications = 0")  # fmt: skip
    path = write(tmp_path / "de.toml", text)
    scenario = load_scenario(path)
    one = calibrate(scenario, file=path, workers=1)
    two = calibrate(scenario, file=path, workers=2)
    assert one.fitted == two.fitted and one.loss == two.loss
    pd.testing.assert_frame_equal(one.history, two.history)
    assert 0.1 <= one.fitted["shops.cheap.initial_awareness"] <= 0.9


BAD_CALIBRATIONS = [
    ('"shops.cheap.awareness" = { low = 0.1, high = 0.9 }', '"cheap.aware" = 100.0',
     "calibration.parameters.\"shops.cheap.awareness\": expected a key of shops.cheap"),
    ('"shops.cheap.initial_awareness" = { low = 0.9, high = 0.1 }', '"cheap.aware" = 100.0',
     "calibration.parameters.\"shops.cheap.initial_awareness\".high: expected a number > low"),
    ('"shops.cheap.initial_awareness" = { low = 0.1, high = 0.9, start = 1.5 }',
     '"cheap.aware" = 100.0', ".start: expected a number from 0.1 to 0.9, given 1.5"),
    ('"shops.cheap.initial_awareness" = { low = 0.1, high = 1.9 }', '"cheap.aware" = 100.0',
     ".high: expected a number <= 1, given 1.9"),
    ('"network.kind" = { low = 0.0, high = 1.0 }', '"cheap.aware" = 100.0',
     "expected a number key"),
    ('"shops.cheap.price" = { low = 40.0, high = 80.0 }', '"cheapo.aware" = 100.0',
     "calibration.targets.\"cheapo.aware\": expected a shop of ['cheap', 'dear']"),
    ('"shops.cheap.price" = { low = 40.0, high = 80.0 }', '"cheap.churned" = 0.0',
     "calibration.targets.\"cheap.churned\": expected scale = <error that counts as 1>"),
]  # fmt: skip


@pytest.mark.parametrize(("parameter", "target", "message"), BAD_CALIBRATIONS)
def test_bad_calibration_sections_are_located(tmp_path, capsys, parameter, target, message):
    section = f"\n[calibration]\n[calibration.parameters]\n{parameter}\n" \
              f"[calibration.targets]\n{target}\n"  # fmt: skip
    path = write(tmp_path / "bad.toml", section)
    lines = path.read_text().splitlines()
    line = lines.index(parameter if "targets" not in message else target) + 1
    for argv in (["calibrate", str(path), "--out", str(tmp_path / "o")], ["validate", str(path)]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert f"{path}:{line}: " in err and message in err, err
    assert not (tmp_path / "o").exists()


def test_seed_is_only_for_differential_evolution(tmp_path):
    path = write(tmp_path / "seed.toml", _calibration(100.0, "seed = 3"))
    with pytest.raises(ScenarioError, match=r"calibration\.seed: expected seed only with method"):
        calibration_plan(load_scenario(path), path)


def test_scenario_without_calibration_is_refused(tmp_path, capsys):
    path = write(tmp_path / "plain.toml")
    assert main(["calibrate", str(path), "--out", str(tmp_path / "o")]) == 2
    assert "has no [calibration] section" in capsys.readouterr().err


BEFORE = Path(__file__).parent / "data" / "calibration_scalar_before.json"


def test_scalar_targets_give_the_numbers_they_gave_before_curves(tmp_path):
    # calibration_scalar_before.json was written by the code before series targets (commit
    # 35b9e8e) for two scalar targets, one with weight and scale, and re-recorded when issue
    # 10 changed the model's defaults and when issue 11 keyed the random numbers: every
    # number of the fit, the history, the achieved figures and the slopes must come out
    # exactly the same.
    before = json.loads(BEFORE.read_text())
    path = write(tmp_path / "scalar.toml", before["section"])
    result = calibrate(load_scenario(path), file=path, workers=1)
    for key in ("fitted", "searched", "loss", "evaluations", "message"):
        assert getattr(result, key) == before[key], key
    for key in ("history", "figures", "slopes"):
        table = getattr(result, key)
        assert {c: table[c].tolist() for c in table.columns} == before[key], key
    assert result.curves.empty
