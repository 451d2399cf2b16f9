"""Design points of a sweep: a full grid, or Latin hypercube, Sobol or Morris samples.

The samplers are SALib's (Herman & Usher 2017; Iwanaga, Usher & Herman 2022):

* ``lhs``: Latin hypercube (McKay, Beckman & Conover 1979), ``samples`` points; each
  parameter's range is cut into ``samples`` equal strata with one point in each.
* ``sobol``: Saltelli's scheme on a scrambled Sobol' sequence (Saltelli 2002; Saltelli et
  al. 2010), ``N * (D + 2)`` points for first-order and total indices, ``N * (2D + 2)``
  with second-order indices.
* ``morris``: ``samples`` trajectories of ``D + 1`` points on a ``levels`` grid (Morris
  1991; Campolongo, Cariboni & Saltelli 2007).

A parameter with ``scale = "log"`` is sampled evenly in log10 (the SALib problem's bounds are
in log10, and so is the matrix handed to the analysis). Integer keys are rounded after
sampling. The points are written to ``design.csv`` and the settings to ``design.json``, so
the analysis reads the design that actually ran instead of sampling it again.

A grid is never built as a list of points: its size is the product of its axes and point
``i`` is found from ``i`` by mixed-radix arithmetic (the last axis varies fastest, as in
``itertools.product``), so a 10**6-point grid costs its axes, not 10**6 rows, until its
table is asked for. Samplers' points are drawn at once; their number is bounded
(:mod:`loyaltysim.experiment.sweep.size`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from loyaltysim.scenario.experiment import SweepConfig
from loyaltysim.scenario.problems import UserError

#: Column of the design table numbering its points from 0.
POINT = "point"
#: Rows of the design table built at a time when it is written out.
CSV_CHUNK = 50_000


@dataclass(frozen=True)
class DesignParameter:
    """A swept key and how it varies.

    Attributes:
        name: Dotted scenario key.
        kind: ``"int"``, ``"float"``, ``"bool"`` or ``"str"``: the key's type in the schema.
        values: Grid values (grids only).
        low: Lower end of the range (samplers, or a grid over a range).
        high: Upper end of the range.
        scale: ``"linear"`` or ``"log"``.

    """

    name: str
    kind: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    scale: str = "linear"

    def bounds(self) -> list[float]:
        """The range in the sampler's space (log10 for ``scale = "log"``)."""
        assert self.low is not None and self.high is not None
        if self.scale == "log":
            return [math.log10(self.low), math.log10(self.high)]
        return [self.low, self.high]

    def from_sampler(self, x: np.ndarray) -> list[Any]:
        """Values for the scenario from sampler-space values (rounded for integer keys)."""
        real = np.power(10.0, x) if self.scale == "log" else np.asarray(x, dtype=np.float64)
        if self.kind == "int":
            return [int(v) for v in np.rint(real)]
        return [float(v) for v in real]

    def to_sampler(self, values: pd.Series) -> np.ndarray:
        """Sampler-space values of the values that ran (for the Morris and RBD analyses)."""
        real = values.to_numpy(dtype=np.float64)
        return np.log10(real) if self.scale == "log" else real


