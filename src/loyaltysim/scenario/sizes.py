"""How big a scenario's model is, and which networks it can build, known before building it.

The engine sizes its customer arrays for the initial population plus room for net growth
(:func:`capacity`), and builds its network over all those slots. A scale-free network can
only reach mean degrees in a range that depends on the exponent and on the number of slots
(:func:`scale_free_degrees`); outside it the engine's builder fails. Both are worked out
here, in the input layer, so that such a scenario is refused with a located problem (exit
2) instead of failing inside the engine, and so that the resource estimate knows the model's
size. The engine's :func:`loyaltysim.engine.network.scale_free` uses the same formula.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np


def capacity(customers: int, arrival_rate: float, departure_rate: float, days: int) -> int:
    """Customer slots: the initial customers plus room for net growth over ``days``.

    The expected newcomers beyond leavers, with 20 % and five standard deviations of a
    Poisson count to spare, so the arrays never need to grow during a run.
    """
    growth = max(arrival_rate - departure_rate, 0.0)
    expected = customers * growth * days
    return customers + math.ceil(1.2 * expected + 5 * math.sqrt(expected + 1))


def expected_floor_power_law(x_min: float, exponent: float, k_max: int) -> float:
    """Return ``E[floor(X)]`` for ``X`` with density ``∝ x**-exponent`` on ``[x_min, k_max + 1)``.

    This is the exact mean of the degree sequence drawn by the engine's scale-free builder; it
    is continuous and increasing in ``x_min``, so the minimum degree can be solved for with a
    root finder.
    """
    k = np.arange(math.floor(x_min), k_max + 1, dtype=float)
    power = 1.0 - exponent
    lower = np.maximum(k, x_min) ** power
    upper = (k + 1.0) ** power
    total = x_min**power - (k_max + 1.0) ** power
    return float(np.sum(k * (lower - upper)) / total)


def scale_free_degrees(slots: int, mean_degree: float, exponent: float) -> tuple[float, int]:
    """The mean degrees a scale-free network over ``slots`` nodes can have: ``(low, high)``.

    The degree cap is the structural cutoff ``floor(sqrt(slots * mean_degree))`` (at most
    ``slots - 1``); the lowest mean is that of degrees drawn from ``x_min = 1`` under that cap.
    A ``mean_degree`` is buildable if ``low <= mean_degree <= high`` and ``high >= 1``.
    """
    k_max = min(math.isqrt(int(slots * mean_degree)), slots - 1)
    if k_max < 1:
        return math.inf, k_max
    return expected_floor_power_law(1.0, exponent, k_max), k_max


def is_number(value: Any) -> bool:
    """A finite int or float (not a bool): a value the checks here can compute with."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def network_problems(network: Any, market: Mapping[str, Any], run: Any) -> list[tuple]:
    """Networks the engine cannot build over the model's slots, as ``(path, expected, given)``.

    Works on raw (possibly invalid) scenario data, like the schema's other cross-reference
    checks; values of the wrong type are left to the field errors.
    """
    if not isinstance(network, Mapping) or network.get("kind") == "well_mixed":
        return []
    degree = network.get("mean_degree", 10.0)
    customers = market.get("customers", 10000)
    if not is_number(degree):
        return []
    path = ("network", "mean_degree")
    kind = network.get("kind", "small_world")
    if kind == "small_world" and not float(degree).is_integer():
        # A ring lattice links each customer to a whole number of neighbours.
        return [(path, "a whole number for a small_world network", f"{degree:g}")]
    if is_number(customers) and not degree < customers:
        return [(path, f"a number below market.customers ({customers:g})", f"{degree:g}")]
    exponent = network.get("exponent", 2.5)
    if kind != "scale_free" or not is_number(exponent) or exponent <= 2:
        return []
    run = run if isinstance(run, Mapping) else {}
    sizes = [customers, market.get("arrival_rate", 0.0), market.get("departure_rate", 0.0),
             run.get("days", 365), run.get("warmup_days", 0)]  # fmt: skip
    if not all(is_number(v) and v >= 0 for v in sizes) or not isinstance(customers, int):
        return []
    slots = capacity(customers, sizes[1], sizes[2], int(sizes[3] + sizes[4]))
    low, high = scale_free_degrees(slots, degree, exponent)
    if high >= 1 and low <= degree <= high:
        return []
    reach = f"from {low:.3f} to {high}" if high >= 1 else "none (too few customers)"
    return [(path, f"a mean degree a scale_free network of {slots:,} customer slots with "
             f"exponent {exponent:g} can have: {reach}", f"{degree:g}")]  # fmt: skip
