"""How each output figure is printed for people (axes, tables, findings).

Figures and reports need the same words for the same figure ("yearly retention", in
percent, differences in points), so the words and the unit come from the figure registry
(:mod:`loyaltysim.engine.figures`) and the number formats from here, rather than from
literals scattered over plotting and report code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from loyaltysim.analysis import clv_prediction
from loyaltysim.engine.figures import Unit, find


@dataclass(frozen=True)
class FigureLabel:
    """A figure's words and number format.

    Attributes:
        name: Column name in the result tables.
        label: Short phrase for an axis or table row ("repurchase rate").
        kind: ``share`` (0-1, printed in %, differences in points), ``score`` (0-1 scale),
            ``stars`` (1-5), ``money`` (currency of the scenario) or ``count``.
    """

    name: str
    label: str
    kind: Unit

    @property
    def axis(self) -> str:
        """Axis label with the unit."""
        unit = {
            "share": "%",
            "score": "0-1",
            "stars": "stars, 1-5",
            "money": "currency",
            "count": "number",
        }[self.kind]
        return f"{self.label} ({unit})"

    @property
    def scale(self) -> float:
        """Factor from the stored value to the plotted one (shares are drawn in %)."""
        return 100.0 if self.kind == "share" else 1.0

    @property
    def decimals(self) -> int:
        """Default decimals: shares in % with 1, scores and stars with 2, others by size."""
        return {"share": 1, "score": 2, "stars": 2}.get(self.kind, 0)

    def decimals_for(self, half_width: float) -> int:
        """Decimals that show a difference as precisely as its CI half-width allows.

        The half-width's first significant digit is the last one shown, as in "+17.8 points
        (95% CI +17.4 to +18.1)", "+0.018 (+0.015 to +0.021)" or "-350,000 (-380,000 to
        -320,000)", so a tight interval is not printed as "+0.02 to +0.02", nor a wide one
        with false precision. At most 4; negative means rounding to tens, hundreds...
        """
        scaled = abs(half_width) * self.scale
        if not math.isfinite(scaled) or scaled == 0:
            return self.decimals
        return int(min(4, -math.floor(math.log10(scaled))))

    def interval_decimals(self, low: float, high: float) -> int:
        """Decimals for a difference and its CI ``[low, high]``.

        As precise as the interval allows (:meth:`decimals_for`), never below the default for
        shares and scores, and with more decimals where a bound would otherwise print as
        zero (a bound of -0.0004 is "-0.0004", not "-0.000").
        """
        digits = self.decimals_for((high - low) / 2)
        if self.kind not in ("money", "count"):
            digits = max(digits, self.decimals)
        while digits < 4 and any(
            math.isfinite(v) and v != 0 and round(v * self.scale, digits) == 0 for v in (low, high)
        ):
            digits += 1
        return digits

    def value(self, x: float, decimals: int | None = None) -> str:
        """A level, e.g. ``34.2%``, ``0.56``, ``112,737``."""
        if x is None or not math.isfinite(x):
            return "n/a"
        x, d = _rounded(x, self._decimals(x, decimals))
        if self.kind == "share":
            return f"{100 * x:.{d}f}%"
        return f"{x:,.{d}f}"

    def diff(self, x: float, decimals: int | None = None) -> str:
        """A signed difference, e.g. ``+24.6 points``, ``-0.03``, ``+116,795``."""
        if x is None or not math.isfinite(x):
            return "n/a"
        x, d = _rounded(x, self._decimals(x, decimals))
        if self.kind == "share":
            return f"{100 * x:+.{d}f} points"
        return f"{x:+,.{d}f}"

    def bare_diff(self, x: float, decimals: int | None = None) -> str:
        """A signed difference without the word "points" (for the bounds of a CI)."""
        return self.diff(x, decimals).removesuffix(" points")

    def _decimals(self, x: float, decimals: int | None) -> int:
        if decimals is not None:
            return decimals
        if self.kind in ("money", "count"):
            return 0 if abs(x) >= 100 else 1
        return self.decimals


def _rounded(x: float, decimals: int) -> tuple[float, int]:
    """``x`` and the decimals to print it with; negative decimals round to tens, hundreds..."""
    if decimals < 0:
        return round(x, decimals), 0
    return x, decimals


def label_of(name: str) -> FigureLabel:
    """The label of figure ``name`` (the registry's or the CLV test bed's); others are counts."""
    known = find(name) or clv_prediction.find(name)
    if known is not None:
        return FigureLabel(name, known.label, known.unit)
    return FigureLabel(name, name.replace("_", " "), "count")


def retention_label(days: int) -> str:
    """The name of the retention figure: "yearly retention", or e.g. "59-day retention".

    The retention figure is measured ``min(365, days - 1)`` days after the first order.
    """
    horizon = min(365, days - 1)
    return "yearly retention" if horizon >= 364 else f"{horizon}-day retention"


def parameter_label(path: str) -> str:
    """A key path for people: ``shops.thrift.courier.on_time`` -> "thrift: courier on time".

    The shop (or the top-level table) comes first, then the rest of the path in words;
    ``strategies`` is left out ("middle: free shipping threshold"), as it says nothing a
    reader needs. Distinct paths keep distinct labels.
    """
    parts = path.split(".")
    if parts[0] == "shops" and len(parts) > 2:
        parts = parts[1:]
    head, rest = parts[0], [p for p in parts[1:] if p != "strategies"]
    words = " ".join(p.replace("_", " ") for p in rest)
    return f"{head}: {words}" if words else head.replace("_", " ")


def output_label(output: str, days: int | None = None) -> tuple[str, FigureLabel]:
    """A sweep output ``SHOP.FIGURE`` for people, and its figure's label (for the unit).

    ``middle.retention`` -> ("middle: yearly retention", the retention label); ``days``
    names the retention horizon (without it, plain "retention").
    """
    shop, _, figure = output.partition(".")
    label = label_of(figure or shop)
    horizon = label.name == "retention" and days is not None
    name = retention_label(days) if horizon else label.label
    return (f"{shop}: {name}" if figure else name), label
