"""The deliveries phase: parcels due today, and everything an experience sets off.

A parcel is experienced (product and delivery against expectations: satisfaction, trust,
expectations), may lead to a complaint (and its recovery and cost), a rating, the end of the
customer's tie with the shop, and word of mouth. One parcel per customer and shop a day, so
that each experience starts from the state the one before it left.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from loyaltysim.engine.draws import Decision
from loyaltysim.engine.phases.talk import spread
from loyaltysim.engine.state import cells
from loyaltysim.mechanisms import complaints, delivery, experience, switching, word_of_mouth
from loyaltysim.mechanisms.ratings import stars

if TYPE_CHECKING:
    from loyaltysim.engine.model import LoyaltyModel


@dataclass(frozen=True)
class Experienced:
    """Today's experienced parcels, one row per customer and shop, and what came of them."""

    slot: np.ndarray
    shop: np.ndarray
    outcome: np.ndarray
    paid: np.ndarray
    felt: np.ndarray  # the experience's satisfaction, after any complaint handling
    trust: np.ndarray  # trust in the shop after it
    handled: complaints.ComplaintOutcome


def deliveries(model: LoyaltyModel) -> None:
    """Parcels due today: experience, complaints, ratings and money, churn, talk."""
    parcels = _due(model)
    current = model.state.active[parcels["slot"]] & (
        model.state.uid[parcels["slot"]] == parcels["uid"]
    )
    log = model.order_log
    if log is not None:
        log.record(parcels[~current])  # the customer left
    if not current.any():
        return
    delivered = parcels[current]
    done = _experience(model, delivered)
    if log is not None:
        log.record(delivered, done.handled.complained, done.handled.resolved)
    _settle(model, done)
    _churn(model, done)
    _talk(model, done)


def _due(model: LoyaltyModel) -> np.ndarray:
    """Parcels due today, at most one per customer and shop (a second one waits a day)."""
    parcels = model.parcels.pop_due(model.day)
    key = parcels["slot"] * model.n_shops + parcels["shop"]
    first = np.zeros(key.size, bool)
    first[np.unique(key, return_index=True)[1]] = True
    if not first.all():
        model.parcels.put_back(parcels[~first], model.day + 1)
        parcels = parcels[first]
    return parcels


def _experience(model: LoyaltyModel, parcels: np.ndarray) -> Experienced:
    """Performance against expectation: satisfaction, trust, expectations, complaints."""
    state, p, rules = model.state, model.shop_params, model.rules
    slot, shop, outcome = parcels["slot"], parcels["shop"], parcels["outcome"]
    noise = model.config.experience.quality_noise
    quality = model.keyed(Decision.QUALITY, slot, shop).normal(0.0, noise, slot.size)
    product = np.clip(p.quality[shop] + quality, 0.0, 1.0)
    region = state.region[slot]
    early = delivery.days_early(
        parcels["days"], parcels["delay"], p.promised_days[shop, region], rules.scoring
    )
    score = delivery.delivery_score(outcome, early, p.tracking[shop, region], rules.scoring)
    performance = experience.perceived_performance(
        product, score, model.segments.delivery_weight[state.segment[slot]]
    )
    expect0 = cells(state.expectation, slot, shop)
    trust0 = cells(state.trust, slot, shop)
    sat0 = cells(state.satisfaction, slot, shop)
    first = cells(state.experiences, slot, shop) == 0
    learning = rules.learning
    felt = experience.experience_satisfaction(performance, expect0, learning)
    sat1 = experience.updated_satisfaction(sat0, felt, first, learning)
    trust1 = experience.updated_trust(trust0, performance, expect0, learning)
    handled = complaints.handle_complaints(
        model.keyed(Decision.COMPLAINT, slot, shop),
        felt,
        p.response_days[shop],
        p.resolution_rate[shop],
        p.complaint_voice[shop],
        rules.handling,
    )
    penalty = rules.handling.unresolved_penalty
    before = np.where(first, expect0, sat0)
    sat2 = complaints.recovered(before, sat1, handled, p.recovery[shop], penalty)
    trust2 = complaints.recovered(trust0, trust1, handled, p.trust_recovery[shop], penalty)
    model.mutate.experience(
        slot, shop, sat2, trust2, experience.updated_expectation(expect0, performance, learning)
    )
    return Experienced(
        slot=slot,
        shop=shop,
        outcome=outcome,
        paid=parcels["paid"],
        felt=complaints.recovered(expect0, felt, handled, p.recovery[shop], penalty),
        trust=trust2.astype(state.trust.dtype),
        handled=handled,
    )


def _settle(model: LoyaltyModel, done: Experienced) -> None:
    """The experience's money and counts: refunds, compensation, complaints, ratings."""
    p, shop, handled = model.shop_params, done.shop, done.handled
    lost = done.outcome == delivery.Outcome.LOST
    compensation = p.compensation[shop] * p.price[shop] * handled.resolved
    rated = model.keyed(Decision.RATING, done.slot, shop).random() < (
        model.config.experience.rating_propensity
    )
    model.ledger.add_columns(
        shop,
        {
            "deliveries": np.ones(shop.shape[0]),
            "late": done.outcome == delivery.Outcome.LATE,
            "damaged": done.outcome == delivery.Outcome.DAMAGED,
            "lost": lost,
            "refunds": done.paid * lost,
            "complaints": handled.complained,
            "complaints_resolved": handled.resolved,
            "compensation": compensation,
            "ratings": rated,
        },
    )
    if model.recording:
        model.mutate.charge(done.slot, shop, compensation + done.paid * lost)
    model.ratings.add(shop[rated], stars(done.felt[rated]))


def _churn(model: LoyaltyModel, done: Experienced) -> None:
    """Bad experiences and lost trust end ties with shops; switching costs hold some back."""
    rule = model.rules.churn
    forfeit = _forfeits(model, done) if rule.switching_cost_weight > 0.0 else None
    draws = model.keyed(Decision.CHURN, done.slot, done.shop)
    churned = switching.churns(draws, done.felt, done.trust, rule, forfeit)
    churned &= ~cells(model.state.dropped, done.slot, done.shop)
    slot, shop = done.slot[churned], done.shop[churned]
    model.mutate.drop(slot, shop, model.day)
    model.ledger.add("churned", shop)


def _forfeits(model: LoyaltyModel, done: Experienced) -> np.ndarray:
    """What each customer would forfeit by leaving the shop, per reference price.

    The sum of the shop's strategies' ``switching_cost`` on a typical basket (its price).
    """
    forfeit = np.zeros(done.slot.size)
    for strategy in model.strategies:
        at = np.flatnonzero(done.shop == strategy.shop)
        basket = float(model.shop_params.price[strategy.shop])
        cost = strategy.switching_cost(done.slot[at], basket) if at.size else None
        if cost is not None:
            forfeit[at] += cost
    return forfeit / model.config.market.reference_price


def _talk(model: LoyaltyModel, done: Experienced) -> None:
    """Strong experiences are told: praise and criticism spread over the network."""
    talkativeness = model.state.talkativeness[done.slot] * model.shop_params.talk_boost[done.shop]
    draws = model.keyed(Decision.TALK, done.slot, done.shop)
    praise, decry = word_of_mouth.who_talks(draws, done.felt, talkativeness, model.rules.talk)
    talk = praise | decry
    spread(model, done.slot[talk], done.shop[talk], praise[talk], Decision.CONTACT)
