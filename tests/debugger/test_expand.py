"""Stepping into a composite gate: its primitive chain agrees with the collapsed gate."""
import pytest
from hypothesis import assume, given, settings, strategies as st

from graphviz_nn import Value, prelu
from graphviz_nn.debugger import TraceError, build_trace, expand

COMPOSITES = {
    "sigmoid": lambda x: x.sigmoid(),
    "tanh": lambda x: x.tanh(),
    "leaky_relu": lambda x: x.leaky_relu(0.1),
    "elu": lambda x: x.elu(0.7),
}


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(COMPOSITES)), st.floats(-4, 4), st.floats(-3, 3))
def test_expansion_value_and_gradient_agree_with_the_gate(name, x, upstream):
    assume(abs(x) > 1e-6)  # the kink of leaky_relu/elu
    xv = Value(x, label="x")
    gate = COMPOSITES[name](xv)
    out = gate * upstream  # so the gate's upstream gradient is not 1
    trace = build_trace(out)
    gate_id = trace.id_of(gate)
    sub = expand(trace, gate_id)
    end = len(sub.steps)
    assert sub.state_at(end).value(sub.outputs[0]) == pytest.approx(gate.data, abs=1e-12)
    assert sub.seed == pytest.approx(upstream)
    assert sub.state_at(end).grad(sub.find("x")) == pytest.approx(xv.grad, rel=1e-9, abs=1e-12)
    assert all(info.id.startswith(f"{gate_id}.") for info in sub.nodes)  # never an outer graph's id
    assert all(not info.composite for info in sub.nodes)


@settings(max_examples=30, deadline=None)
@given(st.floats(-3, 3), st.floats(0, 1))
def test_prelu_expansion_sends_both_gradients(x, alpha):
    assume(abs(x) > 1e-6)
    xv, av = Value(x, label="x"), Value(alpha, label="alpha")
    gate = prelu(xv, av)
    trace = build_trace(gate)
    sub = expand(trace, trace.id_of(gate))
    end = sub.state_at(len(sub.steps))
    assert end.value(sub.outputs[0]) == pytest.approx(gate.data)
    assert end.grad(sub.find("x")) == pytest.approx(xv.grad) and end.grad(sub.find("alpha")) == pytest.approx(av.grad)


def test_the_expansion_keeps_the_gates_labels_and_group():
    from graphviz_nn import group
    with group("L1", "N1"):
        z = Value(0.5, label="z")
        s = z.sigmoid()
    sub = expand(build_trace(s), "n1")
    assert sub.node("n1.0").label == "z" and all(info.group == ("L1", "N1") for info in sub.nodes)


def test_a_primitive_gate_cannot_be_expanded():
    trace = build_trace(Value(1.0) * 2)
    with pytest.raises(TraceError, match="not a composite gate"):
        expand(trace, "n1")


@settings(max_examples=30, deadline=None)
@given(st.floats(-3, 3), st.floats(-3, 3), st.floats(-2, 2))
def test_replay_runs_the_traced_gates_again_on_fresh_leaves(w, x, b):
    import math

    from graphviz_nn.debugger.expand import replay

    wv, xv, bv = Value(w, label="w"), Value(x, label="x", requires_grad=False), Value(b, label="b")
    out = (wv * xv + bv).tanh()
    trace = build_trace(out)
    leaves, run = replay(trace)
    by_name = {leaf.label: leaf for leaf in leaves.values()}
    assert set(by_name) == {"w", "x", "b"} and not by_name["x"].requires_grad
    assert all(leaf is not node for leaf, node in zip(by_name.values(), (wv, xv, bv)))  # never the user's
    assert run().data == pytest.approx(math.tanh(w * x + b), abs=1e-12)
    by_name["w"].data = w + 0.5  # a nudged leaf: the same gates evaluated there
    assert run().data == pytest.approx(math.tanh((w + 0.5) * x + b), abs=1e-12)
    assert (wv.data, xv.data, bv.data) == (w, x, b)
