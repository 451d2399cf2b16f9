"""The scenario schema: pydantic v2 models of every section of a scenario file.

A scenario is a TOML file (read by :mod:`loyaltysim.scenario.load`). Every number with a
meaning in the model is a field here, with a unit and a default, so mechanisms contain no
magic constants. Validation is strict (unknown keys, wrong types, NaN/inf and out-of-range
values are errors) and every error names the file, line, key path, what was expected and
what was given (see :mod:`loyaltysim.scenario.problems`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from loyaltysim.scenario.base import MAX_MONEY, Money, NonNeg, Rate, Share, Spread, Strict
from loyaltysim.scenario.behaviour import ExperienceConfig, NetworkConfig
from loyaltysim.scenario.clv import ClvConfig, clv_problems
from loyaltysim.scenario.courier import Courier, CourierOverride
from loyaltysim.scenario.events import Event, event_problems
from loyaltysim.scenario.experiment import CalibrationConfig, SweepConfig
from loyaltysim.scenario.sizes import is_number, network_problems
from loyaltysim.scenario.steady_state import steady_state_problems
from loyaltysim.scenario.toml_lines import KeyPath, format_path
from loyaltysim.scenario.wording import unknown
from loyaltysim.strategies import REGISTRY, Strategies


class RunConfig(Strict):
    """How long to simulate and how often."""

    days: int = Field(365, ge=1, le=36500, description="Recorded days (one step = one day).")
    warmup_days: int = Field(
        0,
        ge=0,
        le=36500,
        description="Days simulated before recording starts, so the market has settled.",
    )
    seed: int = Field(42, ge=0, description="Root seed; replication k uses child k of it.")
    replications: int = Field(10, ge=1, le=100000, description="Independent replications.")
    start_date: dt.date = Field(
        dt.date(2026, 1, 1),
        ge=dt.date(1900, 1, 1),
        le=dt.date(2200, 12, 31),
        description="Calendar date of day 0 (places festival dates); 1900 to 2200, so that "
        "warm-up and recorded days stay within the calendar.",
    )


class Region(Strict):
    """A delivery region: its share of customers and how far parcels travel."""

    share: Share = Field(description="Share of customers living here.")
    delivery_days: NonNeg = Field(2.0, le=365, description="Normal transit time in days.")
    shipping_factor: float = Field(
        1.0, gt=0.0, le=100.0, description="Multiplies shops' shipping fee and cost (far = dearer)."
    )


class Segment(Strict):
    """A customer segment (e.g. a life-cycle stage) with its own needs and priorities."""

    share: Share = Field(description="Share of the initial (steady_state: lasting) population.")
    arrival_share: Share | None = Field(
        None, description="Share of newly arriving customers (default: same as share)."
    )
    purchase_rate: float = Field(
        1 / 30, ge=0.0, le=1.0, description="Mean daily probability of needing to buy."
    )
    purchase_rate_shape: float | None = Field(
        None,
        gt=0.0,
        le=1e6,
        description="Gamma shape of customers' purchase rates (NBD); none: all equal.",
    )
    dropout_a: float | None = Field(
        None, gt=0.0, le=1e6, description="Beta a of the chance to leave the category per purchase."
    )
    dropout_b: float | None = Field(
        None, gt=0.0, le=1e6, description="Beta b of that chance (BG/NBD); none: nobody drops out."
    )
    quality_weight: NonNeg = Field(1.0, description="Weight of product quality in choice.")
    price_weight: NonNeg = Field(1.0, description="Multiplies price sensitivity.")
    delivery_weight: NonNeg = Field(
        1.0, description="Weight of delivery versus product in perceived performance."
    )
    duration_days: float | None = Field(
        None, gt=0.0, le=36500, description="Days a customer stays in this stage (none: forever)."
    )
    next: str | None = Field(
        None, description="Segment entered when the stage ends; none: the customer leaves."
    )

    @model_validator(mode="after")
    def _dropout_is_a_beta(self) -> Segment:
        if (self.dropout_a is None) != (self.dropout_b is None):
            raise ValueError(
                "dropout_a and dropout_b are the two parameters of one Beta: give both or neither"
            )
        return self


class MarketConfig(Strict):
    """The population of customers and how they decide."""

    customers: int = Field(10000, ge=1, le=50_000_000, description="Initial customers.")
    regions: dict[str, Region] = Field(
        default_factory=lambda: {"all": Region(share=1.0)}, min_length=1
    )
    segments: dict[str, Segment] = Field(
        default_factory=lambda: {"all": Segment(share=1.0)}, min_length=1
    )
    arrival_rate: NonNeg = Field(
        0.0, le=1.0, description="New customers per day, as a share of the initial population."
    )
    departure_rate: Rate = Field(0.0, description="Daily probability a customer leaves.")
    steady_state: bool = Field(
        False,
        description="Segments' share and customers are the steady state: arrivals are derived "
        "to hold them, and those who leave the category leave the market, replaced in kind.",
    )
    reference_price: float = Field(
        100.0, ge=0.01, le=MAX_MONEY, description="Price that costs one utility unit."
    )
    price_sensitivity: float = Field(
        1.0, ge=0.0, le=1000.0, description="Median utility lost per reference price."
    )
    price_sensitivity_spread: Spread = Field(
        0.3, description="Log-normal sigma of price sensitivity across customers."
    )
    outside_utility: float = Field(0.0, description="Utility of not buying today.")
    quality_weight: NonNeg = Field(3.0, description="Utility of expected performance 0 -> 1.")
    trust_weight: NonNeg = Field(2.0, description="Utility of trust 0 -> 1.")
    satisfaction_weight: NonNeg = Field(
        2.0, description="Utility of past satisfaction (centred on 0.5)."
    )
    rating_weight: NonNeg = Field(0.5, description="Utility of public rating, per star above 3.")
    switching_cost: NonNeg = Field(
        0.8, description="Utility bonus of the current main shop (habit, saved details)."
    )
    switch_after: int = Field(
        2,
        ge=1,
        le=36500,
        description="Purchases in a row at another shop that make it the main shop.",
    )
    initial_trust: Share = Field(0.5, description="Trust in a shop one has just heard of.")
    basket_spread: Spread = Field(
        0.0, description="Log-normal sigma of basket size (1 = a typical order) across needs."
    )
    top_up_value: Share = Field(
        0.5, description="What goods bought only to reach a free-shipping threshold are worth."
    )


class Service(Strict):
    """How a shop handles complaints."""

    response_days: NonNeg = Field(
        2.0, le=365, description="Mean days until a complaint is answered."
    )
    resolution_rate: Share = Field(0.6, description="Share of answered complaints resolved.")
    recovery: Share = Field(0.7, description="Share of lost satisfaction a resolution restores.")
    trust_recovery: Share = Field(0.2, description="Share of lost trust a resolution restores.")
    compensation: float = Field(
        0.2, ge=0.0, le=100.0, description="Compensation per resolution, share of price."
    )


class Shop(Strict):
    """A competing shop: its offer, logistics, service and costs."""

    price: float = Field(gt=0.0, le=MAX_MONEY, description="Price of a typical order (currency).")
    quality: Share = Field(description="Real product quality, 0..1.")
    promise: Share | None = Field(
        None, description="Quality the shop's descriptions promise (default: honest = quality)."
    )
    shipping_fee: Money = Field(0.0, description="Fee charged to the customer per order.")
    unit_cost: Money = Field(description="Cost of goods per order.")
    fixed_cost_per_day: Money = Field(0.0, description="Overheads per day.")
    advertising_reach: Rate = Field(
        0.002, description="Daily probability an unaware customer hears of the shop by ads."
    )
    advertising_cost_per_day: Money = Field(0.0, description="Advertising spend per day.")
    acquisition_cost: Money = Field(0.0, description="Cost per first-time buyer.")
    initial_awareness: Share = Field(0.1, description="Share of customers aware at the start.")
    privacy_breach_rate: Rate = Field(
        0.0, description="Daily probability of a customer-data breach."
    )
    breach_trust_loss: Share = Field(0.3, description="Share of trust a breach destroys.")
    breach_satisfaction_loss: Share = Field(
        0.2, description="Share of satisfaction a breach destroys."
    )
    courier: Courier = Field(default_factory=Courier)
    courier_by_region: dict[str, CourierOverride] = Field(default_factory=dict)
    service: Service = Field(default_factory=Service)
    strategies: Strategies = Field(default_factory=Strategies)

    @property
    def described_quality(self) -> float:
        """Quality customers expect from the description (the promise, or honest quality)."""
        return self.quality if self.promise is None else self.promise

    def courier_for(self, region: str) -> Courier:
        """The courier as it performs in ``region`` (shop default plus that region's override)."""
        override = self.courier_by_region.get(region)
        if override is None:
            return self.courier
        changes = override.model_dump(exclude_none=True)
        return self.courier.model_copy(update=changes)


class OutputConfig(Strict):
    """What a run writes besides the time series and summary."""

    customers: Literal["all", "first_replication", "none"] = Field(
        "first_replication", description="Which replications' final customer states to write."
    )
    figures: bool = True
    orders: bool = Field(True, description="Write orders.parquet: one row per order.")
    lapse_days: int = Field(
        180,
        ge=1,
        le=36500,
        description="Days without an order after which a customer counts as lost.",
    )


class Scenario(Strict):
    """A whole scenario: market, network, shops, and named variants to compare."""

    name: str = "scenario"
    description: str = ""
    run: RunConfig = Field(default_factory=RunConfig)
    market: MarketConfig = Field(default_factory=MarketConfig)
    network: NetworkConfig = Field(default_factory=NetworkConfig)
    experience: ExperienceConfig = Field(default_factory=ExperienceConfig)
    shops: dict[str, Shop] = Field(min_length=1)
    output: OutputConfig = Field(default_factory=OutputConfig)
    clv: ClvConfig = Field(default_factory=ClvConfig, description="Predicted CLV vs the truth.")
    events: list[Event] = Field(default_factory=list, description="Scheduled market events.")
    variants: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Named overrides of this scenario, each compared with the base.",
    )
    sweep: SweepConfig | None = Field(
        None, description="A parameter sweep, run by `loyaltysim sweep` (ignored by `run`)."
    )
    calibration: CalibrationConfig | None = Field(
        None, description="Free parameters and targets for `loyaltysim calibrate`."
    )

    @model_validator(mode="after")
    def _check_cross_references(self) -> Scenario:
        problems = cross_reference_problems(self.model_dump(mode="python"))
        if problems:
            raise ValueError(
                "; ".join(f"{format_path(p)}: expected {e}, given {g}" for p, e, g in problems)
            )
        return self

    def base(self) -> Scenario:
        """This scenario without its variants (what a single replication simulates)."""
        return self.model_copy(update={"variants": {}})


