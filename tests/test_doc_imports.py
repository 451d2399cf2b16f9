"""Every loyaltysim import shown in README.md and docs/ resolves.

Code in the docs is copied by users; a module moved without its docs breaks their first try
(the redesign moved most modules).
"""

from __future__ import annotations

import importlib
import importlib.util
import re

import pytest

from conftest import REPO_ROOT

IMPORT = re.compile(r"^\s*(from (loyaltysim[\w.]*) import (.+)|import (loyaltysim[\w.]*))\s*$")
DOCS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]


def doc_imports() -> list[tuple[str, str, list[str]]]:
    found = []
    for path in DOCS:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = IMPORT.match(line)
            if match:
                module = match.group(2) or match.group(4)
                names = [n.split(" as ")[0].strip() for n in (match.group(3) or "").split(",")]
                found.append((f"{path.name}:{number}", module, [n for n in names if n]))
    return found


def test_the_docs_show_imports():
    assert len(doc_imports()) >= 5


@pytest.mark.parametrize(("where", "module", "names"), doc_imports(), ids=lambda v: str(v))
def test_doc_import_resolves(where, module, names):
    imported = importlib.import_module(module)
    for name in names:
        assert hasattr(imported, name) or importlib.util.find_spec(f"{module}.{name}"), where
