"""Execute the notebooks and store copies with their outputs in docs/notebooks/.

Usage: .venv/bin/python scripts/render_notebooks.py [NAME.ipynb ...]

The notebooks in notebooks/ are kept without outputs (small diffs, nothing stale to
review); the copies in docs/notebooks/ carry every output, figures included, so a teacher
browsing the repository sees what each cell shows. tests/test_notebooks.py executes each
notebook once and checks that it runs and that its text outputs (numbers, tables, printed
lines; not the PNG bytes, which differ between matplotlib builds) match the stored copy;
when they differ, rerun this script.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "notebooks"
RENDERED = ROOT / "docs" / "notebooks"
#: Seconds a single cell may take before the execution fails.
CELL_TIMEOUT = 600
INLINE = "module://matplotlib_inline.backend_inline"
#: Printed text that differs from run to run, and what it is compared as.
VOLATILE = (
    (re.compile(r"\d+h?\d*m\d+s wall, [\d,.]+ runs/min"), "<wall time>, <speed>"),
    (re.compile(re.escape(tempfile.gettempdir()) + r"/[^/\s]+"), "<temporary folder>"),
)


def execute(path: Path) -> Any:
    """The notebook at ``path`` executed top to bottom in its own folder (an nbformat node)."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    # The figures go into the outputs only with the inline backend (the tests set Agg).
    client.execute(env={**os.environ, "MPLBACKEND": INLINE})
    return notebook


def text_outputs(notebook: Any) -> list[list[str]]:
    """Per code cell, its deterministic outputs: text, tables, the kind of each figure.

    PNG bytes are left out (they differ between matplotlib and freetype builds), and so are
    the wall times and temporary folders that a sweep prints (:data:`VOLATILE`).
    """
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        shown = []
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                shown.append(f"{output.name}: {output.text}")
            elif output.output_type in ("execute_result", "display_data"):
                data = output.get("data", {})
                if "text/html" in data:
                    shown.append(f"html: {data['text/html']}")
                elif "text/plain" in data and "image/png" not in data:
                    shown.append(f"text: {data['text/plain']}")
                elif "image/png" in data:
                    shown.append("image/png")
            elif output.output_type == "error":
                shown.append(f"error: {output.ename}: {output.evalue}")
        cells.append([_steady(text) for text in shown])
    return cells


def _steady(text: str) -> str:
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def stored(notebook: Any) -> Any:
    """A copy to store: without execution times and kernel details that change every run."""
    out = copy.deepcopy(notebook)
    for cell in out.cells:
        cell.get("metadata", {}).pop("execution", None)
    out.metadata.pop("widgets", None)
    return out


def main() -> None:
    """Execute the named notebooks (default: all) and write their copies."""
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook file names (default: all)")
    args = parser.parse_args()
    paths = [SOURCE / n for n in args.names] or sorted(SOURCE.glob("*.ipynb"))
    RENDERED.mkdir(parents=True, exist_ok=True)
    for path in paths:
        target = RENDERED / path.name
        nbformat.write(stored(execute(path)), target)
        print(f"{path.relative_to(ROOT)} -> {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
