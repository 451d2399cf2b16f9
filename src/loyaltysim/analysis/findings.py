"""Plain-language findings from ``summary.csv``: what each variant changed, and what it did not.

A finding is written from the paired difference between a variant and the base (every
variant runs on the same seeds, so the difference is measured replication by replication).
The wording never claims more than the numbers carry:

* a change is reported as an effect ("raised", "cut") only when the 95% confidence interval
  of the difference excludes zero, and always with that interval;
* otherwise it is "no measurable change", with the interval, which says how large an effect
  could still hide in the noise (it does not say there is none);
* with one replication there is no interval, and nothing is claimed;
* a percentage change is given only where it means something (both levels positive).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from loyaltysim.analysis.customer_base import gini, top_share
from loyaltysim.analysis.labels import FigureLabel, label_of, retention_label

#: Figures the findings speak about, in the order they are listed.
KEY_FIGURES = (
    "market_share",
    "repurchase_rate",
    "retention",
    "profit",
    "clv",
    "mean_satisfaction",
    "mean_trust",
)


@dataclass(frozen=True)
class Change:
    """A variant's paired difference from the base for one shop and figure."""

    variant: str
    shop: str
    figure: str
    base: float
    value: float
    diff: float
    low: float
    high: float

    @property
    def judged(self) -> bool:
        """Whether there is a confidence interval to judge the difference by."""
        return math.isfinite(self.low) and math.isfinite(self.high)

    @property
    def measurable(self) -> bool:
        """The 95% CI of the difference excludes zero."""
        return self.judged and (self.low > 0 or self.high < 0)


def changes(
    summary: pd.DataFrame, figures: tuple[str, ...] = KEY_FIGURES, base: str = "base"
) -> list[Change]:
    """Every variant x shop x figure difference from the base, in table order."""
    levels = summary.set_index(["variant", "shop", "figure"])["mean"]
    rows = summary[(summary["variant"] != base) & summary["figure"].isin(figures)]
    order = {f: i for i, f in enumerate(figures)}
    out = []
    for row in rows.itertuples(index=False):
        key = (base, row.shop, row.figure)
        out.append(
            Change(
                variant=str(row.variant),
                shop=str(row.shop),
                figure=str(row.figure),
                base=float(levels.get(key, math.nan)),
                value=float(row.mean),
                diff=float(row.diff_vs_base),
                low=float(row.diff_ci_low),
                high=float(row.diff_ci_high),
            )
        )
    variants = list(dict.fromkeys(c.variant for c in out))
    shops = list(dict.fromkeys(c.shop for c in out))
    return sorted(
        out, key=lambda c: (variants.index(c.variant), shops.index(c.shop), order[c.figure])
    )


def _name(figure: str, days: int) -> str:
    return retention_label(days) if figure == "retention" else label_of(figure).label


def _digits(label: FigureLabel, change: Change) -> int:
    """Decimals for a change: as precise as its interval (see ``interval_decimals``)."""
    return label.interval_decimals(change.low, change.high)


def _interval(label: FigureLabel, change: Change, digits: int) -> str:
    low, high = label.bare_diff(change.low, digits), label.bare_diff(change.high, digits)
    return f"95% CI {low} to {high}"


def describe_effect(change: Change, days: int, possessive: str) -> str:
    """A measurable change, e.g. "raised thrift's yearly retention from 34.2% to 58.8% (...)".

    Args:
        change: A change whose CI excludes zero.
        days: Recorded days of the run (names the retention figure).
        possessive: How to name the shop, e.g. "thrift's" or "its".
    """
    label = label_of(change.figure)
    digits = _digits(label, change)
    verb = "raised" if change.diff > 0 else "cut"
    name = f"{possessive} {_name(change.figure, days)}"
    interval = _interval(label, change, digits)
    difference = f"difference {label.diff(change.diff, digits)}, {interval}"
    levels = f"from {label.value(change.base, digits)} to {label.value(change.value, digits)}"
    if label.kind == "money" and change.base > 0 and change.value > 0:
        percent = abs(change.value / change.base - 1)
        return f"{verb} {name} by {percent:.0%} ({levels}; {difference})"
    return f"{verb} {name} {levels} ({difference})"


