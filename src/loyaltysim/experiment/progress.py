"""One progress display for ``run``, ``sweep``, ``report`` and ``calibrate``.

A single line on stderr, redrawn in place at most twice a second::

    baseline  12/20 replications  60%  0:30 elapsed  ETA 0:20  (base #11)

The ETA is the remaining work at the rate of this session (work found done by ``--resume``
does not count as speed). It draws only when stderr is a terminal: piped into a log file or
a CI job, a redrawn line is noise, so it stays quiet there and the command's final lines say
what was done. Work without a known size (the report) shows the elapsed time only.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

#: Seconds between redraws.
INTERVAL = 0.5


def hours_minutes_seconds(seconds: float) -> tuple[int, int, int]:
    """``3725`` -> ``(1, 2, 5)``: whole hours, minutes and (rounded) seconds."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return hours, minutes, secs


def clock_text(seconds: float) -> str:
    """``75`` -> ``"1:15"``, ``3725`` -> ``"1:02:05"``."""
    hours, minutes, secs = hours_minutes_seconds(seconds)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def progress_line(
    label: str,
    done: int,
    total: int | None,
    elapsed: float,
    *,
    unit: str = "",
    initial: int = 0,
    at_most: bool = False,
    note: str = "",
) -> str:
    """The text of the display.

    Args:
        label: What runs (the scenario's name).
        done: Items finished, including the ``initial`` ones found finished at the start.
        total: Items in all, or None when unknown (then only the elapsed time shows).
        elapsed: Seconds since the start of this session.
        unit: Plural name of the items (``"runs"``).
        initial: Items already done when the session started (excluded from the rate).
        at_most: ``total`` is an upper bound (an optimiser may stop sooner).
        note: Shown at the end in parentheses (the last item, failures).

    """
    parts = [label]
    if total is not None and at_most:
        total = max(total, done)  # a bound that was passed is no bound
    if total is not None:
        bound = "≤" if at_most else ""
        parts.append(f"{done}/{bound}{total} {unit}".rstrip())
        if not at_most and total > 0:
            parts.append(f"{100 * done // total}%")
    parts.append(f"{clock_text(elapsed)} elapsed")
    if total is not None and done < total:
        now = done - initial
        if now > 0 and elapsed > 0:
            eta = (total - done) * elapsed / now
            parts.append(f"ETA {'≤' if at_most else ''}{clock_text(eta)}")
        else:
            parts.append("ETA ?")
    if note:
        parts.append(f"({note})")
    return "  ".join(parts)


class Progress:
    """The display of one piece of work; a no-op unless enabled and stderr is a terminal.

    Use as a context manager (``close`` ends the line), call :meth:`update` per finished item.
    """

    def __init__(
        self,
        label: str,
        total: int | None,
        *,
        unit: str = "",
        done: int = 0,
        at_most: bool = False,
        enabled: bool = True,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.active = enabled and _is_terminal(self.stream)
        self.label, self.total, self.unit, self.at_most = label, total, unit, at_most
        self.done = self.initial = done
        self.note = ""
        self.clock = clock
        self.started = clock()
        self._drawn_at: float | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> Progress:
        self.draw()
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def update(self, n: int = 1, note: str | None = None) -> None:
        """``n`` more items are done; ``note`` replaces the note (None keeps it)."""
        self.done += n
        if note is not None:
            self.note = note
        now = self.clock()
        finished = self.total is not None and self.done >= self.total
        if finished or self._drawn_at is None or now - self._drawn_at >= INTERVAL:
            self.draw()

    def draw(self) -> None:
        """Redraw the line now (it is cut to the terminal's width)."""
        if not self.active:
            return
        with self._lock:
            now = self.clock()
            text = progress_line(
                self.label,
                self.done,
                self.total,
                now - self.started,
                unit=self.unit,
                initial=self.initial,
                at_most=self.at_most,
                note=self.note,
            )
            width = shutil.get_terminal_size((100, 20)).columns - 1
            self.stream.write(f"\r{text[:width]}\x1b[K")
            self.stream.flush()
            self._drawn_at = now

    def close(self) -> None:
        """Draw the final state and end the line (nothing if nothing was drawn)."""
        if self.active and self._drawn_at is not None:
            self.draw()
            self.stream.write("\n")
            self.stream.flush()
            self._drawn_at = None


@contextmanager
def ticking(label: str, *, enabled: bool = True, stream: TextIO | None = None) -> Iterator[None]:
    """Show the elapsed time of work of unknown size, redrawn by a background thread."""
    display = Progress(label, None, enabled=enabled, stream=stream)
    if not display.active:
        yield
        return
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(INTERVAL):
            display.draw()

    thread = threading.Thread(target=tick, daemon=True)
    display.draw()
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        display.close()


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())
