"""Diagnostics of a finished trace, in the lecture's words."""
import math

import pytest

from graphviz_nn import Value, mse
from graphviz_nn.debugger import build_trace
from graphviz_nn.debugger.diagnostics import diagnose, layer_report, report
from graphviz_nn.nn import MLP


def kinds(trace):
    return {(f.kind, trace.node(f.node).op or trace.node(f.node).label) for f in diagnose(trace)}


def test_nan_origin_is_flagged_once_at_the_log():
    x = Value(-1.0, label="x")
    t = build_trace((x.log() + 2).exp())
    flags = [f for f in diagnose(t) if f.kind == "not_finite"]
    assert len(flags) == 1 and t.node(flags[0].node).op == "log"


def test_saturated_sigmoid_and_dead_relu_and_sigmoid_feeding_weights():
    w, v = Value(10.0, label="w"), Value(0.5, label="v")
    h = (w * 1.0).sigmoid()
    out = (h * v).relu() + (w * -1.0).relu()
    t = build_trace(out)
    found = kinds(t)
    assert ("saturated", "sigmoid") in found
    assert ("dead_relu", "relu") in found
    assert ("not_zero_centred", "mul") in found
    assert all(f.sentence.endswith(("gradient flowing back through it", "(a dead ReLU unless another input turns it on)", "zig-zag"))
               for f in diagnose(t))


def test_a_neuron_fed_only_by_sigmoids_is_flagged_once_and_a_mixed_one_is_not():
    model = MLP(2, [3, 1], activation="sigmoid", seed=0)
    t = build_trace(mse(model([1.0, -2.0]), 1.0))
    flags = [f for f in diagnose(t) if f.kind == "not_zero_centred"]
    assert [t.node(f.node).group for f in flags] == [("L2", "N1")]
    assert flags[0].sentence.startswith("neuron L2.N1 takes only sigmoid outputs")
    mixed = MLP(2, [3, 1], activation="tanh", seed=0)
    assert not [f for f in diagnose(build_trace(mixed([1.0, -2.0]))) if f.kind == "not_zero_centred"]


def test_a_healthy_graph_has_no_flags():
    a, b = Value(0.3, label="a"), Value(-0.2, label="b")
    assert diagnose(build_trace((a * b + 0.1).tanh())) == []


def test_layer_report_counts_dead_relus_over_a_batch_and_gradient_norms():
    model = MLP(1, [4, 1], seed=5)
    layer = model.layers[0]
    # force neuron N1 dead on every sample: negative weight and bias, positive inputs
    layer.neurons[0].w[0].data, layer.neurons[0].b.data = -1.0, -1.0
    layer.neurons[1].w[0].data, layer.neurons[1].b.data = 1.0, 0.5
    xs = [[0.5], [1.0], [2.0]]
    loss = mse([model(x) for x in xs], [1.0, 2.0, 3.0])
    t = build_trace(loss)
    stats = {s.layer: s for s in layer_report(t)}
    l1 = stats["L1"]
    assert l1.neurons == 4 and l1.relus == 12
    assert l1.dead_neurons >= 1 and 0 < l1.dead_fraction <= 1
    expected = sum(p.grad ** 2 for p in layer.parameters()) ** 0.5
    assert l1.grad_norm == pytest.approx(expected)
    assert "layer L1" in report(t)


def test_a_saturated_sigmoid_whose_gradient_the_cost_restores_is_not_said_to_kill_it():
    # the lecture's neuron at w = 2, b = 2 under the cross-entropy cost (y = 0): σ' cancels
    z = Value(4.0, label="z")
    a = z.sigmoid()
    loss = -((1 - a).log())
    t = build_trace(loss)
    (flag,) = [f for f in diagnose(t) if f.kind == "saturated"]
    s = 1 / (1 + math.exp(-4.0))
    assert s * (1 - s) < 0.025  # saturated by the watch's measure
    upstream = 1 / (1 - s)  # dL/da by hand
    assert upstream * s * (1 - s) == pytest.approx(s) and s > 0.025  # dL/dz = a - y: not small
    assert "large enough to make up for it" in flag.sentence and "does not kill" in flag.sentence
    assert not any(ch.isdigit() for ch in flag.sentence.split("),")[1])  # no gradient number: quiz mode
    # the quadratic cost gives no such help: the same gate kills the gradient
    z2 = Value(4.0, label="z")
    (killed,) = [f for f in diagnose(build_trace((z2.sigmoid() ** 2) / 2)) if f.kind == "saturated"]
    assert killed.sentence.endswith("it kills the gradient flowing back through it")


def test_a_gradient_whose_terms_cancel_is_not_said_to_be_multiplied_away():
    b = Value(1.0, label="b")
    t = build_trace(b * 0.1 + b * 0.2 - b * 0.3)  # 0.1 + 0.2 - 0.3: a rounding residue, not 0
    (flag,) = [f for f in diagnose(t) if f.kind == "vanishing"]
    assert 0 < abs(0.1 + 0.2 - 0.3) < 1e-5
    assert "they cancel" in flag.sentence and "multiplied it away" not in flag.sentence
    c = Value(1.0, label="c")
    (small,) = [f for f in diagnose(build_trace(c * 1e-7)) if f.kind == "vanishing"]
    assert "multiplied it away" in small.sentence


def test_a_relu_off_for_one_input_is_not_called_dead_outright_but_off_for_a_whole_batch_is():
    from graphviz_nn import Tensor
    w = Value(-1.0, label="w")
    (one,) = [f for f in diagnose(build_trace((w * 2.0).relu())) if f.kind == "dead_relu"]
    assert one.sentence.endswith("(a dead ReLU unless another input turns it on)")
    W = Tensor([[-1.0]], label="W")
    X = Tensor([[1.0], [2.0], [3.0]], label="X", requires_grad=False)
    (batch,) = [f for f in diagnose(build_trace((X @ W).relu().sum())) if f.kind == "dead_relu"]
    assert batch.sentence.endswith("(off for every sample here: a dead ReLU)")
    X2 = Tensor([[1.0], [-2.0]], label="X", requires_grad=False)  # one sample turns it on: not flagged
    assert not [f for f in diagnose(build_trace((X2 @ W).relu().sum())) if f.kind == "dead_relu"]