def describe_null(change: Change, days: int) -> str:
    """An unmeasurable change, e.g. "CLV (difference +0.3, 95% CI -0.2 to +0.8)"."""
    label = label_of(change.figure)
    digits = _digits(label, change)
    return (
        f"{_name(change.figure, days)} (difference {label.diff(change.diff, digits)}, "
        f"{_interval(label, change, digits)})"
    )


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return "; ".join(parts[:-1]) + "; and " + parts[-1]


@dataclass(frozen=True)
class ShopFinding:
    """What a variant changed for one shop, in words.

    Attributes:
        variant: The variant compared with the base.
        shop: The shop.
        effects: One phrase per measurable change, each starting with a verb and naming the
            shop as "its" ("raised its yearly retention from 34.2% to 58.8% (...)").
        nulls: The sentence listing figures with no measurable change, or "".
        unjudged: The sentence listing figures that cannot be judged (one replication), or "".
    """

    variant: str
    shop: str
    effects: tuple[str, ...]
    nulls: str
    unjudged: str

    @property
    def text(self) -> str:
        """The finding as one paragraph (the first effect names the shop)."""
        sentences = []
        if self.effects:
            first = self.effects[0].replace(" its ", f" {self.shop}'s ", 1)
            sentences.append(f"Variant {self.variant} {_join([first, *self.effects[1:]])}.")
        return " ".join(s for s in (*sentences, self.nulls, self.unjudged) if s)


def shop_finding(variant: str, shop: str, shop_changes: list[Change], days: int) -> ShopFinding:
    """What ``variant`` changed for ``shop``, and what it did not."""
    effects = [c for c in shop_changes if c.measurable]
    nulls = [c for c in shop_changes if c.judged and not c.measurable]
    unjudged = [c for c in shop_changes if not c.judged]
    null_text = ""
    if nulls:
        what = _join([describe_null(c, days) for c in nulls])
        if effects:
            null_text = f"No measurable change in {shop}'s {what}."
        else:
            null_text = f"Variant {variant} made no measurable change to {shop}'s {what}."
    unjudged_text = ""
    if unjudged:
        names = ", ".join(_name(c.figure, days) for c in unjudged)
        unjudged_text = (
            f"{shop}'s {names} cannot be judged: with one replication there is no confidence "
            "interval."
        )
    return ShopFinding(
        variant=variant,
        shop=shop,
        effects=tuple(describe_effect(c, days, "its") for c in effects),
        nulls=null_text,
        unjudged=unjudged_text,
    )


def variant_findings(
    summary: pd.DataFrame, days: int, base: str = "base"
) -> dict[str, list[ShopFinding]]:
    """Per variant, one finding per shop (shops with measurable effects first).

    Args:
        summary: The ``summary`` table of a run.
        days: Recorded days of the run.
        base: Name of the base variant.

    Returns:
        Variant name to its findings; empty if the run has no variant but the base.
    """
    out: dict[str, list[ShopFinding]] = {}
    every = changes(summary, base=base)
    for variant in dict.fromkeys(c.variant for c in every):
        mine = [c for c in every if c.variant == variant]
        shops = list(dict.fromkeys(c.shop for c in mine))
        by_shop = {s: [c for c in mine if c.shop == s] for s in shops}
        shops.sort(key=lambda s: not any(c.measurable for c in by_shop[s]))
        out[variant] = [shop_finding(variant, s, by_shop[s], days) for s in shops]
    return out


def findings_text(summary: pd.DataFrame, days: int, base: str = "base") -> str:
    """All variant findings as plain text, one paragraph per variant and shop."""
    blocks = []
    for variant, found in variant_findings(summary, days, base).items():
        blocks.append(f"{variant} vs {base}:")
        blocks += [f"- {f.text}" for f in found]
    return "\n".join(blocks)


def concentration_findings(customers: pd.DataFrame, variant: str = "base") -> list[str]:
    """Per shop: the revenue share of its top 20% of buyers and the Gini coefficient.

    Read from the customers table, which usually holds only the first replication, so these
    are descriptions of one simulated market, without confidence intervals.
    """
    rows = customers[(customers["variant"] == variant) & (customers["spend"] > 0)]
    out = []
    for shop, group in rows.groupby("shop", sort=False, observed=True):
        spend = group["spend"].to_numpy(dtype=float)
        out.append(
            f"The top 20% of {shop}'s {spend.size:,} buyers brought {top_share(spend):.0%} of "
            f"its revenue (Gini {gini(spend):.2f})."
        )
    return out
