"""The rule table is whole: one entry per op carries every part its users read.

Each test here would fail if a part of an op lived outside ``ops.OPS`` again: a missing
array rule or VJP, an element-wise flag that disagrees with the op's real Jacobian, a
default constant spelled somewhere else, or a composite expanded by a private loop.
"""
import numpy as np
import pytest

from graphviz_nn import Tensor, Value
from graphviz_nn.debugger.format import expression
from graphviz_nn import ops
from graphviz_nn.ops import NOTATIONS, OPS, expand
from graphviz_nn.scenario_format.expression import evaluate, parse
from graphviz_nn.scenario_format.semantics import NodeSemantics
from graphviz_nn.tensor import apply as tensor_apply, vjp_terms
from graphviz_nn.value import apply as value_apply

SCALAR_OPS = sorted(n for n, op in OPS.items() if op.scalar is not None)
TENSOR_ONLY = sorted(n for n, op in OPS.items() if op.scalar is None)
TENSOR_COMPOSITES = ("attention", "normalize")


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_entry_holds_every_part(name):
    op = OPS[name]
    c = op.default if op.default is not None else _const(name)
    assert op.name == name and op.arity in (1, 2)
    assert callable(op.array) and callable(op.vjp) and callable(op.vjp_factors)
    assert isinstance(op.symbol(c), str) and isinstance(op.formula(c), str)
    assert len(op.local_formula(c)) == op.arity
    assert len(op.vjp_formula(c)) == op.arity
    assert all(f.startswith("dL/d") for f in op.vjp_formula(c))
    assert op.notation in NOTATIONS
    assert isinstance(op.elementwise, bool)
    if op.composite:
        # attention and normalize mix whole axes (a softmax, a mean): they have no scalar form,
        # and test_tensor_only_composites_expand_into_their_gate checks them on the tensor engine
        assert op.scalar is not None or name in TENSOR_COMPOSITES, "a composite gate must exist on the scalar engine too"


def test_the_tensor_only_ops_are_the_layer_operations():
    assert TENSOR_ONLY == sorted(["dropout", "index", "log_softmax", "matmul", "max_axis", "mean", "reshape",
                                  "softmax", "sum", "transpose",
                                  # the transformer's and the CNN's (issue 27)
                                  "batched_matmul", "embedding", "normalize", "masked_fill", "attention", "im2col",
                                  "max_pool2d", "avg_pool2d"])


def _const(name):
    return {"add_const": 0.5, "mul_const": -2.0, "rsub_const": 1.0, "rdiv_const": 1.0, "pow": 2.0, "rpow_const": 2.0,
            "sum": (None, False), "mean": (None, False), "max_axis": ((0,), False), "reshape": (4,),
            "transpose": None, "softmax": 1, "log_softmax": 1, "index": (np.array([0, 1, 1]),),
            "dropout": np.array([[2.0, 0.0], [2.0, 2.0]]),
            "embedding": ops.Gather(np.array([[1, 0], [1, 1]]), None), "normalize": ops.Norm("layer_norm", (1,), 1e-5),
            "masked_fill": ops.Mask(np.array([[True, False], [False, False]]), -1.0),
            "attention": ops.Attention(0.5, None, 2), "im2col": ops.Window((2, 2), (1, 1), (1, 1)),
            "max_pool2d": ops.Window((2, 2), (1, 1), (0, 0)), "avg_pool2d": ops.Window((2, 2), (1, 1), (1, 1))}.get(name)


def _sample(name):
    """An input inside every domain; the window ops read images (N, C, H, W)."""
    if name in ("im2col", "max_pool2d", "avg_pool2d"):
        return np.array([[[[1.3, 0.4, 0.9], [2.1, 0.7, -0.2], [0.5, 1.1, 0.8]]]])
    return np.array([[1.3, 0.4], [2.1, 0.7]])


def _full_jacobian(name, x, const):
    """d op(x) / dx row by row from the VJP (never through is_diagonal)."""
    op = OPS[name]
    y = op.array(x, const)
    rows = []
    for i in range(y.size):
        seed = np.zeros(y.size)
        seed[i] = 1.0
        (g,) = op.vjp(seed.reshape(y.shape), y, (x,), const)
        rows.append(np.broadcast_to(g, x.shape).reshape(-1))
    return np.array(rows)


