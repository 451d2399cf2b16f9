"""One writer per result folder: a second run or sweep into a folder in use is refused.

Before the lock, two runs into one ``--out`` shared one partial folder and the second deleted
the first's work at its start: both said "Results: out/" and ``out`` held only one of them,
or the first crashed with ``FileNotFoundError``. Every test here uses real processes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from loyaltysim.cli.main import main
from loyaltysim.experiment.folder import partial_dir
from loyaltysim.experiment.lock import FolderBusyError, FolderLock, lock_path
from sweep_helpers import GRID_SWEEP, TINY_CALIBRATION, TINY_TOML

USAGE_ERROR = 2
#: A process that takes the lock on argv[1], says so, and holds it until its stdin closes.
HOLDER = (
    "import sys; from loyaltysim.experiment.lock import FolderLock; "
    "lock = FolderLock(sys.argv[1], ['holder-test']).acquire(); "
    "print('held', flush=True); sys.stdin.read(); lock.release()"
)


def _holder(folder: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_run_into_a_folder_in_use_is_refused_and_nothing_is_lost(
    tmp_path, small_scenario_file, cli
):
    out = tmp_path / "out"
    out.mkdir()
    (out / "meta.json").write_text('{"status": "complete"}')  # a previous result
    (out / "summary.csv").write_text("previous")
    partial = partial_dir(out)
    (partial / "parts").mkdir(parents=True)
    (partial / "parts" / "work.pkl").write_bytes(b"the holder's finished replication")
    before, before_partial = _snapshot(out), _snapshot(partial)
    holder = _holder(out)
    try:
        refused = cli.run("run", small_scenario_file, "--out", out, "--resume", "--quiet")
    finally:
        holder.communicate("")
    assert refused.returncode == USAGE_ERROR, refused.stderr
    assert "Traceback" not in refused.stderr
    assert f"in use by another loyaltysim process (pid {holder.pid} on " in refused.stderr
    assert "started 20" in refused.stderr and "(holder-test)" in refused.stderr
    assert _snapshot(out) == before and _snapshot(partial) == before_partial
    assert not lock_path(out).exists()  # the holder removed it on release


def test_a_sweep_into_a_folder_in_use_is_refused(tmp_path, capsys):
    sweep_file = tmp_path / "sweep.toml"
    sweep_file.write_text(TINY_TOML + GRID_SWEEP)
    out = tmp_path / "sweep_out"
    holder = _holder(out)
    try:
        status = main(["sweep", str(sweep_file), "--out", str(out), "--workers", "1", "--quiet"])
    finally:
        holder.communicate("")
    assert status == USAGE_ERROR
    message = capsys.readouterr().err
    assert f"sweep_out: in use by another loyaltysim process (pid {holder.pid}" in message
    assert not out.exists()  # the refused sweep created nothing


def test_a_calibration_into_a_folder_in_use_is_refused_before_it_fits(tmp_path, capsys):
    file = tmp_path / "calibrate.toml"
    file.write_text(TINY_TOML + TINY_CALIBRATION)
    out = tmp_path / "fit"
    holder = _holder(out)
    try:
        status = main(["calibrate", str(file), "--out", str(out), "--workers", "1", "--quiet"])
    finally:
        holder.communicate("")
    assert status == USAGE_ERROR
    assert f"fit: in use by another loyaltysim process (pid {holder.pid}" in capsys.readouterr().err
    assert not out.exists()


def test_a_stale_lock_of_a_killed_process_is_taken_over(tmp_path):
    out = tmp_path / "out"
    holder = _holder(out)
    with pytest.raises(FolderBusyError, match=f"pid {holder.pid} "):
        FolderLock(out).acquire()
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert lock_path(out).exists()  # left behind by the killed process
    with FolderLock(out, ["second"]) as lock:
        assert lock.stale is not None and f"pid {holder.pid} " in lock.stale
        mine = json.loads(lock_path(out).read_text())
        assert mine["pid"] == os.getpid() and mine["command"] == ["second"]
    assert not lock_path(out).exists()
    with FolderLock(out) as again:  # released cleanly: nothing stale this time
        assert again.stale is None


def _names_a_holder(out):
    try:
        return bool(lock_path(out).read_text().strip())
    except FileNotFoundError:
        return False


def test_an_empty_lock_file_is_a_holder_starting_up(tmp_path):
    # between taking the lock and writing its name the holder's file is empty: the refusal
    # says so rather than calling the file unreadable
    out = tmp_path / "out"
    holder = _holder(out)
    lock_path(out).write_text("")
    try:
        with pytest.raises(FolderBusyError, match="has just taken the lock"):
            FolderLock(out).acquire()
    finally:
        holder.communicate("")


def test_two_real_runs_into_one_folder(tmp_path, small_toml, cli):
    """The case of the issue: two ``loyaltysim run`` at once; one result, whole, and a refusal.

    The first run is paused (SIGSTOP) as soon as it holds the lock, so the second surely
    meets it running, without a slow scenario; then it is let go and must finish.
    """
    file = tmp_path / "small.toml"
    file.write_text(small_toml.replace("figures = true", "figures = false"))
    out = tmp_path / "out"
    first = subprocess.Popen(
        cli.command("run", file, "--out", out, "--workers", "1", "--quiet"),
        env=cli.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # paused once the lock file names it (the file exists a moment before it does)
    deadline = time.monotonic() + 60
    while not _names_a_holder(out) and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    first.send_signal(signal.SIGSTOP)
    try:
        second = cli.run("run", file, "--out", out, "--workers", "1", "--quiet")
    finally:
        first.send_signal(signal.SIGCONT)
    _, stderr = first.communicate(timeout=120)
    assert first.returncode == 0, stderr
    assert second.returncode == USAGE_ERROR, second.stderr
    assert f"(pid {first.pid} on " in second.stderr
    meta = json.loads((out / "meta.json").read_text())
    assert meta["status"] == "complete" and meta["command"][-3:] == ["--workers", "1", "--quiet"]
    assert (out / "summary.csv").exists() and (out / "customers.csv").exists()
    assert not partial_dir(out).exists() and not lock_path(out).exists()
