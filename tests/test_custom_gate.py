"""A gate written micrograd's way (children + op string + an assigned ``_backward``): recorded as
a gate of its own, stepped, drawn and gradient-checked like any gate."""
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphviz_nn import Value, draw_dot, gradcheck, to_json
from graphviz_nn.custom_gate import CustomGateError
from graphviz_nn.debugger import build_trace
from graphviz_nn.render import to_dot


def my_tanh(self):
    """The lecture's tanh, written micrograd's way."""
    x = self.data
    t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t ** 2) * out.grad
    out._backward = _backward
    return out


def fma(a, b, c):
    """a·b + c as one user gate of three children."""
    out = Value(a.data * b.data + c.data, (a, b, c), "fma")

    def _backward():
        a.grad += b.data * out.grad
        b.grad += a.data * out.grad
        c.grad += out.grad
    out._backward = _backward
    return out


def test_user_gate_backward_gives_the_closures_gradient():
    x = Value(0.8813735870195432, label="n")
    o = my_tanh(x)
    assert o._op == "tanh" and o._prev == {x} and o.op.name == "custom"
    o.backward()
    assert o.data == pytest.approx(math.sqrt(0.5), abs=1e-12)
    assert x.grad == pytest.approx(0.5, abs=1e-12)


def test_user_gate_steps_like_any_gate():
    x = Value(0.5, label="x")
    w = Value(-2.0, label="w")
    o = my_tanh(x * w)
    trace = build_trace(o)
    info = trace.node(trace.id_of(o))
    assert info.symbol == "tanh" and info.formula == "tanh(n2)" and info.local_formulas == ("read from _backward",)
    step = next(s for s in trace.steps if s.phase == "backward" and s.node == info.id and not s.is_seed)
    local = 1 - math.tanh(-1.0) ** 2
    assert (step.upstream, step.local) == (1.0, pytest.approx(local, abs=1e-15))
    assert step.text.startswith(f"[1.00] × [{local:.2f}]")
    assert trace.grad_at(trace.id_of(x), len(trace.steps)) == pytest.approx(local * -2.0, abs=1e-12)


def test_user_gate_gradient_checks_and_a_wrong_rule_fails_the_check():
    x = Value(0.3, label="x")
    report = gradcheck(lambda: my_tanh(x * 2.0) * x, [x])
    assert report.passed, str(report)

    def bad_tanh(v):  # forgot the chain rule's local factor
        out = Value(math.tanh(v.data), (v,), "tanh")

        def _backward():
            v.grad += out.grad
        out._backward = _backward
        return out
    bad = gradcheck(lambda: bad_tanh(x * 2.0) * x, [x])
    assert not bad.passed and bad.failures[0].label == "x"


def test_three_children_become_a_chain_with_each_childs_exact_gradient():
    a, b, c = Value(2.0, label="a"), Value(3.0, label="b"), Value(4.0, label="c")
    out = fma(a, b, c) * a
    assert fma(a, b, c)._prev == {a, b, c}
    out.backward()
    assert (a.grad, b.grad, c.grad) == (2 * 2.0 * 3.0 + 4.0, 2.0 * 2.0, 2.0)  # d(a(ab+c))/da = 2ab + c
    trace = build_trace(out)
    symbols = [n.symbol for n in trace.nodes if not n.is_leaf]
    assert symbols == ["fma·1", "fma", "*"]
    assert gradcheck(lambda: fma(a, b, c) * a, [a, b, c]).passed


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=3, max_size=6))
def test_any_number_of_children_checks_against_finite_differences(xs):
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]

    def weighted():  # Σ (i+1)·x_i² as one user gate
        out = Value(sum((i + 1) * v.data ** 2 for i, v in enumerate(leaves)), tuple(leaves), "wsq")

        def _backward():
            for i, v in enumerate(leaves):
                v.grad += 2 * (i + 1) * v.data * out.grad
        out._backward = _backward
        return out
    report = gradcheck(lambda: weighted().tanh(), leaves)
    assert report.passed, str(report)


def test_before_a_backward_is_assigned_no_gradient_flows_as_in_micrograd():
    x = Value(1.0)
    out = Value(5.0, (x,), "mystery")
    out.backward()
    assert x.grad == 0.0
    out._backward()  # micrograd's default: a no-op
    assert x.grad == 0.0


def test_reading_the_closure_leaves_every_grad_as_it_was():
    x = Value(0.4)
    x.grad = 7.0
    out = Value(math.tanh(0.4), (x,), "tanh")
    out.grad = -3.0

    def _backward():
        x.grad += (1 - out.data ** 2) * out.grad
    out._backward = _backward
    assert (x.grad, out.grad) == (7.0, -3.0)
    assert out._backward is _backward  # the user's closure, returned as given


def test_replacing_a_built_in_gates_backward_makes_it_a_user_gate():
    a, b = Value(2.0), Value(5.0)
    y = a * b
    y._backward = lambda: setattr(a, "grad", a.grad + 100 * y.grad)  # a deliberately odd rule
    assert y._op == "*" and y.op.name == "custom2"
    y.backward()
    assert (a.grad, b.grad) == (100.0, 0.0)


def test_user_gate_is_drawn_in_both_pictures_and_exported():
    x = Value(0.5, label="x")
    o = my_tanh(x)
    o.label = "o"
    assert 'label="tanh"' in draw_dot(o).source
    assert "label=<tanh>" in to_dot(o).source
    node = to_json(o)["nodes"][-1]
    assert (node["op"], node["symbol"], node["const"]) == ("custom", "tanh", "'tanh'")


def test_bad_closures_are_one_sentence():
    x = Value(1.0)
    out = Value(2.0, (x,), "f")
    with pytest.raises(CustomGateError, match="function of no arguments"):
        out._backward = 3
    with pytest.raises(CustomGateError, match=r"the _backward of this 'f' gate raised ZeroDivisionError"):
        out._backward = lambda: 1 / 0
    with pytest.raises(CustomGateError, match="left a child's grad as str"):
        out._backward = lambda: setattr(x, "grad", "oops")
    assert x.grad == 0.0  # restored even when the closure fails

