"""Source trees of loyaltysim side by side: a git revision or a folder, measured in a child.

Tools that compare two engines (``scripts/equivalence.py``, ``benchmarks/bench_crn.py``,
``benchmarks/bench_engines.py``) need the same two steps: get the package's source as of a
revision (``git archive REV | tar -x``) or take a folder as it is, then run a function in a
fresh interpreter whose ``PYTHONPATH`` starts with that tree's ``src``, so ``import loyaltysim``
loads that tree and nothing else. :func:`call` checks this in the child (``loyaltysim.__file__``
must lie in the tree) rather than trusting the environment: the shared virtual environment's
editable install points at another checkout, and a silent fallback to it would compare an engine
with itself.

The measured function lives in the calling script (named by file and function), takes and returns
JSON-able values and uses only the public API, so it runs on old and new trees alike. Nothing here
imports ``loyaltysim`` at module level: this module is imported by children of any tree.
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: Exit status of a child whose scenario was refused (``loyaltysim.ScenarioError``): bad input.
BAD_INPUT = 2


class TreeError(Exception):
    """A tree that cannot be had or a child that failed; the message says which and why."""

    def __init__(self, message: str, status: int = BAD_INPUT) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Tree:
    """A source tree of the package: ``label`` as given (revision or folder), ``root`` on disk.

    ``commit`` is the full hash of a revision, or the folder's ``HEAD`` plus ``+changes`` when
    its ``src`` differs from it (empty outside a git checkout).
    """

    label: str
    root: Path
    commit: str

    @property
    def src(self) -> Path:
        """The folder that goes first on the child's ``PYTHONPATH``."""
        return self.root / "src"


@dataclass(frozen=True)
class Reply:
    """What a child returned, the package it really imported and what it cost.

    ``cpu_seconds`` is the child's user + system time including interpreter start-up and imports
    (and any worker processes it waited for); ``wall_seconds`` is the same span on the clock.
    """

    result: Any
    loyaltysim_file: str
    cpu_seconds: float
    wall_seconds: float


def _git(*args: str, cwd: Path = ROOT) -> str:
    done = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise TreeError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done.stdout.strip()


def extract(revision: str, dest: Path) -> str:
    """Unpack ``git archive REVISION`` of this repository into ``dest``; return the full commit.

    Raises:
        TreeError: ``revision`` names no commit of this repository, or unpacking failed.
    """
    try:
        commit = _git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except TreeError:
        raise TreeError(
            f"{revision!r} is neither a folder with src/loyaltysim nor a git revision of {ROOT}"
        ) from None
    dest.mkdir(parents=True, exist_ok=True)
    archive = subprocess.Popen(
        ["git", "-C", str(ROOT), "archive", commit], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    untar = subprocess.run(["tar", "-x", "-C", str(dest)], stdin=archive.stdout, check=False)
    assert archive.stdout is not None
    archive.stdout.close()
    if archive.wait() != 0 or untar.returncode != 0:
        raise TreeError(f"git archive {revision} | tar -x -C {dest} failed", status=1)
    return commit


def _folder_commit(folder: Path) -> str:
    """``HEAD`` of the checkout holding ``folder`` (``+changes`` if its src differs), or ''."""
    try:
        head = _git("rev-parse", "HEAD", cwd=folder)
        changes = _git("status", "--porcelain", "--", "src", cwd=folder)
    except TreeError:
        return ""
    return head + ("+changes" if changes else "")


def resolve(spec: str, workdir: Path) -> Tree:
    """The tree ``spec`` names: an existing folder holding ``src/loyaltysim``, else a revision.

    A revision is extracted into a fresh folder under ``workdir`` (the caller removes it).

    Raises:
        TreeError: ``spec`` is a folder without ``src/loyaltysim``, or no revision.
    """
    folder = Path(spec).expanduser()
    if folder.is_dir():
        root = folder.resolve()
        if not (root / "src" / "loyaltysim" / "__init__.py").is_file():
            raise TreeError(f"{spec}: a folder, but without src/loyaltysim/__init__.py")
        return Tree(spec, root, _folder_commit(root))
    dest = workdir / f"tree{len(list(workdir.iterdir()))}"
    commit = extract(spec, dest)
    return Tree(spec, dest, commit)


def call(tree: Tree, script: Path, function: str, **kwargs: Any) -> Reply:
    """Run ``function(**kwargs)`` of ``script`` in a fresh interpreter on ``tree``'s package.

    The child imports ``script`` by its path (its ``__main__`` block does not run), so the
    measured code is this checkout's while ``loyaltysim`` is the tree's.

    Raises:
        TreeError: the child exited non-zero (status 2 when it refused the scenario; the child's
            message is kept), or it imported ``loyaltysim`` from outside ``tree``.
    """
    env = {**os.environ, "PYTHONPATH": str(tree.src)}
    command = [sys.executable, str(Path(__file__).resolve()), str(script), function]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        command, input=json.dumps(kwargs), capture_output=True, text=True, env=env, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()
        tail = "\n".join(detail[-15:]) if done.returncode != BAD_INPUT else "\n".join(detail)
        status = BAD_INPUT if done.returncode == BAD_INPUT else 1
        raise TreeError(f"{tree.label}: {function} failed\n{tail}", status=status)
    reply = json.loads(done.stdout.strip().splitlines()[-1])
    imported = Path(reply["loyaltysim"]).resolve()
    if not imported.is_relative_to(tree.src.resolve()):
        raise TreeError(f"{tree.label}: the child imported {imported}, not {tree.src}", status=1)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Reply(reply["result"], str(imported), cpu, wall)


def _child(script: str, function: str) -> int:
    """The child's side of :func:`call`: arguments on stdin, the reply as stdout's last line."""
    spec = importlib.util.spec_from_file_location("_measured", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import loyaltysim

    try:
        result = getattr(module, function)(**json.loads(sys.stdin.read()))
    except loyaltysim.ScenarioError as exc:
        print(f"{exc}", file=sys.stderr)
        return BAD_INPUT
    print(json.dumps({"loyaltysim": loyaltysim.__file__, "result": result}))
    return 0


if __name__ == "__main__":
    sys.exit(_child(*sys.argv[1:]))
