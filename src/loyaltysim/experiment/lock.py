"""One writer per result folder: an advisory lock beside the folder, held while a run writes.

Two runs (or sweeps) into the same ``--out`` at once would share one partial folder, and the
second would delete the first's work when it starts. A run therefore takes an exclusive
``flock`` on ``.<name>.lock`` beside the folder before it touches anything, and keeps it until
it has finished or failed. The file names its holder (pid, host, start time, command) so the
refusal can say who is writing.

The kernel drops a ``flock`` when its holder dies, however it dies (SIGKILL, the OOM killer),
so a lock file left by a killed process is stale by construction: the next run takes it over
and says whose it was. No pid is ever guessed alive or dead, so pid reuse cannot fool it.

``flock`` locks are per host; a folder on a network file system shared by two hosts is only
protected if that file system implements them (NFS v4 and Lustre do).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from loyaltysim.experiment.provenance import iso
from loyaltysim.experiment.store import OutputError, cannot_write
from loyaltysim.scenario.problems import UserError


class FolderBusyError(UserError):
    """Another process is writing the same result folder."""


def lock_path(folder: Path) -> Path:
    """The lock file of ``folder``: beside it, so that it survives the folder being swapped."""
    return folder.parent / f".{folder.name}.lock"


def _holder_of(text: str) -> str:
    """Who holds the lock, from its file's text.

    The file is empty while the holder is between taking the lock and writing its name (a
    few microseconds), and unreadable if something else wrote it.
    """
    if not text.strip():
        return "a process that has just taken the lock and not yet written its name"
    try:
        holder = json.loads(text)
    except json.JSONDecodeError:
        return "an unknown process (the lock file is unreadable)"
    command = " ".join(holder.get("command", []))
    return f"pid {holder.get('pid')} on {holder.get('host')}, started {holder.get('started')}" + (
        f" ({command})" if command else ""
    )


class FolderLock:
    """An exclusive lock on one result or sweep folder, for use in ``with``.

    Attributes:
        folder: The locked folder.
        path: The lock file.
        stale: When the lock was taken over from a process that died holding it, who that
            was (else None).

    """

    def __init__(self, folder: str | Path, command: list[str] | None = None) -> None:
        self.folder = Path(folder)
        self.path = lock_path(self.folder)
        self.command = command if command is not None else sys.argv
        self.stale: str | None = None
        self._fd: int | None = None

    def acquire(self) -> FolderLock:
        """Take the lock, or refuse at once if a live process holds it.

        Raises:
            FolderBusyError: another process holds the lock (its pid and start time named).
            OutputError: the folder's parent cannot be created or written.

        """
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                f"{self.folder}: cannot create its parent folder ({exc.strerror}); "
                "choose another --out"
            ) from None
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise OutputError(
                    f"{self.folder}: cannot write beside it ({self.path.name}: {exc.strerror}); "
                    "choose another --out"
                ) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                text = os.pread(fd, 4096, 0).decode("utf-8", "replace")
                os.close(fd)
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise OutputError(f"{self.path}: cannot be locked ({exc.strerror})") from None
                raise FolderBusyError(
                    f"{self.folder}: in use by another loyaltysim process ({_holder_of(text)}); "
                    "wait for it to finish, or choose another --out"
                ) from None
            # The previous holder may have removed the file between our open and our flock:
            # then we hold a lock on a deleted file, and must lock the one now at that path.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        previous = os.pread(fd, 4096, 0).decode("utf-8", "replace")
        self.stale = _holder_of(previous) if previous.strip() else None
        me = {"pid": os.getpid(), "host": socket.gethostname(), "started": iso(time.time()),
              "command": list(self.command)}  # fmt: skip
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(me).encode("utf-8"), 0)
        except OSError as exc:  # a full disk: the lock file cannot even say who holds it
            os.close(fd)
            raise cannot_write(self.path, exc) from None
        self._fd = fd
        return self

    def release(self) -> None:
        """Give the lock up and remove its file (a no-op if not held)."""
        if self._fd is None:
            return
        self.path.unlink(missing_ok=True)
        os.close(self._fd)  # closing drops the flock
        self._fd = None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()

    def __del__(self) -> None:
        fd: Any = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)
