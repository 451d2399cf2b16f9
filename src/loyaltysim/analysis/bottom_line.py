"""The bottom line of a run: which variant wins on what, how sure that is, and what it costs.

A few plain sentences for a reader who stops after them, written from the run's numbers
(``summary.csv`` and, for the count of replications a variant won, ``replications.csv``),
never from canned text. A variant is judged for the shop it changes (the ``shops.<name>``
of its keys; every shop when it changes the market), on the figures a manager watches:
profit, retention, market share, repurchase rate and lifetime value, all "more is better".
The rule of :mod:`loyaltysim.analysis.findings` holds here too: a variant "wins" or
"loses" on a figure only when the 95% interval of its paired difference excludes zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from loyaltysim.analysis.findings import Change, changes
from loyaltysim.analysis.labels import label_of, retention_label
from loyaltysim.engine.figures import Counter, run_figures

#: What a manager watches, in the order the sentences name them; higher is better for all.
HEADLINE = ("profit", "retention", "market_share", "repurchase_rate", "clv")


def cost_figures() -> tuple[str, ...]:
    """Per-run figures that are costs to the shop (profit subtracts them) or discounts."""
    costs = [f.name for f in run_figures() if isinstance(f.daily, Counter) and f.daily.cost]
    return (*costs, "discounts")


@dataclass(frozen=True)
class Verdict:
    """One variant judged for one shop.

    Attributes:
        variant: The variant.
        shop: The shop it changes (the first, if several).
        headline: Its changes in :data:`HEADLINE` figures, in that order.
        costs: Its changes in cost figures.
        revenue: Its change in revenue, if the summary has it.
        others: Profit changes of the other shops.
    """

    variant: str
    shop: str
    headline: tuple[Change, ...]
    costs: tuple[Change, ...]
    revenue: Change | None
    others: tuple[Change, ...]

    @property
    def profit(self) -> Change | None:
        """The profit change, if the summary has profit."""
        return next((c for c in self.headline if c.figure == "profit"), None)

    @property
    def wins(self) -> list[Change]:
        """Headline figures the variant measurably raised."""
        return [c for c in self.headline if c.measurable and c.diff > 0]

    @property
    def losses(self) -> list[Change]:
        """Headline figures the variant measurably cut."""
        return [c for c in self.headline if c.measurable and c.diff < 0]

    @property
    def score(self) -> float:
        """How the variants are ranked: a measurable profit change, else 0."""
        profit = self.profit
        return profit.diff if profit is not None and profit.measurable else 0.0


def focal_shops(changed: Mapping[str, object], shops: list[str]) -> list[str]:
    """The shops a variant's changed keys name, in scenario order (all if none is named)."""
    named = {key.split(".")[1] for key in changed if key.startswith("shops.") and "." in key[6:]}
    return [s for s in shops if s in named] or list(shops)


def verdicts(
    summary: pd.DataFrame, variant_keys: Mapping[str, Mapping[str, object]], base: str = "base"
) -> list[Verdict]:
    """Every variant judged for its shop, in run order.

    Args:
        summary: The ``summary`` table of a run.
        variant_keys: Per variant, its changed keys (dotted, as in the scenario's variants).
        base: The base variant's name.
    """
    wanted = (*HEADLINE, *cost_figures(), "revenue")
    every = changes(summary, figures=tuple(f for f in wanted if f in set(summary["figure"])))
    shops = [str(s) for s in dict.fromkeys(summary["shop"])]
    out = []
    for variant in dict.fromkeys(c.variant for c in every):
        mine = [c for c in every if c.variant == variant]
        shop = focal_shops(variant_keys.get(variant, {}), shops)[0]
        at = {(c.shop, c.figure): c for c in mine}
        out.append(
            Verdict(
                variant=variant,
                shop=shop,
                headline=tuple(at[(shop, f)] for f in HEADLINE if (shop, f) in at),
                costs=tuple(at[(shop, f)] for f in cost_figures() if (shop, f) in at),
                revenue=at.get((shop, "revenue")),
                others=tuple(at[(s, "profit")] for s in shops if s != shop and (s, "profit") in at),
            )
        )
    return out


def _name(figure: str, days: int) -> str:
    return retention_label(days) if figure == "retention" else label_of(figure).label


def amount(change: Change) -> str:
    """A difference as a manager reads it: "+119,000, +106%" or "+24.2 points"."""
    label = label_of(change.figure)
    text = label.diff(change.diff, label.interval_decimals(change.low, change.high))
    if label.kind == "money" and change.base > 0 and change.value > 0:
        text += f", {change.value / change.base - 1:+.0%}"
    return text


def moved_by(change: Change) -> str:
    """A change as a verb phrase: "rises by 237,000 (+215%)", "falls by 5.7 points"."""
    label = label_of(change.figure)
    size = label.diff(abs(change.diff), label.interval_decimals(change.low, change.high))
    text = f"{'rises' if change.diff > 0 else 'falls'} by {size.lstrip('+')}"
    if label.kind == "money" and change.base > 0 and change.value > 0:
        text += f" ({change.value / change.base - 1:+.0%})"
    return text


def _interval(change: Change) -> str:
    label = label_of(change.figure)
    digits = label.interval_decimals(change.low, change.high)
    return f"{label.bare_diff(change.low, digits)} to {label.bare_diff(change.high, digits)}"


def _list(parts: list[str]) -> str:
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _items(found: list[Change], days: int) -> str:
    return _list([f"{_name(c.figure, days)} ({amount(c)})" for c in found])


