"""The rule table: every scalar rule against central finite differences of its own forward,
the lecture's gate symbols, non-raising forwards, and composite gates against their expansions."""
import math
import random

import pytest

from graphviz_nn import Value
from graphviz_nn.graph import backward, display_label, reachable
from graphviz_nn.ops import OPS
from graphviz_nn.value import apply

H = 1e-6
POINTS = 60


def _u(r, lo, hi):
    return r.uniform(lo, hi)


def _away(r, lo=0.01, hi=5.0):
    """A number away from the kink at 0, on either side."""
    return r.choice((-1.0, 1.0)) * r.uniform(lo, hi)


def _pow_point(r):
    if r.random() < 0.5:  # any real exponent on a positive base
        return (_u(r, 0.2, 3.0),), r.uniform(-3.5, 3.5)
    return (_away(r, 0.2, 3.0),), float(r.randint(-3, 4))  # integer exponents on either sign


def _max_point(r):
    a = _u(r, -5, 5)
    return (a, a + _away(r, 0.01, 3.0)), None


# One sampler per scalar rule: (inputs, const) at a random point away from kinks and domain
# edges. A new op in ops.OPS without an entry here fails test_every_scalar_op_is_covered.
SAMPLERS = {
    "add": lambda r: ((_u(r, -5, 5), _u(r, -5, 5)), None),
    "sub": lambda r: ((_u(r, -5, 5), _u(r, -5, 5)), None),
    "mul": lambda r: ((_u(r, -5, 5), _u(r, -5, 5)), None),
    "div": lambda r: ((_u(r, -5, 5), _away(r, 0.2, 5.0)), None),
    "max": _max_point,
    "add_const": lambda r: ((_u(r, -5, 5),), _u(r, -3, 3)),
    "mul_const": lambda r: ((_u(r, -5, 5),), _u(r, -3, 3)),
    "rsub_const": lambda r: ((_u(r, -5, 5),), _u(r, -3, 3)),
    "rdiv_const": lambda r: ((_away(r, 0.2, 5.0),), _u(r, -3, 3)),
    "pow": _pow_point,
    "exp": lambda r: ((_u(r, -5, 5),), None),
    "log": lambda r: ((_u(r, 0.05, 10),), None),
    "sqrt": lambda r: ((_u(r, 0.05, 10),), None),
    "relu": lambda r: ((_away(r),), None),
    "abs": lambda r: ((_away(r),), None),
    "sigmoid": lambda r: ((_u(r, -8, 8),), None),
    "tanh": lambda r: ((_u(r, -4, 4),), None),
    "leaky_relu": lambda r: ((_away(r),), r.choice((0.01, 0.1, 0.2, _u(r, 0, 1), _u(r, -1, 0), _u(r, 1, 3)))),
    "elu": lambda r: ((_away(r),), r.choice((1.0, _u(r, 0.1, 2.0)))),
    "prelu": lambda r: ((_away(r), _u(r, -1, 1)), None),
    "gelu_tanh": lambda r: ((_u(r, -5, 5),), None),
    "pow_value": lambda r: ((_u(r, 0.2, 3.0), _u(r, -3.5, 3.5)), None),
    "rpow_const": lambda r: ((_u(r, -4, 4),), r.choice((2.0, math.e, 0.5, _u(r, 0.1, 10)))),
    "gelu": lambda r: ((_u(r, -5, 5),), None),
    "softplus": lambda r: ((_u(r, -8, 8),), None),
    "sin": lambda r: ((_u(r, -7, 7),), None),
    "cos": lambda r: ((_u(r, -7, 7),), None),
}

SCALAR_OPS = sorted(name for name, op in OPS.items() if op.scalar is not None)
COMPOSITES = sorted(name for name, op in OPS.items() if op.composite and op.scalar is not None)


def _points(name, n=POINTS):
    r = random.Random(f"ops-{name}")
    return [SAMPLERS[name](r) for _ in range(n)]


def test_every_scalar_op_is_covered():
    assert set(SCALAR_OPS) == set(SAMPLERS)


def test_the_issue_s_ops_are_all_in_the_table():
    assert set(SAMPLERS) <= set(OPS)
    assert {"sigmoid", "tanh", "elu", "leaky_relu", "prelu"} <= set(COMPOSITES)


@pytest.mark.parametrize("name", SCALAR_OPS)
def test_local_gradients_match_central_differences(name):
    op = OPS[name]
    for args, c in _points(name):
        value, local = op.scalar(*args, c)
        assert len(args) == op.arity
        assert len(local) == op.arity, f"{name} must give one local gradient per input"
        for i in range(op.arity):
            plus = list(args)
            minus = list(args)
            plus[i] += H
            minus[i] -= H
            numeric = (op.scalar(*plus, c)[0] - op.scalar(*minus, c)[0]) / (2 * H)
            assert abs(local[i] - numeric) <= 1e-6 + 1e-5 * abs(numeric), (name, args, c, i, local[i], numeric)
        assert math.isfinite(value)


