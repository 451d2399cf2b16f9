"""Lazy designs: a grid is counted and enumerated from its axes, never built as a list;
the executor streams tasks with a bounded window and reports a dead worker plainly.

Before, ``loyaltysim validate`` of a grid of 6 parameters x 10 values (10**6 points) built
``list(itertools.product(...))`` and validated every point: 22 GB and the OOM killer.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from loyaltysim.experiment import executor
from loyaltysim.experiment.checks import sweep_design
from loyaltysim.experiment.sweep import design as design_module
from loyaltysim.experiment.sweep.design import POINT, Design, DesignParameter
from loyaltysim.experiment.sweep.size import CHECK_ALL, points_to_check, size_warning
from loyaltysim.scenario import ScenarioError, load_scenario
from sweep_helpers import TINY_TOML

GRID_6X10 = """
[sweep]
design = "grid"
outputs = ["cheap.market_share"]

[sweep.parameters]
"shops.cheap.price" = { low = 40, high = 80, steps = 10 }
"shops.cheap.quality" = { low = 0.3, high = 0.9, steps = 10 }
"shops.dear.price" = { low = 60, high = 120, steps = 10 }
"shops.dear.quality" = { low = 0.5, high = 0.95, steps = 10 }
"shops.cheap.unit_cost" = { low = 10, high = 30, steps = 10 }
"shops.dear.unit_cost" = { low = 20, high = 50, steps = 10 }
"""
#: Validates a scenario file in this process and prints its peak resident memory.
VALIDATE = """
import json, sys
from loyaltysim.cli.main import main
status = main(["validate", sys.argv[1]])
# VmHWM: this process's own peak (ru_maxrss would carry the parent's over exec)
peak = int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) * 1024
print(json.dumps([status, peak]))
"""


def _grid(*axes: tuple) -> Design:
    parameters = [DesignParameter(f"k{i}", "float", values=a) for i, a in enumerate(axes)]
    return Design("grid", parameters, None)


def test_a_grid_is_enumerated_like_itertools_product():
    axes = ((1, 2, 3), (0.5, 2.5), ("a", "b"), (True, False))
    design = _grid(*axes)
    assert design.lazy and len(design) == 3 * 2 * 2 * 2
    expected = list(itertools.product(*axes))
    assert [tuple(design.values_of(p).values()) for p in range(len(design))] == expected
    # 13 = 1 x (2 x 2 x 2) + 1 x (2 x 2) + 0 x 2 + 1: the second, second, first, second values
    assert design.values_of(13) == {"k0": 2, "k1": 2.5, "k2": "a", "k3": False}
    table = design.points  # built on demand, the same points in the same order
    assert list(table[POINT]) == list(range(24))
    assert list(table.drop(columns=POINT).itertuples(index=False, name=None)) == expected


def test_design_csv_is_written_in_pieces_and_reads_back_the_same(monkeypatch):
    design = _grid((10, 20, 30), (0.25, 0.75), (1.5, 2.0))
    whole = pd.DataFrame(
        [(p, *v) for p, v in enumerate(itertools.product(*design.axes))],
        columns=[POINT, "k0", "k1", "k2"],
    ).to_csv(index=False)
    monkeypatch.setattr(design_module, "CSV_CHUNK", 5)  # 12 rows in pieces of 5, 5 and 2
    pieces = list(design.csv_chunks())
    assert len(pieces) == 3 and "".join(pieces) == whole


def test_validate_of_a_million_point_grid_answers_with_its_size(tmp_path):
    file = tmp_path / "grid.toml"
    file.write_text(TINY_TOML + GRID_6X10)
    done = subprocess.run(
        [sys.executable, "-c", VALIDATE, str(file)], capture_output=True, text=True, check=True
    )
    *printed, last = done.stdout.strip().splitlines()
    status, peak = json.loads(last)
    assert status == 0, done.stderr
    assert "sweep: grid design, 1,000,000 points x 1 replication(s) = 1,000,000 runs" in printed
    assert any(line.startswith("warning: 1,000,000 design points") for line in printed)
    assert any(line.startswith("memory: about 3") for line in printed)  # ~310 MB for a run
    assert peak < 500 * 1024**2  # bounded (about 300 MB): the grid is never built


def test_a_large_grid_checks_its_corners_and_a_spread_of_points():
    design = _grid(*[tuple(range(10))] * 6)
    chosen = points_to_check(design)
    corners = {int("".join(d), 10) for d in itertools.product("09", repeat=6)}
    assert corners <= set(chosen) and {0, 500, 999_999} <= set(chosen)  # 0, 500.25, ...
    assert len(chosen) <= CHECK_ALL + len(corners)
    assert list(points_to_check(_grid((1, 2), (3, 4)))) == [0, 1, 2, 3]  # small: every point


def test_a_bad_corner_of_a_large_grid_is_found(tmp_path):
    """damage + loss <= 1 spans two keys: only whole points show it, and here only one does."""
    text = TINY_TOML + GRID_6X10.replace(
        '"shops.dear.unit_cost" = { low = 20, high = 50, steps = 10 }',
        '"shops.dear.courier.damage_rate" = { low = 0.0, high = 0.6, steps = 10 }\n'
        '"shops.dear.courier.loss_rate" = { low = 0.0, high = 0.45, steps = 10 }',
    ).replace('"shops.cheap.unit_cost" = { low = 10, high = 30, steps = 10 }\n', "")
    file = tmp_path / "grid.toml"
    file.write_text(text)
    # Bad: damage 0.6 with loss 0.45, the last value of the last two axes: points 99, 199...
    with pytest.raises(ScenarioError, match=r"point 99 \(.*damage_rate = 0\.6.* more point"):
        sweep_design(load_scenario(file), file)


def test_designs_beyond_the_limit_are_refused_before_they_are_drawn(tmp_path):
    sobol = """
