"""Sweeps: designs, located errors, determinism across executors, resume after SIGKILL,
refusal of a changed scenario, failure records, and every sweep scenario as a tiny sweep.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from loyaltysim.cli import main
from loyaltysim.engine.figures import names, run_figures
from loyaltysim.experiment.checks import sweep_design
from loyaltysim.experiment.replication import simulate
from loyaltysim.experiment.sweep.design import make_design
from loyaltysim.experiment.sweep.run import run_sweep
from loyaltysim.experiment.sweep.store import sweep_fingerprint
from loyaltysim.scenario import load_scenario, to_toml
from loyaltysim.scenario.experiment import SweepConfig, SweepParameter
from loyaltysim.scenario.problems import ScenarioError
from sweep_helpers import GRID_SWEEP, write

REPO_ROOT = Path(__file__).resolve().parents[1]
SWEEP_SCENARIOS = [
    p for p in sorted((REPO_ROOT / "scenarios").glob("*.toml")) if "\n[sweep]" in p.read_text()
]
KEYS = ["point", "replication", "shop"]


def _config(design: str, **kwargs) -> SweepConfig:
    params = kwargs.pop("parameters")
    return SweepConfig(
        design=design,
        parameters={k: SweepParameter(**v) for k, v in params.items()},
        outputs=["a.orders"],
        **kwargs,
    )


# --------------------------------------------------------------------------------------------
# Designs
# --------------------------------------------------------------------------------------------


def test_grid_is_every_combination_first_parameter_slowest():
    config = _config(
        "grid",
        parameters={
            "a.x": {"values": [1.0, 2.0, 3.0]},
            "a.n": {"low": 1, "high": 4, "steps": 4},
            "a.k": {"values": ["small_world", "well_mixed"]},
        },
    )
    design = make_design(config, {"a.x": "float", "a.n": "int", "a.k": "str"}, 0)
    assert len(design) == 3 * 4 * 2
    expected = list(itertools.product([1.0, 2.0, 3.0], [1, 2, 3, 4], ["small_world", "well_mixed"]))
    got = list(design.points[["a.x", "a.n", "a.k"]].itertuples(index=False, name=None))
    assert got == expected
    assert list(design.points["point"]) == list(range(24))
    assert design.values_of(5) == {"a.x": 1.0, "a.n": 3, "a.k": "well_mixed"}
    assert type(design.values_of(5)["a.n"]) is int


def test_grid_over_a_range_includes_the_ends_and_rounds_integers_once():
    config = _config(
        "grid",
        parameters={
            "a.x": {"low": 0.6, "high": 0.95, "steps": 8},
            "a.n": {"low": 1, "high": 3, "steps": 5},
            "a.r": {"low": 0.001, "high": 0.1, "steps": 3, "scale": "log"},
        },
    )
    design = make_design(config, {"a.x": "float", "a.n": "int", "a.r": "float"}, 0)
    x = design.parameters[0].values
    assert x[0] == 0.6 and x[-1] == 0.95 and len(x) == 8
    assert x[1] == 0.65  # printed values, not 0.6499999999999999
    assert design.parameters[1].values == (1, 2, 3)  # 1, 1.5, 2, 2.5, 3 rounded, each once
    np.testing.assert_allclose(design.parameters[2].values, [0.001, 0.01, 0.1])
    assert len(design) == 8 * 3 * 3


def test_latin_hypercube_puts_one_point_in_each_stratum():
    n = 40
    config = _config(
        "lhs",
        samples=n,
        seed=3,
        parameters={"a.x": {"low": 10.0, "high": 20.0}, "a.y": {"low": 0.0, "high": 1.0}},
    )
    design = make_design(config, {"a.x": "float", "a.y": "float"}, 0)
    assert len(design) == n
    for name, low, high in (("a.x", 10.0, 20.0), ("a.y", 0.0, 1.0)):
        strata = np.floor((design.points[name] - low) / (high - low) * n).astype(int)
        assert sorted(strata) == list(range(n)), name


def test_log_scale_latin_hypercube_is_stratified_in_log10():
    n = 20
    config = _config("lhs", samples=n, parameters={"a.r": {"low": 1e-4, "high": 1e-1,
                                                           "scale": "log"}})  # fmt: skip
    design = make_design(config, {"a.r": "float"}, 0)
    logs = np.log10(design.points["a.r"])
    strata = np.floor((logs + 4) / 3 * n).astype(int)
    assert sorted(strata) == list(range(n))


@pytest.mark.parametrize(("second_order", "per_sample"), [(False, 3 + 2), (True, 2 * 3 + 2)])
def test_sobol_design_has_saltelli_size(second_order, per_sample):
    params = {f"a.p{i}": {"low": 0.0, "high": 1.0} for i in range(3)}
    config = _config("sobol", samples=16, second_order=second_order, parameters=params)
    design = make_design(config, dict.fromkeys(params, "float"), 0)
    assert len(design) == 16 * per_sample
    assert design.problem()["bounds"] == [[0.0, 1.0]] * 3


def test_morris_design_has_trajectories_on_the_level_grid():
    params = {f"a.p{i}": {"low": 0.0, "high": 3.0} for i in range(4)}
    config = _config("morris", samples=5, levels=4, parameters=params)
    design = make_design(config, dict.fromkeys(params, "float"), 0)
    assert len(design) == 5 * (4 + 1)
    values = np.unique(design.points[list(params)].to_numpy())
    np.testing.assert_allclose(values, [0.0, 1.0, 2.0, 3.0])  # 4 levels over [0, 3]
    # Each step of a trajectory changes exactly one parameter.
    steps = np.diff(design.points[list(params)].to_numpy().reshape(5, 5, 4), axis=1)
    assert ((steps != 0).sum(axis=2) == 1).all()


def test_designs_are_reproducible_and_seeded():
    params = {"a.x": {"low": 0.0, "high": 1.0}, "a.y": {"low": 0.0, "high": 1.0}}
    kinds = dict.fromkeys(params, "float")
    one = make_design(_config("lhs", samples=8, seed=1, parameters=params), kinds, 0)
    again = make_design(_config("lhs", samples=8, seed=1, parameters=params), kinds, 0)
    other = make_design(_config("lhs", samples=8, seed=2, parameters=params), kinds, 0)
    pd.testing.assert_frame_equal(one.points, again.points)
    assert not one.points.equals(other.points)


def test_shop_figures_are_the_columns_a_run_reports(tmp_path):
    scenario = load_scenario(write(tmp_path / "t.toml"))
    figures = simulate(scenario, "base", 0).figures
    assert names(run_figures()) == [c for c in figures.columns if c not in [*KEYS, "variant"]]


# --------------------------------------------------------------------------------------------
# Bad sweep sections: exit 2 with file, line and key
# --------------------------------------------------------------------------------------------

BAD_SWEEPS = [
    (
        '"shops.cheap.pric" = { values = [1.0] }',
        'sweep.parameters."shops.cheap.pric": expected a key of shops.cheap',
        "(did you mean 'price'?)",
    ),
    ('"shops.cheap.price" = { values = [50.0, -5.0] }',
     'sweep.parameters."shops.cheap.price".values[1]: expected a number > 0', "given -5.0"),
    ('"shops.cheap.courier.on_time" = { low = 0.5, high = 1.5, steps = 3 }',
     'sweep.parameters."shops.cheap.courier.on_time".high: expected a number <= 1', "1.5"),
    ('"shops.cheap.courier" = { values = [1.0] }', "is a table with keys", ""),
    ('"run.seed" = { values = [1, 2] }', "seeds come from run.seed", ""),
    ('"shops.cheap.price" = { low = 50.0, high = 70.0 }',
     'sweep.parameters."shops.cheap.price": expected steps = <number of values>', ""),
    ('"shops.cheap.price" = { low = 70.0, high = 50.0, steps = 3 }',
     'sweep.parameters."shops.cheap.price".high: expected a number > low (70)', "given 50"),
    ('"network.kind" = { low = 1.0, high = 2.0, steps = 2 }', "network.kind is text", ""),
    ('"shops.cheap.courier.damage_rate" = { values = [0.6] }\n'
     '"shops.cheap.courier.loss_rate" = { values = [0.5] }',
     "damage_rate + loss_rate must be at most 1", "point 0"),
]  # fmt: skip


@pytest.mark.parametrize(("parameters", "message", "detail"), BAD_SWEEPS)
def test_bad_sweep_parameters_are_located(tmp_path, capsys, parameters, message, detail):
    sweep = f'\n[sweep]\noutputs = ["cheap.orders"]\n[sweep.parameters]\n{parameters}\n'
    path = write(tmp_path / "bad.toml", sweep)
    line = path.read_text().splitlines().index(parameters.splitlines()[0]) + 1
    for argv in (["sweep", str(path), "--out", str(tmp_path / "out")], ["validate", str(path)]):
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2, err
        if "point 0" in detail:  # a rule spanning keys: reported at [sweep.parameters]
            line = path.read_text().splitlines().index("[sweep.parameters]") + 1
        assert f"{path}:{line}: " in err and message in err and detail in err, err
        assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_bad_design_keys_and_outputs_are_all_reported_at_once(tmp_path):
    sweep = """