@pytest.mark.parametrize("name", sorted(n for n, op in OPS.items() if op.arity == 1))
def test_the_elementwise_flag_says_whether_the_jacobian_is_diagonal(name):
    # element-wise: same shape out as in, and output element i depends on input element i alone
    x = _sample(name)  # inside every domain (log, sqrt)
    op = OPS[name]
    const = op.default if op.default is not None else _const(name)
    jac = _full_jacobian(name, x, const)
    same_shape = op.array(x, const).shape == x.shape
    diagonal = same_shape and np.count_nonzero(jac - np.diag(np.diag(jac))) == 0
    assert op.elementwise == diagonal, (name, jac)


@pytest.mark.parametrize("name", sorted(n for n, op in OPS.items() if op.arity == 2))
def test_binary_elementwise_gates_are_diagonal_in_each_input(name):
    a, b = np.array([-1.3, 0.4, 2.1]), np.array([0.6, -0.5, 1.1])
    op = OPS[name]
    if name == "pow_value":
        a = np.abs(a)  # inside its domain: a negative base's exponent slope is nan (a complex log)
    if name in ("matmul", "batched_matmul", "attention"):
        assert not op.elementwise
        return
    y = op.array(a, b, None)
    for k in range(2):
        jac = np.array([op.vjp(np.eye(3)[i], y, (a, b), None)[k] for i in range(3)])
        assert op.elementwise and np.count_nonzero(jac - np.diag(np.diag(jac))) == 0, name


def test_default_constants_live_in_the_table_and_every_entry_point_uses_them():
    assert OPS["leaky_relu"].default == 0.01 and OPS["elu"].default == 1.0
    assert all(OPS[n].default is None for n in OPS if n not in ("leaky_relu", "elu"))
    x = Value(-2.0)
    assert x.leaky_relu().const == OPS["leaky_relu"].default
    assert x.elu().const == OPS["elu"].default
    assert Tensor([-2.0]).leaky_relu().const == OPS["leaky_relu"].default
    # the scenario expression language: a gate, a folded constant and an expanded composite
    gate = evaluate(parse("leaky_relu(x)"), NodeSemantics({"x": Value(-2.0)}))
    assert gate.const == OPS["leaky_relu"].default
    assert evaluate(parse("elu(-2)"), NodeSemantics({})) == pytest.approx(OPS["elu"].scalar(-2.0, 1.0)[0])
    chain = evaluate(parse("leaky_relu(x)"), NodeSemantics({"x": Value(-2.0)}, expand={"leaky_relu"}))
    assert chain.op.name == "max" and chain.data == pytest.approx(-0.02)


@pytest.mark.parametrize("name", sorted(n for n, op in OPS.items() if op.composite and op.scalar is not None))
def test_one_helper_expands_a_composite_on_either_engine(name):
    op = OPS[name]
    const = op.default
    xs = [0.7, 0.3][:op.arity]
    scalar = expand(name, [Value(v) for v in xs], const, value_apply)
    tensor = expand(name, [Tensor([v, -v]) for v in xs], const, tensor_apply)
    assert len(scalar) == len(tensor) == len(op.expansion(const))
    assert scalar[-1].data == pytest.approx(op.scalar(*xs, const)[0], rel=1e-12)
    assert tensor[-1].data[0] == pytest.approx(scalar[-1].data, rel=1e-12)
    assert tensor[-1].data[1] == pytest.approx(op.scalar(*(-v for v in xs), const)[0], rel=1e-12)


@pytest.mark.parametrize("name,names,text", [
    ("mul", ("a", "b"), "a * b"), ("matmul", ("X", "W"), "X @ W"), ("add_const", ("n3",), "n3 +1"),
    ("transpose", ("W",), "Wᵀ"), ("rdiv_const", ("n4",), "1/n4"), ("exp", ("n2",), "exp(n2)"),
    ("sum", ("n3",), "sum(n3, axis=0)")])
def test_expressions_are_written_as_the_table_s_notation_says(name, names, text):
    const = {"add_const": 1.0, "rdiv_const": 1.0, "sum": ((0,), False)}.get(name)
    assert expression(OPS[name], const, names) == text


def test_vjp_shapes_text_comes_from_the_table():
    X, W = Tensor(np.ones((128, 784))), Tensor(np.ones((784, 256)))
    terms = vjp_terms(X @ W)
    assert [t.factors for t in terms] == list(OPS["matmul"].vjp_factors(None, (128, 256), ((128, 784), (784, 256))))
    assert terms[1].factors == "Xᵀ (784, 128) · dL/dY (128, 256)"
    b = Tensor(np.ones(3))
    terms = vjp_terms(Tensor(np.ones((4, 3))) + b)
    assert terms[1].factors == "dL/dy (4, 3) summed over axis 0 → (3,)"


