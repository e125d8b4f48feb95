"""``Value``'s micrograd surface, against micrograd itself: ``_prev``, ``_op``, ``_backward``,
the constructor's positional order, the repr, and micrograd's test_engine.py computations."""
import math

import micrograd.engine
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from micrograd_lecture import backward_by_hand, neuron

from graphviz_nn import Value, explain
from graphviz_nn.custom_gate import CustomGateError
from graphviz_nn.graph import ForeignNodeError, reachable

MV = micrograd.engine.Value


# micrograd's test_engine.py computations against micrograd itself: tests/test_value.py


# ---- _op: micrograd's string for the node micrograd would build last ---------------

EXPRESSIONS = {
    "a + b": lambda a, b: a + b, "a * b": lambda a, b: a * b, "a - b": lambda a, b: a - b,
    "a / b": lambda a, b: a / b, "-a": lambda a, b: -a, "a + 1": lambda a, b: a + 1,
    "1 + a": lambda a, b: 1 + a, "a * 3": lambda a, b: a * 3, "3 * a": lambda a, b: 3 * a,
    "a - 1": lambda a, b: a - 1, "1 - a": lambda a, b: 1 - a, "a / 2": lambda a, b: a / 2,
    "1 / a": lambda a, b: 1 / a, "a ** 2": lambda a, b: a ** 2, "a ** -1": lambda a, b: a ** -1,
    "a ** 2.0": lambda a, b: a ** 2.0, "a ** 0.5": lambda a, b: a ** 0.5, "relu": lambda a, b: a.relu(),
}


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_op_string_is_the_one_micrograd_gives_the_same_expression(name):
    build = EXPRESSIONS[name]
    ours, theirs = build(Value(3.0), Value(-2.0)), build(MV(3.0), MV(-2.0))
    assert ours._op == theirs._op
    assert ours.data == pytest.approx(theirs.data, rel=1e-15)


def test_op_strings_of_the_lecture_functions_and_a_leaf():
    x = Value(0.5)
    assert (x.tanh()._op, x.exp()._op, x._op) == ("tanh", "exp", "")
    assert Value(1.0, (), "input")._op == "input"  # micrograd lets a leaf carry one
    # the lecture's draw_dot builds node names from it
    assert str(id(x.tanh())) + x.tanh()._op


# ---- _prev and the constructor --------------------------------------------------------

def test_prev_is_the_set_of_inputs_as_in_micrograd():
    a, b = Value(2.0), Value(-3.0)
    assert (a * b)._prev == {a, b}
    assert (a + a)._prev == {a}  # micrograd's set merges the duplicate too
    assert (a * 2)._prev == {a}  # a folded constant is no node (micrograd makes a leaf of it)
    assert a._prev == set()


def test_constructor_takes_micrograds_positional_order():
    a = Value(2.0, label="a")
    c = Value(5.0, (a,), "+")
    assert c._prev == {a} and c._op == "+" and c.label == ""  # the lecture's label=''
    named = Value(5.0, (a,), "+", "c")
    assert named.label == "c" and named.data == 5.0
    assert Value(1.5, label="w").label == "w"


def test_old_positional_label_is_refused_with_a_sentence():
    with pytest.raises(CustomGateError, match=r"second argument is _children .* write the name as label='a'"):
        Value(2.0, "a")
    with pytest.raises(CustomGateError, match="needs Values as children|expected"):
        Value(2.0, (3.0,), "+")
    with pytest.raises(CustomGateError, match=r"third argument is _op"):
        Value(2.0, (), 7)


def test_repr_is_micrograds():
    a = Value(2.0, label="L")
    assert repr(a) == "Value(data=2.0, grad=0.0)" == repr(MV(2.0)).replace("grad=0", "grad=0.0")


# ---- _backward: one chain-rule step, callable by hand ---------------------------------

