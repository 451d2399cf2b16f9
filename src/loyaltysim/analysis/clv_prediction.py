"""Predicted CLV and P(alive) from a BG/NBD + Gamma-Gamma fit, scored against the truth.

A shop's order log is split at the end of the calibration period: the BG/NBD (Fader, Hardie
& Lee 2005) and the Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV") are
fitted on the orders up to that day, as a CLV analyst would; the simulator knows who is
still alive then, and the holdout orders show what happened next. Transactions are purchase
*days* and times are in weeks with day precision, the conventions of
:mod:`loyaltysim.analysis.fit_customers` (so the fit is the one of ``fit-customers``).

Value is what customers paid, goods plus fee (the log's ``goods + fee``, the RFM
``monetary_value``), not margin: the log does not carry each order's cost of goods and
courier. It is discounted to the calibration end at a yearly rate, day by day: an amount
``d`` days after the end counts ``(1 + rate) ** (-d / 365)``, for the realised orders and for
the expected purchases of each holdout day alike.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from typing import Any

import numpy as np
import pandas as pd

from loyaltysim.analysis.fit_customers import PERIOD_DAYS, clv_fitters, fit_quietly
from loyaltysim.analysis.rfm import summarise_periods
from loyaltysim.engine.figures import Figure
from loyaltysim.scenario.problems import UserError

#: Days per year of the discounting convention.
YEAR_DAYS = 365
#: The BG/NBD's gradient tolerance when lifetimes' own (1e-7) ends in precision loss.
LOOSE_TOLERANCE = 1e-4

#: The figures of the CLV test bed, one value per replication and shop, appended to
#: ``replications.csv`` (and so summarised in ``summary.csv``) only when ``[clv]`` is on;
#: they are declared here rather than in the registry because no run without a holdout has
#: them. "Customers" are the shop's customers with an order by the calibration end.
FIGURES: tuple[Figure, ...] = (
    Figure(
        "clv_customers",
        "customers in the fit",
        "count",
        "customers with an order at the shop by the calibration end",
    ),
    Figure(
        "p_alive_predicted",
        "mean predicted P(alive)",
        "share",
        "mean BG/NBD P(alive) at the calibration end",
    ),
    Figure(
        "alive_share",
        "alive in the category (truth)",
        "share",
        "share of them still buying in the category at the calibration end",
    ),
    Figure(
        "alive_share_shop",
        "still the shop's customers (truth)",
        "share",
        "share of them in the category and not churned from the shop at the calibration end",
    ),
    Figure(
        "p_alive_brier",
        "Brier score of P(alive)",
        "score",
        "mean squared gap between P(alive) and being still the shop's customer (0: perfect)",
    ),
    Figure(
        "p_alive_auc",
        "AUC of P(alive)",
        "score",
        "chance that P(alive) ranks one of the shop's customers above one who is not (0.5: chance)",
    ),
    Figure(
        "holdout_purchases_predicted",
        "predicted holdout purchases",
        "count",
        "expected purchase days of these customers over the holdout (BG/NBD)",
    ),
    Figure(
        "holdout_purchases",
        "realised holdout purchases",
        "count",
        "their purchase days at the shop over the holdout",
    ),
    Figure(
        "holdout_value_predicted",
        "predicted holdout CLV",
        "money",
        "expected discounted value of their holdout orders (BG/NBD x Gamma-Gamma)",
    ),
    Figure(
        "holdout_value",
        "realised holdout CLV",
        "money",
        "discounted value of their holdout orders at the shop",
    ),
    Figure(
        "holdout_value_ratio",
        "predicted over realised CLV",
        "score",
        "holdout_value_predicted / holdout_value (1: unbiased)",
    ),
)
NAMES = tuple(f.name for f in FIGURES)


def find(name: str) -> Figure | None:
    """The CLV test bed's figure ``name``, or ``None``."""
    return next((f for f in FIGURES if f.name == name), None)


def discount_factors(days: np.ndarray, annual_rate: float) -> np.ndarray:
    """What an amount ``days`` after the calibration end is worth at it: (1 + rate)^(-d/365)."""
    return (1.0 + annual_rate) ** (-np.asarray(days, dtype=float) / YEAR_DAYS)


