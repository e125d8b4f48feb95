"""The trace of a Tensor graph: one step per matrix op and per VJP, arrays in the steps."""
import numpy as np
import pytest

from graphviz_nn import SGD, Tensor, explain
from graphviz_nn.debugger import Session, build_trace
from graphviz_nn.debugger.diagnostics import diagnose


def layer():
    X = Tensor([[1.0, 2.0], [3.0, 4.0]], label="X")
    W = Tensor([[0.5], [-1.0]], label="W")
    b = Tensor([0.25], label="b")
    return X, W, b, ((X @ W + b).tanh()).sum()


def test_tensor_steps_carry_arrays_and_vjp_formulas():
    X, W, b, out = layer()
    trace = build_trace(out)
    assert trace.n_forward == 7 and trace.n_backward == 1 + 6  # the seed, then one step per edge
    matmul = trace.node("n3")
    assert matmul.is_tensor and matmul.shape == (2, 1) and matmul.formula == "X @ W"
    into_w = next(s for s in trace.steps if s.input == "n1")
    assert into_w.local is None and isinstance(into_w.contribution, np.ndarray)
    assert into_w.text.startswith("dL/dW = Xᵀ · dL/dY = ")
    assert into_w.local_text == "dL/dW = Xᵀ · dL/dY"
    end = trace.state_at(len(trace.steps))
    for node, tensor in (("n0", X), ("n1", W), ("n2", b)):
        assert np.allclose(end.grad(node), tensor.grad)
    assert trace.state_at(trace.n_forward).grad("n1") is None


def test_tensor_gradients_against_central_differences():
    _, W, _, out = layer()
    trace = build_trace(out)
    grad = trace.state_at(len(trace.steps)).grad("n1")
    eps = 1e-6
    for i in range(2):
        shifted = []
        for sign in (1, -1):
            Wd = W.data.copy()
            Wd[i, 0] += sign * eps
            X = np.array([[1.0, 2.0], [3.0, 4.0]])
            shifted.append(np.tanh(X @ Wd + 0.25).sum())
        assert grad[i, 0] == pytest.approx((shifted[0] - shifted[1]) / (2 * eps), rel=1e-5)


def test_values_in_the_trace_survive_an_in_place_update():
    X, W, b, out = layer()
    trace = build_trace(out)
    before = W.data.copy()
    opt = SGD([W, b], lr=0.5)
    opt.step()
    trace.add_updates(opt.last_updates, opt.lr)
    assert np.array_equal(trace.state_at(2).value("n1"), before)
    assert np.allclose(trace.state_at(len(trace.steps)).value("n1"), W.data)
    assert [s.phase for s in trace.steps[-2:]] == ["update", "update"]


def test_a_tensor_composite_expands_element_wise_and_agrees_with_the_gate():
    from graphviz_nn.debugger import expand
    _, _, _, out = layer()
    trace = build_trace(out)
    tanh = trace.node("n5")
    sub = expand(trace, "n5")
    assert [n.symbol for n in sub.nodes if not n.is_leaf] == ["*-2", "exp", "+1", "2/x", "-1"]
    end = len(sub.steps)
    assert np.allclose(sub.state_at(end).value(sub.outputs[0]), trace.forward_value("n5"))
    into_input = next(s for s in trace.steps if s.phase == "backward" and s.node == "n5")
    (leaf,) = [n.id for n in sub.nodes if n.is_leaf]
    assert np.allclose(sub.state_at(end).grad(leaf), into_input.contribution)
    session = Session(trace)
    session.goto(6)  # the step shown: the tanh forward step
    session.step_into()
    assert session.depth == 1 and session.trace.n_forward == 6 and tanh.composite


def test_dead_relu_on_a_tensor_is_diagnosed_when_every_entry_is_off():
    x = Tensor([[-1.0, -2.0]], label="x")
    out = (x * 1.0).relu().sum()
    assert [f.kind for f in diagnose(build_trace(out))] == ["dead_relu"]


def test_explain_shows_small_arrays_in_their_shape():
    X = Tensor([[1.0, 2.0], [3.0, 4.0]], label="X")
    assert "X = [[1.00, 2.00], [3.00, 4.00]]" in explain((X * 2.0).sum())
    big = Tensor(np.ones((10, 3)), label="big")
    assert "10×3 array" in explain((big * 2.0).sum())


def test_every_vjp_runs_exactly_once_per_node_when_a_trace_is_built(monkeypatch):
    from collections import Counter
    from graphviz_nn.tensor import Tensor as T
    calls = Counter()
    original = T._vjp

    def counting(self, upstream):
        calls[self._order] += 1
        return original(self, upstream)

    monkeypatch.setattr(T, "_vjp", counting)
    X, W, b, out = layer()
    fan = (X @ W) * (X @ W)  # fan-out: one node read twice
    total = out + fan.sum()
    trace = build_trace(total)
    gates = [n for n in trace.nodes if not n.is_leaf]
    assert len(calls) == len(gates) and set(calls.values()) == {1}
    end = trace.state_at(len(trace.steps))
    assert np.allclose(end.grad(trace.id_of(W)), W.grad)  # the sums the trace shows are the engine's
