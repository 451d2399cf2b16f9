"""Shared test data for the figure and report tests: a hand-made sensitivity table."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Columns of ``sensitivity.csv`` (``loyaltysim analyze``).
COLUMNS = [
    "output",
    "parameter",
    "method",
    "S1",
    "S1_conf",
    "ST",
    "ST_conf",
    "mu_star",
    "mu_star_conf",
    "sigma",
]


def sensitivity_table() -> pd.DataFrame:
    """Sobol rows for retention, Morris rows for profit, RBD-FAST rows for share.

    Retention: on_time matters most (ST 0.60 ± 0.05); tie_strength's ST interval
    (0.02 ± 0.03) reaches zero.
    """
    nan = np.nan
    rows = [
        ("retention", "shops.a.price", "sobol", 0.10, 0.02, 0.15, 0.03, nan, nan, nan),
        ("retention", "shops.a.courier.on_time", "sobol", 0.50, 0.05, 0.60, 0.05, nan, nan, nan),
        ("retention", "network.tie_strength", "sobol", 0.01, 0.02, 0.02, 0.03, nan, nan, nan),
        ("profit", "shops.a.price", "morris", nan, nan, nan, nan, 40.0, 5.0, 10.0),
        ("profit", "shops.a.courier.on_time", "morris", nan, nan, nan, nan, 90.0, 8.0, 30.0),
        ("share", "shops.a.price", "rbd_fast", 0.30, 0.05, nan, nan, nan, nan, nan),
        ("share", "shops.a.courier.on_time", "rbd_fast", 0.05, 0.08, nan, nan, nan, nan, nan),
    ]
    return pd.DataFrame(rows, columns=COLUMNS)
