"""A folder of finished replications, written one file each, atomically.

Each finished replication is pickled to ``parts/<variant>/<replication>.pkl`` through a
temporary file and ``os.replace``, so a file either is whole or is not there. A run that is
killed can be resumed: finished parts are loaded, missing ones are run, none is run twice.
The scenario's fingerprint is stored with the parts, and a resume with a changed scenario is
refused rather than silently mixing results of two scenarios.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from loyaltysim.scenario.problems import UserError

_UMASK = os.umask(0)
os.umask(_UMASK)


def fingerprint(text: str) -> str:
    """A short, stable hash of a resolved scenario."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class OutputError(UserError):
    """A result cannot be written where asked (missing, read-only, full, not ours)."""


def cannot_write(path: Path, exc: OSError) -> OutputError:
    """The user's message for a failed write: where, why, and that nothing was replaced."""
    reason = exc.strerror or str(exc)
    hint = "free some space" if exc.errno == errno.ENOSPC else "choose a writable place"
    return OutputError(
        f"{path}: cannot be written ({reason}); nothing that was there is replaced; "
        f"{hint} or choose another --out"
    )


def write_atomic(path: Path, data: bytes | str | Iterable[str]) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the whole new one.

    ``data`` may be text in pieces (an iterator of strings), written as they come, so a
    large table need not be held whole.

    Raises:
        OutputError: the file cannot be written (no such place, read-only, disk full);
            the old file, if any, is unchanged.

    """
    mode = "wb" if isinstance(data, bytes) else "w"
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as fh:
            if isinstance(data, bytes | str):
                fh.write(data)
            else:
                fh.writelines(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise cannot_write(path, exc) from None
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise


class StaleStoreError(UserError):
    """The folder holds results of a different scenario."""


class PartStore:
    """Finished replications of one scenario under ``root/parts``."""

    def __init__(self, root: Path, scenario_fingerprint: str) -> None:
        self.root = Path(root)
        self.fingerprint = scenario_fingerprint

    def open(self, resume: bool) -> None:
        """Start a new store, or check that an existing one belongs to this scenario."""
        stamp = self.root / "parts" / "scenario.json"
        if resume and stamp.exists():
            found = json.loads(stamp.read_text(encoding="utf-8"))["fingerprint"]
            if found != self.fingerprint:
                raise StaleStoreError(
                    f"{self.root}: the finished replications there belong to a different "
                    f"scenario (fingerprint {found}, now {self.fingerprint}); run without "
                    "--resume to start again"
                )
            return
        write_atomic(stamp, json.dumps({"fingerprint": self.fingerprint}))

    def _path(self, variant: str, replication: int) -> Path:
        return self.root / "parts" / variant / f"{replication:06d}.pkl"

    def has(self, variant: str, replication: int) -> bool:
        """Whether this replication is finished."""
        return self._path(variant, replication).exists()

    def save(self, variant: str, replication: int, result: Any) -> None:
        """Store a finished replication."""
        write_atomic(self._path(variant, replication), pickle.dumps(result, protocol=5))

    def load(self, variant: str, replication: int) -> Any:
        """Load a finished replication (written by this package, so trusted)."""
        return pickle.loads(self._path(variant, replication).read_bytes())
