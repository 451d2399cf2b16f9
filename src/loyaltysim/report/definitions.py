"""What each figure of a run report means, written into the report itself.

A mailed report cannot point to ``docs/metrics.md``, so the definitions travel with it. They
are built from the figure registry (:mod:`loyaltysim.engine.figures`: the description and
how a replication reduces the figure) and from the run's own settings: the retention
horizon and the days without an order after which a customer counts as lost, and, for
complaints, why the share resolved is lower than the resolution rate the scenario sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from loyaltysim.analysis.labels import label_of, retention_label
from loyaltysim.engine.figures import REGISTRY, PerRun, find
from loyaltysim.report.markup import esc, number, percent

#: The schema's defaults, for a scenario file written before a field existed.
DEFAULT_LAPSE_DAYS = 180
DEFAULT_PATIENCE_DAYS = 2.0
DEFAULT_RESPONSE_DAYS = 2.0
DEFAULT_RESOLUTION_RATE = 0.6


def lapse_days(scenario: Mapping[str, Any]) -> int:
    """Days without an order after which a customer counts as lost (``output.lapse_days``)."""
    return int(scenario.get("output", {}).get("lapse_days", DEFAULT_LAPSE_DAYS))


def retention_rule(scenario: Mapping[str, Any], days: int) -> str:
    """How the retention figure counts a customer as lost, with this run's numbers."""
    horizon = min(365, days - 1)
    return (
        f"Kaplan-Meier probability that a customer whose first order from the shop fell in "
        f"the recorded days is still its customer {horizon} days after that first order. A "
        "customer counts as lost on the first of: dropping the shop (churn), leaving the "
        f"market, or going {lapse_days(scenario)} days without an order (output.lapse_days; "
        "silence is how most online customers leave); customers still active at the end are "
        "counted as far as they were seen (censored)."
    )


#: What the registry's one-line descriptions leave out, for a reader without the code.
MORE = {
    "clv": " (revenue minus the cost of goods, courier, refunds, compensation and "
    "acquisition cost), over the recorded days",
}


def _reduction(per_run: PerRun | None, days: int, text: str) -> str:
    if per_run is PerRun.SUM:
        return f", summed over the {days} recorded days"
    if per_run is PerRun.LAST and "end of the day" not in text:
        return ", on the last recorded day"
    if per_run in (PerRun.SHARE, PerRun.RATIO) and "whole run" not in text:
        return ", over the whole run"
    return ""


def _in_words(description: str) -> str:
    """A registry description as a sentence: figures named by label, "each day" for "today"."""
    text = description.replace("today's", "the day's").replace(" today", " each day")
    text = text.replace("end of the day", "end of the last recorded day")
    for figure in REGISTRY:
        if "_" in figure.name:
            text = text.replace(figure.name, figure.label)
    return text


def definition(figure: str, scenario: Mapping[str, Any], days: int) -> str:
    """One figure's definition as a sentence (text, not HTML)."""
    if figure == "retention":
        return retention_rule(scenario, days)
    known = find(figure)
    if known is None:
        return label_of(figure).label
    text = _in_words(known.description) + MORE.get(figure, "")
    return text[0].upper() + text[1:] + _reduction(known.per_run, days, known.description) + "."


def patience_days(scenario: Mapping[str, Any]) -> float:
    """Response time at which half of complainants give up (``experience.patience_days``)."""
    return float(scenario.get("experience", {}).get("patience_days", DEFAULT_PATIENCE_DAYS))


def complaint_service(shop: Mapping[str, Any]) -> tuple[float, float]:
    """A shop's resolution rate and response days, a service strategy's values first."""
    strategy = {
        k: v for k, v in shop.get("strategies", {}).get("service", {}).items() if v is not None
    }
    service = {**shop.get("service", {}), **strategy}  # as strategies/service adjusts them
    rate = float(service.get("resolution_rate", DEFAULT_RESOLUTION_RATE))
    return rate, float(service.get("response_days", DEFAULT_RESPONSE_DAYS))


def expected_resolved(shop: Mapping[str, Any], patience: float) -> float:
    """The share of all complaints a shop is expected to resolve (see below)."""
    rate, wait = complaint_service(shop)
    return rate * patience / (patience + wait)


def resolution_explained(scenario: Mapping[str, Any], summary: pd.DataFrame) -> str:
    """Why "complaints resolved" is below the configured resolution rate, shop by shop.

    A complainant waits for an answer and gives up first with probability ``response_days
    / (response_days + patience_days)`` (:mod:`loyaltysim.mechanisms.complaints`); the
    resolution rate applies only to answered complaints. So the share of all complaints
    resolved is expected near ``resolution_rate * patience / (patience + response_days)``.
    """
    patience = patience_days(scenario)
    seen = summary[(summary["variant"] == "base") & (summary["figure"] == "resolution_share")]
    simulated = dict(zip(seen["shop"].astype(str), seen["mean"], strict=True))
    parts = []
    for name, shop in scenario.get("shops", {}).items():
        rate, wait = complaint_service(shop)
        part = (
            f"{name}: {percent(rate)} × {number(patience)} / ({number(patience)} + "
            f"{number(wait)}) = {percent(expected_resolved(shop, patience))}"
        )
        if name in simulated:
            part += f" (simulated, base: {percent(simulated[name])})"
        parts.append(part)
    return (
        "The share of complaints resolved is lower than the resolution rate in the shop "
        "settings because that rate applies only to complaints the shop answers. A "
        "complainant waits for the answer and gives up first with probability response days "
        f"/ (response days + patience), where patience is {number(patience)} days "
        "(experience.patience_days); an abandoned complaint is never resolved. The expected "
        "share of all complaints resolved is therefore resolution rate × patience / "
        f"(patience + response days): {'; '.join(parts)}."
    )


def definitions_html(
    figures: Iterable[str], scenario: Mapping[str, Any], summary: pd.DataFrame, days: int
) -> str:
    """The definitions of ``figures`` as an HTML definition list."""
    items = []
    for figure in figures:
        name = retention_label(days) if figure == "retention" else label_of(figure).label
        text = definition(figure, scenario, days)
        if figure == "resolution_share":
            text += " " + resolution_explained(scenario, summary)
        items.append(f"<dt>{esc(name)}</dt><dd>{esc(text)}</dd>")
    return f'<dl class="defs">{"".join(items)}</dl>'
