"""A tiny scenario with sweep and calibration sections, shared by the experiment tests.

300 customers, 2 shops, 15 recorded days after 3 warm-up days: a run takes ~0.1 s, so a
sweep of a dozen runs fits in a test.
"""

from __future__ import annotations

from pathlib import Path

TINY_TOML = """\
name = "tiny"

[run]
days = 15
warmup_days = 3
seed = 11
replications = 2

[market]
customers = 300
outside_utility = 1.0

[network]
kind = "small_world"
mean_degree = 6

[shops.cheap]
price = 60.0
quality = 0.55
unit_cost = 40.0
initial_awareness = 0.4
[shops.cheap.courier]
on_time = 0.7
tracking = false

[shops.dear]
price = 120.0
quality = 0.9
unit_cost = 70.0
initial_awareness = 0.3

[output]
figures = false
"""

#: A 3 x 2 grid, 2 replications: 12 runs.
GRID_SWEEP = """
[sweep]
design = "grid"
replications = 2
outputs = ["cheap.market_share", "market.orders"]

[sweep.parameters]
"shops.cheap.price" = { values = [50.0, 60.0, 70.0] }
"shops.cheap.courier.on_time" = { low = 0.6, high = 0.9, steps = 2 }
"""

#: Morris, 2 trajectories x (2 + 1) points, 1 replication: 6 runs.
MORRIS_SWEEP = """
[sweep]
design = "morris"
samples = 2
replications = 1
outputs = ["cheap.market_share", "market.hhi"]

[sweep.parameters]
"shops.cheap.price" = { low = 40.0, high = 80.0 }
"shops.dear.quality" = { low = 0.6, high = 0.95 }
"""


def write(path: Path, *sections: str) -> Path:
    """Write the tiny scenario plus ``sections`` to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TINY_TOML + "".join(sections), encoding="utf-8")
    return path


#: A two-evaluation calibration, for tests that stop before the fit.
TINY_CALIBRATION = """
[calibration]
replications = 1
check_replications = 0
max_evaluations = 2
[calibration.parameters]
"shops.cheap.initial_awareness" = { low = 0.1, high = 0.9 }
[calibration.targets]
"cheap.market_share" = 0.5
"""
