"""The arrivals that make a market's stated stage shares and size its steady state.

With ``market.steady_state`` the segments' ``share`` values and ``market.customers`` describe
the market as it stays, not only as it starts. Customers leave at the daily
``departure_rate`` ``d`` and move from a stage of ``duration_days`` ``D`` to its ``next``
(or out of the market) when it ends. Everyone enters a stage at its start, so in the steady
state a stage holding ``N_i`` customers is entered by ``F_i = N_i / L_i`` customers a day,
where ``L_i = (1 - exp(-d D_i)) / d`` is the expected time an entrant spends in it (``D_i``
when ``d = 0``, ``1 / d`` for a segment without an end). Of those entering, the ones coming
from a stage ``j`` with ``next = i`` are the survivors of ``j``: ``F_j exp(-d D_j)`` a day;
the rest, ``a_i = F_i - sum_j F_j exp(-d D_j)``, must arrive from outside. These ``a_i`` are
the daily arrivals; a negative one means the stated shares cannot be a steady state (the
stage's predecessors alone bring more than its share holds).

Pure arithmetic on floats, in the scenario layer so that an impossible set of shares is a
located problem of the file; :mod:`loyaltysim.mechanisms.population` draws from it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from loyaltysim.scenario.sizes import is_number


def time_in_stage(duration: float, departure_rate: float) -> float:
    """Expected days an entrant spends in a stage of ``duration`` (``inf``: no end)."""
    if departure_rate == 0.0:
        return duration
    if math.isinf(duration):
        return 1.0 / departure_rate
    return -math.expm1(-departure_rate * duration) / departure_rate


def arrival_flows(
    share: Sequence[float],
    duration: Sequence[float],
    next_index: Sequence[int],
    departure_rate: float,
) -> list[float]:
    """Daily arrivals per segment, per customer of the market, that hold ``share`` steady.

    ``next_index[j]`` is the segment stage ``j`` leads to (-1: out of the market). A segment
    without an end and without departures holds its share with no arrivals, and cannot
    take in any customers from a stage before it (its arrival is then negative).
    """
    held = [time_in_stage(dur, departure_rate) for dur in duration]
    entering = [s / h for s, h in zip(share, held, strict=True)]
    flows = list(entering)
    for j, nxt in enumerate(next_index):
        if nxt >= 0:
            flows[nxt] -= entering[j] * math.exp(-departure_rate * duration[j])
    return flows


def steady_state_problems(market: Mapping[str, Any]) -> list[tuple]:
    """Problems of ``market.steady_state``: arrival keys it replaces, shares it cannot hold."""
    if market.get("steady_state") is not True:
        return []
    problems: list[tuple] = []
    if market.get("arrival_rate") not in (None, 0, 0.0):
        expected = "no arrival_rate (steady_state derives the arrivals from the shares)"
        problems.append((("market", "arrival_rate"), expected, "a value"))
    segments = market.get("segments", {"all": {"share": 1.0}})
    if not isinstance(segments, Mapping):
        return problems
    items = {k: v for k, v in segments.items() if isinstance(v, Mapping)}
    for name, seg in items.items():
        if seg.get("arrival_share") is not None:
            problems.append(
                (
                    ("market", "segments", name, "arrival_share"),
                    "no arrival_share (steady_state derives the arrivals from the shares)",
                    "a value",
                )
            )
    names = list(items)
    share = [seg.get("share") for seg in items.values()]
    duration = [seg.get("duration_days") for seg in items.values()]
    rate = market.get("departure_rate") or 0.0
    if not all(is_number(v) for v in [*share, *(d for d in duration if d is not None), rate]):
        return problems  # the field errors say what is wrong
    duration = [math.inf if d is None else d for d in duration]
    nxt = [names.index(n) if n in names else -1 for n in (s.get("next") for s in items.values())]
    for name, flow in zip(names, arrival_flows(share, duration, nxt, rate), strict=True):
        if flow < -1e-12:
            problems.append(
                (
                    ("market", "segments", name, "share"),
                    "a share its earlier stages do not overfill in the steady state (or a "
                    "higher market.departure_rate)",
                    f"share {items[name]['share']}, which the stages before it overfill",
                )
            )
    return problems
