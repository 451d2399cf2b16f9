"""The key figures of a run, per replication, and their means with 95 % confidence intervals.

Shared by ``scripts/equivalence.py`` (one engine against another) and ``benchmarks/bench_crn.py``
(paired differences with common and independent seeds). :func:`run_replications` is the child's
side: it runs in an interpreter whose ``loyaltysim`` is the tree under test (see ``trees.call``)
and uses only the public API (``load_scenario``, ``variant_of``, ``run`` and
``RunResult.replications``), so any tree with that API can be measured.

The key figures are chosen from the figure registry (``src/loyaltysim/engine/figures.py``) as the
ones a study reports: per shop, :data:`SHOP_FIGURES`; for the market, :data:`MARKET_FIGURES`,
combined from the shops' values of the same replication as the registry combines them (sums,
and the Herfindahl-Hirschman index as the sum of squared order shares). Market levels such as
customers or retention have no market value (a customer can belong to several shops).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

#: Per-shop figures of ``replications.csv`` compared by the tools.
SHOP_FIGURES = (
    "retention",
    "market_share",
    "profit",
    "clv",
    "repurchase_rate",
    "mean_satisfaction",
)

#: Market figures: name -> (per-shop figure, how the shops combine: ``sum`` or ``squares``).
MARKET_FIGURES = {
    "orders": ("orders", "sum"),
    "profit": ("profit", "sum"),
    "complaints": ("complaints", "sum"),
    "hhi": ("market_share", "squares"),
}

#: Label of the market's rows in the ``shop`` column.
MARKET = "market"

#: The baseline scenario, the tools' default.
BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"

_COLUMNS = sorted({*SHOP_FIGURES, *(source for source, _ in MARKET_FIGURES.values())})


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The options both tools share: the scenario, its size and the output format."""
    parser.add_argument("--scenario", type=Path, default=BASELINE)
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--days", type=int, help="recorded days (run.days)")
    parser.add_argument("--customers", type=int, help="initial customers (market.customers)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--workers", type=int, default=1, help="processes per run (default 1)")
    parser.add_argument("--markdown", action="store_true", help="print the table as markdown")


def run_overrides(
    parser: argparse.ArgumentParser, args: argparse.Namespace, least: int
) -> list[str]:
    """The checked options of :func:`add_run_options` as ``--set`` overrides of every run.

    Bad values end the program through ``parser.error`` (a message and exit status 2);
    ``least`` is the fewest replications the tool's statistics need.
    """
    if args.replications < least:
        parser.error(f"--replications: at least {least}, given {args.replications}")
    for name in ("days", "customers", "workers"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name}: expected a whole number >= 1, given {value}")
    if not args.scenario.is_file():
        parser.error(f"--scenario: no file {args.scenario}")
    sets = [f"run.replications={args.replications}"]
    if args.days is not None:
        sets.append(f"run.days={args.days}")
    if args.customers is not None:
        sets.append(f"market.customers={args.customers}")
    return [*sets, *args.set]


def run_replications(
    scenario: str, overrides: list[str], jobs: list[dict[str, Any]], workers: int = 1
) -> dict[str, Any]:
    """Run each job on this interpreter's ``loyaltysim``; the rows of the key figures.

    Args:
        scenario: Path of the scenario file.
        overrides: ``--set`` style overrides applied to it.
        jobs: ``{"variant": NAME or None, "seed_offset": INT}`` each: ``None`` runs every
            variant of the file as ``loyaltysim run`` does (replication k of each with child k
            of the root seed); a name runs that variant alone (``"base"``: the base); a
            non-zero offset is added to the root seed ``run.seed`` (independent streams).
        workers: Processes per run (the results do not depend on it).

    Returns:
        ``{"rows": [one list of records per job], "cpu_seconds": ..., "model_runs": ...}``,
        records ``{variant, replication, shop, <figures>}``; cpu is this process's time in the
        runs (with ``workers > 1`` the workers' time is not in it).
    """
    import loyaltysim

    common = loyaltysim.load_scenario(scenario, overrides=overrides)
    known = ["base", *common.variants]
    unknown = [job["variant"] for job in jobs if job.get("variant") not in (None, *known)]
    if unknown:
        print(
            f"{scenario}: no variant {unknown[0]!r}; there are {', '.join(known)}", file=sys.stderr
        )
        raise SystemExit(2)
    rows: list[list[dict[str, Any]]] = []
    cpu = 0.0
    model_runs = 0
    for job in jobs:
        loaded = common
        if job.get("seed_offset"):
            seed = common.run.seed + job["seed_offset"]
            loaded = loyaltysim.load_scenario(scenario, overrides=[*overrides, f"run.seed={seed}"])
        name = job.get("variant")
        if name is not None:
            loaded = loyaltysim.variant_of(loaded, name)
        start = time.process_time()
        result = loyaltysim.run(loaded, workers=workers)
        cpu += time.process_time() - start
        table = result.replications
        if name is not None:
            table = table.assign(variant=name)
        model_runs += table[["variant", "replication"]].drop_duplicates().shape[0]
        present = [column for column in _COLUMNS if column in table.columns]  # older trees
        rows.append(table[["variant", "replication", "shop", *present]].to_dict("records"))
    return {"rows": rows, "cpu_seconds": cpu, "model_runs": model_runs}