@pytest.mark.parametrize("name, args, const, expected", [
    ("add", (2.0, -3.0), None, -1.0),
    ("sub", (2.0, -3.0), None, 5.0),
    ("mul", (2.0, -3.0), None, -6.0),
    ("div", (3.0, -4.0), None, -0.75),
    ("max", (2.0, -3.0), None, 2.0),
    ("max", (-3.0, 2.0), None, 2.0),
    ("add_const", (2.0,), 1.0, 3.0),
    ("mul_const", (2.0,), -1.0, -2.0),
    ("rsub_const", (2.0,), 5.0, 3.0),
    ("rdiv_const", (4.0,), 1.0, 0.25),
    ("pow", (3.0,), 2.0, 9.0),
    ("exp", (0.0,), None, 1.0),
    ("log", (1.0,), None, 0.0),
    ("sqrt", (9.0,), None, 3.0),
    ("relu", (-2.0,), None, 0.0),
    ("relu", (2.0,), None, 2.0),
    ("abs", (-2.0,), None, 2.0),
    ("sigmoid", (0.0,), None, 0.5),
    ("tanh", (0.0,), None, 0.0),
    ("leaky_relu", (-2.0,), 0.01, -0.02),
    ("leaky_relu", (2.0,), 0.01, 2.0),
    ("elu", (-1.0,), 1.0, math.exp(-1.0) - 1.0),
    ("elu", (2.0,), 1.0, 2.0),
    ("prelu", (-2.0, 0.25), None, -0.5),
    ("prelu", (2.0, 0.25), None, 2.0),
])
def test_forward_values(name, args, const, expected):
    assert OPS[name].scalar(*args, const)[0] == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize("name, const, symbol", [
    ("add_const", 1.0, "+1"),
    ("add_const", -1.0, "-1"),
    ("mul_const", -1.0, "*-1"),
    ("mul_const", 3.0, "*3"),
    ("rdiv_const", 1.0, "1/x"),
    ("pow", 2.0, "x^2"),
    ("exp", None, "exp"),
    ("mul", None, "*"),
    ("add", None, "+"),
])
def test_lecture_gate_symbols(name, const, symbol):
    assert OPS[name].symbol(const) == symbol


def test_slide_gate_table_formulas():
    # e^x -> e^x, 1/x -> -1/x², ax -> a, c + x -> 1
    assert OPS["exp"].local_formula(None) == ("e^x",)
    assert OPS["rdiv_const"].local_formula(1.0) == ("-1/x²",)
    assert OPS["mul_const"].local_formula(3.0) == ("3",)
    assert OPS["add_const"].local_formula(1.0) == ("1",)
    assert OPS["mul"].local_formula(None) == ("b", "a")
    for name, op in OPS.items():
        if op.scalar is not None:
            assert len(op.local_formula(0.5)) == op.arity, name
            assert op.formula(0.5) and op.symbol(0.5), name


def test_subtracting_zero_is_a_plus_zero_gate():
    y = Value(2.0) - 0
    assert y.op.symbol(y.const) == "+0"


def test_operators_record_the_lecture_gates():
    x = Value(2.0, label="x")
    gates = {"+1": x + 1, "*-1": -x, "*3": 3 * x, "1/x": 1 / x, "x^2": x ** 2, "exp": x.exp()}
    for symbol, node in gates.items():
        assert node.inputs == (x,), symbol  # one unary gate on x, the constant folded in
        assert display_label(node, "n1") == symbol
    assert gates["1/x"].op.name == "rdiv_const" and gates["1/x"].data == 0.5
    assert gates["x^2"].op.name == "pow" and gates["x^2"].data == 4.0


def _nan(x):
    return isinstance(x, float) and math.isnan(x)


@pytest.mark.parametrize("name, args, const, check", [
    ("exp", (1000.0,), None, lambda v: v == math.inf),
    ("log", (0.0,), None, lambda v: v == -math.inf),
    ("log", (-1.0,), None, _nan),
    ("sqrt", (-1.0,), None, _nan),
    ("rdiv_const", (0.0,), 1.0, lambda v: v == math.inf),
    ("rdiv_const", (-0.0,), 1.0, lambda v: v == -math.inf),
    ("div", (1.0, 0.0), None, lambda v: v == math.inf),
    ("div", (-1.0, 0.0), None, lambda v: v == -math.inf),
    ("div", (0.0, 0.0), None, _nan),
    ("pow", (0.0,), -1.0, lambda v: v == math.inf),
    ("pow", (-0.0,), -1.0, lambda v: v == -math.inf),
    ("pow", (0.0,), -2.0, lambda v: v == math.inf),
    ("pow", (1e200,), 2.0, lambda v: v == math.inf),
    ("pow", (-1e200,), 2.0, lambda v: v == math.inf),
    ("pow", (-1e200,), 3.0, lambda v: v == -math.inf),
    ("pow", (-1e200,), 2.5, _nan),
    ("pow", (-8.0,), 1 / 3, _nan),
    ("mul", (math.inf, 0.0), None, _nan),
    ("sigmoid", (-1000.0,), None, lambda v: v == 0.0),
    ("sigmoid", (1000.0,), None, lambda v: v == 1.0),
    ("tanh", (1000.0,), None, lambda v: v == 1.0),
    ("elu", (-1000.0,), 1.0, lambda v: v == -1.0),
    ("exp", (math.nan,), None, _nan),
    ("log", (math.nan,), None, _nan),
    ("sqrt", (math.nan,), None, _nan),
    ("sigmoid", (math.nan,), None, _nan),
])
def test_forward_rules_never_raise_on_overflow_or_bad_domain(name, args, const, check):
    value, local = OPS[name].scalar(*args, const)
    assert check(value), value
    assert len(local) == OPS[name].arity and all(isinstance(g, float) for g in local)