def test_no_module_outside_the_table_spells_a_gradient_formula():
    # tensor.py once re-spelled "dL/dY · Wᵀ" beside the table's "dL/dX = dL/dY · Wᵀ"; the two could
    # drift. Only the table, and the two modules that make entries at run time (a user's
    # micrograd-style gate, an opaque PyTorch call), may hold formula text; docstrings may cite it.
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    makers = {"graphviz_nn/ops.py", "graphviz_nn/custom_gate.py", "graphviz_nn/torch/opaque.py"}
    found = []
    for path in sorted([*(root / "graphviz_nn").rglob("*.py"), *(root / "tui").rglob("*.py")]):
        name = path.relative_to(root).as_posix()
        if name in makers:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                    and any(mark in node.value for mark in ("dL/d", "σ(x)", "tanh²"))):
                found.append(f"{name}:{node.lineno} {node.value[:50]!r}")
    assert not found, "formula text outside the rule table: " + "; ".join(found)


@pytest.mark.parametrize("name,const,shapes", [
    ("normalize", ops.Norm("layer_norm", (2,), 1e-5), [(2, 3, 5)]),
    ("normalize", ops.Norm("batch_norm", (0, 2, 3), 1e-5), [(4, 2, 3, 3)]),
    ("attention", ops.Attention(0.5, np.tril(np.ones((4, 4), dtype=bool)), 4), [(2, 3, 4, 5), (2, 3, 4, 5)]),
    ("attention", ops.Attention(0.3, None, 3), [(2, 4, 3), (2, 5, 3)]),
])
def test_tensor_only_composites_expand_into_their_gate(name, const, shapes):
    # the primitive gates give the gate's value, and backward through them gives the gate's VJP
    rng = np.random.default_rng(7)
    arrays = [rng.normal(size=s) for s in shapes]
    op = OPS[name]
    gate = op.array(*arrays, const)
    leaves = [Tensor(a) for a in arrays]
    nodes = expand(name, leaves, const, tensor_apply)
    assert all(not OPS[n.op.name].composite for n in nodes)
    np.testing.assert_allclose(nodes[-1].data, gate, rtol=1e-12, atol=1e-12)
    upstream = rng.normal(size=gate.shape)
    (nodes[-1] * Tensor(upstream, requires_grad=False)).sum().backward()
    for leaf, g in zip(leaves, op.vjp(upstream, gate, tuple(arrays), const, (True,) * len(arrays))):
        np.testing.assert_allclose(leaf.grad, g, rtol=1e-9, atol=1e-12)


def test_the_saturating_activations_are_flagged_in_the_table():
    # the "saturated" watch reads this flag: a smooth slope that fades to 0 (never exactly 0, as a
    # dead relu's is) once x is well below zero
    flagged = sorted(n for n, op in OPS.items() if op.saturating)
    assert flagged == ["elu", "sigmoid", "tanh"]
    for name in flagged:
        op = OPS[name]
        slope = op.scalar(-8.0, op.default)[1][0]
        assert 0 < slope < 1e-3, (name, slope)
    assert OPS["relu"].scalar(-8.0, None)[1][0] == 0  # dead, not saturated


OPERATOR_OPS = sorted(n for n, op in OPS.items() if op.operator)


@pytest.mark.parametrize("name", OPERATOR_OPS)
def test_the_operator_is_the_one_python_computes_the_gate_with(name):
    # the app finds a gate in the scenario's formula by this operator: it must compute the gate
    op, a, b = OPS[name], 1.7, -0.6
    py = {"+": lambda u, v: u + v, "-": lambda u, v: u - v, "*": lambda u, v: u * v, "/": lambda u, v: u / v}
    fn = py[op.operator]
    if op.arity == 2:
        assert op.scalar(a, b, None)[0] == pytest.approx(fn(a, b))
    elif op.notation == "postfix":  # x + c, x * c
        assert op.scalar(a, b)[0] == pytest.approx(fn(a, b))
    else:  # a template: c - x, c / x
        assert op.notation == "template" and op.scalar(a, b)[0] == pytest.approx(fn(b, a))
    assert OPERATOR_OPS == ["add", "add_const", "div", "mul", "mul_const", "rdiv_const", "rsub_const", "sub"]
