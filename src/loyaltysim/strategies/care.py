"""Care touches: birthday greetings, new-product notices and free trials (essays 001, 003).

Each is a small, paid-for nudge to the shop's customers: a greeting on the customer's
birthday adds ``greeting_effect`` of missing satisfaction and trust; a notice of new products
every ``notice_every_days`` adds ``notice_effect`` of missing trust; a free trial sample with a
first order adds ``trial_effect`` of missing trust. Small effects, each with a cost, so a
scenario can ask whether they pay.
"""

from __future__ import annotations

from pydantic import Field

from loyaltysim.scenario.base import NonNeg, Share, Strict
from loyaltysim.strategies.base import Orders, Strategy, is_birthday


class CareConfig(Strict):
    """``[shops.<name>.strategies.care]``."""

    birthday_greetings: bool = False
    greeting_effect: Share = Field(0.03, description="Share of missing satisfaction/trust.")
    greeting_cost: NonNeg = Field(0.2, description="Cost per greeting.")
    notice_every_days: int | None = Field(None, ge=1, description="Days between notices.")
    notice_effect: Share = Field(0.02, description="Share of missing trust per notice.")
    notice_cost: NonNeg = Field(0.05, description="Cost per notice.")
    free_trials: bool = False
    trial_effect: Share = Field(0.05, description="Share of missing trust per trial.")
    trial_cost: NonNeg = Field(5.0, description="Cost per trial sample.")


class Care(Strategy):
    """Greetings, notices and trial samples of one shop."""

    key = "care"
    config_model = CareConfig

    def after_purchase(self, orders: Orders) -> None:
        """A trial sample goes with each first order."""
        cfg = self.config
        if not cfg.free_trials:
            return
        new = orders.slots[orders.first_ever]
        if new.size:
            self.nudge(new, satisfaction=0.0, trust=cfg.trial_effect)
            self.pay(cfg.trial_cost * new.size)

    def on_day(self, day: int) -> None:
        """Birthday greetings and periodic notices to the shop's customers."""
        cfg = self.config
        if not (cfg.birthday_greetings or cfg.notice_every_days):
            return
        customers = self.customers()
        if cfg.birthday_greetings:
            born = customers[is_birthday(self.context.state.uid[customers], day)]
            if born.size:
                effect = cfg.greeting_effect
                self.nudge(born, satisfaction=effect, trust=effect)
                self.pay(cfg.greeting_cost * born.size)
        if cfg.notice_every_days and day % cfg.notice_every_days == 0 and customers.size:
            self.nudge(customers, satisfaction=0.0, trust=cfg.notice_effect)
            self.pay(cfg.notice_cost * customers.size)
