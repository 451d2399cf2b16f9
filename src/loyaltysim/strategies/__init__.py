"""Loyalty strategies as plug-ins: one module per lever, listed in :data:`REGISTRY`.

Adding a strategy is one new module (a ``Strict`` config model and a :class:`Strategy`
subclass with the hooks it needs) plus one line here; the scenario schema picks it up as
``[shops.<name>.strategies.<key>]``. See ``docs/adding-a-strategy.md``.
"""

from __future__ import annotations

from pydantic import create_model

from loyaltysim.scenario.base import Strict
from loyaltysim.strategies.base import Offer, Orders, Strategy
from loyaltysim.strategies.care import Care
from loyaltysim.strategies.community import Community
from loyaltysim.strategies.crm import Crm
from loyaltysim.strategies.free_shipping import FreeShipping
from loyaltysim.strategies.logistics import Logistics
from loyaltysim.strategies.membership import Membership
from loyaltysim.strategies.privacy import Privacy
from loyaltysim.strategies.promotions import Promotions
from loyaltysim.strategies.service import Service

#: Strategies in the order their hooks run within a shop (discounts before thresholds).
REGISTRY: tuple[type[Strategy], ...] = (
    Promotions,
    Membership,
    Crm,
    FreeShipping,
    Care,
    Service,
    Logistics,
    Privacy,
    Community,
)

#: ``[shops.<name>.strategies]``: every registered strategy, each optional.
Strategies = create_model(
    "Strategies",
    __base__=Strict,
    __doc__="Loyalty levers of a shop; each section switches one on.",
    **{cls.key: (cls.config_model | None, None) for cls in REGISTRY},
)

__all__ = ["REGISTRY", "Offer", "Orders", "Strategies", "Strategy"]
