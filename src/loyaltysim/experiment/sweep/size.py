"""How big a sweep is: its points counted before they are drawn, and which to validate.

A design is checked before any run starts, and a large one must not cost its size to check:
``loyaltysim validate`` of a 10**6-point grid once built the whole grid and validated every
point (22 GB, then the OOM killer). Each value a parameter takes is validated on its own
(:mod:`loyaltysim.experiment.checks`); here is what whole points are validated, how large a
design may be, and when a sweep is large enough to warn about.
"""

from __future__ import annotations

import itertools

import numpy as np

from loyaltysim.experiment.sweep.design import Design
from loyaltysim.scenario.experiment import SweepConfig

#: Most design points a sweep may have (a sampler's matrix of them is held in memory).
MAX_POINTS = 10_000_000
#: Designs up to this many points have every point validated; larger ones a spread of them.
CHECK_ALL = 2000
#: Grid axes whose ends are combined into corner points to validate (2**12 = 4,096 corners).
MAX_CORNER_AXES = 12
#: Runs above which a sweep gets a size warning.
LARGE_SWEEP = 100_000
#: Bytes of one run's result file (about 1.6 kB of JSON with 2 shops), for the size warning.
RUN_FILE_BYTES = 2_000


def sampler_points(sweep: SweepConfig) -> int:
    """Points a sampler will draw, before it draws them (SALib's formulas)."""
    d, n = len(sweep.parameters), sweep.samples or 0
    if sweep.design == "sobol":
        return n * (2 * d + 2 if sweep.second_order else d + 2)
    if sweep.design == "morris":
        return n * (d + 1)
    return n


def too_large(
    sweep: SweepConfig, design: Design | None = None
) -> tuple[tuple[str, ...], str, str] | None:
    """``(key path, expected, given)`` if the design has more than :data:`MAX_POINTS` points.

    Without ``design``, a sampler's size from its formula (checked before drawing).
    """
    if design is None:
        size = sampler_points(sweep)
        if size > MAX_POINTS:
            return (("sweep", "samples"), f"a design of at most {MAX_POINTS:,} points",
                    f"{sweep.samples:,} samples, {size:,} points")  # fmt: skip
    elif len(design) > MAX_POINTS and design.lazy:
        axes = " x ".join(str(len(a)) for a in design.axes)
        return (("sweep", "parameters"), f"a grid of at most {MAX_POINTS:,} points",
                f"{axes} = {len(design):,} points")  # fmt: skip
    return None


def size_warning(design: Design, replications: int) -> str | None:
    """A warning for a sweep above :data:`LARGE_SWEEP` runs (None below it)."""
    runs = len(design) * replications
    if runs <= LARGE_SWEEP:
        return None
    return (
        f"warning: {len(design):,} design points x {replications} replication(s) = {runs:,} "
        f"runs; the sweep folder gets one file per run (about {runs * RUN_FILE_BYTES / 1e9:.1f} "
        "GB before gathering); consider fewer values or samples"
    )


def points_to_check(design: Design) -> range | list[int]:
    """Every point of a design up to :data:`CHECK_ALL`; else a spread of them.

    Each value a parameter takes was validated on its own already; whole points are only
    needed for rules spanning several keys. A large design gets its grid corners (every
    combination of the axes' ends, where such rules break first) and :data:`CHECK_ALL`
    evenly spaced points; a point missed here that breaks a rule fails at run time and is
    listed in ``failures.csv``, as any failing run is.
    """
    size = len(design)
    if size <= CHECK_ALL:
        return range(size)
    chosen = set(np.linspace(0, size - 1, CHECK_ALL).round().astype(int).tolist())
    if design.lazy:
        shape = [len(axis) for axis in design.axes]
        for corner in itertools.product(*[(0, n - 1) for n in shape][:MAX_CORNER_AXES]):
            index = list(corner) + [0] * (len(shape) - len(corner))
            chosen.add(int(np.ravel_multi_index(index, shape)))
    return sorted(chosen)
