"""A plain-text digest of a run for the terminal: key figures with 95% intervals."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from loyaltysim.experiment.results import RunResult

#: Figures shown in the digest, with how to print them.
HEADLINE = {
    "market_share": ("share", "{:.1%}"),
    "repurchase_rate": ("repurchase", "{:.1%}"),
    "retention": ("retention", "{:.1%}"),
    "profit": ("profit", "{:,.0f}"),
    "clv": ("CLV", "{:,.1f}"),
    "mean_satisfaction": ("satisfaction", "{:.3f}"),
}
#: The CLV test bed's figures in the digest (only when ``[clv]`` is on).
CLV_HEADLINE = {
    "p_alive_predicted": ("P(alive) fit", "{:.1%}"),
    "alive_share_shop": ("alive: shop", "{:.1%}"),
    "alive_share": ("alive: category", "{:.1%}"),
    "p_alive_auc": ("AUC", "{:.3f}"),
    "holdout_value_predicted": ("CLV fit", "{:,.0f}"),
    "holdout_value": ("CLV realised", "{:,.0f}"),
    "holdout_value_ratio": ("fit/realised", "{:.3f}"),
}


def _cell(row: pd.Series, fmt: str) -> str:
    if np.isnan(row["ci_low"]):
        return fmt.format(row["mean"])
    half = (row["ci_high"] - row["ci_low"]) / 2
    return f"{fmt.format(row['mean'])} ±{fmt.format(half).lstrip('+')}"


def headline(result: RunResult) -> str:
    """A table per variant: each shop's key figures, mean ± half-width of the 95% CI."""
    summary = result.summary
    scenario = result.scenario
    lines = [
        f"{scenario.name}: {scenario.market.customers:,} customers, {len(scenario.shops)} shops, "
        f"{scenario.run.days} days, {scenario.run.replications} replications "
        "(mean ± 95% CI half-width)"
    ]
    lines += _tables(summary, HEADLINE)
    clv = scenario.clv
    if clv.on:
        fitted = scenario.run.days - clv.holdout_days
        lines += [
            "",
            f"CLV prediction: BG/NBD + Gamma-Gamma fitted on recorded days 0-{fitted - 1}, "
            f"against the truth then and the next {clv.holdout_days} days "
            f"(value discounted at {clv.annual_discount_rate:.0%} a year)",
            *_tables(summary, CLV_HEADLINE),
        ]
    return "\n".join(lines)


def _tables(summary: pd.DataFrame, figures: dict[str, tuple[str, str]]) -> list[str]:
    """Per variant, a shop x figure table of ``figures`` (those the summary has)."""
    lines = []
    for variant, block in summary.groupby("variant", sort=False):
        table = block[block["figure"].isin(figures)].copy()
        if table.empty:
            continue
        table["text"] = [_cell(r, figures[r["figure"]][1]) for _, r in table.iterrows()]
        wide = table.pivot(index="shop", columns="figure", values="text")
        wide = wide[[f for f in figures if f in wide.columns]]
        wide.columns = [figures[f][0] for f in wide.columns]
        wide = wide.reindex(list(dict.fromkeys(block["shop"])))
        lines += ["", f"[{variant}]", wide.to_string()]
    return lines
