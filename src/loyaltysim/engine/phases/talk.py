"""Word of mouth and hearing of shops: how news travels between customers.

:func:`learn_of` is how any customer first hears of a shop (advertising, a shop opening, a
message); :func:`spread` carries the day's praise and criticism over the social network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from loyaltysim.engine.draws import Decision
from loyaltysim.engine.state import ADVERTISING, WEAK_TIE, WORD_OF_MOUTH, cells
from loyaltysim.mechanisms import awareness, word_of_mouth

if TYPE_CHECKING:
    from loyaltysim.engine.model import LoyaltyModel

#: The daily counters of new awareness by source (``HEARD_FROM`` codes).
_COUNTED = {
    ADVERTISING: "aware_by_advertising",
    WORD_OF_MOUTH: "aware_by_word_of_mouth",
    WEAK_TIE: "aware_by_word_of_mouth",
}


def learn_of(
    model: LoyaltyModel, rows: np.ndarray, shop: np.ndarray, source: int | np.ndarray
) -> np.ndarray:
    """Customers ``rows`` hear of ``shop`` (pairwise) from ``source``; return the new ones.

    ``source`` is one :data:`~loyaltysim.engine.state.HEARD_FROM` code or one per pair; a
    pair that becomes aware keeps the source of its first listing, and is counted in the
    day's ``aware_by_...`` figure of that source.
    """
    new = awareness.newly_aware(model.state, rows, shop)
    r, s = rows[new], shop[new]
    first = np.broadcast_to(np.asarray(source, dtype=np.int8), rows.shape)[new]
    impression = model.impression
    expectation = impression.expectation(model.state.segment[r], s)
    model.mutate.make_aware(r, s, expectation, impression.initial_trust, first)
    for code, counter in _COUNTED.items():
        model.ledger.add(counter, s[first == code])
    return new


def spread(
    model: LoyaltyModel,
    talker: np.ndarray,
    shop: np.ndarray,
    positive: np.ndarray,
    decision: Decision,
) -> None:
    """Talkers tell their contacts; listeners learn of the shop and change their minds.

    Messages to customers who dropped the shop fall on deaf ears. Several messages about
    one shop to one listener on one day compound. ``decision`` keys the draws of who
    hears (each talker and shop its own numbers).
    """
    if talker.size == 0:
        return
    state = model.state
    position, listener, weak = word_of_mouth.contacts(
        model.keyed(decision, talker, shop),
        model.adjacency,
        talker,
        state.slots,
        model.ties,
        model.shop_params.reach_boost[shop],
    )
    shop, positive = shop[position], positive[position]
    listening = state.active[listener] & ~cells(state.dropped, listener, shop)
    listener, shop, positive = listener[listening], shop[listening], positive[listening]
    model.ledger.add("wom_positive", shop[positive])
    model.ledger.add("wom_negative", shop[~positive])
    learn_of(model, listener, shop, np.where(weak[listening], WEAK_TIE, WORD_OF_MOUTH))
    n_shops = model.n_shops
    pairs, inverse = np.unique(listener * n_shops + shop, return_inverse=True)
    n_pos = np.bincount(inverse, weights=positive, minlength=pairs.size)
    n_neg = np.bincount(inverse, weights=~positive, minlength=pairs.size)
    rows, cols = np.divmod(pairs, n_shops)
    influence = model.rules.influence
    model.mutate.hear(
        rows,
        cols,
        expectation=word_of_mouth.compounded(
            cells(state.expectation, rows, cols), n_pos, n_neg, influence
        ),
        trust=word_of_mouth.compounded(cells(state.trust, rows, cols), n_pos, n_neg, influence),
    )