def cross_reference_problems(data: Mapping[str, Any]) -> list[tuple[KeyPath, str, str]]:
    """Checks that span several keys, as ``(key path, expected, given)``.

    Works on raw (possibly invalid) scenario data, so these problems are reported together
    with field errors and each at its own key path and line; values of the wrong type are
    skipped here (the field errors report them).
    """
    market = data.get("market")
    market = market if isinstance(market, Mapping) else {}
    regions = market.get("regions", {"all": {"share": 1.0}})
    segments = market.get("segments", {"all": {"share": 1.0}})
    problems: list[tuple[KeyPath, str, str]] = []

    def check_sum(path: KeyPath, values: list[Any], what: str) -> None:
        if values and all(is_number(v) for v in values):
            total = sum(values)
            if not math.isclose(total, 1.0, abs_tol=1e-6):
                expected, given = f"{what} that add up to 1", f"{what} adding up to {total:g}"
                problems.append((path, expected, given))

    for what, table in (("regions", regions), ("segments", segments)):
        if isinstance(table, Mapping):
            items = [v if isinstance(v, Mapping) else {} for v in table.values()]
            check_sum(("market", what), [item.get("share") for item in items], "shares")
    if isinstance(segments, Mapping):
        items = {k: v for k, v in segments.items() if isinstance(v, Mapping)}
        arrivals = [seg.get("arrival_share") for seg in items.values()]
        if any(a is not None for a in arrivals):
            check_sum(
                ("market", "segments"),
                [0.0 if a is None else a for a in arrivals],
                "arrival_share values",
            )
        for name, seg in items.items():
            nxt = seg.get("next")
            if isinstance(nxt, str) and nxt not in segments:
                problems.append(
                    (
                        ("market", "segments", name, "next"),
                        f"one of {sorted(segments)}",
                        unknown(nxt, "segment", segments),
                    )
                )
            if nxt is not None and seg.get("duration_days") is None:
                problems.append(
                    (
                        ("market", "segments", name, "duration_days"),
                        "a number of days (needed because 'next' is set)",
                        "nothing",
                    )
                )
    problems += network_problems(data.get("network"), market, data.get("run"))
    problems += clv_problems(data.get("clv"), data.get("run"))
    problems += steady_state_problems(market)
    shops = data.get("shops")
    if isinstance(shops, Mapping) and isinstance(regions, Mapping):
        for shop_name, shop in shops.items():
            by_region = shop.get("courier_by_region") if isinstance(shop, Mapping) else None
            if not isinstance(by_region, Mapping):
                continue
            for region in by_region:
                if region not in regions:
                    problems.append(
                        (
                            ("shops", shop_name, "courier_by_region", region),
                            f"a region of {sorted(regions)}",
                            unknown(region, "region", regions),
                        )
                    )
    if isinstance(shops, Mapping) and isinstance(regions, Mapping):
        problems += _strategy_problems(shops, list(regions))
    events = data.get("events")
    if isinstance(shops, Mapping) and isinstance(regions, Mapping) and isinstance(events, list):
        problems += event_problems(events, shops, list(regions))
    return problems


def _strategy_problems(shops: Mapping[str, Any], regions: list[str]) -> list[tuple]:
    """Each configured strategy's own cross-field checks (``Strategy.problems``), located."""
    problems: list[tuple] = []
    for name, shop in shops.items():
        levers = shop.get("strategies") if isinstance(shop, Mapping) else None
        if not isinstance(levers, Mapping):
            continue
        for cls in REGISTRY:
            section = levers.get(cls.key)
            if isinstance(section, Mapping):
                problems += [
                    (("shops", name, "strategies", cls.key, *path), expected, given)
                    for path, expected, given in cls.problems(section, levers, regions)
                ]
    return problems
