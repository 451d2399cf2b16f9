"""The report's section on the CLV test bed (``[clv]`` on): predictions against the truth."""

from __future__ import annotations

from loyaltysim.analysis import clv_prediction
from loyaltysim.experiment.folder import RunFolder
from loyaltysim.report.cells import level
from loyaltysim.report.markup import esc, percent, table


def holdout_days(run: RunFolder) -> int:
    """The run's ``[clv] holdout_days`` (0: no CLV prediction)."""
    return int(run.scenario.get("clv", {}).get("holdout_days", 0))


def clv_section(run: RunFolder) -> list[str]:
    """With ``[clv]`` on: the BG/NBD + Gamma-Gamma predictions against the truth, per shop."""
    holdout = holdout_days(run)
    if holdout == 0:
        return []
    rate = run.scenario.get("clv", {}).get("annual_discount_rate", 0.10)
    keyed = run.summary.set_index(["variant", "shop", "figure"])
    out = [
        '<h2 id="clv">Predicted CLV and P(alive) against the truth</h2>',
        "<p>Each replication fits BG/NBD and Gamma-Gamma to each shop's orders of recorded "
        f"days 0 to {run.days - holdout - 1} (the calibration period) and predicts, for each "
        "customer with an order by then, P(alive) at its end and the purchases and value of "
        f"the next {holdout} days, discounted at {percent(rate)} a year to the end of the "
        "calibration period. The simulation knows who was alive then; the holdout orders "
        "show what happened. Value is what customers paid (goods plus fee), not margin. "
        "Means over replications with their 95% confidence intervals.</p>",
    ]
    header = ["figure", *(esc(shop) for shop in run.shops)]
    for variant in run.variants:
        rows = [
            [esc(f.label), *(level(keyed.loc[(variant, s, f.name)], f.name) for s in run.shops)]
            for f in clv_prediction.FIGURES
        ]
        out += [f"<h3>{esc(variant)}</h3>", table(header, rows)]
    items = "".join(
        f"<li><b>{esc(f.label)}</b>: {esc(f.description)}</li>" for f in clv_prediction.FIGURES
    )
    return [*out, f"<ul>{items}</ul>"]
