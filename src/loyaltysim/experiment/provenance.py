"""Where a result came from: package versions, Python, platform, git commit, timestamps.

Run folders and sweep folders record the same provenance in ``meta.json``; this is the one
place that gathers it.
"""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any


def iso(stamp: float) -> str:
    """A UNIX time as an ISO 8601 UTC timestamp (seconds)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))


def versions(packages: Iterable[str]) -> dict[str, str]:
    """The installed version of each package (``"not installed"`` when absent)."""
    out = {}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit() -> str | None:
    """The commit of the loyaltysim checkout this code runs from, if it is one."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None


def environment(packages: Iterable[str]) -> dict[str, Any]:
    """The ``versions``, ``python``, ``platform`` and ``git_commit`` entries of ``meta.json``."""
    return {
        "versions": versions(packages),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "git_commit": git_commit(),
    }
