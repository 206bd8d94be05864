"""The import graph: no cycle (imports inside functions count too) and no import against the layers.

Layers, from the bottom: core and models (the model modules use core's errors, core's access rules
name the roles of the models) → services → ui and demo → pages, app.py and the start-up wiring
(startup/); the
benchmark above all. A module never imports one of a layer above its own, and nothing below ui imports
Streamlit.
"""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGES = ("core", "models", "services", "ui", "demo", "bench", "scripts", "startup")
LAYER = {"core": 0, "models": 0, "services": 2, "ui": 3, "demo": 3, "pages": 4, "app": 4, "startup": 4, "bench": 5}
FORBIDDEN_BELOW_UI = ("streamlit",)


def _modules() -> dict[str, pathlib.Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(p for p in parts if p != "__init__")] = path
    return found


def _imports(path: pathlib.Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


MODULES = _modules()
GRAPH = {name: {i for i in _imports(path) if i in MODULES and i != name} for name, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle():
    assert _cycles(GRAPH) == []


def test_no_layer_imports_a_layer_above_it():
    wrong = []
    for name, path in MODULES.items():
        mine = LAYER.get(name.split(".")[0])
        if mine is None:
            continue
        for imported in _imports(path):
            theirs = LAYER.get(imported.split(".")[0])
            if theirs is not None and theirs > mine:
                wrong.append(f"{name} → {imported}")
            if mine < LAYER["ui"] and imported.split(".")[0] in FORBIDDEN_BELOW_UI:
                wrong.append(f"{name} → {imported}")
    assert wrong == []
