"""``loyaltysim fit-customers ORDERS.csv``: a scenario's customer segment from a real order log.

Reads the log (:mod:`loyaltysim.analysis.order_log`, every bad cell located, exit 2), fits
BG/NBD and Gamma-Gamma (:mod:`loyaltysim.analysis.fit_customers`, the ``clv`` extra) and
writes the ``[market.segments.<name>]`` keys, with the fit and its sources as comments, to
standard output or ``--out``: paste them into a scenario.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path

from loyaltysim.cli.common import write_or_print

NAME = "fit-customers"
HELP = "fit BG/NBD and Gamma-Gamma to an order log and write a scenario segment's keys"

#: A segment name that is a bare TOML key (and reads well in a --set path).
SEGMENT_NAME = re.compile(r"[A-Za-z0-9_-]+")


def segment_name(text: str) -> str:
    """An argparse type: a segment name usable as a bare TOML key."""
    if not SEGMENT_NAME.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"expected letters, digits, '_' or '-' (a bare TOML key), given {text!r}"
        )
    return text


def iso_date(text: str) -> dt.date:
    """An argparse type: a date as YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date like 2026-03-01, given {text!r}"
        ) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``fit-customers``."""
    parser.add_argument("orders", type=Path, help="CSV order log with a header line")
    parser.add_argument("--id", default="customer", metavar="COL", help="customer id column")
    parser.add_argument("--date", default="date", metavar="COL", help="order date column")
    parser.add_argument("--amount", default="amount", metavar="COL", help="order value column")
    parser.add_argument(
        "--date-format",
        metavar="FMT",
        help="strftime format of the dates, e.g. %%Y%%m%%d (default: ISO 8601, 2026-03-01)",
    )
    parser.add_argument(
        "--end",
        type=iso_date,
        metavar="DATE",
        help="end of observation, YYYY-MM-DD; later orders are left out (default: last order)",
    )
    parser.add_argument(
        "--segment", type=segment_name, default="fitted", help="segment name (fitted)"
    )
    parser.add_argument("--out", type=Path, help="TOML file to write (default: standard output)")


def execute(args: argparse.Namespace, argv: list[str]) -> int:
    """Read, fit, write the keys."""
    from loyaltysim.analysis.fit_customers import fit_customers, segment_toml
    from loyaltysim.analysis.order_log import read_order_log

    log = read_order_log(args.orders, args.id, args.date, args.amount, args.date_format)
    fit = fit_customers(log, args.end)
    text = segment_toml(fit, args.segment, args.orders.name)
    note = f"Segment {args.segment}: {args.out} (from {fit.customers} customers)"
    write_or_print(text, args.out, note)
    return 0
