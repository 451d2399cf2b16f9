"""``workers=2`` from a script without a ``__main__`` guard, or from stdin.

Without care, each worker re-runs the caller's script (BrokenProcessPool) or cannot find
``<stdin>`` (FileNotFoundError); the workers must not import the caller's ``__main__``.
"""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """\
import loyaltysim
print("the script body runs")
result = loyaltysim.run({file!r}, workers=2)
print("replications", len(result.replications))
"""


def _check(done: subprocess.CompletedProcess[str], lines: list[str] | None = None) -> None:
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    # Once: the workers did not run the script again. 2 variants x 2 replications x 2 shops.
    shown = done.stdout.splitlines() if lines is None else lines
    assert shown == ["the script body runs", "replications 8"]
    assert done.stdout.count("the script body runs") == 1


#: The same script, then a sweep and a calibration on 2 workers (their own process pools).
SWEEP_AND_CALIBRATION = """\
from loyaltysim.experiment.calibration import calibrate
from loyaltysim.experiment.sweep.run import run_sweep
from loyaltysim.scenario import load_scenario

scenario = load_scenario({file!r}, ["run.days=10"])
run_sweep(scenario, "sweep", workers=2)
calibrate(scenario, workers=2)
print("sweep and calibration done")
"""
EXPERIMENTS = """
[sweep]
design = "grid"
replications = 1
outputs = ["cheap.market_share"]
[sweep.parameters."shops.cheap.price"]
values = [55.0, 65.0]

[calibration]
replications = 2
check_replications = 1
max_evaluations = 3
[calibration.parameters]
"shops.cheap.price" = { low = 50.0, high = 70.0 }
[calibration.targets]
"cheap.market_share" = 0.5
"""


def test_an_unguarded_script(tmp_path, write_scenario, cli):
    file = write_scenario(tmp_path / "small.toml")
    file.write_text(file.read_text(encoding="utf-8") + EXPERIMENTS, encoding="utf-8")
    script = tmp_path / "unguarded.py"
    script.write_text(SCRIPT.format(file=str(file)) + SWEEP_AND_CALIBRATION.format(file=str(file)))
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=cli.env, capture_output=True, text=True
    )
    assert done.stdout.endswith("sweep and calibration done\n"), done.stderr
    _check(done, done.stdout.splitlines()[:2])


def test_code_from_stdin(tmp_path, write_scenario, cli):
    code = SCRIPT.format(file=str(write_scenario(tmp_path / "small.toml")))
    done = subprocess.run(
        [sys.executable, "-"], input=code, cwd=tmp_path, env=cli.env, capture_output=True, text=True
    )
    _check(done)