def calibration_summary(
    customer: np.ndarray, day: np.ndarray, value: np.ndarray, end_day: int
) -> pd.DataFrame:
    """Frequency (repeat days), recency and T in weeks, mean repeat-day value, up to ``end_day``."""
    summary = summarise_periods(customer, day, value, 1, end_day)
    summary[["recency", "T"]] /= PERIOD_DAYS
    return summary


def holdout_outcomes(
    customer: np.ndarray,
    day: np.ndarray,
    value: np.ndarray,
    end_day: int,
    holdout_days: int,
    annual_rate: float,
) -> pd.DataFrame:
    """Per customer: purchase days and discounted value over days ``end_day + 1 ..  + holdout``."""
    day = np.asarray(day)
    inside = (day > end_day) & (day <= end_day + holdout_days)
    frame = pd.DataFrame(
        {
            "customer": np.asarray(customer)[inside],
            "day": day[inside],
            "value": np.asarray(value, dtype=float)[inside]
            * discount_factors(day[inside] - end_day, annual_rate),
        }
    )
    grouped = frame.groupby("customer", sort=True)
    return pd.DataFrame({"purchases": grouped["day"].nunique(), "value": grouped["value"].sum()})


def predict(summary: pd.DataFrame, holdout_days: int, annual_rate: float) -> pd.DataFrame:
    """P(alive), expected purchase days and expected discounted value over the holdout.

    The BG/NBD's conditional expectation E[X(t) | data] is taken day by day, each day's
    increment valued at the Gamma-Gamma's expected spend per purchase given the customer's
    repeat spend (see :func:`_expected_spend` for spends it cannot fit) and discounted to the
    calibration end.

    Raises:
        UserError: lifetimes is missing or the BG/NBD fit does not converge.

    """
    lifetimes = clv_fitters()
    f, r, t = (summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    bg = _bgnbd(lifetimes, f, r, t)
    value, before = np.zeros(f.size), np.zeros(f.size)
    factors = discount_factors(np.arange(1, holdout_days + 1), annual_rate)
    for d in range(1, holdout_days + 1):
        cumulative = np.asarray(
            bg.conditional_expected_number_of_purchases_up_to_time(d / PERIOD_DAYS, f, r, t)
        )
        value += (cumulative - before) * factors[d - 1]
        before = cumulative
    return pd.DataFrame(
        {
            "p_alive": np.asarray(bg.conditional_probability_alive(f, r, t)),
            "purchases": before,
            "value": value * _expected_spend(lifetimes, summary),
        },
        index=summary.index,
    )


def _bgnbd(lifetimes: Any, f: np.ndarray, r: np.ndarray, t: np.ndarray) -> Any:
    """The BG/NBD fitted by lifetimes, at its own tolerance or, failing that, a looser one.

    When every customer's dropout chance is alike (no ``dropout_a``/``b``: customers leave a
    shop by churning or lapsing, as in the baseline), the likelihood rises towards a and b
    both infinite with a / (a + b) fixed; BFGS then stops on a flat ridge with a gradient
    near 1e-5 and reports precision loss, which lifetimes turns into a ConvergenceError.
    The retry accepts a gradient below :data:`LOOSE_TOLERANCE` there: the predictions
    depend on a / (a + b), which the ridge pins down.
    """
    bg = lifetimes.BetaGeoFitter()
    try:
        fit_quietly(bg.fit, f, r, t)
    except UserError:
        bg = lifetimes.BetaGeoFitter()
        # lifetimes then computes standard errors, which the predictions do not use; on the
        # ridge a variance comes out negative and its square root warns
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            fit_quietly(functools.partial(bg.fit, tol=LOOSE_TOLERANCE), f, r, t)
    return bg


def _expected_spend(lifetimes: Any, summary: pd.DataFrame) -> np.ndarray | float:
    """Each customer's expected spend per purchase: the Gamma-Gamma's, given their repeats.

    Spends the Gamma-Gamma cannot fit (fewer than 2 repeat buyers who spent, or spends as
    alike as one price: the model's heterogeneity goes to infinity and the fit does not
    converge) fall back to the log's mean value per repeat purchase day, the same for all.
    """
    repeats = summary[summary["frequency"] > 0]
    spenders = repeats[repeats["monetary_value"] > 0]
    if len(spenders) >= 2:
        gg = lifetimes.GammaGammaFitter()
        with contextlib.suppress(UserError):
            fit_quietly(gg.fit, spenders["frequency"], spenders["monetary_value"])
            spend = gg.conditional_expected_average_profit(
                summary["frequency"], summary["monetary_value"]
            )
            return np.asarray(spend, dtype=float)
    days = repeats["frequency"].sum()
    return float((repeats["frequency"] * repeats["monetary_value"]).sum() / days)


def brier(p: np.ndarray, truth: np.ndarray) -> float:
    """Mean squared gap between predicted probabilities and 0/1 outcomes (NaN if none)."""
    return float(np.mean((p - truth) ** 2)) if p.size else np.nan


def auc(p: np.ndarray, truth: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney, ties count half); NaN without both outcomes."""
    positives, negatives = int(truth.sum()), int((~truth).sum())
    if positives == 0 or negatives == 0:
        return np.nan
    from scipy.stats import rankdata  # here: scipy.stats costs every run 35 MB to import

    ranks = rankdata(p)
    return float((ranks[truth].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def score(
    customers: pd.Index,
    prediction: pd.DataFrame | None,
    outcomes: pd.DataFrame,
    alive: np.ndarray,
    customer_of: np.ndarray,
) -> dict[str, float]:
    """The figures of :data:`FIGURES` for one shop's customers.

    Args:
        customers: The shop's customers with an order by the calibration end.
        prediction: :func:`predict`'s frame for them (None: the fit failed, so the
            predicted figures are NaN).
        outcomes: :func:`holdout_outcomes` (customers without holdout orders may be absent;
            orders of other customers are left out).
        alive: Per customer, whether alive in the category at the calibration end.
        customer_of: Per customer, whether alive and not churned from the shop then.

    """
    n = len(customers)
    realised = outcomes.reindex(customers)
    purchases, value = (float(realised[c].sum()) for c in ("purchases", "value"))
    out = dict.fromkeys(NAMES, np.nan)
    out |= {
        "clv_customers": float(n),
        "alive_share": float(alive.mean()) if n else np.nan,
        "alive_share_shop": float(customer_of.mean()) if n else np.nan,
        "holdout_purchases": purchases,
        "holdout_value": value,
    }
    if prediction is not None:
        p = prediction["p_alive"].to_numpy()
        predicted = float(prediction["value"].sum(min_count=1))
        out |= {
            "p_alive_predicted": float(p.mean()),
            "p_alive_brier": brier(p, customer_of),
            "p_alive_auc": auc(p, customer_of),
            "holdout_purchases_predicted": float(prediction["purchases"].sum()),
            "holdout_value_predicted": predicted,
            "holdout_value_ratio": predicted / value if value > 0 else np.nan,
        }
    return out


def bottom_line(summary: pd.DataFrame, holdout_days: int, base: str = "base") -> list[str]:
    """One sentence per shop of ``base``: the fit's P(alive) and CLV against the truth."""
    keyed = summary[summary["variant"] == base].set_index(["shop", "figure"])

    def cell(shop: str, name: str, fmt: str, ci: str = "") -> str:
        row = keyed.loc[(shop, name)]
        if not np.isfinite(row["mean"]):
            return "not available"
        text = fmt.format(row["mean"])
        if np.isfinite(row["ci_low"]) and np.isfinite(row["ci_high"]):
            text += f" ({ci}{fmt.format(row['ci_low'])} to {fmt.format(row['ci_high'])})"
        return text

    sentences = []
    for shop in dict.fromkeys(keyed.index.get_level_values("shop")):
        if (shop, "p_alive_predicted") not in keyed.index:
            continue
        sentences.append(
            f"At {shop}, the BG/NBD fit gives the customers of the calibration period a mean "
            f"P(alive) of {cell(shop, 'p_alive_predicted', '{:.1%}', '95% CI ')} at its end; "
            f"in truth {cell(shop, 'alive_share_shop', '{:.1%}')} were still the shop's "
            f"customers and {cell(shop, 'alive_share', '{:.1%}')} still bought in the "
            f"category. Its predicted value of their next {holdout_days} days is "
            f"{cell(shop, 'holdout_value_ratio', '{:.2f}')} times the realised one."
        )
    return sentences