def verdict_sentence(v: Verdict, days: int) -> str:
    """Which headline figures the variant raised and cut for its shop."""
    wins, losses = v.wins, v.losses
    if wins and losses:
        return (
            f"{v.variant} wins for {v.shop} on {_items(wins, days)}, "
            f"but loses on {_items(losses, days)}."
        )
    if wins:
        return f"{v.variant} wins for {v.shop} on {_items(wins, days)}."
    if losses:
        return f"{v.variant} loses for {v.shop} on {_items(losses, days)}."
    names = _list([_name(c.figure, days) for c in v.headline])
    return f"{v.variant} makes no measurable difference to {v.shop}'s {names}."


def _wins_count(v: Verdict, change: Change, replications: pd.DataFrame | None) -> str:
    """The count of replications the variant won, from replications.csv (or "")."""
    if replications is None or change.figure not in replications:
        return ""
    rows = replications[replications["shop"] == v.shop].set_index(["variant", "replication"])
    paired = rows.loc[v.variant, change.figure] - rows.loc["base", change.figure]
    paired = paired.dropna()
    ahead = int((paired > 0).sum() if change.diff > 0 else (paired < 0).sum())
    word = "higher" if change.diff > 0 else "lower"
    return f"; it was {word} than the base's in {ahead} of {paired.size} paired replications"


def certainty_sentence(
    v: Verdict, days: int, replications: int, per_run: pd.DataFrame | None = None
) -> str:
    """How sure the verdict is: the interval of the leading change, or of profit if null."""
    judged = [c for c in v.headline if c.judged]
    if not judged:
        return (
            f"With {replications} replication there is no confidence interval, so this run "
            "cannot tell the variant from the base; run more replications."
        )
    lead = (v.wins + v.losses or judged)[0]
    name = f"{v.shop}'s {_name(lead.figure, days)}"
    if lead.measurable:
        text = (
            f"How sure: the variant ran on the same {replications} seeds as the base, and the "
            f"95% confidence interval of the difference in {name}, {_interval(lead)}, excludes "
            f"zero{_wins_count(v, lead, per_run)}"
        )
        if min(abs(lead.low), abs(lead.high)) < 0.25 * (lead.high - lead.low):
            text += (
                ", but only just: with several figures judged at once, a change this close "
                "to zero may be chance"
            )
        return text + "."
    if all(c.low == c.high == 0 for c in judged):
        return (
            f"{v.shop}'s figures are identical to the base's in each of the {replications} "
            "paired replications: what the variant changes does not reach them."
        )
    return (
        f"Over {replications} paired replications the 95% confidence interval of the "
        f"difference in {name} runs from {_interval(lead)}: it includes zero, so the run "
        "cannot tell the variant from the base, and more replications would narrow it."
    )


def cost_sentence(v: Verdict, days: int) -> str:
    """What the variant costs its shop: the cost figures it measurably raised."""
    rises = [c for c in v.costs if c.measurable and c.diff > 0]
    if not rises:
        names = _list([_name(c.figure, days) for c in v.costs])
        detail = f" (no measurable rise in {names})" if names else ""
        return f"It adds no measurable cost to {v.shop}{detail}."
    parts = [f"{_name(c.figure, days)} {moved_by(c)}" for c in rises]
    text = f"What it costs: {v.shop}'s {_list(parts)}"
    revenue = v.revenue
    if revenue is not None and revenue.measurable:
        text += f", while its revenue {moved_by(revenue)}"
    return text + "."


def others_sentence(v: Verdict) -> str:
    """How the other shops' profits move (competitors pay for a win, or gain from a loss)."""
    if not v.others:
        return ""
    moved = [c for c in v.others if c.measurable]
    if not moved:
        return "The other shops' profits show no measurable change."
    parts = [f"{c.shop}'s profit {moved_by(c)}" for c in moved]
    return f"For the other shops, {_list(parts)}."


def bottom_line(
    summary: pd.DataFrame,
    days: int,
    variant_keys: Mapping[str, Mapping[str, object]],
    replications: pd.DataFrame | None = None,
) -> list[str]:
    """The bottom line as 3-5 sentences (none for a run without variants).

    One variant: its verdict, its certainty, its cost and what the other shops feel. Several:
    the variants ranked by the profit of the shop each changes, then the leader's verdict,
    certainty and cost (the findings below the bottom line cover the rest).

    Args:
        summary: The ``summary`` table.
        days: Recorded days (names the retention figure).
        variant_keys: Per variant, its changed keys (dotted).
        replications: The ``replications`` table, to count the replications a variant won.
    """
    judged = verdicts(summary, variant_keys)
    if not judged:
        return []
    runs = int(summary["replications"].max())
    if len(judged) == 1:
        v = judged[0]
        sentences = [
            verdict_sentence(v, days),
            certainty_sentence(v, days, runs, replications),
            cost_sentence(v, days),
            others_sentence(v),
        ]
        return [s for s in sentences if s]
    ranked = sorted(judged, key=lambda v: -v.score)
    leader = ranked[0]
    return [
        ranking_sentence(ranked),
        verdict_sentence(leader, days),
        certainty_sentence(leader, days, runs, replications),
        cost_sentence(leader, days),
    ]


def ranking_sentence(ranked: list[Verdict]) -> str:
    """The variants by the profit of the shop each changes, best first."""
    moved = [v for v in ranked if v.score != 0]
    still = [v.variant for v in ranked if v.score == 0]
    parts = [f"{v.variant} ({v.shop}'s profit {amount(v.profit)})" for v in moved if v.profit]
    text = f"Of {len(ranked)} variants, ranked by the profit of the shop each changes: "
    text += "; ".join(parts) if parts else "none changes profit measurably"
    if parts and still:
        text += f"; {_list(still)} {'makes' if len(still) == 1 else 'make'} no measurable change"
    return text + "."