def run_on(
    tree: Any, scenario: Path, sets: list[str], jobs: list[dict], workers: int
) -> tuple[dict[str, Any], str]:
    """:func:`run_replications` on ``tree`` in a fresh child (``trees.call``).

    Returns the child's result and one line saying which package ran and what it cost.
    """
    import trees  # the parent's side only: the child imports this file by its path

    reply = trees.call(
        tree,
        Path(__file__),
        "run_replications",
        scenario=str(scenario.resolve()),
        overrides=sets,
        jobs=jobs,
        workers=workers,
    )
    result = reply.result
    per_run = result["cpu_seconds"] / max(result["model_runs"], 1)
    line = (
        f"{tree.label} ({tree.commit or 'no git'}), {reply.loyaltysim_file}; "
        f"{result['model_runs']} model runs, {number(per_run)} s CPU each "
        f"({number(reply.cpu_seconds)} s CPU in all with start-up)"
    )
    return result, line


def long_table(records: list[dict[str, Any]]) -> pd.DataFrame:
    """``variant, replication, shop, figure, value``: the shops' key figures and the market's.

    A figure the tree's ``replications`` table lacks (an older engine) is left out.
    """
    wide = pd.DataFrame.from_records(records)
    shops = wide.melt(
        id_vars=["variant", "replication", "shop"],
        value_vars=[figure for figure in SHOP_FIGURES if figure in wide.columns],
        var_name="figure",
    )
    market = []
    for name, (source, how) in MARKET_FIGURES.items():
        if source not in wide.columns:
            continue
        column = wide[source] if how == "sum" else wide[source] ** 2
        values = column.groupby([wide["variant"], wide["replication"]], sort=False).sum()
        market.append(values.rename("value").reset_index().assign(shop=MARKET, figure=name))
    table = pd.concat([shops, *market], ignore_index=True)
    # shops in the file's order, the market last; figures stay in the order they were made
    order = {
        "variant": {name: i for i, name in enumerate(wide["variant"].unique())},
        "shop": {name: i for i, name in enumerate([*wide["shop"].unique(), MARKET])},
    }
    table = table.sort_values(
        ["variant", "shop"], key=lambda column: column.map(order[column.name]), kind="stable"
    )
    return table[["variant", "replication", "shop", "figure", "value"]].reset_index(drop=True)


def mean_ci(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95 % t interval of ``values`` (NaN dropped; NaN bounds below 2 values)."""
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return (np.nan, np.nan, np.nan)
    mean = float(values.mean())
    if len(values) < 2:
        return (mean, np.nan, np.nan)
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return (mean, mean - half, mean + half)


def welch_ci(before: np.ndarray, after: np.ndarray) -> tuple[float, float, float]:
    """``mean(after) - mean(before)`` and its 95 % Welch interval (independent samples).

    With no spread in either sample the interval is the difference itself, so two identical
    constant samples give exactly ``(0, 0, 0)``.
    """
    before = before[~np.isnan(before)]
    after = after[~np.isnan(after)]
    if len(before) < 2 or len(after) < 2:
        return (np.nan, np.nan, np.nan)
    diff = float(after.mean() - before.mean())
    var_b = before.var(ddof=1) / len(before)
    var_a = after.var(ddof=1) / len(after)
    se2 = var_b + var_a
    if se2 == 0:
        return (diff, diff, diff)
    dof = se2**2 / (var_b**2 / (len(before) - 1) + var_a**2 / (len(after) - 1))
    half = stats.t.ppf(0.975, dof) * np.sqrt(se2)
    return (diff, diff - half, diff + half)


def number(value: float) -> str:
    """A figure for a table: 4 significant digits, whole numbers from 1,000 on, '-' for NaN."""
    if value is None or np.isnan(value):
        return "-"
    if np.isinf(value):
        return "inf"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def with_ci(mean: float, low: float, high: float) -> str:
    """``mean [low, high]`` as printed in the tools' tables."""
    return f"{number(mean)} [{number(low)}, {number(high)}]"


def render(header: list[str], rows: list[list[str]], markdown: bool) -> str:
    """The table as markdown, or as aligned plain text."""
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        return "\n".join([*lines, *("| " + " | ".join(row) + " |" for row in rows)])
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in [header, ["-" * w for w in widths], *rows]
    )
