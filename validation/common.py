"""What a validation case returns: a published claim and the model's measured value."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from loyaltysim.analysis.summary import mean_ci


@dataclass(frozen=True)
class Check:
    """One published claim, measured on the model.

    ``value``, ``low`` and ``high`` are the mean over replications and its 95% interval;
    ``published`` says in words what the source reports (a value, a range or a direction),
    and ``agrees`` whether the interval is consistent with it.
    """

    mechanism: str
    claim: str
    source: str
    published: str
    value: float
    low: float
    high: float
    agrees: bool

    def row(self) -> str:
        """The check as a row of the markdown table in ``docs/validation.md``."""
        verdict = "yes" if self.agrees else "no"
        return (
            f"| {self.mechanism} | {self.claim} | {self.published} | "
            f"{self.value:.3g} [{self.low:.3g}, {self.high:.3g}] | {verdict} | {self.source} |"
        )


def measured(values: Iterable[float]) -> tuple[float, float, float]:
    """Mean and 95% Student-t interval of one figure over replications."""
    return mean_ci(np.fromiter(values, dtype=np.float64))


HEADER = (
    "| mechanism | claim | published | measured (95% CI) | agrees | source |\n"
    "|---|---|---|---|---|---|"
)
