"""Statistical equivalence of two engines: the key figures' means over replications, side by side.

When a change alters every random draw (issue 11's counter-based draws), the golden digests change
once, on purpose; this shows that the outputs still say the same thing. Each tree (a git revision,
extracted with ``git archive``, or a folder such as this checkout) runs the scenario, all its
variants, in a fresh interpreter with that tree's ``src`` first on ``PYTHONPATH`` (checked through
``loyaltysim.__file__``), with the scenario's own seed: the two engines' streams differ anyway, so
the samples are independent. For each key figure (``benchmarks/key_figures.py``) and variant it
prints the mean and 95 % t interval before and after, the difference after - before with its
95 % Welch interval, whether that interval contains 0, and, stricter, whether each mean lies inside
the other's interval::

    python scripts/equivalence.py --before main --after ../wt/keyed --replications 20
    python scripts/equivalence.py --before HEAD --after . --customers 300 --markdown

Between two equivalent engines about 1 row in 20 has a difference interval without 0 (95 %), and
about 1 in 5 fails the stricter test (at 20 replications and equal spreads: 18 % of 4,000
simulated pairs of normal samples; a mean must lie within 2.09 of its own standard errors of
the other, whereas the difference's spread is sqrt(2) of them). So a few "no" among 40-odd rows
is no evidence of a difference; a figure far outside, or many, is. The exit status is 0
whatever the outcome (2 for bad input); read the table.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import key_figures  # noqa: E402
import trees  # noqa: E402
from key_figures import mean_ci, render, welch_ci, with_ci  # noqa: E402

HEADER = [
    "variant",
    "shop",
    "figure",
    "before mean [95% CI]",
    "after mean [95% CI]",
    "after - before [95% CI, Welch]",
    "difference CI contains 0",
    "each mean in the other's CI",
]


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    """The command line and the overrides of every run; bad values exit with status 2."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, metavar="REV|DIR", help="the old engine")
    parser.add_argument("--after", required=True, metavar="REV|DIR", help="the new engine")
    key_figures.add_run_options(parser)
    args = parser.parse_args(argv)
    return args, key_figures.run_overrides(parser, args, least=2)


def rows(before, after) -> list[list[str]]:
    """One table row per variant, shop and figure found in both trees' tables."""
    keys = ["variant", "shop", "figure"]
    after_groups = {key: group["value"].to_numpy() for key, group in after.groupby(keys)}
    out = []
    for key, group in before.groupby(keys, sort=False):
        if key not in after_groups:  # listed by missing()
            continue
        old, new = group["value"].to_numpy(), after_groups[key]
        b, a, d = mean_ci(old), mean_ci(new), welch_ci(old, new)
        contains = "-" if any(map(_nan, d)) else _yes(d[1] <= 0 <= d[2])
        inside = (
            "-" if any(map(_nan, (*a, *b))) else _yes(a[1] <= b[0] <= a[2] and b[1] <= a[0] <= b[2])
        )
        out.append([*map(str, key), with_ci(*b), with_ci(*a), with_ci(*d), contains, inside])
    return out


def missing(before, after) -> list[str]:
    """``side: variant/shop/figure`` for each key figure that only one tree's table has."""
    keys = ["variant", "shop", "figure"]
    sides = {name: set(table[keys].itertuples(index=False, name=None)) for name, table in
             (("before", before), ("after", after))}  # fmt: skip
    only = [(name, key) for name, other in (("before", "after"), ("after", "before"))
            for key in sorted(sides[name] - sides[other])]  # fmt: skip
    return [f"only {name}: {'/'.join(map(str, key))}" for name, key in only]


def _nan(value: float) -> bool:
    return value != value


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def main(argv: list[str] | None = None) -> int:
    """Run both trees, print the table; 0 when it could be made, 2 on bad input."""
    args, sets = parse_args(argv)
    job = [{"variant": None}]
    tables = {}
    with tempfile.TemporaryDirectory(prefix="equivalence-") as tmp:
        try:
            for side in ("before", "after"):
                tree = trees.resolve(getattr(args, side), Path(tmp))
                result, line = key_figures.run_on(tree, args.scenario, sets, job, args.workers)
                print(f"{side}: {line}")
                tables[side] = key_figures.long_table(result["rows"][0])
        except trees.TreeError as exc:
            print(f"equivalence: {exc}", file=sys.stderr)
            return exc.status
    print(f"scenario: {args.scenario}, overrides: {' '.join(sets)}\n")
    table = rows(tables["before"], tables["after"])
    print(render(HEADER, table, args.markdown))
    for line in missing(tables["before"], tables["after"]):
        print(line)
    tested = [row for row in table if row[6] != "-"]  # '-': fewer than 2 values on a side
    contains = sum(row[6] == "yes" for row in tested)
    inside = sum(row[7] == "yes" for row in tested)
    print(
        f"\n{contains} of {len(tested)} differences have a 95% CI containing 0; "
        f"{inside} of {len(tested)} means lie each inside the other's CI "
        f"(between equivalent engines about 1 in 20 and 1 in 5 fail these by chance)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
