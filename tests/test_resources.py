"""Memory estimates before any work: calibrated against measured peaks, and a clear refusal.

Before, 5,000,000 customers (the schema allowed 50,000,000) climbed to 4.2 GB and died in a
raw numpy ``_ArrayMemoryError`` traceback while building the network.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from loyaltysim.cli.main import main
from loyaltysim.experiment import resources
from loyaltysim.experiment.resources import ACCURACY, MB, Estimate, capacity, estimate_run
from loyaltysim.scenario import load_scenario

USAGE_ERROR = 2
#: Runs one replication in a fresh process and prints its scenario and peak RSS.
MEASURE = """
import json, sys
import loyaltysim
from loyaltysim.scenario import load_scenario
scenario = load_scenario(sys.argv[1], sys.argv[2:])
loyaltysim.run(scenario)
# VmHWM: this process's own peak (ru_maxrss would carry the parent's over exec)
peak = int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) * 1024
print(json.dumps(peak))
"""


def test_the_estimate_by_hand(small_scenario_file):
    scenario = load_scenario(small_scenario_file, ["market.arrival_rate=0.0"])
    # 500 customers, no net growth: 500 + ceil(5 * sqrt(1)) slots.
    assert capacity(scenario) == 505
    estimate = estimate_run(scenario)
    # 505 slots x (300 + 2 shops x 80 + 6 contacts x 25) + 2.4 kB x 2 shops x 45 days
    assert estimate.model == 505 * (300 + 160 + 150) + 2400 * 2 * 45 == 524_050
    # 2 variants x 2 replications x 40 days x 2 shops x 400 B of time series, and the first
    # replication's customer table of each variant: 2 x 505 x (90 + 2 x 20) B
    assert estimate.tables == 2 * 2 * 40 * 2 * 400 + 2 * 505 * 130 == 259_300
    assert estimate.total(1) == 310 * MB + 524_050 + 259_300
    # Each extra worker is a process of its own: interpreter plus model.
    assert estimate.total(3) == 310 * MB + 259_300 + 3 * (310 * MB + 524_050)


@pytest.mark.parametrize("customers", [20_000, 150_000])
def test_the_estimate_is_within_its_accuracy_of_the_measured_peak(
    tmp_path, small_scenario_file, customers
):
    sets = [f"market.customers={customers}", "run.days=3", "run.warmup_days=0",
            "run.replications=1", "output.figures=false"]  # fmt: skip
    measured = subprocess.run(
        [sys.executable, "-c", MEASURE, str(small_scenario_file), *sets],
        capture_output=True,
        text=True,
        check=True,
    )
    peak = json.loads(measured.stdout.strip().splitlines()[-1])
    estimate = estimate_run(load_scenario(small_scenario_file, sets)).total(1)
    assert peak / ACCURACY <= estimate <= peak * ACCURACY, (
        f"{customers} customers: estimated {estimate / MB:.0f} MB, measured {peak / MB:.0f} MB"
    )


def test_a_run_that_cannot_fit_is_refused_up_front(small_scenario_file, monkeypatch, capsys):
    monkeypatch.setattr(resources, "available_memory", lambda: 1024 * MB)
    big = ["--set", "market.customers=5000000", "--workers", "1", "--quiet"]
    assert main(["run", str(small_scenario_file), *big]) == USAGE_ERROR
    message = capsys.readouterr().err
    # 310 MB + 5,000,005 slots x 610 B + 216 kB + 128 kB + 2 x 5,000,005 x 130 B = 4.36 GB;
    # of 1 GB, 0.9 GB is usable, 0.6 GB beyond Python: 5,000,000 x 0.597 / 4.05 = 737,077.
    assert "the run needs about 4.4 GB of memory (2.8 GB per model, 1.2 GB of result " in message
    assert "but 1.0 GB is available here; use fewer customers (market.customers = " in message
    assert "5,000,000; about 737,077 fit), or fewer shops" in message, message
    assert main(["run", str(small_scenario_file), "--workers", "4", "--quiet",
                 "--set", "market.customers=400000"]) == USAGE_ERROR  # fmt: skip
    message = capsys.readouterr().err
    assert "x 4 workers" in message and "fewer --workers (1 fit)" in message, message


def test_a_sweep_multiplies_by_its_workers(tmp_path, monkeypatch):
    estimate = Estimate(python=200 * MB, model=300 * MB, tables=0, customers=100_000)
    monkeypatch.setattr(resources, "available_memory", lambda: 2048 * MB)
    resources.check_fits(estimate, workers=3, what="the sweep")  # 1.7 GB of 1.8 usable
    with pytest.raises(resources.ResourceError, match=r"the sweep needs about 2\.1 GB .*\(3 fit\)"):
        resources.check_fits(estimate, workers=4, what="the sweep")


def test_available_memory_is_known_here():
    available = resources.available_memory()
    assert available is None or available > 0
