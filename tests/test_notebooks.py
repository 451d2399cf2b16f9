"""The notebooks run top to bottom, and their stored copies in docs/notebooks/ are current.

Each notebook is executed once (this test replaces nbmake, which executed them a second
time); the run must not fail, and its text outputs must match the stored copy that
scripts/render_notebooks.py wrote. If they differ, the code changed what a notebook shows:
rerun the script and commit the copies.
"""

from __future__ import annotations

import importlib.util

import nbformat
import pytest

from conftest import REPO_ROOT

_spec = importlib.util.spec_from_file_location(
    "render_notebooks", REPO_ROOT / "scripts" / "render_notebooks.py"
)
assert _spec is not None and _spec.loader is not None
render = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(render)

NOTEBOOKS = sorted(render.SOURCE.glob("*.ipynb"))
RERUN = "rerun .venv/bin/python scripts/render_notebooks.py"


def _sources(notebook) -> list[str]:
    return [cell.source for cell in notebook.cells]


def test_every_notebook_has_a_stored_copy():
    assert sorted(p.name for p in render.RENDERED.glob("*.ipynb")) == [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_stored_copy_has_the_notebooks_cells_and_figures(path):
    stored = nbformat.read(render.RENDERED / path.name, as_version=4)
    assert _sources(stored) == _sources(nbformat.read(path, as_version=4)), RERUN
    shown = [o for cell in render.text_outputs(stored) for o in cell]
    assert "image/png" in shown  # a teacher browsing the repository sees the figures
    assert not any(o.startswith("error:") for o in shown)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_notebook_runs_and_shows_what_its_copy_shows(path):
    executed = render.execute(path)  # raises CellExecutionError, with the cell, if one fails
    stored = nbformat.read(render.RENDERED / path.name, as_version=4)
    assert render.text_outputs(executed) == render.text_outputs(stored), RERUN
