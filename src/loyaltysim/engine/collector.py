"""The model's DataCollector: one market row per step, one row per shop per recorded day.

A Mesa user reads a model through ``model.datacollector``: ``get_model_vars_dataframe()``,
``mesa.batch_run`` and SolaraViz's plots all take the model-level rows. So those rows are the
market's, one per step and warm-up days included (``day`` is negative there), with the shops'
shares as columns (:func:`~loyaltysim.engine.ledger.market_columns`). A recurring Mesa event
after each step records them, which also works under ``model.run_for`` and ``run_until``.

The per-shop rows, which become ``timeseries.csv``, are recorded only on recorded days, when
the model closes the day and calls :meth:`DailyCollector.collect`. They live in a collector of
their own (``shop_rows``), still read with ``get_agenttype_vars_dataframe(Shop)``: were they in
this one, ``batch_run`` would turn every step into one row per shop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np
from mesa.time import Priority, Schedule

from loyaltysim.engine.agents import Shop
from loyaltysim.engine.ledger import MarketDay, close_day, market_columns, reporters

if TYPE_CHECKING:
    import pandas as pd

    from loyaltysim.engine.model import LoyaltyModel


class DailyCollector(mesa.DataCollector):
    """Market rows after every step (model-level reporters), shop rows on recorded days."""

    def __init__(self, model: LoyaltyModel) -> None:
        self._model = model
        self._market: MarketDay | None = None
        columns = market_columns([shop.name for shop in model.shops])
        super().__init__(model_reporters={name: self._reporter(f) for name, f in columns.items()})
        self.shop_rows = mesa.DataCollector(agenttype_reporters={Shop: reporters()})
        model.schedule_recurring(
            self._record_market, Schedule(interval=1.0, start=model.time + 1.0), Priority.LOW
        )

    def collect(self, model: mesa.Model) -> None:
        """Record the shops' rows of a recorded day (the model calls it when it closes one)."""
        self.shop_rows.collect(model)

    def get_agenttype_vars_dataframe(self, agent_type: type[mesa.Agent]) -> pd.DataFrame:
        """The rows of ``agent_type`` (``Shop``: one per shop and recorded day)."""
        return self.shop_rows.get_agenttype_vars_dataframe(agent_type)

    def _record_market(self) -> None:
        """The market's row of the step just taken (a Mesa event after the step)."""
        model = self._model
        figures = close_day(model.ledger, model.totals, model.ratings, model.shop_params)
        customers = int(np.count_nonzero(model.state.active))
        # the step ends by moving to the next day
        self._market = MarketDay(model.day - 1, figures, model.totals, customers)
        super().collect(model)

    def _reporter(self, column: Callable[[MarketDay], float]) -> Callable[[Any], float]:
        def report(_model: Any) -> float:
            assert self._market is not None  # Mesa calls reporters only from collect
            return column(self._market)

        return report
