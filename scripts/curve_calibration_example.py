"""Write docs/examples/weekly_repeat_orders.csv, the curve of curve_calibration.toml.

The model draws it at a known need rate on seeds the calibration never uses.

    .venv/bin/python scripts/curve_calibration_example.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from loyaltysim.experiment.calibration.curves import Curve
from loyaltysim.experiment.calibration.task import run_calibration_point
from loyaltysim.scenario import load_scenario
from loyaltysim.scenario.keypaths import plain_base

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
#: The need rate the curve is drawn at (the calibration starts at 0.05).
TRUE_RATE = 0.03
#: Replications 100..109: the calibration uses 0..17 (6 fitting, 6 refinement, 6 check).
SEEDS = range(100, 110)


def main() -> None:
    """Draw the curve and write it, one row per week."""
    scenario = load_scenario(EXAMPLES / "curve_calibration.toml")
    weeks = tuple(range(1, scenario.run.days // 7 + 1))
    curve = Curve("market", "repeat_orders", "week", True, weeks)
    values = {"market.segments.all.purchase_rate": TRUE_RATE}
    runs = [run_calibration_point(plain_base(scenario), values, 0, k, (curve,)) for k in SEEDS]
    mean = np.mean([r["curves"][0] for r in runs], axis=0)
    rows = "".join(f"{w},{y:.1f}\n" for w, y in zip(weeks, mean, strict=True))
    (EXAMPLES / "weekly_repeat_orders.csv").write_text("week,repeat_orders\n" + rows)


if __name__ == "__main__":
    main()
