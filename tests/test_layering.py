"""The package's layering: no import cycles among `visitcoach` modules, and no library module imports an edge.

Imports are read with `ast` from the source (imports inside functions count too, since a lazy
import is still a dependency): `import a.b.c` depends on module `a.b.c`, `from a.b import c`
depends on `a.b.c` when that is a module and on `a.b` otherwise, relative imports are resolved
against the importing module, and a package's `__init__.py` is the module named after the package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = "visitcoach"
EDGES = ("visitcoach.ui", "visitcoach.cli", "visitcoach.__main__")

# Cycles that another change removes; each entry is a frozenset of the modules in the cycle.
KNOWN_CYCLES: set[frozenset[str]] = set()


def module_name(path: Path, src: Path = SRC) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(src: Path = SRC) -> dict[str, Path]:
    return {module_name(p, src): p for p in sorted((src / ROOT).rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The `visitcoach` modules that `name` (at `path`) imports, anywhere in its body."""
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                anchor = ".".join(base + ([node.module] if node.module else []))
            else:
                anchor = node.module or ""
            targets = [f"{anchor}.{alias.name}" if f"{anchor}.{alias.name}" in known else anchor
                       for alias in node.names]
        else:
            continue
        for target in targets:
            # `import visitcoach.a.b` also runs visitcoach/a/__init__; the closest known module is the dependency.
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target.startswith(ROOT) and target != name:
                out.add(target)
    return out


def import_graph(src: Path = SRC) -> dict[str, set[str]]:
    mods = modules(src)
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
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
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def is_edge(name: str) -> bool:
    return any(name == e or name.startswith(e + ".") for e in EDGES)


def test_the_graph_reads_the_package():
    graph = import_graph()
    assert "visitcoach" in graph and "visitcoach.cli" in graph
    assert "visitcoach.config" in graph["visitcoach.cli"]


def test_relative_and_dotted_imports_resolve(tmp_path):
    pkg = tmp_path / "visitcoach"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from . import leaf\n")
    (pkg / "sub" / "leaf.py").write_text("def f():\n    from ..top import x\n    import visitcoach.sub\n")
    (pkg / "top.py").write_text("from visitcoach.sub import leaf\n")
    graph = import_graph(tmp_path)
    assert graph["visitcoach.sub"] == {"visitcoach.sub.leaf"}
    assert graph["visitcoach.sub.leaf"] == {"visitcoach.top", "visitcoach.sub"}
    assert graph["visitcoach.top"] == {"visitcoach.sub.leaf"}
    assert cycles(graph) == [["visitcoach.sub", "visitcoach.sub.leaf", "visitcoach.top"]]


def test_no_import_cycles():
    found = [c for c in cycles(import_graph()) if frozenset(c) not in KNOWN_CYCLES]
    assert not found, "import cycles among visitcoach modules:\n" + "\n".join(" <-> ".join(c) for c in found)


@pytest.mark.parametrize("edge", EDGES)
def test_the_library_does_not_import_the_edges(edge):
    graph = import_graph()
    bad = sorted(f"{name} imports {dep}" for name, deps in graph.items() if not is_edge(name)
                 for dep in deps if dep == edge or dep.startswith(edge + "."))
    assert not bad, "library modules import an edge:\n" + "\n".join(bad)


@pytest.mark.parametrize("ground", ["visitcoach.text", "visitcoach.errors"])
def test_the_ground_floor_stands_on_nothing_above_it(ground):
    allowed = {"visitcoach.text", "visitcoach.errors"}
    assert import_graph()[ground] <= allowed