def test_power_zero_is_flat_everywhere():
    # found by the random expressions in test_value.py: 0 * 0^-1 gave a nan slope at x = 0
    for x in (0.0, -0.0, 2.0, -3.0):
        assert OPS["pow"].scalar(x, 0.0) == (1.0, (0.0,))


def test_non_finite_local_gradients_at_domain_edges():
    assert OPS["log"].scalar(0.0, None)[1] == (math.inf,)
    assert OPS["sqrt"].scalar(0.0, None)[1] == (math.inf,)
    assert _nan(OPS["sqrt"].scalar(-1.0, None)[1][0])
    assert OPS["exp"].scalar(1000.0, None)[1] == (math.inf,)
    assert OPS["rdiv_const"].scalar(0.0, 1.0)[1] == (-math.inf,)


def _expand(name, args, const):
    """Build the composite's expansion with value.apply from fresh leaves; (leaves, nodes)."""
    leaves = [Value(a) for a in args]
    refs = list(leaves)
    steps = []
    for op_name, c, inputs in OPS[name].expansion(const):
        node = apply(op_name, [refs[i] for i in inputs], c)
        refs.append(node)
        steps.append(node)
    return leaves, steps


def test_expansions_use_only_primitive_gates():
    for name in COMPOSITES:
        for op_name, _, inputs in OPS[name].expansion(0.5):
            assert not OPS[op_name].composite, (name, op_name)
            assert len(inputs) == OPS[op_name].arity


@pytest.mark.parametrize("name", COMPOSITES)
def test_composite_expansion_matches_value_and_local_gradients(name):
    op = OPS[name]
    for args, c in _points(name, 30):
        value, local = op.scalar(*args, c)
        leaves, steps = _expand(name, args, c)
        out = steps[-1]
        assert out.data == pytest.approx(value, rel=1e-12, abs=1e-14)
        # every step depends (through the chain) on the composite's inputs only
        assert set(reachable(out)) == set(leaves) | set(steps)
        backward(out)
        for leaf, g in zip(leaves, local):
            assert leaf.grad == pytest.approx(g, rel=1e-9, abs=1e-12), (name, args, c)


def test_leaky_relu_expands_as_the_lecture_draws_it():
    assert [(op, c) for op, c, _ in OPS["leaky_relu"].expansion(0.01)] == [("mul_const", 0.01), ("max", None)]
    assert OPS["leaky_relu"].formula(0.01) == "max(0.01·x, x)"
    # with α > 1, max(x, αx) is the wrong branch: the expansion must still agree with the gate
    leaves, steps = _expand("leaky_relu", (2.0,), 3.0)
    assert steps[-1].data == 2.0 == OPS["leaky_relu"].scalar(2.0, 3.0)[0]
    assert OPS["leaky_relu"].formula(3.0) == "x if x > 0 else 3·x"


def test_sigmoid_expansion_is_the_lecture_chain():
    steps = OPS["sigmoid"].expansion(None)
    assert [OPS[op].symbol(c) for op, c, _ in steps] == ["*-1", "exp", "+1", "1/x"]
    # a chain: each gate reads the previous one
    assert [refs for _, _, refs in steps] == [(0,), (1,), (2,), (3,)]


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_chain_expansions_local_gradients_multiply_to_the_gate_s(name):
    for (x,), c in _points(name, 20):
        _, steps = _expand(name, (x,), c)
        assert all(len(node.inputs) == 1 for node in steps)  # a plain chain
        product = math.prod(node.local_grads[0] for node in steps)
        assert product == pytest.approx(OPS[name].scalar(x, c)[1][0], rel=1e-9, abs=1e-15)


def test_sigmoid_chain_local_gradients_multiply_to_sigma_one_minus_sigma():
    z = 1.0
    s = 1.0 / (1.0 + math.exp(-z))
    _, steps = _expand("sigmoid", (z,), None)
    product = math.prod(node.local_grads[0] for node in steps)
    assert product == pytest.approx(s * (1 - s), rel=1e-12)
    assert round(product, 4) == 0.1966
    assert OPS["sigmoid"].scalar(z, None)[1][0] == pytest.approx(product, rel=1e-12)
    # and the chain carries the slide's forward values 1.00 -> -1.00 -> 0.37 -> 1.37 -> 0.73
    assert [round(node.data, 2) for node in steps] == [-1.0, 0.37, 1.37, 0.73]
