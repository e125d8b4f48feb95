"""``Value``: the slide's sigmoid neuron, micrograd's surface and tests, gradient accumulation,
non-finite numbers, the deep chain, bad input, and random expressions against finite differences."""
import math
import sys

import micrograd.engine
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from graphviz_nn import Value, gradcheck, maximum, prelu
from graphviz_nn.graph import reachable


def _neuron(V=Value):
    w0, x0, w1, x1, w2 = V(2.0), V(-1.0), V(-3.0), V(-2.0), V(-3.0)
    f = 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())
    return f, (w0, x0, w1, x1, w2)


# ---- the CS231n sigmoid neuron -------------------------------------------------------

def test_sigmoid_neuron_matches_the_closed_form():
    f, (w0, x0, w1, x1, w2) = _neuron()
    f.backward()
    z = 2.0 * -1.0 + -3.0 * -2.0 + -3.0  # = 1
    s = 1.0 / (1.0 + math.exp(-z))
    local = s * (1.0 - s)
    assert f.data == pytest.approx(0.7310585786300049, abs=1e-15)
    assert f.data == pytest.approx(s, abs=1e-15)
    expected = {"w0": local * -1.0, "x0": local * 2.0, "w1": local * -2.0, "x1": local * -3.0, "w2": local}
    got = {"w0": w0.grad, "x0": x0.grad, "w1": w1.grad, "x1": x1.grad, "w2": w2.grad}
    for name in expected:
        assert got[name] == pytest.approx(expected[name], abs=1e-12), name
    # the slide's numbers
    assert {k: round(v, 4) for k, v in got.items()} == {
        "w0": -0.1966, "x0": 0.3932, "w1": -0.3932, "x1": -0.5898, "w2": 0.1966}
    assert {k: round(v, 2) for k, v in got.items()} == {
        "w0": -0.20, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.20}


def test_sigmoid_neuron_records_five_leaves_and_eight_lecture_gates():
    f, leaves = _neuron()
    nodes = reachable(f)
    assert [n for n in nodes if n.op is None] == list(leaves)
    gates = [n for n in nodes if n.op is not None]
    assert [g.op.symbol(g.const) for g in gates] == ["*", "*", "+", "+", "*-1", "exp", "+1", "1/x"]
    assert len(nodes) == 13 and nodes[-1] is f


def test_sigmoid_neuron_gate_gradients_match_the_slide():
    f, _ = _neuron()
    f.backward()
    gates = [n for n in reachable(f) if n.op is not None]
    # the slide's backward pass, output to input: 1.00, -0.53, -0.53, -0.20, 0.20
    assert [round(g.grad, 2) for g in gates[::-1][:5]] == [1.0, -0.53, -0.53, -0.2, 0.2]


def test_sigmoid_neuron_forward_values_and_upstream_times_local():
    f, _ = _neuron()
    f.backward()
    gates = [n for n in reachable(f) if n.op is not None]
    # forward, as on the slide: -2, 6, 4, 1, -1, 0.37, 1.37, 0.73
    assert [round(g.data, 2) for g in gates] == [-2.0, 6.0, 4.0, 1.0, -1.0, 0.37, 1.37, 0.73]
    # the gate table: 1/x -> -1/x², +1 -> 1, exp -> e^x, *-1 -> -1
    one_over, plus_one, exp, neg = gates[7], gates[6], gates[5], gates[4]
    assert one_over.local_grads == (pytest.approx(-1 / (1 + math.exp(-1)) ** 2, rel=1e-15),)
    assert plus_one.local_grads == (1.0,) and neg.local_grads == (-1.0,)
    assert exp.local_grads == (pytest.approx(math.exp(-1.0), rel=1e-15),)
    # "[upstream gradient] x [local gradient]": the w0 * x0 gate sends x0: [0.2] x [2] = 0.4,
    # w0: [0.2] x [-1] = -0.2; the + gates send [0.2] x [1] = 0.2 to both inputs
    mul0, add0 = gates[0], gates[2]
    assert round(mul0.grad, 2) == 0.2 and mul0.local_grads == (-1.0, 2.0)
    assert [round(mul0.grad * g, 1) for g in mul0.local_grads] == [-0.2, 0.4]
    assert add0.local_grads == (1.0, 1.0) and round(add0.grad, 2) == 0.2


