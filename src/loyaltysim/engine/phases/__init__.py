"""The day, phase by phase: each phase is a short function of the model.

A phase reads the model's state and parameters, asks the mechanisms (pure rules, each with
its parameter record) what happens, and writes the outcome through the state's mutators
(:class:`~loyaltysim.engine.mutators.Mutators`), which keep the running totals. The order is
the day's story::

    open the day       today's shop settings (events), recording starts after the warm-up
    events             scheduled one-day events: data breaches, product recalls, shops opening
    breaches           random data breaches at each shop's breach rate
    population         life-cycle stages end, customers leave, newcomers arrive
    awareness          advertising reaches prospects; churned customers reconsider
    strategies         each lever's daily work (care touches, gifts, win-back coupons)
    shopping           who needs to buy, what each shop offers, choice, orders, parcels
    deliveries         parcels due today: experience, complaints, ratings, churn, talk
    close the day      the day's figures per shop, to the DataCollector

``tests/test_totals.py`` runs these one by one and recounts the totals after each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from loyaltysim.engine.phases.deliveries import deliveries
from loyaltysim.engine.phases.market import (
    awareness,
    breaches,
    close_day,
    events,
    open_day,
    population,
    strategies,
)
from loyaltysim.engine.phases.shopping import shopping

if TYPE_CHECKING:
    from loyaltysim.engine.model import LoyaltyModel

#: The phases of a day, in order.
DAY: tuple[Callable[[LoyaltyModel], None], ...] = (
    open_day,
    events,
    breaches,
    population,
    awareness,
    strategies,
    shopping,
    deliveries,
    close_day,
)
