"""``[network]`` and ``[experience]``: who talks to whom, and how customers judge, talk and leave.

These two sections hold the parameters of the customer-behaviour mechanisms (each key is
read by one mechanism's parameter record, ``engine/rules.Rules``); they live apart from
the market and shop sections of ``schema`` because they grow with every mechanism.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from loyaltysim.scenario.base import NonNeg, Rate, Share, Spread, Strict


class NetworkConfig(Strict):
    """Who talks to whom, and how much a tie carries."""

    kind: Literal["small_world", "scale_free", "random", "well_mixed", "strong_weak"] = (
        "small_world"
    )
    mean_degree: float = Field(10.0, ge=0.0, le=1000.0, description="Mean number of contacts.")
    rewire: Share = Field(0.1, description="Small-world: share of ties rewired at random.")
    exponent: float = Field(
        2.5, gt=2.0, le=10.0, description="Scale-free: degree-distribution exponent."
    )
    tie_strength: Share = Field(
        0.3, description="Probability that a contact told about a shop takes it in (beta_s)."
    )
    normalise_by_degree: bool = Field(False, description="Ties weigh tie_strength x k̄/k (≤ 1).")
    personal_network_size: int = Field(
        17, ge=1, le=1000, description="Strong_weak: members of each personal network."
    )
    weak_ties: int = Field(0, ge=0, le=1000, description="Random others a talker also meets.")
    weak_tie_strength: Share = Field(0.01, description="Probability a weak tie takes it in.")


class ExperienceConfig(Strict):
    """Expectation-disconfirmation, trust, complaints, word of mouth, ratings, churn."""

    quality_noise: NonNeg = Field(0.1, description="Sd of perceived product quality per order.")
    late_penalty: NonNeg = Field(
        0.15,
        description="Delivery score lost per day late (won per day early against a promise).",
    )
    tracking_relief: Share = Field(
        0.5, description="Share of the late penalty that order tracking removes."
    )
    damaged_score: Share = Field(0.2, description="Delivery score of a damaged parcel.")
    delivery_reference: Literal["parcel", "promise"] = Field(
        "promise",
        description=(
            "Day a parcel is judged against: its own on-time day (parcel: it can only be late) "
            "or the shop's promised_days (promise: faster parcels score above on_time_score)."
        ),
    )
    on_time_score: Share = Field(
        0.85, description="Delivery score of a parcel arriving on its reference day."
    )
    disconfirmation: Literal["legacy", "prospect"] = Field(
        "prospect",
        description=(
            "Form of an experience's satisfaction: legacy P + gain*(P-E)+ - loss*(E-P)+, or "
            "prospect E + gain*v(P-E) with losses weighted by loss_aversion."
        ),
    )
    gain: NonNeg = Field(
        1.3,
        description=(
            "Satisfaction per unit of positive disconfirmation: on top of performance (legacy) "
            "or from the expectation (prospect)."
        ),
    )
    loss: NonNeg = Field(
        0.8, description="Satisfaction per unit of negative disconfirmation (legacy form)."
    )
    loss_aversion: float = Field(
        2.25,
        gt=0.0,
        le=10.0,
        description="Weight of a shortfall over an equal surplus (prospect form).",
    )
    satisfaction_learning: Share = Field(0.3, description="Weight of the newest experience.")
    expectation_learning: Share = Field(0.3, description="How fast expectations adapt.")
    trust_gain: Share = Field(0.05, description="Share of missing trust won by a kept promise.")
    trust_loss: Share = Field(0.3, description="Share of trust lost by a broken promise.")
    promise_tolerance: NonNeg = Field(
        0.15, description="Shortfall below expectation still felt as a kept promise."
    )
    complaint_threshold: Share = Field(0.35, description="Experiences below this may complain.")
    complaint_propensity: Share = Field(0.5, description="Probability such a customer complains.")
    patience_days: float = Field(
        2.0, gt=0.0, le=365, description="Response time at which half of complainants give up."
    )
    unresolved_penalty: Share = Field(
        0.2, description="Share of satisfaction and trust lost when a complaint is not resolved."
    )
    churn_threshold: Share = Field(0.25, description="Experiences below this may end the tie.")
    churn_propensity: Share = Field(0.3, description="Probability such an experience churns.")
    trust_floor: Share = Field(0.1, description="Below this trust a customer drops the shop.")
    switching_cost_weight: NonNeg = Field(
        1.0, description="Utility of staying per reference price forfeited by leaving."
    )
    breach_patronage_relief: NonNeg = Field(
        1.0, description="Breach losses / (1 + this x deliveries relative to the mean)."
    )
    breach_tier_relief: NonNeg = Field(
        0.0, description="Breach losses / (1 + this x tier rank) for programme members."
    )
    reconsider_rate: Rate = Field(
        0.002, description="Daily probability a churned customer considers the shop again."
    )
    positive_threshold: Share = Field(0.5, description="Experiences this good may be praised.")
    negative_threshold: Share = Field(0.5, description="Experiences this bad may be decried.")
    positive_propensity: Share = Field(0.1, description="Probability of praise after x = 1.")
    negative_propensity: Share = Field(0.15, description="Probability of decrying after x = 0.")
    talk_base: Share = Field(0.0, description="Probability of talk after x at a threshold.")
    talk_curvature: float = Field(
        2.0, ge=0.0, le=10.0, description="Power of talk's rise past a threshold; 0: a step."
    )
    talkativeness_spread: Spread = Field(
        0.5, description="Log-normal sigma of how much customers talk."
    )
    positive_influence: Share = Field(
        0.1, description="Share of missing trust and expectation a positive message adds."
    )
    negative_influence: Share = Field(
        0.2, description="Share of trust and expectation a negative message removes."
    )
    rating_propensity: Share = Field(0.15, description="Probability of rating an order.")
    rating_prior_mean: float = Field(4.0, ge=1.0, le=5.0, description="Stars before any rating.")
    rating_prior_weight: NonNeg = Field(20.0, description="Pseudo-ratings behind the prior.")

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> ExperienceConfig:
        if self.negative_threshold > self.positive_threshold:
            raise ValueError(
                "negative_threshold must not be above positive_threshold (experiences between "
                f"them would be both praised and decried), given {self.negative_threshold:g} > "
                f"{self.positive_threshold:g}"
            )
        return self