@dataclass
class Design:
    """The design of a sweep: its method, parameters and points.

    Attributes:
        method: ``grid``, ``lhs``, ``sobol`` or ``morris``.
        parameters: The swept keys, in the order of the scenario file (a grid's carry
            their axis as ``values``).
        table: One row per design point: ``point`` and one column per parameter; None for
            a grid until :attr:`points` is first asked for.
        samples: ``N`` of the sampler (None for grids).
        levels: Morris levels.
        second_order: Sobol second-order indices.
        seed: Seed of the sampler.

    """

    method: str
    parameters: list[DesignParameter]
    table: pd.DataFrame | None
    samples: int | None = None
    levels: int = 4
    second_order: bool = False
    seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """Parameter names (dotted keys), which are also the design's value columns."""
        return [p.name for p in self.parameters]

    @property
    def lazy(self) -> bool:
        """Whether the points are enumerated from the grid's axes instead of a table."""
        return self.table is None

    @property
    def axes(self) -> list[tuple[Any, ...]]:
        """A grid's values per parameter."""
        return [p.values or () for p in self.parameters]

    def __len__(self) -> int:
        if self.table is None:
            return math.prod(len(axis) for axis in self.axes)
        return len(self.table)

    @property
    def points(self) -> pd.DataFrame:
        """The design table (built for a grid on first use: a row per point)."""
        if self.table is None:
            self.table = pd.concat(list(self._chunks(0, len(self))), ignore_index=True)
        return self.table

    def _chunks(self, start: int, stop: int) -> Iterator[pd.DataFrame]:
        """The design table's rows ``start`` to ``stop`` in pieces of :data:`CSV_CHUNK`."""
        if self.table is not None:
            yield self.table.iloc[start:stop]
            return
        shape = [len(axis) for axis in self.axes]
        columns = [_axis_array(axis) for axis in self.axes]
        for first in range(start, stop, CSV_CHUNK):
            index = np.arange(first, min(first + CSV_CHUNK, stop))
            digits = np.unravel_index(index, shape) if shape else ()
            values = {p.name: col[d] for p, col, d in zip(self.parameters, columns, digits,
                                                          strict=True)}  # fmt: skip
            yield pd.DataFrame({POINT: index, **values})

    def csv_chunks(self) -> Iterator[str]:
        """``design.csv`` in pieces, so that a large grid is never held whole."""
        for i, chunk in enumerate(self._chunks(0, len(self))):
            yield chunk.to_csv(index=False, header=i == 0)

    def problem(self) -> dict[str, Any]:
        """The SALib problem: parameter names and bounds in the sampler's space."""
        return {
            "num_vars": len(self.parameters),
            "names": self.names,
            "bounds": [p.bounds() for p in self.parameters],
        }

    def sampler_matrix(self) -> np.ndarray:
        """The points in the sampler's space, one row per point (as they ran, rounded)."""
        return np.column_stack([p.to_sampler(self.points[p.name]) for p in self.parameters])

    def values_of(self, point: int) -> dict[str, Any]:
        """``{dotted key: value}`` of one point, as Python scalars."""
        if self.table is None:
            out = {}
            for p in reversed(self.parameters):
                assert p.values is not None
                point, digit = divmod(point, len(p.values))
                out[p.name] = p.values[digit]
            return {name: out[name] for name in self.names}
        return {p.name: _python(self.table[p.name].iat[point]) for p in self.parameters}

    def to_json(self) -> dict[str, Any]:
        """Settings for ``design.json`` (the points go to ``design.csv``)."""
        return {
            "method": self.method,
            "points": len(self),
            "samples": self.samples,
            "levels": self.levels,
            "second_order": self.second_order,
            "seed": self.seed,
            "parameters": [
                {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(p).items()}
                for p in self.parameters
            ],
            "problem": self.problem() if self.method != "grid" else None,
            **self.extra,
        }

    @classmethod
    def from_json(cls, settings: dict[str, Any], points: pd.DataFrame) -> Design:
        """Rebuild a design from ``design.json`` and ``design.csv``."""
        parameters = [
            DesignParameter(
                name=p["name"],
                kind=p["kind"],
                values=tuple(p["values"]) if p.get("values") is not None else None,
                low=p.get("low"),
                high=p.get("high"),
                scale=p.get("scale", "linear"),
            )
            for p in settings["parameters"]
        ]
        known = {"method", "points", "samples", "levels", "second_order", "seed", "parameters"}
        return cls(
            method=settings["method"],
            parameters=parameters,
            table=points,
            samples=settings.get("samples"),
            levels=settings.get("levels", 4),
            second_order=bool(settings.get("second_order", False)),
            seed=int(settings.get("seed", 0)),
            extra={k: v for k, v in settings.items() if k not in known | {"problem"}},
        )


