"""What micrograd's forks add to ``Value``, checked against PyTorch in float64 and central
finite differences: ``x ** y`` with a Value exponent, ``c ** x``, ``abs``, ``gelu``,
``softplus``, ``sin``, ``cos``; comparisons, ``max``, sorting and ``float()`` reading ``data``.
"""
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from graphviz_nn import Tensor, Value
from graphviz_nn.debugger import build_trace

torch = pytest.importorskip("torch")

finite = st.floats(-6.0, 6.0, allow_nan=False, allow_infinity=False)

UNARY = {
    "abs": (lambda v: abs(v), lambda t: torch.abs(t)),
    "gelu": (lambda v: v.gelu(), lambda t: torch.nn.functional.gelu(t)),
    "softplus": (lambda v: v.softplus(), lambda t: torch.nn.functional.softplus(t)),
    "sin": (lambda v: v.sin(), lambda t: torch.sin(t)),
    "cos": (lambda v: v.cos(), lambda t: torch.cos(t)),
}


def _torch_grad(fn, *xs):
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = fn(*ts)
    out.backward()
    return out.item(), [t.grad.item() for t in ts]


def _close(a, b, tol=1e-9):
    if math.isnan(b):
        return math.isnan(a)
    if math.isinf(b):
        return a == b
    return abs(a - b) <= tol * max(1.0, abs(b))


@pytest.mark.parametrize("name", sorted(UNARY))
@settings(max_examples=60, deadline=None)
@given(x=finite)
def test_unary_ops_equal_pytorch(name, x):
    ours, theirs = UNARY[name]
    assume(name != "abs" or x != 0.0)  # |x|'s slope at 0: both say 0, checked below
    v = Value(x)
    out = ours(v)
    out.backward()
    y, (g,) = _torch_grad(theirs, x)
    assert _close(out.data, y) and _close(v.grad, g)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_ops_match_central_differences(name):
    ours, _ = UNARY[name]
    for x in (-2.3, -0.4, 0.7, 3.1):
        v = Value(x)
        ours(v).backward()
        h = 1e-6
        fd = (ours(Value(x + h)).data - ours(Value(x - h)).data) / (2 * h)
        assert v.grad == pytest.approx(fd, rel=1e-6, abs=1e-8)


def test_abs_slope_at_zero_is_pytorchs():
    v = Value(0.0)
    abs(v).backward()
    assert v.grad == _torch_grad(torch.abs, 0.0)[1][0] == 0.0


def test_softplus_is_pytorchs_above_its_threshold():
    for x in (19.5, 20.0, 20.5, 40.0, -40.0):
        v = Value(x)
        v.softplus().backward()
        y, (g,) = _torch_grad(torch.nn.functional.softplus, x)
        assert _close(v.softplus().data, y) and _close(v.grad, g)


@settings(max_examples=120, deadline=None)
@given(a=finite, b=finite)
def test_value_to_a_value_power_equals_pytorch(a, b):
    x, y = Value(a), Value(b)
    out = x ** y
    out.backward()
    want, (ga, gb) = _torch_grad(torch.pow, a, b)
    assert _close(out.data, want) and _close(x.grad, ga) and _close(y.grad, gb)


@pytest.mark.parametrize("a,b", [(-2.0, 3.0), (-2.0, 2.0), (-8.0, 1 / 3), (0.0, 2.0), (0.0, 0.0),
                                 (0.0, -1.0), (2.0, 0.0), (-1.5, 0.0)])
def test_value_power_at_negative_bases_zero_and_zero_exponents(a, b):
    x, y = Value(a), Value(b)
    out = x ** y
    out.backward()
    want, (ga, gb) = _torch_grad(torch.pow, a, b)
    assert _close(out.data, want) and _close(x.grad, ga) and _close(y.grad, gb), (out.data, x.grad, y.grad)


@settings(max_examples=80, deadline=None)
@given(c=st.sampled_from([2.0, math.e, 0.5, 10.0, 0.0, -2.0]), x=finite)
def test_a_number_to_a_value_power_equals_pytorch(c, x):
    v = Value(x)
    out = c ** v
    out.backward()
    want, (g,) = _torch_grad(lambda t: torch.pow(c, t), x)
    assert _close(out.data, want) and _close(v.grad, g)


