"""One run of a sweep, as a worker executes it: a design point, one replication.

The task is a pure function of its arguments. Replication ``k`` of every point uses child
``k`` of the scenario's root seed (:func:`loyaltysim.experiment.seeds.replication_seed`),
so points are compared with common random numbers and a result does not depend on the
worker, the executor or the order in which runs finish.

A worker returns only the run's per-shop figures (a few hundred numbers), never its time
series, so that results of thousands of runs can stream through the parent process. An
exception inside the run is caught and returned as a failure record (message and
traceback), so one bad point never stops a sweep.
"""

from __future__ import annotations

import functools
import hashlib
import os
import socket
import threading
import time
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from loyaltysim.experiment.replication import simulate
from loyaltysim.scenario.keypaths import point_scenario
from loyaltysim.scenario.schema import Scenario


def source_fingerprint() -> str:
    """A hash of the loyaltysim source files as they are on disk now.

    Workers of a cluster may run another installation of the package; comparing this
    hash keeps results of different code from mixing silently.
    """
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


#: The source fingerprint when this process first asked: recorded with every run.
code_fingerprint = functools.cache(source_fingerprint)


_watched_parent: int | None = None


def exit_with_parent(parent: int) -> None:
    """End this worker process soon after process ``parent`` ends.

    A process-pool worker whose parent was killed (SIGKILL, the OOM killer, a batch
    system's time limit) would otherwise wait for work forever, holding a core and memory.
    """
    global _watched_parent
    if parent == os.getpid() or _watched_parent == parent:
        return
    _watched_parent = parent

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # alive, owned by someone else (cannot happen here)
                pass

    threading.Thread(target=watch, name="loyaltysim-parent-watch", daemon=True).start()


def run_point(
    base: Scenario,
    values: Mapping[str, Any],
    point: int,
    replication: int,
    parent: int | None = None,
) -> dict[str, Any]:
    """Run replication ``replication`` of the design point ``values`` of ``base``.

    Args:
        base: The scenario without variants, sweep or calibration
            (:func:`loyaltysim.scenario.keypaths.plain_base`).
        values: ``{dotted key: value}`` of this point.
        point: The point's number in the design.
        replication: The replication number ``k`` (its seed is child ``k`` of run.seed).
        parent: PID of the process that submitted the task; a local worker exits when
            it is gone (see :func:`exit_with_parent`).

    Returns:
        A JSON-ready record: ``point``, ``replication``, ``ok``, ``seconds`` (wall),
        ``cpu_seconds``, ``host``, ``pid``, ``code``, and either ``figures`` (column ->
        list, one entry per shop) or ``error`` and ``traceback``.

    """
    if parent is not None:
        exit_with_parent(parent)
    started, cpu = time.perf_counter(), time.process_time()
    record: dict[str, Any] = {
        "point": point,
        "replication": replication,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "code": code_fingerprint(),
    }
    try:
        scenario = point_scenario(base, values)
        figures = simulate(scenario, "base", replication).figures
        figures = figures.drop(columns=["variant", "replication"])
        record["figures"] = {column: figures[column].tolist() for column in figures.columns}
        record["ok"] = True
    except Exception as exc:  # recorded, and the sweep goes on
        record["ok"] = False
        record["error"] = f"{type(exc).__name__}: {exc}"
        record["traceback"] = traceback.format_exc()
    record["seconds"] = time.perf_counter() - started
    record["cpu_seconds"] = time.process_time() - cpu
    return record
