"""Analysis of sweeps: indices of functions with known answers, point means, the CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from loyaltysim.analysis.summary import mean_ci
from loyaltysim.cli import main
from loyaltysim.engine.figures import AcrossShops, market_level_figures
from loyaltysim.experiment.sensitivity import SENSITIVITY_COLUMNS, analyse
from loyaltysim.experiment.sweep.design import Design, make_design
from loyaltysim.experiment.sweep.outputs import Output, market_figures, output_values
from loyaltysim.experiment.sweep.run import run_sweep
from loyaltysim.scenario import load_scenario
from loyaltysim.scenario.experiment import SweepConfig, SweepParameter
from sweep_helpers import GRID_SWEEP, MORRIS_SWEEP, write

pytest.importorskip("SALib")


def _design(method: str, bounds: dict[str, tuple[float, float]], **kwargs) -> Design:
    config = SweepConfig(
        design=method,
        parameters={k: SweepParameter(low=lo, high=hi) for k, (lo, hi) in bounds.items()},
        outputs=["f.profit"],
        **kwargs,
    )
    return make_design(config, dict.fromkeys(bounds, "float"), 0)


def _table(design: Design, values: np.ndarray, replications: int = 1) -> pd.DataFrame:
    """A gathered-sweep table of a pretend shop ``f`` whose profit is ``values``.

    Replication k adds the same offset k to every point (common random numbers): the
    indices of the replication means must not change.
    """
    rows = []
    for k in range(replications):
        rows.append(pd.DataFrame({"point": design.points["point"], "replication": k,
                                  "shop": "f", "profit": values + k}))  # fmt: skip
    return pd.concat(rows, ignore_index=True)


def test_sobol_indices_of_the_ishigami_function():
    # Ishigami & Homma (1990), a = 7, b = 0.1, inputs uniform on [-pi, pi]: analytic
    # first-order indices (0.3139, 0.4424, 0) and total indices (0.5576, 0.4424, 0.2437).
    from SALib.test_functions import Ishigami

    bounds = {f"x{i}": (-math.pi, math.pi) for i in (1, 2, 3)}
    design = _design("sobol", bounds, samples=1024, seed=1, replications=2)
    y = Ishigami.evaluate(design.points[list(bounds)].to_numpy())
    result = analyse(design, _table(design, y, replications=2), ["f.profit"])
    sens = result.sensitivity.set_index("parameter")
    assert list(result.sensitivity.columns) == SENSITIVITY_COLUMNS
    assert (sens["method"] == "sobol").all()
    np.testing.assert_allclose(sens["S1"], [0.3139, 0.4424, 0.0], atol=0.04)
    np.testing.assert_allclose(sens["ST"], [0.5576, 0.4424, 0.2437], atol=0.04)
    assert (sens["S1_conf"] > 0).all() and (sens["S1_conf"] < 0.1).all()
    assert sens[["mu_star", "mu_star_conf", "sigma"]].isna().all().all()
    assert result.notes == []


def test_sobol_second_order_of_a_pure_interaction():
    # y = x1 * x2 on [-1, 1]^2 (+ an inert x3): no first-order effects; all the variance is
    # the x1-x2 interaction, so S2(x1, x2) = 1 and ST(x1) = ST(x2) = 1.
    bounds = {"x1": (-1.0, 1.0), "x2": (-1.0, 1.0), "x3": (-1.0, 1.0)}
    design = _design("sobol", bounds, samples=1024, second_order=True, seed=2)
    x = design.points[list(bounds)].to_numpy()
    result = analyse(design, _table(design, x[:, 0] * x[:, 1]), ["f.profit"])
    sens = result.sensitivity.set_index("parameter")
    np.testing.assert_allclose(sens["S1"], [0, 0, 0], atol=0.05)
    np.testing.assert_allclose(sens["ST"], [1, 1, 0], atol=0.08)
    pair = result.interactions.set_index(["parameter_1", "parameter_2"])
    assert pair.loc[("x1", "x2"), "S2"] == pytest.approx(1.0, abs=0.1)
    assert abs(pair.loc[("x1", "x3"), "S2"]) < 0.1


def test_morris_of_a_linear_model_gives_its_slopes():
    # y = 3 x1 + x2 - 2 x3 + 0 x4 on [0, 1] (x1 on [0, 2]): every elementary effect of x_i is
    # the change of y over a step of the normalised range, so mu* = |slope x range|, sigma = 0.
    bounds = {"x1": (0.0, 2.0), "x2": (0.0, 1.0), "x3": (0.0, 1.0), "x4": (0.0, 1.0)}
    design = _design("morris", bounds, samples=6, levels=4, seed=3)
    x = design.points[list(bounds)].to_numpy()
    y = 3 * x[:, 0] + x[:, 1] - 2 * x[:, 2]
    sens = analyse(design, _table(design, y), ["f.profit"]).sensitivity.set_index("parameter")
    np.testing.assert_allclose(sens["mu_star"], [6.0, 1.0, 2.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(sens["sigma"], [0.0, 0.0, 0.0, 0.0], atol=1e-9)
    assert (sens["method"] == "morris").all() and sens["S1"].isna().all()


def test_rbd_fast_on_a_latin_hypercube_of_a_linear_model():
    # y = 2 x1 + x2 with independent uniform inputs on [0, 1]: S1 = (4/5, 1/5, 0).
    bounds = {"x1": (0.0, 1.0), "x2": (0.0, 1.0), "x3": (0.0, 1.0)}
    design = _design("lhs", bounds, samples=1000, seed=4)
    x = design.points[list(bounds)].to_numpy()
    sens = analyse(design, _table(design, 2 * x[:, 0] + x[:, 1]), ["f.profit"]).sensitivity
    np.testing.assert_allclose(sens["S1"], [0.8, 0.2, 0.0], atol=0.05)
    assert (sens["method"] == "rbd_fast").all() and sens["ST"].isna().all()


def test_rbd_fast_refuses_designs_too_small_for_it():
    bounds = {"x1": (0.0, 1.0), "x2": (0.0, 1.0)}
    design = _design("lhs", bounds, samples=30)
    result = analyse(design, _table(design, design.points["x1"].to_numpy()), ["f.profit"])
    assert result.sensitivity["S1"].isna().all()
    assert any("RBD-FAST needs at least 80 Latin hypercube points (this design has 30)" in note
               for note in result.notes)  # fmt: skip


def test_points_with_no_value_are_reported_not_guessed():
    bounds = {"x1": (0.0, 1.0), "x2": (0.0, 1.0)}
    design = _design("sobol", bounds, samples=8)
    table = _table(design, design.points["x1"].to_numpy())
    table = table[table["point"] != 3]  # its runs failed
    result = analyse(design, table, ["f.profit"])
    assert result.sensitivity[["S1", "ST"]].isna().all().all()
    assert any("1 of 32 points have no value" in note for note in result.notes)
    assert any("one replication per point" in note for note in result.notes)
    assert result.points.loc[result.points["point"] == 3, "replications"].item() == 0


def test_grid_points_have_mean_and_ci_over_replications():
    config = SweepConfig(design="grid", parameters={"a.x": SweepParameter(values=[1.0, 2.0])},
                         outputs=["f.profit"])  # fmt: skip
    design = make_design(config, {"a.x": "float"}, 0)
    values = {0: [1.0, 2.0, 4.0], 1: [10.0, 11.0, 15.0]}
    table = pd.DataFrame(
        [{"point": p, "replication": k, "shop": "f", "profit": v}
         for p, vs in values.items() for k, v in enumerate(vs)]
    )  # fmt: skip
    result = analyse(design, table, ["f.profit"])
    assert result.sensitivity.empty
    points = result.points.set_index("point")
    for point, vs in values.items():
        mean, low, high = mean_ci(np.array(vs))
        assert points.loc[point, "mean"] == pytest.approx(mean)
        assert points.loc[point, "ci_low"] == pytest.approx(low)
        assert points.loc[point, "ci_high"] == pytest.approx(high)
        assert points.loc[point, "replications"] == 3
    assert list(result.points.columns[:3]) == ["output", "point", "a.x"]
    # Replication noise: mean within-point variance / 3 over the variance of point means.
    within = np.mean([np.var(v, ddof=1) / 3 for v in values.values()])
    between = np.var([np.mean(v) for v in values.values()], ddof=1)
    assert result.noise["noise_share"].item() == pytest.approx(within / between)


def test_market_figures_add_up_shops_and_measure_concentration():
    table = pd.DataFrame({
        "point": [0, 0, 1, 1], "replication": [0, 0, 0, 0], "shop": ["a", "b", "a", "b"],
        "orders": [30.0, 10.0, 20.0, 20.0], "complaints": [4.0, 0.0, 0.0, 0.0],
        "complaints_resolved": [1.0, 0.0, 0.0, 0.0], "market_share": [0.75, 0.25, 0.5, 0.5],
    })  # fmt: skip
    for figure in market_level_figures():
        if figure.across_shops is AcrossShops.SUM and figure.name not in table:
            table[figure.name] = 1.0
    market = market_figures(table, ["point", "replication"])
    assert list(market["orders"]) == [40.0, 40.0]
    assert list(market["revenue"]) == [2.0, 2.0]
    assert market["hhi"].tolist() == pytest.approx([0.625, 0.5])
    assert market["resolution_share"].iloc[0] == 0.25 and np.isnan(market["resolution_share"][1])
    values = output_values(table, Output("a", "orders"), ["point", "replication"])
    assert values["value"].tolist() == [30.0, 20.0]


@pytest.fixture(scope="module")
def morris_sweep(tmp_path_factory):
    folder = tmp_path_factory.mktemp("morris")
    path = write(folder / "morris.toml", MORRIS_SWEEP)
    run_sweep(load_scenario(path), folder / "sweep", file=path)
    return folder / "sweep"


def test_analyze_command_writes_tidy_tables_and_figures(morris_sweep, capsys):
    assert main(["analyze", str(morris_sweep)]) == 0
    out = capsys.readouterr().out
    assert "cheap.market_share  (μ* (mean |elementary effect|)" in out
    sens = pd.read_csv(morris_sweep / "sensitivity.csv")
    assert list(sens.columns) == SENSITIVITY_COLUMNS
    assert len(sens) == 2 * 2  # outputs x parameters
    assert set(sens["output"]) == {"cheap.market_share", "market.hhi"}
    assert sens["mu_star"].notna().all() and sens["S1"].isna().all()
    points = pd.read_csv(morris_sweep / "points.csv")
    assert len(points) == 2 * 6
    for name in ("indices", "tornado", "morris"):
        assert (morris_sweep / "figures" / f"{name}_cheap.market_share.png").stat().st_size > 0
    # The price of the cheap shop moves its own share more than the rival's quality does
    # not: both matter, so both have positive mu*.
    assert (sens.loc[sens["output"] == "cheap.market_share", "mu_star"] > 0).all()


def test_analyze_other_outputs_and_bad_ones(morris_sweep, tmp_path, capsys):
    args = ["analyze", str(morris_sweep), "--output", "dear.retention", "--out", str(tmp_path),
            "--no-figures"]  # fmt: skip
    assert main(args) == 0
    assert set(pd.read_csv(tmp_path / "sensitivity.csv")["output"]) == {"dear.retention"}
    assert not (tmp_path / "figures").exists()
    capsys.readouterr()
    assert main(["analyze", str(morris_sweep), "--output", "dear.happiness"]) == 2
    assert "expected a shop figure" in capsys.readouterr().err


def test_analyze_refuses_folders_that_are_not_finished_sweeps(tmp_path, capsys):
    assert main(["analyze", str(tmp_path)]) == 2
    assert "not a sweep folder" in capsys.readouterr().err
    path = write(tmp_path / "grid.toml", GRID_SWEEP)
    run_sweep(load_scenario(path), tmp_path / "g", file=path)
    (tmp_path / "g" / "sweep.parquet").unlink()
    assert main(["analyze", str(tmp_path / "g")]) == 2
    assert "has not finished" in capsys.readouterr().err


def test_grid_response_curves(tmp_path, capsys):
    path = write(tmp_path / "grid.toml", GRID_SWEEP)
    run_sweep(load_scenario(path), tmp_path / "g", file=path)
    assert main(["analyze", str(tmp_path / "g")]) == 0
    assert not (tmp_path / "g" / "sensitivity.csv").exists()
    points = pd.read_csv(tmp_path / "g" / "points.csv")
    assert set(points.columns) >= {"output", "shops.cheap.price", "shops.cheap.courier.on_time",
                                   "mean", "ci_low", "ci_high", "replications"}  # fmt: skip
    assert len(points) == 2 * 6 and (points["replications"] == 2).all()
    assert (tmp_path / "g" / "figures" / "response_cheap.market_share.png").exists()
    meta = json.loads((tmp_path / "g" / "meta.json").read_text())
    assert meta["design"] == "grid"
