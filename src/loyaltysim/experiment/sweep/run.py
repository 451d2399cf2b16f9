"""Run a sweep: every design point x replication, on local processes or a Dask cluster.

This is the engine of ``loyaltysim sweep`` and its Python API::

    from loyaltysim.experiment.sweep.run import run_sweep
    result = run_sweep(scenario, "results/my_sweep", workers=4)
    result = run_sweep(scenario, "results/my_sweep", client=distributed.Client(address))

Each finished run is written to the sweep folder at once (one small file, atomically) and
then forgotten, so the parent's memory does not grow with the number of runs and a crash
loses at most the runs in flight. At the end the files are gathered into ``sweep.parquet``
and ``sweep.csv`` (see :mod:`loyaltysim.experiment.sweep.store`).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loyaltysim.experiment.checks import sweep_design
from loyaltysim.experiment.executor import run_tasks
from loyaltysim.experiment.lock import FolderLock
from loyaltysim.experiment.main_module import workers_skip_main
from loyaltysim.experiment.progress import Progress, hours_minutes_seconds
from loyaltysim.experiment.provenance import environment, iso
from loyaltysim.experiment.resources import check_fits, estimate_sweep_run
from loyaltysim.experiment.store import write_atomic
from loyaltysim.experiment.sweep.design import Design
from loyaltysim.experiment.sweep.size import size_warning
from loyaltysim.experiment.sweep.store import SweepFolder, sweep_fingerprint
from loyaltysim.experiment.sweep.task import code_fingerprint, run_point, source_fingerprint
from loyaltysim.scenario.keypaths import plain_base
from loyaltysim.scenario.schema import Scenario

#: Packages whose versions ``meta.json`` records.
PACKAGES = ("loyaltysim", "mesa", "numpy", "pandas", "scipy", "pydantic", "SALib", "dask",
            "distributed", "pyarrow")  # fmt: skip


@dataclass
class SweepResult:
    """What a sweep did.

    Attributes:
        out: The sweep folder.
        design: The design that ran.
        runs: Runs in the sweep (points x replications).
        previously_done: Runs found finished when the sweep (re)started.
        ran: Runs executed now (successful or failed).
        failed: Runs without a result at the end (listed in ``failures.csv``).
        rows: Rows of ``sweep.parquet``.
        wall_seconds: Wall time of this invocation.
        executor: Where the runs ran.
        sources: Runs per loyaltysim source fingerprint (one key unless the code changed).

    """

    out: Path
    design: Design
    runs: int
    previously_done: int
    ran: int
    failed: int
    rows: int
    wall_seconds: float
    executor: str
    sources: dict[str, int] = field(default_factory=dict)

    @property
    def runs_per_minute(self) -> float:
        """Runs executed per minute of wall time in this invocation."""
        return 60.0 * self.ran / self.wall_seconds if self.wall_seconds > 0 else 0.0

    def summary(self) -> str:
        """The lines printed at the end of ``loyaltysim sweep``."""
        before = f" ({self.previously_done} done before)" if self.previously_done else ""
        lines = [
            f"sweep: {self.runs} runs{before}: {self.ran} run now, {self.failed} failed; "
            f"{_duration(self.wall_seconds)} wall, {self.runs_per_minute:,.1f} runs/min "
            f"on {self.executor}",
            f"results: {self.out}/sweep.parquet ({self.rows:,} rows: point x replication x "
            "shop), sweep.csv, design.csv, failures.csv, meta.json",
        ]
        if len(self.sources) > 1:
            counts = ", ".join(f"{n} runs by {code}" for code, n in self.sources.items())
            lines.append(
                f"warning: the runs come from {len(self.sources)} different loyaltysim sources "
                f"({counts}): the code changed during the sweep; see meta.json"
            )
        if self.failed:
            lines.append(
                f"{self.failed} run(s) failed: see {self.out}/failures.csv; rerun with --resume "
                "to retry them"
            )
        return "\n".join(lines)


def _duration(seconds: float) -> str:
    hours, minutes, secs = hours_minutes_seconds(seconds)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def run_sweep(
    scenario: Scenario,
    out: str | Path,
    *,
    file: str | Path | None = None,
    text: str | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    client: Any = None,
    resume: bool = False,
    progress: bool = False,
    command: list[str] | None = None,
) -> SweepResult:
    """Run every point x replication of the scenario's ``[sweep]`` into ``out``.

    Args:
        scenario: A validated scenario with a ``sweep`` section.
        out: The sweep folder.
        file: The scenario file, to place errors in the sweep section on their lines.
        text: The file's text (read from ``file`` if not given).
        workers: Local worker processes (1: run in this process); with
            ``scheduler="local"``, the LocalCluster's workers.
        scheduler: ``None`` (local processes), ``"local"`` (a Dask LocalCluster), a scheduler
            address ``tcp://host:port`` or a scheduler file.
        client: A connected :class:`distributed.Client` (instead of ``scheduler``).
        resume: Continue the sweep in ``out``, running only what is missing.
        progress: Show the progress display on stderr (on a terminal only).
        command: The command line, for ``meta.json``.

    Raises:
        loyaltysim.scenario.problems.ScenarioError: the sweep section is invalid (located).
        loyaltysim.scenario.problems.UserError: the folder cannot be used (another
            process writes it, it cannot be written), or the runs cannot fit in memory.

    """
    started = time.time()
    file = file if file is not None else "<scenario>"
    design = sweep_design(scenario, file, "" if text is None and file == "<scenario>" else text)
    assert scenario.sweep is not None
    warning = size_warning(design, scenario.sweep.replications)
    if warning is not None:
        print(f"loyaltysim: {warning}", file=sys.stderr)
    if scheduler in (None, "local") and client is None:  # a cluster's memory is not ours
        check_fits(estimate_sweep_run(scenario), workers, "the sweep")
    with FolderLock(out, command):  # one sweep per folder; held until meta.json is final
        return _sweep(scenario, design, Path(out), workers, scheduler, client, resume,
                      progress, command, started)  # fmt: skip


def _sweep(
    scenario: Scenario,
    design: Design,
    out: Path,
    workers: int,
    scheduler: str | None,
    client: Any,
    resume: bool,
    progress: bool,
    command: list[str] | None,
    started: float,
) -> SweepResult:
    """The sweep itself; the caller checked the design and holds the folder's lock."""
    assert scenario.sweep is not None
    replications = scenario.sweep.replications
    folder = SweepFolder(out)
    folder.start(scenario, design, resume)
    done = {key for key in folder.finished() if key[0] < len(design) and key[1] < replications}
    total = len(design) * replications
    base = plain_base(scenario)
    stamp = sweep_fingerprint(scenario)

    def todo() -> Iterator[tuple[tuple[int, int], tuple[Any, ...]]]:
        for point in range(len(design)):
            values = design.values_of(point)
            for k in range(replications):
                if (point, k) not in done:
                    yield (point, k), (values, point, k)

    meta = _meta(scenario, design, stamp, command, started)
    write_atomic(folder.root / "meta.json", json.dumps({**meta, "status": "running"}, indent=2))
    ran = rows = failed = 0
    sources: dict[str, int] = {}
    executor = ""
    status = "interrupted"
    context = (
        _dask_context(scheduler, workers) if scheduler is not None and client is None
        else nullcontext(client)
    )  # fmt: skip
    try:
        with context as dask_client:
            if dask_client is not None:
                from loyaltysim.experiment.dask_executor import (
                    check_worker_code,
                    describe_client,
                    run_tasks_dask,
                )

                check_worker_code(dask_client, source_fingerprint)
                executor = describe_client(dask_client)
                stream = run_tasks_dask(
                    dask_client, run_point, base, todo(), key_prefix=f"loyaltysim-{stamp[:8]}"
                )
            else:
                executor = "1 process" if workers <= 1 else f"a local pool of {workers} processes"
                parent = os.getpid()
                stream = run_tasks(
                    run_point, (((key, (base, *args, parent)) for key, args in todo())), workers
                )
            if progress:
                before = f", {len(done)} done before" if done else ""
                print(
                    f"loyaltysim: {design.method} design, {len(design)} points x "
                    f"{replications} replications = {total} runs{before}, into {folder.root}/ "
                    f"on {executor}",
                    file=sys.stderr,
                )
            failed_now = 0
            with (
                Progress(
                    scenario.name, total, unit="runs", done=len(done), enabled=progress
                ) as bar,
                workers_skip_main(),  # so an unguarded script or stdin works too
            ):
                for _key, record in stream:
                    folder.save(record)
                    ran += 1
                    failed_now += not record["ok"]
                    bar.update(1, note=f"{failed_now} failed" if failed_now else None)
        status = "gathering"
        order = ((p, k) for p in range(len(design)) for k in range(replications))
        gathered = folder.gather(design, order, scenario.run.seed)
        rows, failed, sources = gathered.rows, gathered.failed, dict(gathered.sources)
        status = "complete" if failed == 0 else "complete with failures"
    finally:
        wall = time.time() - started
        final = {
            **meta,
            "status": status,
            "runs": total,
            "previously_done": len(done),
            "ran": ran,
            "wall_seconds": round(wall, 3),
            "finished": iso(time.time()),
        }
        if status.startswith("complete"):
            final.update(
                failed=failed,
                rows=rows,
                executor=executor,
                runs_per_minute=60 * ran / wall,
                runs_per_source=sources,
            )
        write_atomic(folder.root / "meta.json", json.dumps(final, indent=2))
    return SweepResult(
        out=folder.root,
        design=design,
        runs=total,
        previously_done=len(done),
        ran=ran,
        failed=failed,
        rows=rows,
        wall_seconds=wall,
        executor=executor,
        sources=sources,
    )


def _dask_context(scheduler: str, workers: int) -> Any:
    from loyaltysim.experiment.dask_executor import connect

    return connect(scheduler, workers)


def _meta(
    scenario: Scenario,
    design: Design,
    stamp: str,
    command: list[str] | None,
    started: float,
) -> dict[str, Any]:
    assert scenario.sweep is not None
    return {
        "kind": "sweep",
        "scenario": scenario.name,
        "design": design.method,
        "points": len(design),
        "replications": scenario.sweep.replications,
        "outputs": scenario.sweep.outputs,
        "seed": scenario.run.seed,
        "seeds": "replication k of every point uses child k of "
        "numpy.random.SeedSequence(seed) (common random numbers)",
        "fingerprint": stamp,
        "code": code_fingerprint(),
        "command": command if command is not None else sys.argv,
        "started": iso(started),
        **environment(PACKAGES),
    }
