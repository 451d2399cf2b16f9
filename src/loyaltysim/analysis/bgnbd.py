"""Closed forms of the BG/NBD model (Fader, Hardie & Lee 2005), needing only scipy.

While alive, a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); after
each purchase they drop out with probability p ~ Beta(a, b). These formulas let a test
compare a simulated customer base with the model without fitting anything (and without the
``clv`` extra).
"""

from __future__ import annotations

import numpy as np
from scipy.special import hyp2f1


def bgnbd_expected_repeats(
    t: float | np.ndarray, r: float, alpha: float, a: float, b: float
) -> float | np.ndarray:
    """E[X(t)]: expected repeat purchases in ``t`` periods after the first (the paper's eq. 9).

    E[X(t)] = (a + b - 1) / (a - 1) * [1 - (alpha / (alpha + t))^r
    * 2F1(r, b; a + b - 1; t / (alpha + t))], with ``t`` and ``alpha`` in the same unit
    (weeks for the CDNOW parameters r = 0.243, alpha = 4.414, a = 0.793, b = 2.426).

    Args:
        t: Time since the first purchase (scalar or array), >= 0.
        r: Gamma shape of the purchase rates.
        alpha: Gamma rate (scale parameter in time units) of the purchase rates.
        a: Beta a of the dropout probability; a = 1 makes the formula 0/0 and is refused.
        b: Beta b of the dropout probability.

    Raises:
        ValueError: A parameter outside its range, or a = 1.

    """
    if min(r, alpha, a, b) <= 0:
        raise ValueError(f"r, alpha, a, b must all be > 0, given {r}, {alpha}, {a}, {b}")
    if a == 1:
        raise ValueError("a = 1 makes eq. 9 of Fader, Hardie & Lee (2005) 0/0; use a != 1")
    t = np.asarray(t, dtype=float)
    if np.any(t < 0):
        raise ValueError("t must be >= 0")
    z = t / (alpha + t)
    value = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))
    return float(value) if value.ndim == 0 else value
