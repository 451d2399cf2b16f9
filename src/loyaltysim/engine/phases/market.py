"""Phases of the market around the shopping: the day's settings, events, people, awareness.

Also the two helpers other phases share: :func:`arrive` (the initial population is an
arrival too) and :func:`shock` (a breach or recall, whose victims talk).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from loyaltysim.engine import ledger as day_ledger
from loyaltysim.engine.draws import Decision
from loyaltysim.engine.phases.talk import learn_of, spread
from loyaltysim.engine.sampling import bernoulli_indices
from loyaltysim.engine.state import ADVERTISING, INITIAL
from loyaltysim.mechanisms import awareness as awareness_rules
from loyaltysim.mechanisms import breaches as breach_rules
from loyaltysim.mechanisms import population as population_rules
from loyaltysim.mechanisms import word_of_mouth
from loyaltysim.scenario.events import DataBreach, ProductRecall, ProgrammeEnd, ShopEntry

if TYPE_CHECKING:
    from loyaltysim.engine.model import LoyaltyModel


def open_day(model: LoyaltyModel) -> None:
    """A fresh ledger, today's shop settings and festival; recording starts on day 0."""
    model.ledger = day_ledger.DailyLedger(model.n_shops)
    if model.day == 0:
        model.mutate.reset_recording()
    model.shop_params = model.schedule.apply(model.base_params, model.day)
    model.festival_today = model.schedule.festival(model.day) is not None


def events(model: LoyaltyModel) -> None:
    """Today's one-day events: breaches, recalls, programmes ending and shops opening."""
    names = list(model.config.shops)
    for event in model.schedule.on_day(DataBreach, model.day):
        _breach(model, names.index(event.shop))
    for event in model.schedule.on_day(ProductRecall, model.day):
        shock(model, names.index(event.shop), event.trust_loss, event.satisfaction_loss)
    for event in model.schedule.on_day(ProgrammeEnd, model.day):
        _end_programme(model, names.index(event.shop))
    for event in model.schedule.on_day(ShopEntry, model.day):
        s = names.index(event.shop)
        rows = bernoulli_indices(
            model.rng, model.state.slots, model.base_params.initial_awareness[s]
        )
        learn_of(model, rows, np.full(rows.size, s), INITIAL)


def breaches(model: LoyaltyModel) -> None:
    """Random data breaches, at each shop's ``privacy_breach_rate``."""
    hit = model.rng.random(model.n_shops) < model.shop_params.privacy_breach_rate
    for s in np.flatnonzero(hit):
        _breach(model, int(s))


def _end_programme(model: LoyaltyModel, s: int) -> None:
    """Shop ``s`` closes its membership programme: points and tiers go, the lever stops.

    Members lose what kept them (the forfeit of ``Strategy.switching_cost``); a programme
    already closed has nothing left to end.
    """
    for programme in [st for st in model.strategies if st.shop == s and st.key == "membership"]:
        programme.forget(np.arange(model.state.slots))
        model.strategies.remove(programme)


def _breach(model: LoyaltyModel, s: int) -> None:
    """A data breach at shop ``s``: trust and satisfaction fall, and word spreads.

    Loyal customers take less of the loss when the ``[experience]`` breach reliefs are set.
    """
    p, rule = model.shop_params, model.rules.shelter
    model.ledger.add_per_shop("breaches", np.eye(model.n_shops)[s])
    share = None if rule.uniform else _loss_share(model, s)
    shock(model, s, p.breach_trust_loss[s], p.breach_satisfaction_loss[s], share)


def _loss_share(model: LoyaltyModel, s: int) -> np.ndarray:
    """The share of a breach at ``s`` each slot's customer takes (patronage, standing)."""
    state = model.state
    slots = np.arange(state.slots)
    standing = np.zeros(state.slots)
    for strategy in model.strategies:
        if strategy.shop == s and strategy.tier_names:
            level, _ = strategy.standing(slots)
            rank = breach_rules.tier_rank(level, len(strategy.tier_names))
            standing = np.maximum(standing, rank)
    patronage = breach_rules.patronage(state.experiences[:, s], state.active)
    return breach_rules.loss_share(patronage, standing, model.rules.shelter)


