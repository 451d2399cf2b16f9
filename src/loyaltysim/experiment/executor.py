"""Run independent tasks in this process or a local process pool.

Tasks are pure functions of their arguments (each replication seeds itself from the
scenario's root seed and its index), so the results do not depend on how many workers ran
them or in which order they finished; callers sort them by task key.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from loyaltysim.scenario.problems import UserError


class WorkerLostError(UserError):
    """A local worker process died (killed, or out of memory) before its task finished."""


def default_workers() -> int:
    """All cores this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def run_tasks[K, R](
    fn: Callable[..., R], tasks: Iterable[tuple[K, tuple[Any, ...]]], workers: int = 1
) -> Iterator[tuple[K, R]]:
    """Yield ``(key, fn(*args))`` for each ``(key, args)`` task as it finishes.

    With ``workers > 1`` a process pool runs at most ``2 * workers`` tasks ahead, so a long
    task list is streamed rather than held in memory.

    Raises:
        WorkerLostError: a worker process died (the pool cannot go on); the results
            yielded before are the caller's to keep.
    """
    if workers <= 1:
        for key, args in tasks:
            yield key, fn(*args)
        return
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: dict[Future[R], K] = {}
        queue = iter(tasks)
        for key, args in queue:
            pending[pool.submit(fn, *args)] = key
            if len(pending) >= 2 * workers:
                break
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                key = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    raise WorkerLostError(
                        "a worker process died before its task finished (killed, or out of "
                        "memory: try fewer --workers); everything finished so far is kept, "
                        "rerun with --resume to continue"
                    ) from None
                yield key, result
                nxt = next(queue, None)
                if nxt is not None:
                    pending[pool.submit(fn, *nxt[1])] = nxt[0]