def test_manual_backward_in_reverse_order_gives_the_lectures_gradients():
    o, n, x1w1x2w2, x2w2, x1w1, (x1, w1, x2, w2, b) = neuron(Value)
    o.grad = 1.0
    for node in (o, n, b, x1w1x2w2, x2w2, x1w1):
        node._backward()
    assert n.grad == pytest.approx(0.5, abs=1e-12)
    assert (x1.grad, w1.grad, x2.grad, w2.grad) == (
        pytest.approx(-1.5, abs=1e-12), pytest.approx(1.0, abs=1e-12),
        pytest.approx(0.5, abs=1e-12), pytest.approx(0.0, abs=1e-12))


def test_lectures_build_topo_over_prev_then_backward_matches_backward():
    o, *_, leaves = neuron(Value)
    backward_by_hand(o)
    by_hand = [leaf.grad for leaf in leaves]
    o2, *_, leaves2 = neuron(Value)
    o2.backward()
    assert by_hand == pytest.approx([leaf.grad for leaf in leaves2], abs=1e-15)


def test_backward_step_of_a_repeated_input_adds_both_edges():
    a = Value(3.0)
    y = a * a
    y.grad = 1.0
    y._backward()
    assert a.grad == 6.0  # micrograd: self.grad += other.data * g; other.grad += self.data * g


# ---- foreign classes ------------------------------------------------------------------

def test_a_micrograd_value_is_named_with_what_to_do():
    with pytest.raises(ForeignNodeError, match=r"explain expected a graphviz_nn Value, got a "
                                                r"micrograd.engine.Value: .*from graphviz_nn import Value"):
        explain(MV(2.0) * 3)


def test_a_lessons_own_value_class_is_named():
    class Value:  # a notebook's own class, as the lecture writes it
        def __init__(self, data):
            self.data, self.grad, self._prev, self._op = data, 0.0, set(), ""
    Value.__module__ = "__main__"  # defined in a notebook
    with pytest.raises(ForeignNodeError, match=r"got a Value: build the graph with `from graphviz_nn import Value`"):
        reachable(Value(1.0))
    with pytest.raises(ForeignNodeError, match=r"got a Value"):
        reachable([Value(1.0)])


def test_lectures_tanh_broken_into_exp_and_division_gives_the_same_gradients():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    e = (2 * n).exp()
    o = (e - 1) / (e + 1)
    o.backward()
    assert o.data == pytest.approx(math.sqrt(0.5), abs=1e-12)
    assert (x1.grad, w1.grad, x2.grad, w2.grad) == (
        pytest.approx(-1.5, abs=1e-12), pytest.approx(1.0, abs=1e-12),
        pytest.approx(0.5, abs=1e-12), pytest.approx(0.0, abs=1e-12))
    assert [v._op for v in (e, o)] == ["exp", "*"]  # micrograd: (e - 1) * (e + 1)**-1


_BINARY = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b, lambda a, b: a / (b * b + 1)]
_UNARY = [lambda a: a.tanh(), lambda a: a.relu(), lambda a: a ** 2, lambda a: (a * 0.3).exp(), lambda a: 2 - a]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-2, 2), min_size=2, max_size=4),
       st.lists(st.tuples(st.integers(0, 3), st.integers(0, 99), st.integers(0, 99), st.integers(0, 4)),
                min_size=1, max_size=12))
def test_every_nodes_backward_in_reverse_order_is_backward(xs, program):
    def build():
        leaves = [Value(x) for x in xs]
        nodes = list(leaves)
        for kind, i, j, u in program:
            a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
            nodes.append(_UNARY[u](a) if kind == 3 else _BINARY[kind](a, b))
        return nodes[-1], leaves
    out, leaves = build()
    out.backward()
    expected = [leaf.grad for leaf in leaves]
    out2, leaves2 = build()
    out2.grad = 1.0
    for node in reversed(reachable(out2)):  # creation order is topological
        node._backward()
    assert [leaf.grad for leaf in leaves2] == pytest.approx(expected, rel=1e-12, abs=1e-12, nan_ok=True)
