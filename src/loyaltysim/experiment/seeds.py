"""Seeds: replication ``k`` of every variant uses child ``k`` of the scenario's root seed.

Children of one ``numpy.random.SeedSequence`` are independent streams, and giving the same
child to every variant makes variant comparisons use common random numbers (less noise in
the differences). A replication's numbers depend only on (scenario, variant, k), never on
which worker ran it or in which order.
"""

from __future__ import annotations

import numpy as np


def replication_seed(root: int, replication: int) -> np.random.SeedSequence:
    """The seed sequence of replication ``replication`` (child ``replication`` of ``root``)."""
    return np.random.SeedSequence(root, spawn_key=(replication,))


def describe(seed: np.random.SeedSequence) -> dict[str, object]:
    """JSON-friendly description of a seed sequence, enough to reproduce it."""
    return {"entropy": int(seed.entropy), "spawn_key": list(seed.spawn_key)}
