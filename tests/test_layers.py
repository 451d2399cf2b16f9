"""The import graph: no cycles, and imports only flow down the layers of docs/architecture.md.

The graph is read from the source (every ``import`` and ``from ... import`` of a loyaltysim
module, at any depth, except those only for type checkers under ``if TYPE_CHECKING:``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "src" / "loyaltysim"

#: Layers from the bottom up, by module prefix (the longest prefix decides); a module may
#: import its own layer and the ones below. The engine has two floors: its data (arrays,
#: parameters, sampling, the network, the figure registry) under the mechanisms, and the
#: model that runs the day above the strategies.
LAYERS = (
    ("scenario",),
    (
        "engine.state",
        "engine.totals",
        "engine.params",
        "engine.sampling",
        "engine.draws",
        "engine.philox",
        "engine.jit",
        "engine.libm",
        "engine.network",
        "engine.ties",
        "engine.records",
        "engine.figures",
    ),
    ("mechanisms",),
    ("strategies",),
    ("engine",),
    ("analysis", "plots"),
    ("experiment",),
    ("report", "app"),
    ("cli",),
    ("",),  # the package's own __init__: the public verbs
)
#: Imports that cross the layers upward on purpose, with the reason.
ALLOWED_UPWARD = {
    # The schema's [shops.<name>.strategies] section is built from the strategy registry:
    # each lever's config model lives in its own module (one module per lever).
    ("loyaltysim.scenario.schema", "loyaltysim.strategies"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The loyaltysim modules that ``path`` imports (the deepest existing module named)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # a submodule, or a name defined in the module
                sub = f"{node.module}.{alias.name}"
                names.add(sub if sub in modules else node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    found = set()
    for name in names:
        if not name.startswith("loyaltysim"):
            continue
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name:
            found.add(name)
    return found


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    graph = {}
    for path in paths:
        me = module_name(path)
        graph[me] = {m for m in imports_of(path, modules) if m != me}
    return graph


def layer_of(module: str) -> int:
    rest = module.removeprefix("loyaltysim").removeprefix(".")
    best, rank = -1, -1
    for level, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            fits = rest == prefix or rest.startswith(f"{prefix}.") or (prefix == "" == rest)
            if fits and len(prefix) > best:
                best, rank = len(prefix), level
    return rank


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


GRAPH = import_graph()


def test_the_graph_is_read():
    assert "loyaltysim.engine.state" in GRAPH["loyaltysim.engine.model"]


def test_no_import_cycles():
    assert cycles(GRAPH) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_module_is_in_a_layer():
    assert [m for m in GRAPH if layer_of(m) < 0] == []


def test_imports_flow_down_the_layers():
    upward = sorted(
        (module, other)
        for module, others in GRAPH.items()
        for other in others
        if layer_of(other) > layer_of(module)
        and not any(module == a and other.startswith(b) for a, b in ALLOWED_UPWARD)
    )
    assert upward == []


@pytest.mark.parametrize("layer", ["scenario"])
def test_the_input_layer_imports_no_engine_code(layer):
    engine = ("loyaltysim.engine", "loyaltysim.mechanisms", "loyaltysim.experiment")
    offenders = sorted(
        (module, other)
        for module, others in GRAPH.items()
        if module.startswith(f"loyaltysim.{layer}")
        for other in others
        if other.startswith(engine)
    )
    assert offenders == []


#: Modules allowed past MAX_LINES, with the reason.
LONG_MODULES = {
    # One SolaraViz page: the model wrapper, the slider table and the plots belong together.
    "loyaltysim.app.page": 600,
    # The [sweep] and [calibration] checks, one function per rule.
    "loyaltysim.experiment.checks": 420,
    # The figure registry: a table with one entry per figure, which everything else reads.
    "loyaltysim.engine.figures": 440,
}
MAX_LINES = 400


def test_modules_stay_small():
    sizes = {
        module_name(p): len(p.read_text(encoding="utf-8").splitlines())
        for p in PACKAGE.rglob("*.py")
    }
    too_long = {m: n for m, n in sizes.items() if n > LONG_MODULES.get(m, MAX_LINES)}
    assert too_long == {}


def test_importing_the_package_leaves_the_heavy_imports_for_later():
    # numba (110 MB, imported by the first compiled loop) and scipy.stats (35 MB, used by
    # a few analyses) are loaded when used: validating or reporting does not pay for them,
    # and neither does a 1M-customer run's peak memory
    import subprocess
    import sys

    code = (
        "import sys, loyaltysim\n"
        "from loyaltysim.engine.model import LoyaltyModel\n"
        "print(sorted(m for m in ('numba', 'scipy.stats') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
