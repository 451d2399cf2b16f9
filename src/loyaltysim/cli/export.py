"""``loyaltysim export rfm RESULTS``: a run's orders as the RFM summary CLV tools read.

The table is :func:`loyaltysim.analysis.rfm.rfm_summary` of one replication of one variant
(uids repeat across them), as CSV with the columns ``customer, frequency, recency, T,
monetary_value``: ``pandas.read_csv(..., index_col="customer")`` gives the frame that
lifetimes' fitters and PyMC-Marketing's ``BetaGeoModel`` (after
``reset_index().rename(columns={"customer": "customer_id"})``) take. Observation ends on the
run's last recorded day, so customers who went quiet at the end count as such.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from loyaltysim.cli.common import write_or_print

NAME = "export"
HELP = "export a run's orders for CLV tools (rfm: lifetimes' and PyMC-Marketing's layout)"


def positive_int(text: str) -> int:
    """An argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of days >= 1, given {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``export``."""
    parser.add_argument("table", choices=["rfm"], help="what to export (rfm: the RFM summary)")
    parser.add_argument("folder", type=Path, help="result folder of `loyaltysim run`")
    parser.add_argument(
        "--shop", help="only this shop's orders (default: all shops, the category view)"
    )
    parser.add_argument(
        "--period", type=positive_int, default=7, metavar="DAYS", help="days per period (7)"
    )
    parser.add_argument("--variant", default="base", help="variant to export (base)")
    parser.add_argument("--replication", type=int, default=0, help="replication to export (0)")
    parser.add_argument("--out", type=Path, help="CSV file to write (default: standard output)")


def run_orders(folder: Path) -> pd.DataFrame:
    """The orders table of a run folder, or a :class:`UserError` saying why there is none."""
    from loyaltysim.experiment.folder import kind_of
    from loyaltysim.experiment.orders import ORDERS_FILE, read_orders
    from loyaltysim.scenario.problems import UserError

    if kind_of(folder) != "run":
        raise UserError(f"{folder}: a sweep folder; give the folder of a `loyaltysim run`")
    path = folder / ORDERS_FILE
    if not path.exists():
        raise UserError(
            f"{path}: missing; the run was made with output.orders = false or by an older "
            "loyaltysim: run the scenario again"
        )
    try:
        return read_orders(folder)
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: cannot be read as a Parquet table ({exc})") from None


def _one_run(orders: pd.DataFrame, variant: str, replication: int, folder: Path) -> pd.DataFrame:
    from loyaltysim.scenario.problems import UserError
    from loyaltysim.scenario.wording import unknown

    variants = [str(v) for v in dict.fromkeys(orders["variant"])]
    if variant not in variants:
        raise UserError(f"--variant: {unknown(variant, 'variant', variants)} in {folder}")
    orders = orders[orders["variant"] == variant]
    replications = sorted(int(k) for k in orders["replication"].unique())
    if replication not in replications:
        raise UserError(
            f"--replication: expected one of {', '.join(map(str, replications))} "
            f"(variant {variant}), given {replication}"
        )
    return orders[orders["replication"] == replication]


def execute(args: argparse.Namespace, argv: list[str]) -> int:
    """Write the RFM summary as CSV."""
    from loyaltysim.analysis.rfm import rfm_summary
    from loyaltysim.experiment.folder import read_scenario
    from loyaltysim.scenario.problems import UserError

    orders = _one_run(run_orders(args.folder), args.variant, args.replication, args.folder)
    days = read_scenario(args.folder).get("run", {}).get("days")
    end = int(days) - 1 if days is not None else None
    try:
        summary = rfm_summary(orders, args.shop, args.period, end)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    text = summary.to_csv()
    write_or_print(text, args.out, f"RFM summary: {args.out} ({len(summary)} customers)")
    return 0
