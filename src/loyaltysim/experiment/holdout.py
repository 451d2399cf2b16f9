"""The CLV test bed of one replication: the truth at the calibration end, the fit, the scores.

With ``[clv] holdout_days > 0``, :class:`Truth` takes a read-only copy of who is alive when
the calibration period ends (a Mesa event after that day's step, so the run itself is not
touched), and :func:`holdout_figures` fits each shop's calibration orders and scores the
predictions against that copy and the holdout orders
(:mod:`loyaltysim.analysis.clv_prediction`).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from mesa.time import Priority

from loyaltysim.analysis import clv_prediction
from loyaltysim.analysis.fit_customers import clv_fitters
from loyaltysim.scenario import variant_names, variant_of
from loyaltysim.scenario.problems import UserError

if TYPE_CHECKING:
    from loyaltysim.engine.model import LoyaltyModel
    from loyaltysim.scenario import Scenario

#: The order log's columns the fit reads.
COLUMNS = ["customer", "shop", "day", "goods", "fee"]


def require_fitter(scenario: Scenario) -> None:
    """Before a run starts: CLV prediction (in any variant) needs lifetimes.

    Raises:
        UserError: lifetimes is missing; the message names the extra that installs it.

    """
    if any(variant_of(scenario, v).clv.on for v in variant_names(scenario)):
        clv_fitters()


class Truth:
    """Who is alive at the end of the calibration period, copied from the model's arrays."""

    def __init__(self, model: LoyaltyModel, scenario: Scenario) -> None:
        self.end_day = scenario.run.days - 1 - scenario.clv.holdout_days
        self.uid = np.zeros(0, np.int64)
        self.alive = np.zeros(0, bool)
        self.customer_of = np.zeros((0, model.n_shops), bool)
        self._model = model
        steps = scenario.run.warmup_days + self.end_day + 1  # the step of the last day
        # Mesa holds events weakly: the bound method lives as long as this object does.
        model.schedule_event(self._take, at=model.time + steps, priority=Priority.LOW)

    def _take(self) -> None:
        model, state = self._model, self._model.state
        assert model.day - 1 == self.end_day, (model.day, self.end_day)
        rows = np.flatnonzero(state.active)
        self.uid = state.uid[rows].copy()
        self.alive = state.alive[rows].copy()
        self.customer_of = self.alive[:, None] & ~state.dropped[rows]

    def of(self, customers: np.ndarray, shop: int) -> tuple[np.ndarray, np.ndarray]:
        """Alive in the category, and still the shop's customer (False: left the market)."""
        where = pd.Index(self.uid).get_indexer(customers)
        found = where >= 0
        alive, customer_of = np.zeros(where.size, bool), np.zeros(where.size, bool)
        alive[found] = self.alive[where[found]]
        customer_of[found] = self.customer_of[where[found], shop]
        return alive, customer_of


def order_frame(model: LoyaltyModel, part: Path | None) -> pd.DataFrame:
    """The replication's orders: from its written part, or what the model's log still holds."""
    if part is not None:
        return pd.read_parquet(part, columns=COLUMNS)
    log = model.order_log
    assert log is not None
    log.record(model.parcels.pop_all())  # parcels still on their way are orders too
    frame = log.take()
    return frame[COLUMNS]


def holdout_figures(scenario: Scenario, truth: Truth, orders: pd.DataFrame) -> pd.DataFrame:
    """One row per shop (column ``shop``) with the figures of ``clv_prediction.FIGURES``."""
    clv, end = scenario.clv, truth.end_day
    rows = []
    for index, shop in enumerate(scenario.shops):
        mine = orders[orders["shop"] == shop]
        customer, day = mine["customer"].to_numpy(), mine["day"].to_numpy()
        value = (mine["goods"] + mine["fee"]).to_numpy()
        summary = clv_prediction.calibration_summary(customer, day, value, end)
        outcomes = clv_prediction.holdout_outcomes(
            customer, day, value, end, clv.holdout_days, clv.annual_discount_rate
        )
        prediction = None  # without repeat buyers, or a log the BG/NBD cannot fit: NaN
        if (summary["frequency"] > 0).any():
            with contextlib.suppress(UserError):
                prediction = clv_prediction.predict(
                    summary, clv.holdout_days, clv.annual_discount_rate
                )
        alive, customer_of = truth.of(summary.index.to_numpy(), index)
        figures = clv_prediction.score(summary.index, prediction, outcomes, alive, customer_of)
        rows.append({"shop": shop, **figures})
    return pd.DataFrame(rows, columns=["shop", *clv_prediction.NAMES])
