"""Unwritable places: exit 2 with a clear message, and the previous complete result intact.

Before, ``--out /proc/x`` ended in a ``FileNotFoundError`` traceback, and a full disk or a
read-only folder in an ``OSError`` traceback. The full disk is simulated twice: by a hook
that fails the n-th write (always), and by a real tmpfs filled up (where this process may
mount one, as root in a container may); the read-only folder by that tmpfs remounted read-only.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from loyaltysim.cli.main import main
from loyaltysim.experiment.folder import partial_dir
from sweep_helpers import GRID_SWEEP, TINY_CALIBRATION, TINY_TOML

USAGE_ERROR = 2


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _fail_writes_after(monkeypatch: pytest.MonkeyPatch, allowed: int) -> None:
    """Make every file write after the first ``allowed`` fail as on a full disk."""
    calls = {"n": 0}
    real = os.fsync

    def fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] > allowed:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


def test_out_that_cannot_be_created(tmp_path, small_scenario_file, cli, capsys):
    done = cli.run("run", small_scenario_file, "--out", "/proc/loyaltysim_x/result", "--quiet")
    assert done.returncode == USAGE_ERROR, done.stderr
    assert "Traceback" not in done.stderr
    assert "/proc/loyaltysim_x/result: cannot create its parent folder" in done.stderr
    sweep_file = tmp_path / "sweep.toml"
    sweep_file.write_text(TINY_TOML + GRID_SWEEP)
    args = ["sweep", str(sweep_file), "--out", "/proc/loyaltysim_x", "--workers", "1", "--quiet"]
    assert main(args) == USAGE_ERROR
    assert "/proc/loyaltysim_x: cannot write beside it" in capsys.readouterr().err
    fit_file = tmp_path / "fit.toml"
    fit_file.write_text(TINY_TOML + TINY_CALIBRATION)
    assert main(["calibrate", str(fit_file), "--out", "/proc/loyaltysim_x", "--quiet"]) == 2
    assert "/proc/loyaltysim_x: cannot write beside it" in capsys.readouterr().err


def test_a_full_disk_leaves_the_previous_result(tmp_path, small_toml, monkeypatch, capsys):
    file = tmp_path / "small.toml"
    file.write_text(small_toml.replace("figures = true", "figures = false"))
    out = tmp_path / "out"
    args = ["run", str(file), "--out", str(out), "--workers", "1", "--quiet"]
    assert main(args) == 0
    before = _snapshot(out)
    for allowed in (0, 3, 9):  # the first write, a replication part, the tables
        _fail_writes_after(monkeypatch, allowed)
        capsys.readouterr()
        assert main(args) == USAGE_ERROR
        message = capsys.readouterr().err
        assert "cannot be written (No space left on device)" in message, message
        assert "nothing that was there is replaced; free some space" in message
        assert _snapshot(out) == before
        monkeypatch.undo()
    assert main([*args, "--resume"]) == 0  # once there is room, the run goes through


def test_a_full_disk_during_a_sweep_keeps_the_finished_runs(tmp_path, monkeypatch, capsys):
    file = tmp_path / "sweep.toml"
    file.write_text(TINY_TOML + GRID_SWEEP)
    out = tmp_path / "sweep"
    args = ["sweep", str(file), "--out", str(out), "--workers", "1", "--quiet"]
    _fail_writes_after(monkeypatch, 8)  # scenario, design, settings, meta, then 4 runs
    assert main(args) == USAGE_ERROR
    assert "cannot be written (No space left on device)" in capsys.readouterr().err
    monkeypatch.undo()
    assert len(list((out / "runs").glob("p*.json"))) == 4
    assert main([*args, "--resume"]) == 0
    assert "12 runs (4 done before): 8 run now, 0 failed" in capsys.readouterr().out


@pytest.fixture
def tmpfs(tmp_path) -> Iterator[Callable[[int], Path]]:
    """``tmpfs(kb)``: a tmpfs of ``kb`` kB at ``tmp_path/fs`` (skipped where none mounts)."""
    mount = tmp_path / "fs"
    mounted = []

    def make(kb: int) -> Path:
        mount.mkdir()
        made = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={kb}k", "tmpfs", str(mount)],
            capture_output=True,
            check=False,
        )
        if made.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({made.stderr.decode().strip()})")
        mounted.append(mount)
        return mount

    try:
        yield make
    finally:
        for path in mounted:
            subprocess.run(["umount", "-l", str(path)], check=False)


def _fill(folder: Path) -> None:
    """Write zeros into ``folder`` until its file system is full."""
    with (folder / "filler").open("wb", buffering=0) as fh:
        try:
            while True:
                fh.write(bytes(65536))
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def test_a_real_full_disk_and_a_read_only_folder(tmp_path, tmpfs, small_toml, capsys):
    """On a real 8 MB file system: a result, then the disk filled up, then read-only."""
    lean = tmp_path / "lean.toml"
    lean.write_text(small_toml.replace("figures = true", "figures = false"))
    fs = tmpfs(8192)
    out = fs / "out"
    args = ["run", str(lean), "--out", str(out), "--workers", "1", "--quiet"]
    assert main(args) == 0
    before = _snapshot(out)
    _fill(fs)
    capsys.readouterr()
    assert main(args) == USAGE_ERROR
    assert "cannot be written (No space left on device)" in capsys.readouterr().err
    assert _snapshot(out) == before
    (fs / "filler").unlink()
    kept = _snapshot(partial_dir(out))  # finished replications, kept for --resume
    subprocess.run(["mount", "-o", "remount,ro", str(fs)], check=True)
    assert main(args) == USAGE_ERROR
    assert "Read-only file system" in capsys.readouterr().err
    assert _snapshot(out) == before and _snapshot(partial_dir(out)) == kept
