"""A user's own order log (customer id, date, amount) read from CSV, every bad cell located.

``loyaltysim fit-customers`` starts from a file exported from a shop system, so everything
that can be wrong with it (a missing or misspelt column, a date that does not parse, an
amount that is not a number or is negative, an empty id) is reported as
``file:line: column: expected ..., given ...``, all problems at once (the first
:data:`MAX_PROBLEMS`), and the CLI exits with status 2 instead of a traceback.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from loyaltysim.scenario.problems import Problem, UserError
from loyaltysim.scenario.wording import show, unknown

#: Problems listed in full; the rest are counted.
MAX_PROBLEMS = 10
#: The header is line 1, so the first order is on line 2.
FIRST_LINE = 2


class OrderLogError(UserError):
    """Problems in an order log, one per bad cell (or missing column)."""

    def __init__(self, file: str, problems: list[Problem], total: int) -> None:
        self.file, self.problems, self.total = file, problems, total
        super().__init__(str(self))

    def __str__(self) -> str:
        header = f"{self.total} problem{'' if self.total == 1 else 's'} in {self.file}:"
        more = self.total - len(self.problems)
        tail = [f"  ... and {more} more"] if more > 0 else []
        return "\n".join([header, *(f"  {p}" for p in self.problems), *tail])


def read_order_log(
    path: str | Path,
    id_column: str = "customer",
    date_column: str = "date",
    amount_column: str = "amount",
    date_format: str | None = None,
) -> pd.DataFrame:
    """The orders of ``path`` as columns ``customer`` (str), ``date`` (day) and ``amount``.

    Args:
        path: CSV file with a header line.
        id_column: Column of the customer ids (any text).
        date_column: Column of the order dates: ISO 8601 (``2026-03-01``; a time of day
            and zone after the date are dropped) unless ``date_format`` is given (strftime
            codes, e.g. ``%Y%m%d``).
        amount_column: Column of the order values (numbers >= 0).
        date_format: See ``date_column``.

    Raises:
        UserError: The file cannot be read as CSV.
        OrderLogError: Missing columns or bad cells, each with its line.

    """
    name = str(path)
    try:
        raw = pd.read_csv(
            path, dtype=str, keep_default_na=False, skipinitialspace=True, skip_blank_lines=False
        )
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UserError(
            f"{name}: cannot be read as a CSV table with a header line ({exc})"
        ) from None
    raw = raw[(raw != "").any(axis=1)]  # a blank line is no order; the index keeps its line
    columns = {"customer": id_column, "date": date_column, "amount": amount_column}
    header = ", ".join(raw.columns)
    absent = [
        Problem(
            name,
            1,
            column,
            f"a column named {column!r} ({role})",
            f"{unknown(column, 'column', raw.columns)}; columns: {header}",
        )
        for role, column in columns.items()
        if column not in raw.columns
    ]
    if absent:
        raise OrderLogError(name, absent, len(absent))
    ids = raw[id_column].str.strip()
    text = raw[date_column].str.strip()
    dates = parse_dates(text, date_format)
    amounts = pd.to_numeric(raw[amount_column].str.strip(), errors="coerce")
    expected_date = f"a date like {'2026-03-01' if date_format is None else date_format}"
    bad_amounts = ~(np.isfinite(amounts) & (amounts >= 0))  # NaN: not a number
    checks = (
        (id_column, ids == "", "a customer id", ids),
        (date_column, dates.isna(), expected_date, text),
        (amount_column, bad_amounts, "an amount >= 0", raw[amount_column]),
    )
    problems = sorted(
        (
            Problem(name, int(row) + FIRST_LINE, column, expected, show(values[row]))
            for column, bad, expected, values in checks
            for row in bad[bad].index
        ),
        key=lambda p: (p.line, p.path),
    )
    if problems:
        raise OrderLogError(name, problems[:MAX_PROBLEMS], len(problems))
    if raw.empty:
        raise OrderLogError(name, [Problem(name, FIRST_LINE, "", "orders", "none")], 1)
    return pd.DataFrame(
        {"customer": ids, "date": dates.dt.normalize(), "amount": amounts.astype(float)}
    )


def parse_dates(text: pd.Series, date_format: str | None) -> pd.Series:
    """Order days (NaT where a value does not parse), never a mix-of-zones error.

    Without a format, the ISO 8601 date at the start of each value is the day as written; a
    time of day and a zone after it (``2026-03-01T23:30+01:00``) are ignored. With a format,
    times with zones are taken in UTC and the zone dropped.
    """
    if date_format is None:
        day = text.str.extract(r"^(\d{4}-\d{2}-\d{2})(?:[T ]|$)", expand=False)
        return pd.to_datetime(day, format="%Y-%m-%d", errors="coerce")
    try:
        dates = pd.to_datetime(text, format=date_format, errors="coerce", utc=True)
    except ValueError as exc:
        raise UserError(f"--date-format: expected strftime codes like %Y%m%d ({exc})") from None
    return dates.dt.tz_localize(None)
