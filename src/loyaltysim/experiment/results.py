"""What a run returns: every table of the result, as pandas DataFrames."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from loyaltysim.scenario.schema import Scenario


@dataclass
class RunResult:
    """Everything a run produced, as pandas DataFrames (tidy: one row per observation)."""

    scenario: Scenario
    timeseries: pd.DataFrame  # variant x replication x day x shop
    replications: pd.DataFrame  # variant x replication x shop: figures of each replication
    summary: pd.DataFrame  # variant x shop x figure: mean, 95% CI, paired diff vs base
    retention: pd.DataFrame  # variant x replication x shop x day: Kaplan-Meier retention
    customers: pd.DataFrame | None  # final state of every customer (see output.customers)
    out: Path | None = None
