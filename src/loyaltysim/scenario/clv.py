"""The ``[clv]`` section: the model as a test bed for CLV methods (off by default).

With ``holdout_days > 0`` each replication keeps the last ``holdout_days`` recorded days out
of a BG/NBD + Gamma-Gamma fit on each shop's order log, and compares what the fit predicts
(P(alive) at the end of the calibration period, purchases and discounted value over the
holdout) with what the simulation knows (who is alive) and what then happened (the holdout
orders). See ``docs/metrics.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from loyaltysim.scenario.base import Strict
from loyaltysim.scenario.sizes import is_number
from loyaltysim.scenario.toml_lines import KeyPath

#: Recorded days the calibration period needs at least (two weeks: one repeat is possible).
MIN_CALIBRATION_DAYS = 14


class ClvConfig(Strict):
    """Predicted CLV and P(alive) against the simulation's truth."""

    holdout_days: int = Field(
        0,
        ge=0,
        le=36500,
        description=(
            "Last recorded days kept out of the BG/NBD + Gamma-Gamma fit and used to check its "
            "predictions; 0: no CLV prediction (needs the `clv` extra when on)."
        ),
    )
    annual_discount_rate: float = Field(
        0.10,
        ge=0.0,
        le=1.0,
        description=(
            "Yearly rate discounting holdout value to the calibration end: an amount d days "
            "later counts (1 + rate) ** (-d / 365)."
        ),
    )

    @property
    def on(self) -> bool:
        """Whether the replications fit and check the CLV models."""
        return self.holdout_days > 0


def clv_problems(clv: Any, run: Any) -> list[tuple[KeyPath, str, str]]:
    """The holdout leaves a calibration period of at least :data:`MIN_CALIBRATION_DAYS`."""
    if not isinstance(clv, Mapping):
        return []
    run = run if isinstance(run, Mapping) else {}
    holdout, days = clv.get("holdout_days"), run.get("days", 365)
    if not (is_number(holdout) and is_number(days)) or holdout <= 0:
        return []
    if days - holdout < MIN_CALIBRATION_DAYS:
        expected = (
            f"at most run.days - {MIN_CALIBRATION_DAYS} = {days - MIN_CALIBRATION_DAYS} days "
            f"(the fit needs {MIN_CALIBRATION_DAYS} recorded days before the holdout)"
        )
        return [(("clv", "holdout_days"), expected, f"{holdout}")]
    return []