def test_power_gradients_match_central_differences():
    h = 1e-6
    for a, b in [(1.7, 2.3), (0.4, -1.2), (3.0, 0.5)]:
        x, y = Value(a), Value(b)
        (x ** y).backward()
        assert x.grad == pytest.approx(((a + h) ** b - (a - h) ** b) / (2 * h), rel=1e-6)
        assert y.grad == pytest.approx((a ** (b + h) - a ** (b - h)) / (2 * h), rel=1e-6)
    v = Value(1.3)
    (2 ** v).backward()
    assert v.grad == pytest.approx((2 ** (1.3 + h) - 2 ** (1.3 - h)) / (2 * h), rel=1e-6)


def test_base_two_softmax_as_forks_write_it():
    logits = [Value(1.0), Value(2.0), Value(0.5)]
    exps = [2 ** z for z in logits]
    total = sum(exps)
    probs = [e / total for e in exps]
    probs[1].backward()
    t = torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64, requires_grad=True)
    p = torch.pow(2.0, t) / torch.pow(2.0, t).sum()
    p[1].backward()
    assert [q.data for q in probs] == pytest.approx(p.tolist(), abs=1e-12)
    assert [z.grad for z in logits] == pytest.approx(t.grad.tolist(), abs=1e-12)


def test_the_tensor_engine_has_the_same_ops():
    data = np.array([-1.7, -0.2, 0.0, 0.9, 2.4])
    for name, (ours, theirs) in UNARY.items():
        x = Tensor(data.copy())
        out = ours(x).sum()
        out.backward()
        t = torch.tensor(data, dtype=torch.float64, requires_grad=True)
        theirs(t).sum().backward()
        np.testing.assert_allclose(ours(Tensor(data)).data, theirs(torch.tensor(data)).numpy(), rtol=1e-12)
        np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12, atol=1e-15, err_msg=name)


def test_comparisons_sorting_max_and_float_read_data():
    a, b, c = Value(2.0, label="a"), Value(-1.0, label="b"), Value(5.0, label="c")
    assert a > b and b < a and a >= 2 and a <= 2.0 and 1 < a and not (a < b)
    assert max(a, b, c) is c and min(a, b, c) is b
    assert max(a, Value(2.0)) is a  # a tie keeps the first, as Python's max does
    assert sorted([a, b, c]) == [b, a, c]
    assert float(a) == 2.0 and int(Value(2.7)) == 2 and a.item() == 2.0
    assert math.exp(Value(0.0)) == 1.0  # math functions read the number through float()
    assert a != Value(2.0) and a == a and len({a, Value(2.0)}) == 2  # == stays identity, as micrograd's
    with pytest.raises(TypeError, match="not supported between instances of 'Value' and 'str'"):
        a < "x"  # noqa: B015


def test_max_returns_the_node_so_gradients_flow_through_it():
    a, b = Value(2.0), Value(3.0)
    m = max(a, b)
    (m * m).backward()
    assert b.grad == 6.0 and a.grad == 0.0


@pytest.mark.parametrize("expr,local", [
    (lambda x: x.gelu(), "Φ(x) + x·φ(x) = Φ(0.50) + 0.50·φ(0.50) = 0.87"), (lambda x: x.softplus(), "1/(1+e^-x) = 1/(1+e^-0.50) = 0.62"),
    (lambda x: x.sin(), "cos x = cos 0.50 = 0.88"), (lambda x: x.cos(), "-sin x = -sin 0.50 = -0.48"),
    (lambda x: 2 ** x, "2^x·ln 2 = 2^0.50·ln 2 = 0.98")])
def test_every_new_gate_shows_its_local_formula_with_numbers(expr, local):
    x = Value(0.5, label="x")
    trace = build_trace(expr(x))
    texts = [s.local_text for s in trace.steps if s.phase == "backward" and not s.is_seed]
    assert texts == [local]


def test_value_power_steps_show_both_local_gradients():
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    trace = build_trace(x ** y)
    texts = [s.local_text for s in trace.steps if s.phase == "backward" and not s.is_seed]
    assert "3.00·2.00^2.00" in texts[0] and "2.00^3.00·ln 2.00" in texts[1], texts
    assert [s.contribution for s in trace.steps if s.phase == "backward" and not s.is_seed] == \
        pytest.approx([12.0, 8.0 * math.log(2.0)])
