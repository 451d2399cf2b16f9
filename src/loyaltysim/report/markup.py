"""The HTML bits every report shares: style sheet, escaping, tables, figures, numbers.

Everything a report needs to read well when mailed is here: the style sheet keeps every
table within the page (cells wrap, names and key paths after ``_`` and ``.``), figures are
base64 data URIs, and numbers are written out in full, never in e-notation.
"""

from __future__ import annotations

import base64
import html
import math
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
       max-width: 1180px; margin: 2em auto; padding: 0 1.5em; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #ddd; padding-bottom: 0.2em;
     margin-top: 2em; }
.lead { font-size: 1.1em; color: #444; } .meta { color: #666; font-size: 0.9em; }
nav a { margin-right: 1.2em; }
table { border-collapse: collapse; margin: 0.8em 0 1.6em; font-size: 0.92em; max-width: 100%; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.6em; text-align: right; vertical-align: top;
         overflow-wrap: break-word; } td code { font-size: 0.9em; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
td.effect { font-weight: 600; } td.null { color: #888; }
.ci { color: #666; font-size: 0.85em; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.92em; }
.note { background: #f7f7f2; border-left: 4px solid #c8c29a; padding: 0.6em 1em; }
li { margin-bottom: 0.5em; }
.bottom-line { font-size: 1.08em; background: #eef4fb; border-left: 4px solid #3b78c4;
               padding: 0.7em 1.1em; } .bottom-line p { margin: 0.35em 0; }
.bottom-line h2 { margin-top: 0.3em; }
dl.defs dt { font-weight: 600; margin-top: 0.5em; } dl.defs dd { margin-left: 1.5em; }
"""


# ---------------------------------------------------------------------------------- HTML bits
def esc(value: object) -> str:
    """Text made safe for HTML text and double-quoted attributes (apostrophes stay as is)."""
    return html.escape(str(value), quote=False).replace('"', "&quot;")


def breakable(name: object) -> str:
    """Escaped text that may wrap after ``_`` and ``.`` (long variant names, key paths)."""
    return esc(name).replace("_", "_<wbr>").replace(".", ".<wbr>")


def table(header: list[str], rows: Iterable[list[str]], cls: Iterable[list[str]] = ()) -> str:
    """An HTML table; cells are already HTML (escape text first); ``cls`` per-cell classes."""
    classes = list(cls)
    out = ["<table>", "<tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr>"]
    for i, row in enumerate(rows):
        row_cls = classes[i] if i < len(classes) else [""] * len(row)
        cells = "".join(
            f'<td class="{c}">{v}</td>' if c else f"<td>{v}</td>"
            for v, c in zip(row, row_cls, strict=True)
        )
        out.append(f"<tr>{cells}</tr>")
    out.append("</table>")
    return "\n".join(out)


def image(png: bytes, alt: str, caption: str) -> str:
    """A figure with the PNG embedded as a data URI."""
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img alt="{esc(alt)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def page(title: str, body: list[str]) -> str:
    """The whole document."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>",
            *body,
            "</body></html>",
        ]
    )


def settings(values: Mapping[str, Any]) -> str:
    """``key = value, ...`` as HTML."""
    return ", ".join(f"{esc(k)} = {esc(plain(v))}" for k, v in values.items())


def number(x: float, significant: int = 4) -> str:
    """A number in full, never in e-notation: ``1,235,000``, ``0.0003``, ``35.21``.

    ``significant`` digits are kept (trailing zeros dropped); from 1,000 up the number is
    rounded to them and printed with thousands separators.
    """
    if not math.isfinite(x):
        return "—"
    if x != 0:
        x = round(x, significant - 1 - math.floor(math.log10(abs(x))))
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    text = np.format_float_positional(x, precision=significant, fractional=False, trim="-")
    return "0" if text in ("0", "-0") else text


def plain(value: Any) -> str:
    """A scenario value as written in TOML (booleans lower case, numbers in full)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return number(value, 6)
    if isinstance(value, list):
        return ", ".join(map(plain, value))
    return str(value)


def days(value: Any) -> str:
    """``2 days``, ``1 day``."""
    return f"{plain(value)} day" + ("" if value == 1 else "s")


def percent(value: Any) -> str:
    """``40.0%``, or a dash for a missing value."""
    return f"{100 * value:.1f}%" if isinstance(value, int | float) else "—"


def meta_line(folder: Path, meta: Mapping[str, Any]) -> str:
    """Where the results are, when and by which version they were made, and when reported."""
    parts = [f"Result folder <code>{esc(folder)}</code>"]
    if meta.get("finished"):
        parts.append(f"run finished {esc(meta['finished'])}")
    version = meta.get("versions", {}).get("loyaltysim")
    if version:
        parts.append(f"loyaltysim {esc(version)}")
    if meta.get("git_commit"):
        parts.append(f"commit {esc(str(meta['git_commit'])[:10])}")
    parts.append(f"report written {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    return f'<p class="meta">{"; ".join(parts)}.</p>'
