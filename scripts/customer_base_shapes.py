"""Repeat ladder, revenue concentration, survivor effect and purchase gaps, from the log.

Runs the baseline (5,000 customers, 3 replications) with the settings given as ``--set``
arguments and prints, per shop, as mean and t interval over replications:

- P(k+1 | k) for k = 1..4: customers with at least k+1 orders in the recorded year over
  those with at least k;
- the share of the year's revenue from the top 20% of its customers;
- quarter-on-quarter retention by tenure, R(q) for q = 1..3: of the customers whose first
  order at the shop fell in the first quarter of the warm-up (days -180 to -90) and who
  ordered in their q-th quarter since it, the share who order in quarter q+1 (rising with
  q is the survivor effect of heterogeneous dropout, Fader & Hardie 2007);
- the coefficient of variation of the days between a customer's orders at the shop (1 for
  Poisson purchases of one rate; above 1 when rates differ).

``docs/validation.md`` quotes its output::

    python scripts/customer_base_shapes.py --set run.replications=8   # as shipped
    python scripts/customer_base_shapes.py \
        --set market.segments.everyday.purchase_rate_shape=1e6          # equal customers
    python scripts/customer_base_shapes.py \
        --set market.segments.everyday.purchase_rate_shape=0.243 \
        --set market.segments.everyday.dropout_a=0.793 \
        --set market.segments.everyday.dropout_b=2.426
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd
from scipy import stats

import loyaltysim
from loyaltysim.experiment.orders import read_orders

ROOT = Path(__file__).resolve().parents[1]


def shapes(orders: pd.DataFrame) -> pd.DataFrame:
    """Per replication and shop: the repeat ladder and the top-20% revenue share."""
    rows = []
    for (rep, shop), g in orders.groupby(["replication", "shop"], observed=True):
        n = g.groupby("customer").size()
        row = {"replication": rep, "shop": shop}
        for k in (1, 2, 3, 4):
            row[f"P({k + 1}|{k})"] = (n >= k + 1).sum() / max((n >= k).sum(), 1)
        revenue = (g.goods + g.fee).groupby(g.customer).sum().sort_values(ascending=False)
        top = revenue.iloc[: max(1, round(0.2 * len(revenue)))]
        row["top 20% revenue"] = top.sum() / revenue.sum()
        rows.append(row)
    return pd.DataFrame(rows)


def tenure_shapes(orders: pd.DataFrame) -> pd.DataFrame:
    """Per replication and shop: retention by tenure quarter and the CV of purchase gaps."""
    rows = []
    for (rep, shop), g in orders.groupby(["replication", "shop"], observed=True):
        first = g.groupby("customer")["day"].transform("min")
        cohort = g[(first >= -180) & (first < -90)]
        quarter = (cohort["day"] - first[cohort.index]) // 91
        active = pd.crosstab(cohort["customer"], quarter) > 0
        row = {"replication": rep, "shop": shop}
        for q in (1, 2, 3):
            was = active[q] if q in active else pd.Series(False, index=active.index)
            now = active[q + 1] if q + 1 in active else pd.Series(False, index=active.index)
            row[f"R({q})"] = (was & now).sum() / max(was.sum(), 1)
        gaps = g.sort_values(["customer", "day"]).groupby("customer")["day"].diff().dropna()
        row["gap CV"] = gaps.std() / gaps.mean()
        rows.append(row)
    return pd.DataFrame(rows)


def main() -> None:
    """Run, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    sets = ["market.customers=5000", "run.replications=3", "output.figures=false", *args.set]
    scenario = loyaltysim.load_scenario(ROOT / "scenarios" / "baseline.toml", overrides=sets)
    with tempfile.TemporaryDirectory() as tmp:
        loyaltysim.run(scenario, Path(tmp) / "out")
        orders = read_orders(Path(tmp) / "out")
    base = orders[orders.variant == "base"]
    recorded = base[(base.day >= 0) & (base.day < 365)]
    both = shapes(recorded).merge(tenure_shapes(base), on=["replication", "shop"])
    table = both.drop(columns="replication").groupby("shop")
    t = stats.t.ppf(0.975, scenario.run.replications - 1)
    mean, sem = table.mean(), table.sem()
    print(" ".join(sets))
    for shop in mean.index:
        cells = [f"{c} {mean.loc[shop, c]:.3f} ± {t * sem.loc[shop, c]:.3f}" for c in mean.columns]
        print(f"{shop}: " + ", ".join(cells))


if __name__ == "__main__":
    main()
