"""A missing optional package stops a command before any work, naming the extra to install.

Missing modules are simulated with ``sys.modules[name] = None`` (what Python does for a
module that failed to import): ``find_spec`` reports them as absent and ``import`` fails.
"""

from __future__ import annotations

import sys
import tomllib
from importlib.metadata import packages_distributions

import pytest

from conftest import REPO_ROOT
from loyaltysim.cli import extras, main

USAGE_ERROR = 2

SWEEP_SECTION = """
[sweep]
design = "grid"
replications = 1
outputs = ["cheap.market_share"]
[sweep.parameters."shops.cheap.price"]
values = [55.0, 65.0]
"""


@pytest.fixture
def sweep_file(tmp_path, small_toml, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "sweep.toml"
    path.write_text(small_toml + SWEEP_SECTION, encoding="utf-8")
    return path


def block(monkeypatch, *modules: str) -> None:
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)


def test_sweep_without_pyarrow_stops_before_running(sweep_file, tmp_path, monkeypatch, capsys):
    block(monkeypatch, "pyarrow")
    status = main(["sweep", str(sweep_file), "--out", "out", "--quiet"])
    err = capsys.readouterr().err
    assert status == USAGE_ERROR
    assert "Traceback" not in err
    assert err.startswith("loyaltysim: `loyaltysim sweep` cannot start: missing Python packages")
    assert "pyarrow (the sweep table (sweep.parquet)) belongs to loyaltysim's own" in err
    assert "-m pip install -e .\n" in err + "\n"
    assert not (tmp_path / "out").exists()  # no run was started


def test_sweep_on_dask_names_the_experiments_extra(sweep_file, tmp_path, monkeypatch, capsys):
    block(monkeypatch, "distributed")
    status = main(["sweep", str(sweep_file), "--out", "out", "--scheduler", "local"])
    err = capsys.readouterr().err
    assert status == USAGE_ERROR
    assert "distributed (running on a Dask cluster (--scheduler)) comes with the " in err
    assert "`experiments` extra: " in err
    assert err.rstrip().endswith("-m pip install -e '.[experiments]'")
    assert "dask," not in err  # dask itself is installed; only what is missing is named
    assert not (tmp_path / "out").exists()


def test_every_missing_package_is_named_at_once(sweep_file, monkeypatch, capsys):
    block(monkeypatch, "SALib", "pyarrow")
    assert main(["analyze", "nowhere"]) == USAGE_ERROR
    err = capsys.readouterr().err
    assert "  SALib (sweep designs and sensitivity indices)" in err
    assert "  pyarrow (the sweep table" in err


def test_app_without_solara_names_the_app_extra(monkeypatch, capsys):
    block(monkeypatch, "solara")
    assert main(["app", "--no-open"]) == USAGE_ERROR
    assert "comes with the `app` extra" in capsys.readouterr().err


def test_a_sweep_without_the_scheduler_needs_no_dask():
    class Args:
        scheduler = None

    assert extras.DASK not in extras.needs_of("sweep", Args())  # type: ignore[arg-type]
    assert extras.needs_of("run", Args()) == ()  # type: ignore[arg-type]


def test_extras_and_core_packages_match_pyproject():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = {r.split(">")[0].split("[")[0].lower() for r in project["dependencies"]}
    distributions = packages_distributions()
    needs = [*extras.FIXED_NEEDS.values(), (extras.DASK,)]
    for need in {n for group in needs for n in group}:
        if need.extra is None:
            for module in need.modules:
                assert {d.lower() for d in distributions[module]} & core, module
        else:
            assert need.extra in project["optional-dependencies"], need.extra
