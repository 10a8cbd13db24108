"""The package's imports point down the flow: no module imports, at its top or inside
a function, a module that imports it back; and no function imports one of hubopt's
own modules (a function-local import is for an optional heavy dependency only, never
to hide a circle)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "hubopt"


def _imports() -> tuple[dict[str, set[str]], list[str]]:
    """Module -> the hubopt modules it imports; and every function-local import of
    a hubopt module, as 'module:line name'."""
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    graph: dict[str, set[str]] = {}
    local: list[str] = []
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):  # imports for type checkers only run nowhere
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                node.body = []
        in_functions = {
            id(inner)
            for fn in ast.walk(tree)
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
            for inner in ast.walk(fn)
        }
        deps: set[str] = set()
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or node.level == 0:
                continue
            names = (
                [node.module.split(".")[0]]
                if node.module
                else [a.name for a in node.names]
            )
            found = {n for n in names if n in modules and n != path.stem}
            deps |= found
            if found and id(node) in in_functions:
                local.append(f"{path.stem}:{node.lineno} {', '.join(sorted(found))}")
        graph[path.stem] = deps
    return graph, local


def _circles(graph: dict[str, set[str]]) -> list[str]:
    def reach(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for nxt in graph[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    reached = {m: reach(m) for m in graph}
    return sorted(
        f"{m} -> {d}"
        for m in graph
        for d in graph[m]
        if m in reached[d] and m != "__init__" and d != "__init__"
    )


def test_no_import_circle():
    graph, _ = _imports()
    assert _circles(graph) == []


def test_no_function_imports_a_hubopt_module():
    _, local = _imports()
    assert local == []


def test_the_check_sees_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == ["a -> b", "b -> c", "c -> a"]
