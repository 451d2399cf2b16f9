"""The scenario's events, day by day: what runs today and how it changes the shops' parameters.

The events' schema (``[[events]]``) is :mod:`loyaltysim.scenario.events`; this is how the
engine asks it, one day at a time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np

from loyaltysim.engine.params import ShopArrays
from loyaltysim.scenario.events import CourierDisruption, Festival, PriceWar, ShopEntry


class EventSchedule:
    """The scenario's events, asked day by day by the model."""

    def __init__(
        self, events: list, shops: list[str], regions: list[str], start_date: dt.date
    ) -> None:
        self.events = events
        self.shops = shops
        self.regions = regions
        self.start_date = start_date

    def _index(self, names: list[str] | None, universe: list[str]) -> np.ndarray:
        if names is None:
            return np.ones(len(universe), bool)
        return np.array([n in names for n in universe])

    def festival(self, day: int) -> Festival | None:
        """The festival running today, if any."""
        date = self.start_date + dt.timedelta(days=day)
        for event in self.events:
            if not isinstance(event, Festival):
                continue
            for offset in range(event.length_days):
                earlier = date - dt.timedelta(days=offset)
                if f"{earlier:%m-%d}" in event.dates or day - offset in event.days:
                    return event
        return None

    def need_multiplier(self, day: int) -> float:
        """How much more customers need to buy today (festivals)."""
        festival = self.festival(day)
        return 1.0 if festival is None else festival.demand_multiplier

    def on_day(self, kind: type, day: int) -> list:
        """One-day events of ``kind`` happening today."""
        return [e for e in self.events if isinstance(e, kind) and e.day == day]

    def closed(self, day: int) -> np.ndarray:
        """Shops that have not opened yet."""
        closed = np.zeros(len(self.shops), bool)
        for event in self.events:
            if isinstance(event, ShopEntry) and day < event.day:
                closed[self.shops.index(event.shop)] = True
        return closed

    def apply(self, params: ShopArrays, day: int) -> ShopArrays:
        """Today's parameters: the base ones changed by the events running today."""
        on_time, delay = params.on_time, params.mean_delay_days
        damage, price = params.damage_rate, params.price
        reach = params.advertising_reach
        festival = self.festival(day)
        if festival is not None:
            on_time = on_time * festival.on_time_factor
            delay = delay + festival.extra_delay_days
        for event in self.events:
            if isinstance(event, CourierDisruption) and event.start_day <= day <= event.end_day:
                hit = np.outer(
                    self._index(event.shops, self.shops), self._index(event.regions, self.regions)
                )
                on_time = np.where(hit, on_time * event.on_time_factor, on_time)
                delay = np.where(hit, delay + event.extra_delay_days, delay)
                damage = np.where(hit, np.minimum(damage * event.damage_factor, 1.0), damage)
            if isinstance(event, PriceWar) and event.start_day <= day <= event.end_day:
                price = price * np.where(
                    self._index(event.shops, self.shops), 1.0 - event.discount, 1.0
                )
        closed = self.closed(day)
        if closed.any():
            reach = np.where(closed, 0.0, reach)
        loss = np.minimum(params.loss_rate, 1.0 - damage)
        return replace(
            params,
            on_time=on_time,
            mean_delay_days=delay,
            damage_rate=damage,
            price=price,
            advertising_reach=reach,
            loss_rate=loss,
        )
