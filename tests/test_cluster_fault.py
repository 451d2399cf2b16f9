"""A sweep on a real Dask cluster that loses a worker, and a client that is killed.

A ``dask scheduler`` and two ``dask worker`` processes (no nanny, so a killed worker stays
dead) run on 127.0.0.1. One worker is SIGKILLed once some runs are in; Dask reschedules its
task on the other. Then a second sweep's client (the ``loyaltysim sweep`` process) is
SIGKILLed, and ``--resume`` finishes it. Both must give every row exactly once, bit-identical
to the same sweep run in one local process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from loyaltysim.experiment.sweep.run import run_sweep
from loyaltysim.scenario import load_scenario
from sweep_helpers import GRID_SWEEP, TINY_TOML

pytest.importorskip("distributed")
BIN = Path(sys.executable).parent
#: 6 points x 4 replications = 24 runs of 30 days, a few tenths of a second each.
SWEEP_TOML = TINY_TOML.replace("days = 15", "days = 30") + GRID_SWEEP.replace(
    "replications = 2", "replications = 4"
)
RUNS = 24


def _start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen(args, stdout=sink, stderr=subprocess.STDOUT)


def _wait_for(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _runs_in(out: Path) -> int:
    folder = out / "runs"
    return len(list(folder.glob("p*.json"))) if folder.is_dir() else 0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """A scheduler and two single-threaded workers without nannies, on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("cluster")
    address_file = folder / "scheduler.json"
    scheduler = _start([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                        "--no-dashboard", "--scheduler-file", str(address_file)],
                       folder / "scheduler.log")  # fmt: skip
    processes = [scheduler]
    try:
        _wait_for(address_file.exists, "the scheduler")
        address = json.loads(address_file.read_text())["address"]
        worker = [str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-nanny",
                  "--no-dashboard"]  # fmt: skip
        for k in range(2):
            processes.append(_start([*worker, "--name", f"w{k}"], folder / f"worker{k}.log"))
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address, processes[1:]
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pd.DataFrame:
    """The same sweep in one local process."""
    folder = tmp_path_factory.mktemp("reference")
    file = folder / "sweep.toml"
    file.write_text(SWEEP_TOML)
    run_sweep(load_scenario(file), folder / "out", file=file, workers=1)
    return pd.read_parquet(folder / "out" / "sweep.parquet")


def _check_rows(out: Path, reference: pd.DataFrame) -> None:
    table = pd.read_parquet(out / "sweep.parquet")
    assert not table.duplicated(["point", "replication", "shop"]).any()
    assert len(table) == RUNS * 2  # every run once, two shops each
    pd.testing.assert_frame_equal(table, reference, check_exact=True)
    assert _runs_in(out) == RUNS and not list((out / "failures").iterdir())


def test_a_sweep_survives_a_killed_worker(tmp_path, cluster, reference, cli):
    address, workers = cluster
    file = tmp_path / "sweep.toml"
    file.write_text(SWEEP_TOML)
    out = tmp_path / "out"
    client = subprocess.Popen(
        cli.command("sweep", file, "--out", out, "--scheduler", address, "--quiet"),
        env=cli.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for(lambda: _runs_in(out) >= 4 or client.poll() is not None, "the first runs")
    workers[0].send_signal(signal.SIGKILL)
    workers[0].wait()
    killed_at = _runs_in(out)
    stdout, stderr = client.communicate(timeout=180)
    assert client.returncode == 0, stderr
    assert killed_at < RUNS, "the sweep finished before the worker was killed"
    assert "sweep: 24 runs: 24 run now, 0 failed" in stdout
    _check_rows(out, reference)
    meta = json.loads((out / "meta.json").read_text())
    assert meta["status"] == "complete" and "2 worker(s)" in meta["executor"]


def test_a_killed_client_resumes(tmp_path, cluster, reference, cli):
    address, workers = cluster
    assert workers[0].poll() is not None and workers[1].poll() is None  # one worker left
    file = tmp_path / "sweep.toml"
    file.write_text(SWEEP_TOML)
    out = tmp_path / "out"
    args = ["sweep", file, "--out", out, "--scheduler", address, "--quiet"]
    client = subprocess.Popen(cli.command(*args), env=cli.env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    _wait_for(lambda: _runs_in(out) >= 3 or client.poll() is not None, "the first runs")
    os.kill(client.pid, signal.SIGKILL)
    client.wait()
    done_before = _runs_in(out)
    assert 3 <= done_before < RUNS
    assert json.loads((out / "meta.json").read_text())["status"] == "running"
    resumed = cli.run(*args, "--resume", timeout=180)
    assert resumed.returncode == 0, resumed.stderr
    assert f"sweep: 24 runs ({done_before} done before): {RUNS - done_before} run now" in (
        resumed.stdout
    )
    _check_rows(out, reference)