[sweep]
design = "sobol"
samples = 1048576
second_order = true
outputs = ["cheap.market_share"]
[sweep.parameters]
"shops.cheap.price" = { low = 40, high = 80 }
"shops.dear.price" = { low = 60, high = 120 }
"shops.dear.quality" = { low = 0.5, high = 0.95 }
"shops.cheap.quality" = { low = 0.3, high = 0.9 }
"""
    file = tmp_path / "sobol.toml"
    file.write_text(TINY_TOML + sobol)
    with pytest.raises(ScenarioError, match=r"1,048,576 samples, 10,485,760 points"):
        sweep_design(load_scenario(file), file)  # 2**20 x (2 x 4 + 2) points: too many
    file.write_text(TINY_TOML + sobol.replace("1048576", "2097152"))
    with pytest.raises(ScenarioError, match=r"sweep\.samples.*1048576"):
        load_scenario(file)  # the schema's bound: at most 2**20


def test_the_size_warning():
    assert size_warning(_grid(tuple(range(1000)), tuple(range(100))), 1) is None
    warning = size_warning(_grid(tuple(range(1000)), tuple(range(100))), 2)
    assert warning is not None and "200,000 runs" in warning and "0.4 GB" in warning


def test_the_executor_streams_with_a_bounded_window():
    drawn: list[int] = []

    def tasks():
        for k in range(30):
            drawn.append(k)
            yield k, (k,)

    ahead = []
    for key, value in executor.run_tasks(abs, tasks(), workers=2):
        assert value == key
        ahead.append(len(drawn) - len(ahead) - 1)
    assert len(ahead) == 30 and max(ahead) <= 2 * 2  # never more than 2 x workers in flight


def test_a_dead_local_worker_is_a_clear_error():
    """os._exit ends the worker process abruptly, as the OOM killer would."""
    with pytest.raises(executor.WorkerLostError, match="rerun with --resume"):
        list(executor.run_tasks(os._exit, [(0, (3,)), (1, (3,))], workers=2))
