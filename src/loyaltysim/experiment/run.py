"""Run a scenario: every variant x replication, then summaries, files and figures.

This is ``loyaltysim.run`` and the engine of ``loyaltysim run``. Finished replications are
stored one file each in a hidden ``.<out>.partial`` folder beside the result folder; the
finished result replaces ``out`` in one rename, so an interrupted run never leaves a half
result that looks whole, and ``resume=True`` picks up the finished replications.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from loyaltysim.analysis.summary import summarise
from loyaltysim.experiment.executor import run_tasks
from loyaltysim.experiment.folder import (
    check_replaceable,
    clear_partial,
    partial_dir,
    publish,
    write_outputs,
)
from loyaltysim.experiment.holdout import require_fitter
from loyaltysim.experiment.lock import FolderLock
from loyaltysim.experiment.main_module import workers_skip_main
from loyaltysim.experiment.orders import ORDERS_FILE, merge, part_path
from loyaltysim.experiment.progress import Progress
from loyaltysim.experiment.replication import ReplicationResult, simulate
from loyaltysim.experiment.resources import check_fits, estimate_run
from loyaltysim.experiment.results import RunResult
from loyaltysim.experiment.store import PartStore, fingerprint
from loyaltysim.scenario import Scenario, load_scenario, to_toml, variant_names


def run(
    scenario: Scenario | str | Path,
    out: str | Path | None = None,
    *,
    workers: int = 1,
    resume: bool = False,
    progress: bool = False,
    command: list[str] | None = None,
) -> RunResult:
    """Run every variant and replication of ``scenario``; write a result folder if ``out``.

    Args:
        scenario: A validated scenario or the path of a scenario file.
        out: Result folder (replaced as a whole when the run finishes).
        workers: Processes running replications in parallel (results do not depend on it).
        resume: Reuse replications finished by an interrupted run into the same ``out``.
        progress: Show the progress display on stderr (on a terminal only).
        command: The command line to record in ``meta.json``.

    Raises:
        loyaltysim.experiment.resources.ResourceError: the run cannot fit in memory.
        loyaltysim.experiment.lock.FolderBusyError: another process writes ``out``.
        loyaltysim.experiment.store.OutputError: ``out`` cannot be written; a previous
            result there is left as it was.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    check_fits(estimate_run(scenario), workers)
    require_fitter(scenario)
    if out is None:
        return _run(scenario, None, workers, resume, progress, command)
    out = Path(out)
    with FolderLock(out, command):  # held until the result is in place, or the run failed
        check_replaceable(out)
        return _run(scenario, out, workers, resume, progress, command)


def _run(
    scenario: Scenario,
    out: Path | None,
    workers: int,
    resume: bool,
    progress: bool,
    command: list[str] | None,
) -> RunResult:
    """The run itself; the caller holds the lock on ``out``."""
    started = time.time()
    variants = variant_names(scenario)
    count = scenario.run.replications
    keep = scenario.output.customers
    log = out is not None and scenario.output.orders
    tasks = [
        (
            (v, k),
            (
                scenario,
                v,
                k,
                keep == "all" or (keep == "first_replication" and k == 0),
                part_path(partial_dir(out), v, k) if log else None,
            ),
        )
        for v in variants
        for k in range(count)
    ]
    store = None
    if out is not None:
        if not resume:
            clear_partial(out)
        store = PartStore(partial_dir(out), fingerprint(to_toml(scenario)))
        store.open(resume)
    results: dict[tuple[str, int], ReplicationResult] = {}
    todo = []
    for key, args in tasks:
        orders = args[-1]  # a replication is finished with its transaction log, if one is kept
        if store is not None and store.has(*key) and (orders is None or orders.exists()):
            results[key] = store.load(*key)
        else:
            todo.append((key, args))
    display = Progress(
        scenario.name, len(tasks), unit="replications", done=len(results), enabled=progress
    )
    with display, workers_skip_main():  # so an unguarded script or stdin works too
        for key, result in run_tasks(simulate, todo, workers):
            if store is not None:
                store.save(*key, result)
            results[key] = result
            display.update(note=f"{key[0]} #{key[1]}")
    ordered = [results[key] for key, _ in tasks]
    result = _combine(scenario, ordered)
    if out is not None:
        if log:
            merge([args[-1] for _, args in tasks], partial_dir(out) / ORDERS_FILE)
        write_outputs(result, partial_dir(out), started=started, workers=workers, command=command)
        publish(partial_dir(out), out)
        result.out = out
    return result


def _combine(scenario: Scenario, parts: list[ReplicationResult]) -> RunResult:
    def cat(name: str) -> pd.DataFrame:
        return pd.concat([getattr(p, name) for p in parts], ignore_index=True)

    customers = [p.customers for p in parts if p.customers is not None]
    replications = cat("figures")
    return RunResult(
        scenario=scenario,
        timeseries=cat("timeseries"),
        replications=replications,
        summary=summarise(replications),
        retention=cat("retention"),
        customers=pd.concat(customers, ignore_index=True) if customers else None,
    )