# ---- small examples -------------------------------------------------------------------

def test_x_times_x_keeps_both_edges():
    x = Value(3.0)
    y = x * x
    assert y.inputs == (x, x)
    assert y.local_grads == (3.0, 3.0)
    y.backward()
    assert x.grad == 6.0


def test_fan_out_example():
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    f = (x + y) * z
    f.backward()
    assert f.data == -12.0
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)


def test_x_times_x_plus_x():
    x = Value(3.0)
    y = x * x + x
    y.backward()
    assert y.data == 12.0
    assert x.grad == 7.0  # 2x + 1


# ---- micrograd's own tests ------------------------------------------------------------

def _sanity(V):
    x = V(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    return x, y


def _more_ops(V):
    a = V(-4.0)
    b = V(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return a, b, g


def test_micrograd_sanity_check():
    x, y = _sanity(Value)
    assert y.data == -20.0
    assert x.grad == 46.0
    mx, my = _sanity(micrograd.engine.Value)
    assert (y.data, x.grad) == (my.data, mx.grad)


def test_micrograd_more_ops():
    a, b, g = _more_ops(Value)
    assert g.data == pytest.approx(24.70408163265306, abs=1e-6)
    assert a.grad == pytest.approx(138.83381924198252, abs=1e-6)
    assert b.grad == pytest.approx(645.5772594752186, abs=1e-6)
    ma, mb, mg = _more_ops(micrograd.engine.Value)
    assert g.data == pytest.approx(mg.data, rel=1e-12)
    assert a.grad == pytest.approx(ma.grad, rel=1e-12)
    assert b.grad == pytest.approx(mb.grad, rel=1e-12)


# ---- operators -------------------------------------------------------------------------

@pytest.mark.parametrize("build, symbol, value, grad", [
    (lambda x: 2 - x, "2-x", -1.0, -1.0),
    (lambda x: 2 / x, "2/x", 2 / 3, -2 / 9),
    (lambda x: 2 * x, "*2", 6.0, 2.0),
    (lambda x: 2 + x, "+2", 5.0, 1.0),
    (lambda x: x - 2, "-2", 1.0, 1.0),
    (lambda x: x / 2, "*0.5", 1.5, 0.5),
    (lambda x: -x, "*-1", -3.0, -1.0),
    (lambda x: x ** 3, "x^3", 27.0, 27.0),
    (lambda x: x ** -1, "x^-1", 1 / 3, -1 / 9),
])
def test_number_on_one_side_is_one_gate(build, symbol, value, grad):
    x = Value(3.0)
    y = build(x)
    assert y.inputs == (x,)
    assert y.op.symbol(y.const) == symbol
    y.backward()
    assert y.data == pytest.approx(value, rel=1e-15)
    assert x.grad == pytest.approx(grad, rel=1e-15)


@pytest.mark.parametrize("method, x, value, grad", [
    ("exp", 1.0, math.e, math.e),
    ("log", 2.0, math.log(2.0), 0.5),
    ("sqrt", 4.0, 2.0, 0.25),
    ("tanh", 0.5, math.tanh(0.5), 1 - math.tanh(0.5) ** 2),
    ("sigmoid", 0.0, 0.5, 0.25),
    ("relu", -1.0, 0.0, 0.0),
    ("relu", 2.0, 2.0, 1.0),
    ("abs", -2.0, 2.0, -1.0),
    ("leaky_relu", -2.0, -0.02, 0.01),
    ("elu", -1.0, math.exp(-1) - 1, math.exp(-1)),
])
def test_methods(method, x, value, grad):
    v = Value(x)
    y = getattr(v, method)()
    y.backward()
    assert y.data == pytest.approx(value, rel=1e-15)
    assert v.grad == pytest.approx(grad, rel=1e-15)


def test_numpy_scalars_fold_into_one_gate_on_either_side():
    import numpy as np

    x = Value(3.0)
    for y, symbol in ((np.float64(2.0) * x, "*2"), (x * np.float64(2.0), "*2"),
                      (np.float64(1.0) / x, "1/x"), (x ** np.int64(2), "x^2")):
        assert isinstance(y, Value) and y.inputs == (x,)
        assert y.op.symbol(y.const) == symbol


def test_activation_parameters():
    x = Value(-2.0)
    assert x.leaky_relu(alpha=0.2).data == pytest.approx(-0.4)
    assert x.elu(alpha=2.0).data == pytest.approx(2.0 * (math.exp(-2.0) - 1))
    assert x.leaky_relu(0.2).op.symbol(0.2) == "leaky_relu(0.2)"


def test_maximum_routes_the_gradient_to_the_larger_input():
    a, b = Value(1.0), Value(3.0)
    m = maximum(a, b)
    m.backward()
    assert m.data == 3.0 and (a.grad, b.grad) == (0.0, 1.0)
    assert m.inputs == (a, b)
    m2 = maximum(Value(5.0), 2)  # a plain number becomes a leaf
    assert m2.data == 5.0 and m2.inputs[1].data == 2.0


def test_prelu_alpha_receives_a_gradient():
    x, alpha = Value(-2.0), Value(0.25)
    y = prelu(x, alpha)
    y.backward()
    assert y.data == -0.5
    assert x.grad == 0.25
    assert alpha.grad == -2.0
    x2, alpha2 = Value(3.0), Value(0.25)
    y2 = prelu(x2, alpha2)
    y2.backward()
    assert (y2.data, x2.grad, alpha2.grad) == (3.0, 1.0, 0.0)
    assert gradcheck(lambda: prelu(x, alpha) * prelu(x2, alpha), [x, alpha, x2]).passed


# ---- gradients across calls ------------------------------------------------------------

def test_leaf_gradients_accumulate_until_zeroed_interior_are_recomputed():
    x = Value(3.0)
    sq = x * x
    y = sq + x
    y.backward()
    assert x.grad == 7.0 and sq.grad == 1.0
    y.backward()
    assert x.grad == 14.0  # accumulated, as in PyTorch
    assert sq.grad == 1.0 and y.grad == 1.0  # recomputed, not 2
    x.grad = 0.0
    y.backward()
    assert x.grad == 7.0


def test_grad_is_assignable_and_starts_at_zero():
    x = Value(1.0, label="x")
    assert x.grad == 0.0 and x.label == "x"
    x.grad = 2.5
    assert x.grad == 2.5


# ---- non-finite numbers ----------------------------------------------------------------

def test_non_finite_values_are_recorded_not_raised():
    y = Value(0.0).log()
    assert y.data == -math.inf
    x = Value(0.0)
    z = x.log()
    z.backward()
    assert x.grad == math.inf
    assert Value(1000.0).exp().data == math.inf
    assert math.isnan(Value(-1.0).sqrt().data)
    assert (1 / Value(0.0)).data == math.inf
    assert (Value(0.0) ** -1).data == math.inf
    assert (Value(1.0) / 0).data == math.inf


def test_nan_gradients_are_recorded():
    x = Value(-1.0)
    y = x.sqrt() * 2
    y.backward()
    assert math.isnan(y.data) and math.isnan(x.grad)
    a = Value(0.0)
    b = a.log() * 0.0  # 0 · (-inf)
    b.backward()
    assert math.isnan(b.data)
    assert math.isnan(a.grad)  # upstream 0 × local inf


# ---- no recursion ------------------------------------------------------------------------

def test_deep_chain_runs_backward_at_the_default_recursion_limit():
    limit = sys.getrecursionlimit()
    x = Value(0.5)
    y = x
    for _ in range(100_000):
        y = y * 1.0
        y = y + 1
    assert len(reachable(y)) == 200_001
    y.backward()
    assert sys.getrecursionlimit() == limit
    assert y.data == 100_000.5
    assert x.grad == 1.0


# ---- bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize("bad, name", [("a", "str"), (None, "NoneType"), ([1.0], "list"), (1j, "complex")])
def test_value_of_a_non_number_raises_type_error_naming_the_type(bad, name):
    with pytest.raises(TypeError, match=name):
        Value(bad)


def test_numbers_of_other_real_types_are_accepted():
    import fractions

    import numpy as np

    assert Value(3).data == 3.0 and isinstance(Value(3).data, float)
    assert Value(np.float32(0.5)).data == 0.5
    assert Value(fractions.Fraction(1, 4)).data == 0.25


def test_value_exponents_and_number_bases_are_gates_and_other_types_are_refused():
    # issue 28: forks write x ** y and 2 ** x (tests/test_value_fork_surface.py checks them on PyTorch)
    x = Value(2.0)
    assert (x ** Value(3.0)).data == 8.0 and (x ** Value(3.0)).op.name == "pow_value"
    assert (2 ** x).data == 4.0 and (2 ** x).op.name == "rpow_const"
    with pytest.raises(TypeError):
        x ** "a"
    with pytest.raises(TypeError):
        "a" ** x


def test_non_numbers_in_operators_raise_type_error():
    x = Value(2.0)
    with pytest.raises(TypeError):
        x + "a"
    with pytest.raises(TypeError):
        "a" * x
    with pytest.raises(TypeError, match="str"):
        x.leaky_relu(alpha="big")


# ---- random expressions against finite differences ----------------------------------------

N_LEAVES = 3


def _unary(kind, a, c, kinks):
    if kind == "add_const":
        return a + c
    if kind == "mul_const":
        return c * a
    if kind == "rsub_const":
        return c - a
    if kind == "rdiv_const":
        return c / (a * a + 1)
    if kind == "pow_int":
        return a ** round(c)
    if kind == "pow_real":
        return (a * a + 1) ** c
    if kind == "exp":
        return a.exp()
    if kind == "log":
        return (a * a + 1).log()
    if kind == "sqrt":
        return (a * a + 1).sqrt()
    if kind in ("tanh", "sigmoid"):
        return getattr(a, kind)()
    kinks.append(a.data)  # the kink of every piecewise op below is at a = 0
    if kind == "leaky_relu":
        return a.leaky_relu(abs(c) / 3)
    if kind == "elu":
        return a.elu(abs(c) + 0.1)
    if kind == "neg":
        return -a
    return getattr(a, kind)()  # relu, abs


def _binary(kind, a, b, kinks):
    if kind == "add":
        return a + b
    if kind == "sub":
        return a - b
    if kind == "mul":
        return a * b
    if kind == "div":
        return a / (b * b + 1)
    if kind == "max":
        kinks.append(a.data - b.data)
        return maximum(a, b)
    kinks.append(a.data)
    return prelu(a, b)


UNARY = ["add_const", "mul_const", "rsub_const", "rdiv_const", "pow_int", "pow_real", "exp", "log",
         "sqrt", "tanh", "sigmoid", "leaky_relu", "elu", "neg", "relu", "abs"]
BINARY = ["add", "sub", "mul", "div", "max", "prelu"]

step = st.one_of(
    st.tuples(st.sampled_from(UNARY), st.integers(0, 99), st.floats(-3, 3)),
    st.tuples(st.sampled_from(BINARY), st.integers(0, 99), st.integers(0, 99)),
)


def _build(leaves, program, kinks):
    nodes = list(leaves)
    for kind, i, arg in program:
        a = nodes[i % len(nodes)]
        if kind in BINARY:
            nodes.append(_binary(kind, a, nodes[arg % len(nodes)], kinks))
        else:
            nodes.append(_unary(kind, a, arg, kinks))
    # the output reads every leaf, so every leaf's gradient is checked
    return nodes[-1] + sum(nodes[-N_LEAVES - 1:-1], Value(0.0)) * 0.5, nodes


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.lists(st.floats(-2, 2), min_size=N_LEAVES, max_size=N_LEAVES),
       program=st.lists(step, min_size=1, max_size=7))
def test_random_expressions_match_finite_differences(data, program):
    leaves = [Value(d, label=f"v{i}") for i, d in enumerate(data)]
    kinks = []
    out, nodes = _build(leaves, program, kinks)
    # away from kinks and from numbers so large that finite differences lose their digits
    assume(all(abs(k) > 1e-3 for k in kinks))
    assume(all(math.isfinite(n.data) and abs(n.data) < 1e3 for n in nodes))
    report = gradcheck(lambda: _build(leaves, program, [])[0], leaves)
    assert report.passed, str(report)
    assert [leaf.data for leaf in leaves] == data
