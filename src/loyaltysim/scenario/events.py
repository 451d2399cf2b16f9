"""Scheduled market events: festivals, courier disruptions, breaches, entries, price wars, recalls.

Events are listed as ``[[events]]`` with a ``kind``. Days count recorded days (0 is the first
recorded day, warm-up days are negative); festivals may instead give calendar dates
("11-11", "06-18") that recur every year, placed by ``run.start_date``.

=====================  ====================================================================
``festival``           demand spike (needs x ``demand_multiplier``) and courier congestion
                       for every shop; shops with ``promotions.festival_discount`` cut prices
``courier_disruption`` a strike or congestion: on-time share x ``on_time_factor``, delays
                       longer by ``extra_delay_days``, damage x ``damage_factor``
``data_breach``        a shop's customer data leaks on ``day``
``shop_entry``         a new competitor opens on ``day`` (unknown and unavailable before)
``price_war``          shops cut prices by ``discount`` between two days
``product_recall``     a shop's product is recalled: trust and satisfaction of its
                       customers fall
``programme_end``      a shop closes its membership programme on ``day``: members lose
                       their points and tiers (what held them, a switching cost)
=====================  ====================================================================
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from loyaltysim.scenario.base import NonNeg, Share, Strict
from loyaltysim.scenario.wording import unknown


class _Window(Strict):
    start_day: int = Field(description="First day (recorded days; warm-up days are negative).")
    end_day: int = Field(description="Last day, inclusive.")

    @field_validator("end_day")
    @classmethod
    def _ordered(cls, end_day: int, info: ValidationInfo) -> int:
        start = info.data.get("start_day")  # absent if start_day itself was invalid
        if start is not None and end_day < start:
            raise ValueError(f"a day on or after start_day ({start})")
        return end_day


class Festival(Strict):
    """A shopping festival (11 November, 18 June...)."""

    kind: Literal["festival"]
    dates: list[str] = Field(default_factory=list, description='Yearly dates, "MM-DD".')
    days: list[int] = Field(default_factory=list, description="Or recorded days.")
    length_days: int = Field(1, ge=1, description="Days each festival lasts.")
    demand_multiplier: float = Field(3.0, ge=1.0, description="Multiplies needs to buy.")
    on_time_factor: Share = Field(0.7, description="Congestion: multiplies on-time shares.")
    extra_delay_days: NonNeg = Field(1.0, description="Congestion: longer delays.")

    @field_validator("dates")
    @classmethod
    def _month_days(cls, dates: list[str]) -> list[str]:
        for text in dates:
            problem = f'"MM-DD" dates of real days, e.g. "11-11" (not {text!r})'
            if not re.fullmatch(r"[0-9]{2}-[0-9]{2}", text):
                raise ValueError(problem)
            try:
                dt.date(2024, int(text[:2]), int(text[3:]))  # a leap year: "02-29" is a day
            except ValueError:
                raise ValueError(problem) from None
        return dates


class CourierDisruption(_Window):
    """A courier strike or congestion."""

    kind: Literal["courier_disruption"]
    regions: list[str] | None = Field(None, description="Regions hit (none: all).")
    shops: list[str] | None = Field(None, description="Shops whose couriers are hit (none: all).")
    on_time_factor: Share = 0.5
    extra_delay_days: NonNeg = 2.0
    damage_factor: float = Field(1.0, ge=0.0)


class DataBreach(Strict):
    """A shop's customer data leaks."""

    kind: Literal["data_breach"]
    shop: str
    day: int


class ShopEntry(Strict):
    """A new competitor opens."""

    kind: Literal["shop_entry"]
    shop: str
    day: int


class PriceWar(_Window):
    """Shops undercut each other for a while."""

    kind: Literal["price_war"]
    shops: list[str] = Field(min_length=1)
    discount: Share = 0.2


class ProductRecall(Strict):
    """A product of a shop is recalled."""

    kind: Literal["product_recall"]
    shop: str
    day: int
    trust_loss: Share = 0.3
    satisfaction_loss: Share = 0.2


class ProgrammeEnd(Strict):
    """A shop closes its membership programme (the shop must run one)."""

    kind: Literal["programme_end"]
    shop: str
    day: int


Event = Annotated[
    Festival | CourierDisruption | DataBreach | ShopEntry | PriceWar | ProductRecall | ProgrammeEnd,
    Field(discriminator="kind"),
]


def event_problems(events: list, shops: Mapping[str, Any], regions: list[str]) -> list[tuple]:
    """Events naming shops or regions the scenario does not have; programmes that do not run."""
    problems: list[tuple] = []
    for i, event in enumerate(events):
        if not isinstance(event, Mapping):
            continue
        name = event.get("shop")
        if event.get("kind") == "programme_end" and isinstance(name, str) and name in shops:
            shop = shops[name]
            levers = shop.get("strategies") if isinstance(shop, Mapping) else None
            if not isinstance(levers, Mapping) or levers.get("membership") is None:
                given = f"{name!r}, which has none"
                problems.append(
                    (("events", i, "shop"), "a shop with a membership programme", given)
                )
        for key, universe in (("shop", list(shops)), ("shops", list(shops)), ("regions", regions)):
            value = event.get(key)
            for item in [value] if isinstance(value, str) else value or []:
                if isinstance(item, str) and item not in universe:
                    what = key.removesuffix("s")
                    given = unknown(item, what, universe)
                    problems.append((("events", i, key), f"one of {sorted(universe)}", given))
    return problems
