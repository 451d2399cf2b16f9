"""Loops compiled by numba on their first call, so importing a module does not import numba.

numba takes about 0.3 s and 110 MB to import: validating a scenario or writing a report
imports the mechanisms but runs none of their loops, and should not pay for it. A kernel
is compiled once per machine (``cache=True``, beside its module in ``__pycache__``) and
loaded by every later process. A kernel calls no other kernel: a mechanism's loop is one
function.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any


class Kernel:
    """``func`` compiled with ``numba.njit(cache=True)`` when first called."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self.py_func = func
        self._compiled: Callable[..., Any] | None = None
        functools.update_wrapper(self, func)

    def __call__(self, *args: Any) -> Any:
        """Run the compiled loop (compiling, or loading it from the cache, the first time)."""
        if self._compiled is None:
            import numba

            self._compiled = numba.njit(cache=True)(self.py_func)
        return self._compiled(*args)


def kernel(func: Callable[..., Any]) -> Kernel:
    """Decorator: ``func`` becomes a :class:`Kernel` (compiled on its first call)."""
    return Kernel(func)
