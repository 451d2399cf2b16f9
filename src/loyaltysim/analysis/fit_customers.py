"""Fit BG/NBD and Gamma-Gamma to an order log, and write the scenario keys they imply.

A strategist who has their own order log (customer id, date, amount) starts the simulation
from their own customer base: the BG/NBD (Fader, Hardie & Lee 2005, "Counting your
customers the easy way") gives each customer a Poisson purchase rate from a Gamma(r, alpha)
and, after each purchase, a dropout probability from a Beta(a, b); the Gamma-Gamma (Fader,
Hardie & Lee 2005, "RFM and CLV"; Colombo & Jiang 1999) gives the spend per repeat purchase.
Those map one to one onto ``[market.segments.<name>]``: ``purchase_rate`` (the Gamma mean
r / alpha, per day), ``purchase_rate_shape`` (r), ``dropout_a`` (a) and ``dropout_b`` (b).

The fitter is lifetimes 0.11.3 (the ``clv`` extra): maximum likelihood in a fraction of a
second, with the Hessian for standard errors. Time is in weeks with day precision, as in the
paper (recency 30.43 weeks), so the fitted alpha is comparable with the published 4.414.
Standard errors and 95% intervals are on the log scale (where lifetimes optimises), so an
interval never leaves (0, inf); the purchase rate's comes from the joint log-scale
covariance of r and alpha.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import numpy as np
import pandas as pd

from loyaltysim.analysis.rfm import summarise_periods
from loyaltysim.scenario.problems import UserError

#: Days per period of the fit: weeks, the unit of the published CDNOW values.
PERIOD_DAYS = 7
#: The normal quantile of a two-sided 95% interval.
Z95 = 1.959963984540054
#: The extra that installs the fitter.
EXTRA = "clv"


@dataclass(frozen=True)
class Estimate:
    """A fitted parameter: value, standard error and 95% interval (log scale)."""

    value: float
    se: float
    lower: float
    upper: float

    @classmethod
    def from_log(cls, name: str, value: float, log_variance: float) -> Estimate:
        """From the value and the variance of its logarithm (the delta method for se).

        Raises:
            UserError: The variance is not a finite positive number, or the interval spans
                more than the floats: the log does not pin the parameter down.

        """
        spread = math.inf
        if math.isfinite(log_variance) and log_variance > 0:
            log_se = math.sqrt(log_variance)
            with contextlib.suppress(OverflowError):
                spread = math.exp(Z95 * log_se)
        if not (math.isfinite(spread) and math.isfinite(value) and value > 0):
            raise UserError(
                f"the order log does not pin down {name} (fitted {value:.4g}, its 95% interval "
                "unbounded): give a log with more customers, more repeat buyers or a longer "
                "period"
            )
        return cls(value, value * log_se, value / spread, value * spread)


@dataclass(frozen=True)
class CustomerFit:
    """The fitted customer base of one order log.

    Attributes:
        customers: Customers with an order up to ``end``.
        repeat_customers: Of them, those who bought on a second day.
        repeat_purchases: Repeat purchase days (the BG/NBD's transactions) in all.
        start: First order date.
        end: End of observation.
        bgnbd: ``r``, ``alpha`` (per week), ``a``, ``b``.
        purchase_rate: The Gamma mean r / alpha, per day.
        spend: Gamma-Gamma ``p``, ``q``, ``gamma``, or None without repeat customers who spent.
        spend_customers: Customers the spend model was fitted on (repeat days, spend > 0).
        spend_note: Why there is no spend model (empty when there is one).
        fitter: Package and version that fitted.

    """

    customers: int
    repeat_customers: int
    repeat_purchases: int
    start: dt.date
    end: dt.date
    bgnbd: dict[str, Estimate]
    purchase_rate: Estimate
    spend: dict[str, Estimate] | None
    spend_customers: int
    spend_note: str
    fitter: str

    @property
    def mean_spend(self) -> float | None:
        """Mean spend per repeat purchase implied by the Gamma-Gamma, p * gamma / (q - 1)."""
        if self.spend is None or self.spend["q"].value <= 1:
            return None
        p, q, gamma = (self.spend[k].value for k in ("p", "q", "gamma"))
        return p * gamma / (q - 1)


def clv_fitters() -> Any:
    """The lifetimes package, or a :class:`UserError` naming the extra that installs it."""
    try:
        import lifetimes
    except ModuleNotFoundError:
        raise UserError(
            f"fitting BG/NBD and Gamma-Gamma needs the lifetimes package, which comes with the "
            f"`{EXTRA}` extra: pip install -e '.[{EXTRA}]'"
        ) from None
    return lifetimes


def customer_summary(log: pd.DataFrame, end: dt.date | None = None) -> pd.DataFrame:
    """Frequency (repeat days), recency and T in weeks, and the mean repeat-day spend.

    Args:
        log: Columns ``customer``, ``date`` (datetime64) and ``amount``, one row per order.
        end: Last observed day (default: the last order date); later orders are left out.

    Raises:
        UserError: ``end`` falls before the first order.

    """
    first = log["date"].min()
    end_ts = log["date"].max() if end is None else pd.Timestamp(end)
    if end_ts < first:
        raise UserError(f"--end: expected a date on or after the first order ({first:%Y-%m-%d})")
    days = (log["date"] - first).dt.days.to_numpy()
    codes, names = pd.factorize(log["customer"], sort=True)
    summary = summarise_periods(codes, days, log["amount"].to_numpy(), 1, (end_ts - first).days)
    summary[["recency", "T"]] /= PERIOD_DAYS
    summary.index = pd.Index(names[summary.index.to_numpy(dtype=int)], name="customer")
    return summary


def _log_covariance(fitter: Any) -> np.ndarray:
    """Covariance of the log-parameters from lifetimes' Hessian of the mean log-likelihood.

    (lifetimes' own ``variance_matrix_`` scales the columns only, so its off-diagonal terms
    are not a covariance; its diagonal, hence its standard errors, agrees with this one.)
    """
    return np.linalg.inv(fitter._hessian_) / fitter.data["weights"].sum()


def _estimates(fitter: Any, names: dict[str, str]) -> tuple[dict[str, Estimate], np.ndarray]:
    try:
        cov = _log_covariance(fitter)
    except np.linalg.LinAlgError:
        cov = np.full((len(names), len(names)), np.inf)  # no curvature: nothing pinned down
    params = fitter.params_
    out = {
        ours: Estimate.from_log(ours, float(params[theirs]), float(cov[i, i]))
        for i, (ours, theirs) in enumerate(names.items())
    }
    return out, cov


def fit_quietly(fit: Any, *args: Any) -> None:
    """Fit without lifetimes' prints on stdout (the keys may go there); failures as UserError."""
    clv_fitters()
    from lifetimes.utils import ConvergenceError

    with contextlib.redirect_stdout(io.StringIO()):
        try:
            fit(*args)
        except (ConvergenceError, ValueError, np.linalg.LinAlgError) as exc:
            message = " ".join(str(exc).split())
            raise UserError(
                f"the fit did not converge on this order log (lifetimes: {message}); a few "
                "customers rarely pin the model down: give a log with more customers or a "
                "longer period"
            ) from None


def fit_customers(log: pd.DataFrame, end: dt.date | None = None) -> CustomerFit:
    """Fit BG/NBD (and Gamma-Gamma, if customers repeat) to an order log.

    Args:
        log: Columns ``customer``, ``date`` and ``amount`` (``read_order_log``'s frame).
        end: End of observation (default: the last order date).

    Raises:
        UserError: lifetimes is missing, no customer repeats, or the fit fails.

    """
    lifetimes = clv_fitters()
    summary = customer_summary(log, end)
    repeaters = summary[summary["frequency"] > 0]
    if repeaters.empty:
        raise UserError(
            "no customer in the order log bought on a second day, so repeat buying and "
            "dropout cannot be told apart; give a longer log"
        )
    bg = lifetimes.BetaGeoFitter()
    fit_quietly(bg.fit, summary["frequency"], summary["recency"], summary["T"])
    bgnbd, cov = _estimates(bg, {"r": "r", "alpha": "alpha", "a": "a", "b": "b"})
    r, alpha = bgnbd["r"].value, bgnbd["alpha"].value
    rate_log_variance = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]  # log(r / alpha)
    purchase_rate = Estimate.from_log(
        "purchase_rate", r / alpha / PERIOD_DAYS, float(rate_log_variance)
    )
    spenders = repeaters[repeaters["monetary_value"] > 0]
    spend, spend_note = None, "fewer than 2 repeat buyers who spent"
    if len(spenders) >= 2:
        # The spend model only informs comments: a log that cannot pin it down keeps the keys.
        try:
            gg = lifetimes.GammaGammaFitter()
            fit_quietly(gg.fit, spenders["frequency"], spenders["monetary_value"])
            spend, _ = _estimates(gg, {"p": "p", "q": "q", "gamma": "v"})
        except UserError as exc:
            spend_note = str(exc)
    return CustomerFit(
        customers=len(summary),
        repeat_customers=len(repeaters),
        repeat_purchases=int(summary["frequency"].sum()),
        start=log["date"].min().date(),
        end=(log["date"].max() if end is None else pd.Timestamp(end)).date(),
        bgnbd=bgnbd,
        purchase_rate=purchase_rate,
        spend=spend,
        spend_customers=len(spenders) if spend is not None else 0,
        spend_note=spend_note if spend is None else "",
        fitter=f"lifetimes {metadata.version('lifetimes')}",
    )


