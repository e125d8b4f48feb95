"""Op knowledge lives in ``ops.py`` alone: no other module spells an op's name or writes a
derivative, beyond the table's known readers listed here.

Every module of ``graphviz_nn`` and the app is read with ``ast``: a string that is exactly an op
name (``"sigmoid"``), a string holding one of the table's local-gradient formulas
(``"σ(x)(1-σ(x))"``), or a derivative computed by hand (``a * (1 - a)``, ``1 - t * t``,
``1 - t ** 2``) counts as op knowledge. Docstrings are skipped (they show what the tool prints).
A new occurrence fails: read the fact from ``ops.OPS`` instead (add a field to the entry when
the table does not have it yet), or, for a genuine reader of the table, add it below with why.
"""
from __future__ import annotations

import ast
from pathlib import Path

from graphviz_nn.ops import OPS

ROOT = Path(__file__).resolve().parents[1]

# Where op names may be spelled, and why: each module below records, translates or names ops.
READERS = {
    # the engines record gates by their table name
    "graphviz_nn/node.py": {"abs", "cos", "elu", "exp", "gelu", "leaky_relu", "log", "relu", "sigmoid", "sin",
                            "softplus", "sqrt", "tanh"},
    "graphviz_nn/value.py": {"add", "add_const", "div", "max", "mul", "mul_const", "pow", "pow_value", "prelu",
                             "rdiv_const", "rpow_const", "rsub_const", "sub"},
    "graphviz_nn/tensor.py": {"add", "add_const", "batched_matmul", "div", "dropout", "index", "log_softmax",
                              "matmul", "max", "max_axis", "mean", "mul", "mul_const", "pow", "prelu", "rdiv_const",
                              "reshape", "rsub_const", "softmax", "sub", "sum", "transpose"},
    # the public names of functions that happen to share an op's name
    "graphviz_nn/__init__.py": {"prelu", "softmax"},
    "graphviz_nn/losses.py": {"mean", "softmax", "sum"},
    "graphviz_nn/tensor_losses.py": {"mean", "sum"},
    # activation names chosen by the user (a layer's activation is an op of the table)
    "graphviz_nn/nn/__init__.py": {"relu"},
    "graphviz_nn/nn/scalar.py": {"elu", "leaky_relu", "relu", "sigmoid", "tanh"},
    "graphviz_nn/nn/tensor.py": {"relu"},
    "graphviz_nn/scenario_format/schema.py": {"dropout", "relu"},
    "graphviz_nn/scenario_build/build.py": {"sigmoid"},
    "graphviz_nn/scenario_build/facts.py": {"sigmoid"},
    # the expression language's function names, mapped onto the table
    "graphviz_nn/scenario_format/functions.py": {"abs", "add", "elu", "exp", "leaky_relu", "log", "max", "mean",
                                                 "mul", "prelu", "relu", "sigmoid", "softmax", "sqrt", "sum",
                                                 "tanh"},
    "graphviz_nn/scenario_format/budget.py": {"max", "mean", "sigmoid", "softmax", "sum"},
    # PyTorch's calls mapped onto the table
    "graphviz_nn/torch/translate.py": {"abs", "add", "div", "dropout", "elu", "exp", "leaky_relu", "log",
                                       "log_softmax", "matmul", "max", "mean", "mul", "pow", "relu", "reshape",
                                       "sigmoid", "softmax", "sqrt", "sub", "sum", "tanh", "transpose",
                                       # the transformer's and the CNN's calls (issue 27)
                                       "attention", "avg_pool2d", "embedding", "gelu", "gelu_tanh", "im2col",
                                       "masked_fill", "max_pool2d", "normalize"},
    # diagnostics name the gates whose behaviour they explain (a dead relu, a saturated sigmoid)
    "graphviz_nn/debugger/breakpoints.py": {"relu"},
    "graphviz_nn/debugger/diagnostics.py": {"mul", "relu", "sigmoid"},
    # not op names: a dict key and an argument that happen to read "index"
    "graphviz_nn/custom_gate.py": {"index"},
    "graphviz_nn/debugger/trace.py": {"index"},
    "graphviz_nn/graph.py": {"index"},
    # the y axis's scale of a plot
    "graphviz_nn/render/plots.py": {"log"},
}


def formula_texts() -> set:
    """The table's local-gradient formulas that are unmistakably math (σ(x)(1-σ(x)), -1/x², ...)."""
    texts = set()
    for op in OPS.values():
        if op.scalar is None:
            continue
        for text in op.local_formula(op.default if op.default is not None else 1.0):
            if len(text) >= 4 and any(ch in text for ch in "σ²√^/"):
                texts.add(text)
    return texts


def _same(a: ast.AST, b: ast.AST) -> bool:
    return ast.dump(a) == ast.dump(b)


def _one_minus(node: ast.AST) -> bool:
    return (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub)
            and isinstance(node.left, ast.Constant) and node.left.value in (1, 1.0))


def hand_derivative(node: ast.AST):
    """The shape of a derivative written by hand (σ′ = s(1 - s), tanh′ = 1 - t²), or None."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        for a, b in ((node.left, node.right), (node.right, node.left)):
            if _one_minus(b) and _same(a, b.right):
                return "s * (1 - s)"
    if _one_minus(node):
        r = node.right
        if isinstance(r, ast.BinOp) and isinstance(r.op, ast.Mult) and _same(r.left, r.right):
            return "1 - t * t"
        if (isinstance(r, ast.BinOp) and isinstance(r.op, ast.Pow) and isinstance(r.right, ast.Constant)
                and r.right.value == 2):
            return "1 - t ** 2"
    return None


def _docstrings(tree: ast.AST) -> set:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def op_knowledge(source: str) -> set:
    """Every op name, table formula and hand-written derivative in one module's source."""
    names, texts = set(OPS), formula_texts()
    tree = ast.parse(source)
    skip = _docstrings(tree)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if node.value in names:
                found.add(node.value)
            found |= {text for text in texts if text in node.value}
        shape = hand_derivative(node)
        if shape:
            found.add(shape)
    return found


def test_the_scan_finds_op_knowledge():
    # the check can fail: each kind of op knowledge is caught in a module that has it
    source = 'def slope(a):\n    """σ(x)(1-σ(x)) in a docstring is fine."""\n' \
             '    if op == "sigmoid":\n        return a * (1 - a), "σ(x)(1-σ(x))", 1 - a ** 2, 1.0 - (t * t)\n'
    assert op_knowledge(source) == {"sigmoid", "σ(x)(1-σ(x))", "s * (1 - s)", "1 - t ** 2", "1 - t * t"}
    assert op_knowledge("x = 1 - a * b\ny = a * (1 - b)\nz = 'add up'\n") == set()


def test_no_op_knowledge_outside_the_table_and_its_readers():
    new = {}
    for folder in ("graphviz_nn", "tui"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name == "graphviz_nn/ops.py":
                continue
            extra = op_knowledge(path.read_text(encoding="utf-8")) - READERS.get(name, set())
            if extra:
                new[name] = sorted(extra)
    assert not new, f"op knowledge outside ops.py (read it from ops.OPS instead): {new}"
