"""The package's import graph: no circles, the Textual app stays on its side of the line, and
no class hides which class it really is (no ``__new__`` handing back another type, no diamond).

Every ``import`` in ``graphviz_nn/`` and ``tui/`` (shipped as ``graphviz_nn.tui``) is read with
``ast``, at module level and inside functions alike, relative imports resolved. An edge goes
to the module actually named (``from .trace import Trace`` → ``graphviz_nn.debugger.trace``;
``from . import graph`` → ``graphviz_nn.graph``), the way import-linter and grimp count them.
"""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
# where each top-level package's source lives in the repository (setup.py's package_dir)
SOURCES = {"graphviz_nn": ROOT / "graphviz_nn", "graphviz_nn.tui": ROOT / "tui"}


def _modules() -> dict:
    """Module name -> (path, is_package) for every .py file of the shipped packages."""
    found = {}
    for package, folder in SOURCES.items():
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            found[".".join([package, *parts])] = (path, is_package)
    return found


MODULES = _modules()


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The absolute name of a (possibly relative) ``from ... import`` target."""
    if level == 0:
        return name or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[:len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _inside(target: str) -> str | None:
    """The deepest module of ours that ``target`` names (None if it is not ours)."""
    while target:
        if target in MODULES:
            return target
        target = target.rpartition(".")[0]
    return None


def import_edges() -> list:
    """(importer, imported, where) for every import of a module of ours or of a third party.

    where: "module" for a top-level statement (including under ``if``/``try``), "function"
    for an import inside a function or method body.
    """
    edges = []
    for module, (path, is_package) in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node, where in _imports(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = _resolve(module, is_package, node.level, node.module)
                # ``from pkg import sub`` names the submodule when there is one, else pkg itself
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                           for alias in node.names]
            for target in targets:
                edges.append((module, _inside(target) or target, where))
    return edges


def _imports(tree: ast.AST):
    """Each import statement with "module" or "function" for where it runs."""
    stack = [(child, "module") for child in ast.iter_child_nodes(tree)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, where
            continue
        inner = "function" if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) else where
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))


def internal_graph(kinds=("module", "function")) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(MODULES)
    for src, dst, where in import_edges():
        if dst in MODULES and where in kinds and src != dst:
            graph.add_edge(src, dst, where=where)
    return graph


def _app_side(module: str) -> bool:
    return module == "graphviz_nn.tui" or module.startswith("graphviz_nn.tui.")


def test_the_reader_sees_relative_and_function_level_imports():
    # the graph is only worth its tests if it sees the imports that make circles
    edges = set(import_edges())
    assert ("graphviz_nn.value", "graphviz_nn.ops", "module") in edges  # from .ops import OPS
    assert ("graphviz_nn.debugger.session", "graphviz_nn.debugger.trace", "module") in edges
    assert ("graphviz_nn.cli.tui", "graphviz_nn.tui.app", "function") in edges  # from ..tui.app import
    assert ("graphviz_nn.tui.app", "textual.app", "module") in edges or \
        ("graphviz_nn.tui.app", "textual", "module") in edges


def test_no_import_circle_inside_the_package():
    graph = internal_graph()
    cycles = sorted(nx.simple_cycles(graph), key=len)
    # each circle written in import order and closed: a -> b (function level) -> a
    shown = ["".join(f"{a} -> " + ("(function level) " if graph.edges[a, b]["where"] == "function" else "")
                     for a, b in zip(c, c[1:] + c[:1])) + c[0] for c in cycles[:5]]
    assert not cycles, "import circles: " + "; ".join(shown)


def test_the_core_never_imports_textual():
    # graphviz_nn (outside graphviz_nn.tui) must run where Textual is not wanted: a notebook, CI, a
    # script rendering slides; the only doors into the app are function-level, in the launchers
    for src, dst, where in import_edges():
        if _app_side(src):
            continue
        top = dst.split(".")[0]
        assert top != "textual", f"{src} imports {dst}"
        if top == "textual_serve":  # the web server, loaded only when `graphviz-nn serve` runs
            assert src.startswith("graphviz_nn.cli."), f"{src} imports {dst}"
            loaded_with = [a for a, b, w in import_edges() if b == src and w == "module"]
            assert where == "function" or not loaded_with, \
                f"{src} imports {dst} at module level and is itself imported at module level by {loaded_with}"
        if _app_side(dst):
            assert where == "function", f"{src} imports the app ({dst}) at module level"
            assert src in ("graphviz_nn.cli.tui", "graphviz_nn.launch_app"), f"{src} opens the app"


def test_the_app_s_model_modules_are_textual_free():
    # the presenter and the terminal picture are plain Python, testable without a screen
    graph = nx.DiGraph((s, d) for s, d, where in import_edges() if where == "module")
    for module in ("graphviz_nn.tui.presenter", "graphviz_nn.tui.picture.box", "graphviz_nn.tui.picture.layout",
                   "graphviz_nn.tui.picture.level_graph"):
        assert module in MODULES, module
        reached = nx.descendants(graph, module) if module in graph else set()
        textual = sorted(m for m in reached if m.split(".")[0] == "textual")
        assert not textual, f"{module} reaches {textual}"


def test_importing_the_package_loads_no_textual():
    import subprocess
    import sys

    code = ("import sys, graphviz_nn, graphviz_nn.debugger, graphviz_nn.render, graphviz_nn.scenario_format.loader, "
            "graphviz_nn.cli, graphviz_nn.tui.presenter, graphviz_nn.tui.picture.layout; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_no_hidden_diamonds():
    # a class is what its constructor returns, and inherits from at most one class of ours:
    # nn.MLP was once a __new__ returning TensorMLP(TensorModule, MLP)
    import importlib
    import inspect

    checked = 0
    for name in MODULES:
        if _app_side(name) or name in ("graphviz_nn.__main__",):
            continue
        module = importlib.import_module(name)
        for cls in vars(module).values():
            if not inspect.isclass(cls) or cls.__module__ != name:
                continue
            checked += 1
            if not issubclass(cls, tuple):  # a NamedTuple's generated __new__ is its plain constructor
                assert "__new__" not in vars(cls), f"{name}.{cls.__name__} defines __new__"
            ours = [b for b in cls.__bases__ if b.__module__.startswith("graphviz_nn")]
            assert len(ours) <= 1, f"{name}.{cls.__name__} inherits from {[b.__name__ for b in ours]}"
    assert checked > 50  # the check saw the package's classes