def _line(name: str, estimate: Estimate, unit: str = "") -> str:
    e = estimate
    return (
        f"#   {name:<6}= {e.value:.6g}{unit}  (se {e.se:.3g}; 95% interval "
        f"{e.lower:.4g} to {e.upper:.4g})"
    )


def segment_toml(fit: CustomerFit, segment: str, source: str) -> str:
    """The ``[market.segments.<segment>]`` table of the fit, its evidence in comments."""
    weeks = (fit.end - fit.start).days / PERIOD_DAYS
    b = fit.bgnbd
    lines = [
        f"# Fitted by `loyaltysim fit-customers` from {source} with {fit.fitter}:",
        f"# {fit.customers} customers, {fit.repeat_customers} of them repeat buyers, "
        f"{fit.repeat_purchases} repeat purchase days;",
        f"# orders from {fit.start} to {fit.end} ({weeks:.2f} weeks).",
        "# BG/NBD (Fader, Hardie & Lee 2005), maximum likelihood, time in weeks:",
        _line("r", b["r"]),
        _line("alpha", b["alpha"], " weeks"),
        _line("a", b["a"]),
        _line("b", b["b"]),
        "# purchase_rate = r / alpha / 7 (per day), purchase_rate_shape = r,",
        "# dropout_a = a, dropout_b = b (the chance to leave after each purchase ~ Beta(a, b)).",
    ]
    if fit.spend is None:
        lines.append(f"# Spend: no Gamma-Gamma fit ({fit.spend_note}).")
    else:
        s = fit.spend
        mean = fit.mean_spend
        lines += [
            "# Spend per repeat purchase, Gamma-Gamma (Fader, Hardie & Lee 2005, 'RFM and CLV'),",
            f"# on {fit.spend_customers} repeat buyers; set shops' prices and baskets to match:",
            _line("p", s["p"]),
            _line("q", s["q"]),
            _line("gamma", s["gamma"]),
            "#   mean spend p * gamma / (q - 1) = "
            + ("undefined (q <= 1)" if mean is None else f"{mean:.2f}"),
        ]
    rate = fit.purchase_rate
    lines += [
        f"[market.segments.{segment}]",
        "share = 1.0  # the whole population: split it if the scenario has other segments",
        f"purchase_rate = {rate.value:.6g}  # per day; 95% interval "
        f"{rate.lower:.4g} to {rate.upper:.4g}",
        f"purchase_rate_shape = {b['r'].value:.6g}",
        f"dropout_a = {b['a'].value:.6g}",
        f"dropout_b = {b['b'].value:.6g}",
    ]
    return "\n".join(lines) + "\n"
