"""Common random numbers: how much they shrink the variance of a variant's paired differences.

Issue 11's target: "Paired differences of the baseline's courier variant: variance >= 5x smaller
with per-decision common random numbers than with independent seeds, measured over >= 20
replications." On one source tree (this checkout by default; ``--tree REV|DIR`` another, see
``trees.py``) the script runs, through the public API in a child on that tree's package:

- the base, replications k = 0..R-1 with child k of the scenario's root seed,
- the variant with the same seeds (common seeds: what ``loyaltysim run`` does for variants),
- the variant with independent seeds (root seed + 1,000,003, so replication k's stream shares
  nothing with the base's).

Per replication k it takes the paired difference d_k = variant_k - base_k of the key figures
(``--shop``'s retention, order share, profit and CLV; the market's orders, profit and HHI), and
reports var(d, independent) / var(d, common) with two 95 % intervals: a percentile bootstrap
over replications (10,000 resamples of k, drawn jointly for both designs because they share the
base runs; seeded, so the output is deterministic) and the F interval of normal theory, which
assumes the two variances independent (they are not quite: the same base runs are in both)::

    python benchmarks/bench_crn.py                          # 20 replications, full size
    python benchmarks/bench_crn.py --tree main --days 180 --markdown
    python benchmarks/bench_crn.py --variant base --customers 300 --days 20 --replications 3

``--variant base`` compares the base with itself: with common seeds every difference is then
exactly 0 (a check of the set-up rather than a measurement).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tomllib
from pathlib import Path

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import key_figures  # noqa: E402
import trees  # noqa: E402
from key_figures import MARKET, mean_ci, number, render, with_ci  # noqa: E402

#: Added to the root seed for the variant's independent replications.
INDEPENDENT_OFFSET = 1_000_003
#: The variance-ratio target of issue 11.
TARGET = 5.0
#: Bootstrap resamples of the replications, and the seed of their draws.
RESAMPLES = 10_000
BOOTSTRAP_SEED = 0

SHOP_FIGURES = ("retention", "market_share", "profit", "clv")
MARKET_FIGURES = ("orders", "profit", "hhi")

HEADER = [
    "figure",
    "mean d, common seeds [95% CI]",
    "mean d, independent seeds [95% CI]",
    "sd d common",
    "sd d independent",
    "var ratio indep/common",
    "95% CI (bootstrap)",
    "95% CI (F)",
    f"ratio >= {TARGET:g}",
]


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    """The command line and the overrides of every run; bad values exit with status 2."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", default=str(ROOT), metavar="REV|DIR", help="default: here")
    parser.add_argument("--variant", default="thrift_reliable_courier")
    parser.add_argument("--shop", default="thrift", help="the shop whose figures are compared")
    key_figures.add_run_options(parser)
    args = parser.parse_args(argv)
    sets = key_figures.run_overrides(parser, args, least=3)
    try:
        shops = tomllib.loads(args.scenario.read_text(encoding="utf-8")).get("shops", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        parser.error(f"--scenario: cannot read {args.scenario}: {exc}")
    if args.shop not in shops:
        parser.error(
            f"--shop: no shop {args.shop!r} in {args.scenario}; there are {', '.join(shops)}"
        )
    return args, sets


def ratio_cis(common: np.ndarray, independent: np.ndarray) -> tuple[float, tuple, tuple]:
    """var(independent) / var(common), its bootstrap and F 95 % intervals.

    ``common[k]`` and ``independent[k]`` belong to replication k (they share its base run), so
    the bootstrap resamples k once for both. Resamples with no spread in either design (0/0,
    likely only with a handful of replications) are left out.
    """
    n = len(common)
    ratio = _ratio(independent.var(ddof=1), common.var(ddof=1))
    picks = np.random.default_rng(BOOTSTRAP_SEED).integers(0, n, size=(RESAMPLES, n))
    boot = _ratio(independent[picks].var(ddof=1, axis=1), common[picks].var(ddof=1, axis=1))
    boot_ci = tuple(np.nanquantile(boot, [0.025, 0.975], method="inverted_cdf"))
    f_ci = (ratio / stats.f.ppf(0.975, n - 1, n - 1), ratio / stats.f.ppf(0.025, n - 1, n - 1))
    return ratio, boot_ci, f_ci


def _ratio(top, bottom):
    """``top / bottom`` with x/0 = inf and 0/0 = NaN, elementwise, without warnings."""
    top, bottom = np.asarray(top, dtype=float), np.asarray(bottom, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(
            bottom > 0, top / np.where(bottom > 0, bottom, 1.0), np.where(top > 0, np.inf, np.nan)
        )


def paired(table, shop: str, figure: str):
    """``figure`` of ``shop`` in one design's runs, a Series indexed by replication."""
    rows = table[(table["shop"] == shop) & (table["figure"] == figure)]
    return rows.set_index("replication")["value"].sort_index()


def rows(base, common, independent, shop: str) -> list[list[str]]:
    """One table row per key figure: the paired differences under both designs and the ratio."""
    keys = [(shop, f) for f in SHOP_FIGURES] + [(MARKET, f) for f in MARKET_FIGURES]
    out = []
    for where, figure in keys:
        b = paired(base, where, figure)
        d_common = (paired(common, where, figure) - b).to_numpy()
        d_indep = (paired(independent, where, figure) - b).to_numpy()
        keep = ~(np.isnan(d_common) | np.isnan(d_indep))
        d_common, d_indep = d_common[keep], d_indep[keep]
        if len(d_common) < 3:  # a figure undefined in most replications (tiny markets)
            out.append([f"{where}.{figure}", *["-"] * (len(HEADER) - 1)])
            continue
        ratio, boot, f_ci = ratio_cis(d_common, d_indep)
        met = "-" if np.isnan(ratio) else ("no" if ratio < TARGET else "yes")
        if met == "yes" and boot[0] >= TARGET:
            met = "yes (bootstrap CI above)"
        out.append(
            [
                f"{where}.{figure}",
                with_ci(*mean_ci(d_common)),
                with_ci(*mean_ci(d_indep)),
                number(d_common.std(ddof=1)),
                number(d_indep.std(ddof=1)),
                number(float(ratio)),
                f"[{number(boot[0])}, {number(boot[1])}]",
                f"[{number(f_ci[0])}, {number(f_ci[1])}]",
                met,
            ]
        )
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the three designs on the tree, print the table; 2 on bad input."""
    args, sets = parse_args(argv)
    jobs = [
        {"variant": "base"},
        {"variant": args.variant},
        {"variant": args.variant, "seed_offset": INDEPENDENT_OFFSET},
    ]
    with tempfile.TemporaryDirectory(prefix="bench-crn-") as tmp:
        try:
            tree = trees.resolve(args.tree, Path(tmp))
            result, line = key_figures.run_on(tree, args.scenario, sets, jobs, args.workers)
        except trees.TreeError as exc:
            print(f"bench_crn: {exc}", file=sys.stderr)
            return exc.status
    base, common, independent = (key_figures.long_table(records) for records in result["rows"])
    print(
        f"tree: {line}\n"
        f"scenario: {args.scenario}, variant {args.variant} - base, overrides: {' '.join(sets)}\n"
        f"d = variant - base per replication; independent seeds: root seed + {INDEPENDENT_OFFSET:,}"
        f"; bootstrap: {RESAMPLES:,} joint resamples of the replications\n"
    )
    print(render(HEADER, rows(base, common, independent, args.shop), args.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
