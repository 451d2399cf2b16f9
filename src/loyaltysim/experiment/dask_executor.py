"""Run sweep tasks on a Dask distributed cluster, streaming results as they finish.

``loyaltysim sweep --scheduler ADDRESS`` connects a :class:`distributed.Client` to a running
scheduler (``tcp://host:8786``, or a scheduler file written by ``dask scheduler
--scheduler-file``, dask-jobqueue or dask-mpi); ``--scheduler local`` starts a
:class:`distributed.LocalCluster` on this machine. How the cluster came to be does not
matter: a Client address is all a sweep needs (see ``docs/experiments.md``).

Two settings matter for this workload:

* **One thread per worker process.** A run is mostly Python and numpy on small arrays and
  holds the GIL; several threads in one worker would share one core.
* **No** ``MALLOC_TRIM_THRESHOLD_``. Dask's nanny sets it (65536) in the workers it spawns so
  that freed memory returns to the OS sooner. Setting it at all switches off glibc's
  dynamic mmap threshold, so every numpy array above 128 KiB is mapped and unmapped afresh
  and page-faulted on each use: at 100,000 customers that meant 2-13x the page faults and
  about 20% more CPU per run; at 10,000 customers (arrays under 128 KiB) nothing measurable
  (``docs/performance.md``). :data:`NUMPY_FRIENDLY` unsets it for clusters started here;
  for clusters started with ``dask worker``, use the configuration file
  ``deploy/dask/loyaltysim.yaml``.

At most ``max_in_flight`` tasks are submitted ahead of the results, so the client holds a
bounded number of futures however long the sweep, and each result is released as soon as
the caller has stored it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from loyaltysim.scenario.problems import UserError

#: Dask configuration for numpy-heavy tasks: do not set MALLOC_TRIM_THRESHOLD_ in workers.
NUMPY_FRIENDLY = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:  # pragma: no cover - the experiments extra is missing
        raise UserError(
            "--scheduler needs Dask distributed: pip install 'loyaltysim[experiments]'"
        ) from None
    return distributed


@contextlib.contextmanager
def connect(scheduler: str, workers: int) -> Iterator[Any]:
    """A Client for ``scheduler``: ``"local"``, a scheduler file, or an address.

    Args:
        scheduler: ``"local"`` starts a LocalCluster with ``workers`` single-threaded
            processes; an existing file is read as a scheduler file; anything else is a
            scheduler address (``tcp://host:8786``).
        workers: Worker processes of a local cluster.

    Raises:
        UserError: the scheduler cannot be reached.

    """
    distributed = _import_distributed()
    import dask

    if scheduler == "local":
        with (
            dask.config.set(NUMPY_FRIENDLY),
            distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client
        return
    try:
        if Path(scheduler).is_file():
            client = distributed.Client(scheduler_file=scheduler, timeout="30s")
        else:
            client = distributed.Client(scheduler, timeout="30s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise UserError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
    with client:
        yield client


def describe_client(client: Any) -> str:
    """One line naming the cluster: address, workers and threads."""
    threads = client.nthreads()
    return (
        f"Dask scheduler {client.scheduler.address} with {len(threads)} worker(s), "
        f"{sum(threads.values())} thread(s)"
    )


def check_worker_code(client: Any, probe: Callable[[], str]) -> None:
    """Refuse a cluster whose workers run a different loyaltysim source.

    Args:
        client: The connected client.
        probe: Returns the fingerprint of the source on disk; run here and on every
            worker at the same moment.

    Raises:
        UserError: some workers run other code.

    """
    found = client.run(probe)
    code = probe()
    other = sorted(worker for worker, theirs in found.items() if theirs != code)
    if other:
        raise UserError(
            f"{len(other)} Dask worker(s) run a different loyaltysim source than this client "
            f"(e.g. {other[0]}); install the same version on every worker"
        )


def run_tasks_dask[K](
    client: Any,
    fn: Callable[..., dict[str, Any]],
    shared: Any,
    tasks: Iterable[tuple[K, tuple[Any, ...]]],
    key_prefix: str,
    max_in_flight: int | None = None,
) -> Iterator[tuple[K, dict[str, Any]]]:
    """Yield ``(key, fn(shared, *args))`` for each task as it finishes on the cluster.

    ``shared`` (the base scenario) is scattered to every worker once instead of travelling
    with each task. A task that fails on the cluster itself (its worker died too often, or
    the result could not be deserialised) yields a failure record like the ones
    :func:`loyaltysim.experiment.sweep.task.run_point` returns.

    Args:
        client: A connected :class:`distributed.Client`.
        fn: The task function; it gets ``shared`` first.
        shared: Data every task needs.
        tasks: ``(key, args)`` pairs; ``key`` is ``(point, replication)``.
        key_prefix: Prefix of the Dask task keys (shown on the dashboard).
        max_in_flight: Tasks submitted ahead (default: twice the cluster's threads, at
            least 8).

    """
    distributed = _import_distributed()
    if max_in_flight is None:
        max_in_flight = max(8, 2 * sum(client.nthreads().values()))
    [shared_future] = client.scatter([shared], broadcast=True, hash=False)
    queue = iter(tasks)
    pending: dict[Any, K] = {}
    finished = distributed.as_completed()

    def submit_next() -> bool:
        item = next(queue, None)
        if item is None:
            return False
        key, args = item
        name = f"{key_prefix}-" + "-".join(map(str, key)) if isinstance(key, tuple) else key
        future = client.submit(fn, shared_future, *args, key=str(name), pure=False)
        pending[future] = key
        finished.add(future)
        return True

    for _ in range(max_in_flight):
        if not submit_next():
            break
    try:
        for future in finished:
            key = pending.pop(future)
            if future.status == "finished":
                yield key, future.result()
            else:
                yield key, _cluster_failure(key, future)
            future.release()
            submit_next()
    finally:
        for future in pending:
            future.cancel()
        shared_future.release()


def _cluster_failure(key: Any, future: Any) -> dict[str, Any]:
    """A failure record for a task that failed on the cluster, not inside the run."""
    import traceback as tb

    exc = future.exception()
    point, replication = key if isinstance(key, tuple) else (key, 0)
    return {
        "point": point,
        "replication": replication,
        "ok": False,
        "error": f"{type(exc).__name__}: {exc} (failed on the Dask cluster)",
        "traceback": "".join(tb.format_tb(future.traceback())) if future.traceback() else "",
        "host": "",
        "pid": 0,
        "code": "",
        "seconds": 0.0,
    }
