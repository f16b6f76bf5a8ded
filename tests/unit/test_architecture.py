"""The stages' import order and the size of their functions, read from the source.

``docs/architecture.md`` promises an order: the engine imports no other stage,
the gate imports only the engine, the search imports the engine and the gate,
and only the CLI and the pytest plugin sit above all three. ``strategies/``
never imports ``fuzz/``; the example analyzer imports nothing of the fuzzer
but its error type (and the emulation of Rust's primitives in ``strategies``).
These tests read every import (also those inside functions, except ``if
TYPE_CHECKING:`` blocks) and fail on an import that runs back up or on a cycle
between modules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PACKAGES = ("fuzz", "strategies")

#: Stage of each module prefix; a module may import modules of its own stage or below.
LAYERS: dict[str, int] = {
    "strategies": 0,
    "fuzz": 1,  # the package itself: its version
    "fuzz.errors": 1,
    "fuzz.defaults": 1,
    "fuzz.files": 1,
    "fuzz.engine": 2,
    "fuzz.gate": 3,
    "fuzz.search": 4,
    "fuzz.cli": 5,
    "fuzz.pytest_plugin": 5,
}
#: The stand-in analyzer: a separate program, not a stage; it may use only these (its
#: cross-language variants take the Rust side's primitives from their emulation).
EXAMPLES = "fuzz.examples"
EXAMPLES_MAY_IMPORT = ("fuzz.errors", "fuzz.examples", "strategies.rust_semantics")
#: Functions longer than this (lines, decorators and docstring included) fail.
LONGEST_FUNCTION = 80


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[str]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        yield from _imports(node)


def import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports (names resolved to modules, not attributes)."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        targets = {
            imported for imported in _imports(ast.parse(path.read_text())) if imported in known
        }
        graph[name] = targets - {name}
    return graph


def layer(module: str) -> int:
    matches = [prefix for prefix in LAYERS if module == prefix or module.startswith(prefix + ".")]
    return LAYERS[max(matches, key=len)]


def test_no_import_runs_back_up() -> None:
    """Broken if a stage imports a stage above it (e.g. the gate importing the search)."""
    upward = [
        f"{module} -> {imported}"
        for module, imports in import_graph().items()
        if not module.startswith(EXAMPLES)
        for imported in imports
        if not imported.startswith(EXAMPLES) and layer(imported) > layer(module)
    ]
    assert upward == []


def test_the_example_analyzer_stands_alone() -> None:
    """Broken if the stand-in analyzer (a separate program) reaches into the fuzzer."""
    reaching = [
        f"{module} -> {imported}"
        for module, imports in import_graph().items()
        if module.startswith(EXAMPLES)
        for imported in imports
        if not imported.startswith(EXAMPLES_MAY_IMPORT) and imported != "fuzz"
    ]
    assert reaching == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    """Broken if two modules import each other, directly or round a loop."""
    graph = {m: {i for i in imports if i != "fuzz"} for m, imports in import_graph().items()}
    graph = {m: {i for i in imports if not m.startswith(i + ".")} for m, imports in graph.items()}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_cycles() -> None:
    """Broken if the cycle check above could never fail."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("package", PACKAGES)
def test_no_function_is_longer_than_80_lines(package: str) -> None:
    """Broken if a function grows past 80 lines: split it into named steps."""
    long = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                length = (node.end_lineno or node.lineno) - first + 1
                if length > LONGEST_FUNCTION:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length})")
    assert long == []
