"""Evaluations of a calibration: parameter sets run over fixed replications, turned into losses.

Every evaluation runs the same replications (common random numbers), so the loss is a
deterministic function of the parameters and a parameter set met twice is not run again.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

import numpy as np

from loyaltysim.experiment.calibration.targets import Target
from loyaltysim.experiment.calibration.task import run_calibration_point
from loyaltysim.experiment.main_module import workers_skip_main
from loyaltysim.experiment.sweep.design import DesignParameter
from loyaltysim.experiment.sweep.outputs import output_values
from loyaltysim.scenario import Scenario
from loyaltysim.scenario.problems import UserError

#: Per target: its value at each point (columns) in each replication (rows).
Samples = dict[str, np.ndarray]


class CalibrationError(UserError):
    """A calibration cannot go on (e.g. a run failed)."""


@contextmanager
def mapper(workers: int) -> Iterator[Callable[[Sequence[tuple[Any, ...]]], list[Any]]]:
    """``map(tasks)`` running calibration tasks in a pool that lives for the calibration.

    A new process pool per evaluation would spend seconds starting workers each time.
    """
    if workers <= 1:
        yield lambda tasks: [run_calibration_point(*args) for args in tasks]
        return
    context = multiprocessing.get_context("forkserver")
    parent = os.getpid()
    with workers_skip_main(), ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield lambda tasks: list(
            pool.map(run_calibration_point, *zip(*[(*task, parent) for task in tasks], strict=True))
        )


def columns(values: np.ndarray) -> list[np.ndarray]:
    """A samples array's points, each a contiguous array over the replications."""
    return [np.ascontiguousarray(values[:, j]) for j in range(values.shape[1])]


def point_means(values: np.ndarray) -> np.ndarray:
    """Mean over the replications at each point (NaN where no replication has a value)."""
    return np.array([float(np.nanmean(v)) if np.isfinite(v).any() else np.nan
                     for v in columns(values)])  # fmt: skip


class Evaluator:
    """Runs parameter sets over fixed replications and turns figures into losses."""

    def __init__(
        self,
        base: Scenario,
        parameters: list[DesignParameter],
        targets: list[Target],
        run_many: Callable[[Sequence[tuple[Any, ...]]], list[Any]],
        report: Callable[[str], None] | None = None,
    ) -> None:
        self.base = base
        self.report = report
        self.parameters = parameters
        self.targets = targets
        self.curves = tuple(t.curve for t in targets if t.curve is not None)
        self.run_many = run_many
        self.cache: dict[tuple[Any, ...], float] = {}
        self.history: list[dict[str, Any]] = []
        self.stage = "search"  # recorded with each evaluation: the optimiser's, or the fit

    def values(self, unit: Sequence[float]) -> dict[str, Any]:
        """Scenario values of a point in the unit cube (integers rounded)."""
        out: dict[str, Any] = {}
        for p, u in zip(self.parameters, unit, strict=True):
            assert p.low is not None and p.high is not None
            x = p.low + float(np.clip(u, 0.0, 1.0)) * (p.high - p.low)
            out[p.name] = round(x) if p.kind == "int" else x
        return out

    def unit(self, values: dict[str, float]) -> np.ndarray:
        """The unit-cube position of scenario values."""
        return np.array(
            [(values[p.name] - p.low) / (p.high - p.low) for p in self.parameters]  # type: ignore[operator]
        )

    def runs(self, sets: list[dict[str, Any]], replications: range) -> list[Samples]:
        """Per parameter set: every target's values in each replication."""
        import pandas as pd

        curves = self.curves
        tasks = [(self.base, v, i, k, curves) for i, v in enumerate(sets) for k in replications]
        records = sorted(self.run_many(tasks), key=lambda r: (r["point"], r["replication"]))
        frames: list[list[pd.DataFrame]] = [[] for _ in sets]
        found: list[list[list[list[float]]]] = [[] for _ in sets]
        for record in records:
            if not record["ok"]:
                shown = ", ".join(f"{k} = {v:.6g}" for k, v in sets[record["point"]].items())
                raise CalibrationError(
                    f"a run failed at {shown}, replication {record['replication']}: "
                    f"{record['error']}"
                )
            figures = pd.DataFrame(record["figures"])
            figures.insert(0, "replication", record["replication"])
            frames[record["point"]].append(figures)
            found[record["point"]].append(record["curves"])
        return [
            self._samples(pd.concat(f, ignore_index=True), c)
            for f, c in zip(frames, found, strict=True)
        ]

    def _samples(self, figures: Any, curves: list[list[list[float]]]) -> Samples:
        out: Samples = {}
        for target in self.targets:
            if target.curve is None:
                values = output_values(figures, target.output, ["replication"])["value"]
                out[target.name] = values.to_numpy()[:, None]
            else:
                k = self.curves.index(target.curve)
                out[target.name] = np.array([run[k] for run in curves], dtype=np.float64)
        return out

    def loss_of(self, means: dict[str, np.ndarray]) -> float:
        """Sum of the targets' terms (inf if a figure is undefined)."""
        total = 0.0
        for target in self.targets:
            term = target.term(means[target.name])
            if not np.isfinite(term):
                return float("inf")
            total += term
        return total

    def losses(self, units: Sequence[Sequence[float]], replications: range) -> list[float]:
        """Losses of several points, run together (new ones only; others from the cache)."""
        sets = [self.values(u) for u in units]
        keys = [tuple(s.values()) for s in sets]
        new = [s for s, key in zip(sets, keys, strict=True) if key not in self.cache]
        unique = list({tuple(s.values()): s for s in new}.values())
        for values, samples in zip(unique, self.runs(unique, replications), strict=True):
            means = {name: point_means(v) for name, v in samples.items()}
            loss = self.loss_of(means)
            self.cache[tuple(values.values())] = loss
            self.history.append(
                {"evaluation": len(self.history), "stage": self.stage, **values,
                 **self._shown(means), "loss": loss}
            )  # fmt: skip
            if self.report is not None:
                shown = ", ".join(f"{k} = {v:.6g}" for k, v in values.items())
                self.report(f"  evaluation {len(self.history):3d}: {shown}: loss {loss:.4g}")
        return [self.cache[key] for key in keys]

    def _shown(self, means: dict[str, np.ndarray]) -> dict[str, float]:
        """The history's columns: a scalar target's mean, a curve's term of the loss."""
        return {
            (t.name if t.curve is None else f"{t.name}:loss"): (
                float(means[t.name][0]) if t.curve is None else t.term(means[t.name])
            )
            for t in self.targets
        }
