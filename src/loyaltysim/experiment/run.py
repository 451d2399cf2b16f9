"""Run a scenario: every variant x replication, then summaries, files and figures.

This is ``loyaltysim.run`` and the engine of ``loyaltysim run``. Finished replications are
stored one file each in a hidden ``.<out>.partial`` folder beside the result folder; the
finished result replaces ``out`` in one rename, so an interrupted run never leaves a half
result that looks whole, and ``resume=True`` picks up the finished replications.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pandas as pd

from loyaltysim.analysis.summary import summarise
from loyaltysim.experiment.executor import run_tasks
from loyaltysim.experiment.folder import check_replaceable, partial_dir, publish, write_outputs
from loyaltysim.experiment.replication import ReplicationResult, simulate
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
        progress: Print a line per finished replication on stderr.
        command: The command line to record in ``meta.json``.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    started = time.time()
    variants = variant_names(scenario)
    count = scenario.run.replications
    keep = scenario.output.customers
    tasks = [
        ((v, k), (scenario, v, k, keep == "all" or (keep == "first_replication" and k == 0)))
        for v in variants
        for k in range(count)
    ]
    store = None
    if out is not None:
        out = Path(out)
        check_replaceable(out)
        partial = partial_dir(out)
        if not resume and partial.exists():
            shutil.rmtree(partial)
        store = PartStore(partial, fingerprint(to_toml(scenario)))
        store.open(resume)
    results: dict[tuple[str, int], ReplicationResult] = {}
    todo = []
    for key, args in tasks:
        if store is not None and store.has(*key):
            results[key] = store.load(*key)
        else:
            todo.append((key, args))
    for key, result in run_tasks(simulate, todo, workers):
        if store is not None:
            store.save(*key, result)
        results[key] = result
        if progress:
            print(
                f"  {len(results)}/{len(tasks)} replications done ({key[0]} #{key[1]})",
                file=sys.stderr,
            )
    ordered = [results[key] for key, _ in tasks]
    result = _combine(scenario, ordered)
    if out is not None:
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
