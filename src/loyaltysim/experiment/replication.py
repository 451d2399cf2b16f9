"""One replication: build the model for a variant, run it, and reduce it to tidy tables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from loyaltysim.analysis.metrics import customer_figures, kaplan_meier, retention_data
from loyaltysim.engine import figures as registry
from loyaltysim.engine.agents import Shop
from loyaltysim.engine.figures import PerRun
from loyaltysim.engine.model import LoyaltyModel
from loyaltysim.engine.records import customer_records
from loyaltysim.experiment.holdout import Truth, holdout_figures, order_frame
from loyaltysim.experiment.orders import OrderWriter, run_model
from loyaltysim.experiment.seeds import replication_seed
from loyaltysim.scenario import Scenario, variant_of


@dataclass
class ReplicationResult:
    """Tidy outputs of one replication (every table carries variant and replication)."""

    timeseries: pd.DataFrame
    figures: pd.DataFrame
    retention: pd.DataFrame
    customers: pd.DataFrame | None
    orders: pd.DataFrame | None = None  # with keep_orders: the replication's transaction log


def simulate(
    scenario: Scenario,
    variant: str,
    replication: int,
    keep_customers: bool = False,
    orders: Path | None = None,
    keep_orders: bool = False,
) -> ReplicationResult:
    """Run replication ``replication`` of ``variant`` of ``scenario``.

    ``orders``: write the transaction log there, in chunks as the run goes. With ``[clv]``
    on, the log is kept (in memory without ``orders``) and each shop's CLV fit is scored.
    ``keep_orders``: return the log's customer, shop, day, goods and fee columns too.
    """
    config = variant_of(scenario, variant)
    seed = replication_seed(scenario.run.seed, replication)
    log = orders is not None or config.clv.on or keep_orders
    model = LoyaltyModel(config, rng=np.random.default_rng(seed), log_orders=log)
    truth = Truth(model, config) if config.clv.on else None
    writer = None if orders is None else OrderWriter(orders, variant, replication)
    run_model(model, config.run.warmup_days + config.run.days, writer)
    timeseries = model.datacollector.get_agenttype_vars_dataframe(Shop).reset_index(drop=True)
    records = customer_records(
        model.state,
        model.departed,
        model.shop_params.names,
        model.segments.names,
        model.regions,
        model.standings.of,
        model.standings.labels,
    )
    end_day = config.run.days - 1
    horizon = min(365, end_day)
    lapse = config.output.lapse_days
    figures = _figures(timeseries, records, end_day, horizon, lapse)
    logged = order_frame(model, orders) if truth is not None or keep_orders else None
    if truth is not None:  # the CLV test bed's figures follow the registry's
        figures = figures.merge(holdout_figures(config, truth, logged))
    retention = _retention_curves(records, end_day, lapse)
    tag = {"variant": variant, "replication": replication}
    return ReplicationResult(
        timeseries=_tagged(timeseries, tag),
        figures=_tagged(figures, tag),
        retention=_tagged(retention, tag),
        customers=_tagged(records, tag) if keep_customers else None,
        orders=logged if keep_orders else None,
    )


def _tagged(frame: pd.DataFrame, tag: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame({**{k: [v] * len(frame) for k, v in tag.items()}, **frame})


def _figures(
    timeseries: pd.DataFrame, records: pd.DataFrame, end_day: int, horizon: int, lapse: int
) -> pd.DataFrame:
    """Per shop: every per-run figure of the registry, in the column order of the table."""
    run = registry.run_figures()
    of = {kind: [f.name for f in run if f.per_run is kind] for kind in PerRun}
    out = timeseries.groupby("shop", sort=False)[of[PerRun.SUM]].sum()
    last_day = timeseries[timeseries["day"] == timeseries["day"].max()].set_index("shop")
    out = out.join(last_day[of[PerRun.LAST]])
    for f in run:
        if f.per_run is PerRun.SHARE:
            total = out[f.of[0]].sum()
            out[f.name] = out[f.of[0]] / total if total else 0.0
        elif f.per_run is PerRun.RATIO:
            out[f.name] = ratio(out[f.of[0]], out[f.of[1]])
    customers = customer_figures(records, end_day, horizon, lapse).set_index("shop")
    out = out.join(customers[of[PerRun.CUSTOMERS]])
    return out[registry.names(run)].reset_index()


def ratio(numerator: pd.Series, denominator: pd.Series) -> np.ndarray:
    """``numerator / denominator``, NaN where the denominator is not positive."""
    num = numerator.to_numpy(dtype=np.float64)
    den = denominator.to_numpy(dtype=np.float64)
    return np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0)


def _retention_curves(
    records: pd.DataFrame, end_day: int, lapse: int, points: int = 60
) -> pd.DataFrame:
    """Kaplan-Meier retention of each shop's acquired customers on a grid of days."""
    days = np.unique(np.linspace(0, end_day, points).round().astype(int))
    frames = []
    for shop, group in records.groupby("shop", observed=False, sort=False):
        durations, events = retention_data(group, end_day, lapse)
        frames.append(
            pd.DataFrame(
                {"shop": shop, "day": days, "retention": kaplan_meier(durations, events, days)}
            )
        )
    return pd.concat(frames, ignore_index=True)
