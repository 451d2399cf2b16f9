"""Helpers shared by the benchmark scripts: resized scenarios, the streamed order log, peak memory.

Nothing here imports ``loyaltysim`` at module level: ``bench_engines.py`` imports this module in
children that must load an *older* ``loyaltysim`` from an archive, so the package is imported
only inside the functions that need the current one.
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def resize_shops(data: dict[str, Any], shops: int) -> dict[str, Any]:
    """``data`` (a scenario as nested dicts) with ``shops`` shops, extra ones varied copies.

    Works on a raw TOML table as well as on ``Scenario.model_dump()``: copy k of a shop has
    price and unit cost x (1 +- 0.06 * ceil(k/2)) and quality (and promise, if set)
    +- 0.03 * ceil(k/2), dearer and better for odd k, cheaper and worse for even k. Variants
    are dropped (they were written for the file's shops).
    """
    data = dict(data)
    templates = list(data["shops"].items())
    new: dict[str, Any] = {}
    for i in range(shops):
        name, template = templates[i % len(templates)]
        copy_no = i // len(templates)
        if copy_no == 0:
            new[name] = template
            continue
        sign = 1 if copy_no % 2 else -1
        step = sign * ((copy_no + 1) // 2)
        shop = copy.deepcopy(template)
        factor = 1.0 + 0.06 * step
        shop["price"] = round(template["price"] * factor, 2)
        shop["unit_cost"] = round(template["unit_cost"] * factor, 2)
        shop["quality"] = min(max(template["quality"] + 0.03 * step, 0.0), 1.0)
        if "promise" in template:
            shop["promise"] = min(max(template["promise"] + 0.03 * step, 0.0), 1.0)
        new[f"{name}_{copy_no + 1}"] = shop
    data["shops"] = new
    data["variants"] = {}
    data["name"] = f"{data['name']}_{shops}shops"
    return data


@contextmanager
def order_writer(log: bool) -> Iterator[tuple[Any, Path | None]]:
    """An ``OrderWriter`` on a temporary ``orders.parquet`` (as ``loyaltysim run`` streams it).

    Yields ``(writer, path)``, or ``(None, None)`` without the log; the file goes when the
    block ends, after :func:`logged_rows` has read it.
    """
    if not log:
        yield None, None
        return
    from loyaltysim.experiment.orders import OrderWriter

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.parquet"
        yield OrderWriter(path, "base", 0), path


def logged_rows(path: Path | None) -> int:
    """Orders in the closed log at ``path`` (0 without a log)."""
    if path is None:
        return 0
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


def peak_rss_mib() -> float:
    """This process's peak resident set (``VmHWM``) in MiB."""
    with open("/proc/self/status") as status:
        peak_kib = int(next(line for line in status if line.startswith("VmHWM")).split()[1])
    return peak_kib / 1024