def shock(
    model: LoyaltyModel,
    s: int,
    trust_loss: float,
    satisfaction_loss: float,
    share: np.ndarray | None = None,
) -> None:
    """A shock to shop ``s`` (a breach, a recall): attitudes fall, some customers tell.

    ``share``: the share of the losses each slot's customer takes (None: all). To its
    victims a shock is the worst experience (``x = 0``), told by the same rule as a parcel:
    the decrying propensity of the bottom of the scale, times talkativeness.
    """
    hurt = model.mutate.shock(s, trust_loss, satisfaction_loss, share)
    worst = np.zeros(hurt.size)
    _, talk = word_of_mouth.who_talks(
        model.keyed(Decision.SHOCK_TALK, hurt, s),
        worst,
        model.state.talkativeness[hurt],
        model.rules.talk,
    )
    count = int(talk.sum())
    spread(model, hurt[talk], np.full(count, s), np.zeros(count, bool), Decision.SHOCK_CONTACT)


def population(model: LoyaltyModel) -> None:
    """Life-cycle stages end, customers leave the market, newcomers arrive.

    In a steady-state market (``newcomers.replace_dropouts``) those who have left the
    category leave too, each replaced by a newcomer in the same stage with as long left in it.
    """
    state, market, newcomers = model.state, model.config.market, model.newcomers
    departing = population_rules.random_departures(model.rng, state.active, market.departure_rate)
    moving, segment, stage_end, aged_out = population_rules.advance_stages(
        state, model.segments, model.day
    )
    if moving.size:
        model.mutate.set_stage(moving, segment, stage_end)
    leaving = _union(departing, aged_out)
    lost = population_rules.left_category(state, leaving) if newcomers.replace_dropouts else None
    if lost is not None and lost.size:
        like = (state.segment[lost], state.stage_end[lost])
        _leave(model, np.union1d(leaving, lost))
        rows = population_rules.free_slots(state.active, lost.size)
        arrive(model, rows, replacing=(like[0][: rows.size], like[1][: rows.size]))
    elif leaving.size:
        _leave(model, leaving)
    count = int(model.rng.poisson(newcomers.per_day))
    if count:
        arrive(model, population_rules.free_slots(state.active, count))


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The sorted union of two sorted arrays of distinct slots.

    Most days one of them is empty and the other is the union as it is, without the sort.
    """
    if not b.size:
        return a
    if not a.size:
        return b
    return np.union1d(a, b)


def arrive(
    model: LoyaltyModel,
    rows: np.ndarray,
    initial: bool = False,
    replacing: tuple[np.ndarray, np.ndarray] | None = None,
) -> None:
    """Fresh customers fill free ``rows`` (``initial``: the day-0 population).

    ``replacing``: the segments and stage ends of those they replace in kind.
    """
    fresh = population_rules.arrivals(
        model.rng,
        rows.shape[0],
        model.day,
        newcomers=model.newcomers,
        segments=model.segments,
        shops=model.shop_params,
        impression=model.impression,
        initial=initial,
        closed=model.schedule.closed(model.day),
        replacing=replacing,
    )
    model.mutate.arrive(rows, fresh)
    model.admit_agents(rows)


def _leave(model: LoyaltyModel, slots: np.ndarray) -> None:
    """Customers leave the market: their ties to shops end, their slots are freed.

    Their standing is read before the strategies forget them, and only where some
    programme keeps one (none: the departed log's own "no tier, no points").
    """
    standing = model.standings.of(slots) if model.standings.sources else None
    model.ledger.add("churned", model.mutate.leave(slots, model.day, standing))
    for strategy in model.strategies:
        strategy.forget(slots)
    model.dismiss_agents(slots)


def awareness(model: LoyaltyModel) -> None:
    """Advertising reaches prospects; churned customers consider their old shops again."""
    rows, shop = awareness_rules.advertised(
        model.rng, model.state.slots, model.shop_params.advertising_reach
    )
    learn_of(model, rows, shop, ADVERTISING)
    rows, shop = awareness_rules.reconsidering(
        model.rng, model.state, model.config.experience.reconsider_rate
    )
    model.mutate.undrop(rows, shop)


def strategies(model: LoyaltyModel) -> None:
    """Each lever's daily work (care touches, birthday gifts, win-back coupons, ...)."""
    for strategy in model.strategies:
        strategy.on_day(model.day)


def close_day(model: LoyaltyModel) -> None:
    """Work out the day's figures per shop and hand them to the DataCollector; next day."""
    if model.recording:
        figures = day_ledger.close_day(model.ledger, model.totals, model.ratings, model.shop_params)
        # one conversion to Python numbers per figure, not per figure and shop
        columns = {name: values.tolist() for name, values in figures.items()}
        for shop in model.shops:
            shop.record({name: column[shop.index] for name, column in columns.items()})
        model.datacollector.collect(model)
    model.day += 1
