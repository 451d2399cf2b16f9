"""Worker processes that never re-run the caller's script.

A ``forkserver`` (or ``spawn``) worker first imports the parent's ``__main__`` module, from
its file (``python script.py``) or by name (``python -m pkg.mod``), so that functions defined
there can be unpickled. For ``loyaltysim.run(..., workers=2)`` that is harmful twice over:
a script without an ``if __name__ == "__main__":`` guard runs again inside every worker,
which tries to start workers of its own (``BrokenProcessPool``), and code read from stdin
(``python -``) has no file to import (``FileNotFoundError: '<stdin>'``).

loyaltysim's tasks are functions of loyaltysim's own modules, so the workers do not need
``__main__`` at all. :func:`workers_skip_main` hides where ``__main__`` came from while the
pool starts its processes; multiprocessing then starts them without importing it, and
unguarded scripts and stdin work like guarded ones.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

#: The attributes multiprocessing reads to import ``__main__`` in a new process.
_ORIGIN = ("__file__", "__spec__")


@contextmanager
def workers_skip_main() -> Iterator[None]:
    """While inside, new worker processes do not import the caller's ``__main__``."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved = {name: main.__dict__[name] for name in _ORIGIN if name in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__dict__["__spec__"] = None
    try:
        yield
    finally:
        for name in _ORIGIN:
            main.__dict__.pop(name, None)
        main.__dict__.update(saved)