[sweep]
design = "sobol"
samples = 12
levels = 6
outputs = ["cheap.orders", "nowhere.orders", "cheap.happiness", "market.retention", "orders"]
[sweep.parameters]
"shops.cheap.price" = { values = [50.0, 60.0] }
"""
    path = write(tmp_path / "bad.toml", sweep)
    lines = path.read_text().splitlines()
    with pytest.raises(ScenarioError) as caught:
        sweep_design(load_scenario(path), path)
    text = str(caught.value)
    assert f"{path}:{lines.index('samples = 12') + 1}: sweep.samples: expected a power of 2" in text
    assert f"{path}:{lines.index('levels = 6') + 1}: sweep.levels: expected levels only" in text
    outputs = lines.index(next(x for x in lines if x.startswith("outputs"))) + 1
    assert f"{path}:{outputs}: sweep.outputs[1]: expected a shop of ['cheap', 'dear']" in text
    assert "sweep.outputs[2]: expected a shop figure" in text
    assert "sweep.outputs[3]: expected a market figure" in text
    assert "sweep.outputs[4]: expected '<shop>.<figure>'" in text
    assert 'sweep.parameters."shops.cheap.price".values: expected low and high' in text
    assert len(caught.value.problems) == 7


def test_schema_errors_in_the_sweep_section_are_scenario_errors(tmp_path):
    body = ['design = "factorial"', "replications = 0", "outputs = []",
            '"shops.cheap.price" = { value = 1 }']  # fmt: skip
    sweep = f"\n[sweep]\n{body[0]}\n{body[1]}\n{body[2]}\n[sweep.parameters]\n{body[3]}\n"
    path = write(tmp_path / "bad.toml", sweep)
    at = {text: path.read_text().splitlines().index(text) + 1 for text in body}
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    text = str(caught.value)
    expected = [
        f"bad.toml:{at[body[0]]}: sweep.design: expected one of: 'grid', 'lhs', 'sobol' or "
        "'morris', given \"factorial\"",
        f"bad.toml:{at[body[1]]}: sweep.replications: expected a number >= 1, given 0",
        f"bad.toml:{at[body[2]]}: sweep.outputs: expected at least 1 item",
        f'bad.toml:{at[body[3]]}: sweep.parameters."shops.cheap.price".value: expected',
    ]
    for fragment in expected:
        assert fragment in text, text


def test_scenario_without_sweep_section_is_refused(tmp_path, capsys):
    path = write(tmp_path / "plain.toml")
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "has no [sweep] section" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# Running: determinism across executors, resume, refusal, failures
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def grid_reference(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """The grid sweep run in this process (1 worker): the reference every executor matches."""
    folder = tmp_path_factory.mktemp("grid")
    path = write(folder / "grid.toml", GRID_SWEEP)
    result = run_sweep(load_scenario(path), folder / "one", file=path, workers=1)
    assert result.failed == 0 and result.ran == 12
    return path, pd.read_parquet(folder / "one" / "sweep.parquet")


def test_gathered_table_has_one_row_per_point_replication_and_shop(grid_reference):
    path, table = grid_reference
    assert len(table) == 6 * 2 * 2
    assert not table.duplicated(KEYS).any()
    assert list(table.columns[:5]) == ["point", "replication", "shops.cheap.price",
                                       "shops.cheap.courier.on_time", "shop"]  # fmt: skip
    design = pd.read_csv(path.parent / "one" / "design.csv")
    merged = table.merge(design, on="point", suffixes=("", "_design"))
    assert (merged["shops.cheap.price"] == merged["shops.cheap.price_design"]).all()
    csv = pd.read_csv(path.parent / "one" / "sweep.csv")
    pd.testing.assert_frame_equal(csv, table, check_dtype=False)
    meta = json.loads((path.parent / "one" / "meta.json").read_text())
    assert meta["status"] == "complete" and meta["runs"] == 12 and meta["rows"] == 24
    assert pd.read_csv(path.parent / "one" / "failures.csv").empty


def test_common_random_numbers_across_points(grid_reference):
    path, table = grid_reference
    scenario = load_scenario(path)
    # Replication 1 of point 4 is simulate(point scenario, "base", 1): seed child 1 of run.seed.
    from loyaltysim.scenario.keypaths import plain_base, point_scenario

    values = {"shops.cheap.price": 70.0, "shops.cheap.courier.on_time": 0.6}
    direct = simulate(point_scenario(plain_base(scenario), values), "base", 1).figures
    row = table[(table["point"] == 4) & (table["replication"] == 1)].reset_index(drop=True)
    np.testing.assert_array_equal(row["orders"], direct["orders"])
    np.testing.assert_array_equal(row["clv"], direct["clv"])


def test_two_local_workers_give_bit_identical_results(grid_reference, tmp_path):
    path, reference = grid_reference
    result = run_sweep(load_scenario(path), tmp_path / "two", file=path, workers=2)
    assert result.ran == 12
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "two" / "sweep.parquet"), reference,
                                  check_exact=True)  # fmt: skip


def test_dask_local_cluster_gives_bit_identical_results(grid_reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    import dask

    from loyaltysim.experiment.dask_executor import NUMPY_FRIENDLY

    path, reference = grid_reference
    with (
        dask.config.set(NUMPY_FRIENDLY),
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                 dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):  # fmt: skip
        # The nanny did not set MALLOC_TRIM_THRESHOLD_ in the workers (DESIGN.md note).
        env = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
        assert set(env.values()) == {None}
        result = run_sweep(load_scenario(path), tmp_path / "dask", file=path, client=client)
    assert result.ran == 12 and "Dask scheduler" in result.executor
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "dask" / "sweep.parquet"), reference,
                                  check_exact=True)  # fmt: skip


def _cli(*args: object) -> list[str]:
    return [sys.executable, "-m", "loyaltysim.cli", *map(str, args)]


def test_sweep_killed_with_sigkill_then_resumed_has_every_row_once(grid_reference, tmp_path):
    path, reference = grid_reference
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONNOUSERSITE": "1"}
    proc = subprocess.Popen(_cli("sweep", path, "--out", out, "--workers", 1, "--quiet"),
                            env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            done = list((out / "runs").glob("p*.json")) if (out / "runs").exists() else []
            if len(done) >= 3:
                break
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its workers, like a crash
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    finished = len(list((out / "runs").glob("p*.json")))
    assert 3 <= finished < 12, "the kill came too late to test resumption"
    assert not (out / "sweep.parquet").exists()
    assert json.loads((out / "meta.json").read_text())["status"] == "running"

    assert main(["sweep", str(path), "--out", str(out), "--resume", "--quiet"]) == 0
    meta = json.loads((out / "meta.json").read_text())
    assert meta["status"] == "complete"
    assert meta["previously_done"] == finished and meta["ran"] == 12 - finished
    table = pd.read_parquet(out / "sweep.parquet")
    assert not table.duplicated(KEYS).any() and len(table) == len(reference)
    pd.testing.assert_frame_equal(table, reference, check_exact=True)
    assert not list(out.rglob(".*.tmp"))


def test_resume_refuses_a_changed_scenario_and_sweep_without_resume(grid_reference, tmp_path,
                                                                    capsys):  # fmt: skip
    path, _ = grid_reference
    out = tmp_path / "done"
    run_sweep(load_scenario(path), out, file=path)
    before = (out / "sweep.parquet").read_bytes()
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 2
    assert "holds a sweep already; pass --resume" in capsys.readouterr().err
    changed = ["--set", "shops.dear.price=125.0"]
    assert main(["sweep", str(path), "--out", str(out), "--resume", "--quiet", *changed]) == 2
    err = capsys.readouterr().err
    assert "cannot resume, the scenario or sweep changed" in err
    assert "shops.dear.price: 120.0 -> 125.0" in err
    assert (out / "sweep.parquet").read_bytes() == before
    # More replications keep the seeds of the finished ones: a resume runs only the new ones.
    more = run_sweep(load_scenario(path, ["sweep.replications=3"]), out, file=path, resume=True)
    assert (more.previously_done, more.ran, more.runs) == (12, 6, 18)
    assert sweep_fingerprint(load_scenario(path)) == sweep_fingerprint(
        load_scenario(path, ["sweep.replications=3", "name=other"])
    )


def test_folder_that_is_not_a_sweep_is_refused(grid_reference, tmp_path, capsys):
    path, _ = grid_reference
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    assert main(["sweep", str(path), "--out", str(tmp_path / "mine"), "--quiet"]) == 2
    assert "is not a sweep folder" in capsys.readouterr().err
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"


def test_failed_runs_are_recorded_and_the_sweep_goes_on(grid_reference, tmp_path, monkeypatch,
                                                        capsys):  # fmt: skip
    import loyaltysim.experiment.sweep.task as task

    path, reference = grid_reference
    real = task.simulate

    def flaky(scenario, variant, replication):
        if scenario.shops["cheap"].price == 60.0 and replication == 1:
            raise FloatingPointError("the model blew up")
        return real(scenario, variant, replication)

    monkeypatch.setattr(task, "simulate", flaky)
    out = tmp_path / "flaky"
    code = main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"])
    captured = capsys.readouterr()
    assert code == 1  # some runs failed; everything else is written
    assert "2 failed" in captured.out and "failures.csv" in captured.out
    failures = pd.read_csv(out / "failures.csv")
    assert sorted(failures["point"]) == [2, 3] and set(failures["replication"]) == {1}
    assert (failures["error"] == "FloatingPointError: the model blew up").all()
    assert failures["traceback"].str.contains("in flaky").all()
    assert (failures["seed_entropy"] == 11).all() and (failures["seed_spawn_key"] == "[1]").all()
    assert (failures["shops.cheap.price"] == 60.0).all()
    table = pd.read_parquet(out / "sweep.parquet")
    assert len(table) == len(reference) - 2 * 2
    assert json.loads((out / "meta.json").read_text())["status"] == "complete with failures"

    monkeypatch.setattr(task, "simulate", real)  # fixed: a resume retries the failed runs
    assert main(["sweep", str(path), "--out", str(out), "--resume", "--quiet"]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep.parquet"), reference)
    assert pd.read_csv(out / "failures.csv").empty


@pytest.mark.parametrize("path", SWEEP_SCENARIOS, ids=lambda p: p.name)
def test_every_sweep_scenario_runs_as_a_tiny_sweep(path, tmp_path):
    tiny = {"market.customers": 300, "run.days": 10, "run.warmup_days": 2,
            "output.figures": False, "sweep.replications": 1}  # fmt: skip
    scenario = load_scenario(path)
    if scenario.sweep.design != "grid":
        tiny["sweep.samples"] = 2 if scenario.sweep.design == "sobol" else 1
    scenario = load_scenario(path, tiny)
    result = run_sweep(scenario, tmp_path / "out", file=path, workers=1)
    assert result.failed == 0
    table = pd.read_parquet(tmp_path / "out" / "sweep.parquet")
    assert len(table) == len(result.design) * len(scenario.shops)
    from loyaltysim.experiment.sweep.analyze import analyze_sweep

    _, analysis, written = analyze_sweep(tmp_path / "out", figures=False)
    assert set(analysis.points["output"]) == set(scenario.sweep.outputs)
    assert all(p.exists() for p in written)


@pytest.mark.parametrize("path", SWEEP_SCENARIOS, ids=lambda p: p.name)
def test_resolved_sweep_scenario_is_itself_a_valid_sweep(path, tmp_path):
    # scenario.toml in a sweep folder spells out every default (levels, second_order...).
    scenario = load_scenario(path)
    again = tmp_path / "scenario.toml"
    again.write_text(to_toml(scenario))
    resolved = load_scenario(again)
    assert resolved.sweep == scenario.sweep
    pd.testing.assert_frame_equal(sweep_design(resolved, again).points,
                                  sweep_design(scenario, path).points)  # fmt: skip


def test_runs_per_minute_and_summary(grid_reference, tmp_path):
    path, _ = grid_reference
    result = run_sweep(load_scenario(path), tmp_path / "s", file=path)
    assert result.runs_per_minute > 0 and math.isfinite(result.runs_per_minute)
    text = result.summary()
    assert "sweep: 12 runs: 12 run now, 0 failed" in text and "runs/min on 1 process" in text