def _python(value: Any) -> Any:
    """A numpy scalar as a Python scalar (TOML, JSON and pydantic's strict mode want those)."""
    return value.item() if isinstance(value, np.generic) else value


def _axis_array(axis: tuple[Any, ...]) -> np.ndarray:
    """A grid axis as the column pandas would make of it (mixed types stay objects)."""
    kinds = {type(v) for v in axis}
    return np.asarray(axis, dtype=object if len(kinds) > 1 else None)


def grid_values(parameter: DesignParameter, steps: int | None) -> tuple[Any, ...]:
    """The values of one grid axis: as listed, or ``steps`` evenly spaced over the range."""
    if parameter.values is not None:
        return parameter.values
    assert steps is not None and parameter.low is not None and parameter.high is not None
    low, high = parameter.bounds()
    spaced = parameter.from_sampler(np.linspace(low, high, steps))
    if parameter.kind == "int":
        return tuple(dict.fromkeys(spaced))  # rounding may repeat a value; keep it once
    return tuple(float(f"{v:.12g}") for v in spaced)  # 0.65, not 0.6499999999999999


def make_design(sweep: SweepConfig, kinds: dict[str, str], default_seed: int) -> Design:
    """Build the design points of ``sweep``.

    Args:
        sweep: The validated ``[sweep]`` section (checked against the scenario by
            :func:`loyaltysim.experiment.checks.sweep_design`).
        kinds: Each parameter's type in the schema (``"int"``, ``"float"``...).
        default_seed: Sampler seed when the section gives none (the scenario's run.seed).

    """
    seed = sweep.seed if sweep.seed is not None else default_seed
    extra = {"outputs": list(sweep.outputs), "replications": sweep.replications}
    parameters = [
        DesignParameter(
            name=name,
            kind=kinds[name],
            values=tuple(spec.values) if spec.values is not None else None,
            low=spec.low,
            high=spec.high,
            scale=spec.scale,
        )
        for name, spec in sweep.parameters.items()
    ]
    if sweep.design == "grid":
        axes = [grid_values(p, sweep.parameters[p.name].steps) for p in parameters]
        parameters = [
            DesignParameter(p.name, p.kind, values=axis, low=p.low, high=p.high, scale=p.scale)
            for p, axis in zip(parameters, axes, strict=True)
        ]
        return Design("grid", parameters, None, seed=seed, extra=extra)
    matrix = sample_matrix(sweep.design, parameters, sweep, seed)
    columns = {p.name: p.from_sampler(matrix[:, i]) for i, p in enumerate(parameters)}
    points = pd.DataFrame({POINT: np.arange(matrix.shape[0]), **columns})
    return Design(
        sweep.design,
        parameters,
        points,
        samples=sweep.samples,
        levels=sweep.levels,
        second_order=sweep.second_order,
        seed=seed,
        extra=extra,
    )


def sample_matrix(
    method: str, parameters: list[DesignParameter], sweep: SweepConfig, seed: int
) -> np.ndarray:
    """SALib's sample in the sampler's space, one row per point."""
    try:
        from SALib.sample import latin, morris, sobol
    except ImportError:  # pragma: no cover - the experiments extra is missing
        raise UserError(
            "sweep designs lhs, sobol and morris need SALib: pip install 'loyaltysim[experiments]'"
        ) from None
    problem = {
        "num_vars": len(parameters),
        "names": [p.name for p in parameters],
        "bounds": [p.bounds() for p in parameters],
    }
    assert sweep.samples is not None
    if method == "lhs":
        return latin.sample(problem, sweep.samples, seed=seed)
    if method == "sobol":
        return sobol.sample(problem, sweep.samples, calc_second_order=sweep.second_order, seed=seed)
    if method == "morris":
        return morris.sample(problem, sweep.samples, num_levels=sweep.levels, seed=seed)
    raise ValueError(f"unknown design {method!r}")
