"""Views read the trace: drawing, exporting, explaining and checking never write into the engine's nodes."""
import numpy as np
import pytest

from graphviz_nn import Tensor, Value, draw_dot, explain, to_json
from graphviz_nn.debugger import build_trace
from graphviz_nn.render import render_bytes


def _scalar_graph():
    w = Value(2.0, label="w")
    x = Value(-1.0, label="x", requires_grad=False)
    b = Value(0.5)  # unlabelled: the app's gradient check names it, but must not label it
    out = (w * x + b).sigmoid() * w
    out.backward()  # a learner's own gradients, which the views must leave as they are
    w.grad += 10.0  # and accumulated across calls, as leaf gradients are
    return out


def _tensor_graph():
    X = Tensor([[1.0, -2.0]], label="X", requires_grad=False)
    W = Tensor([[0.5], [0.25]], label="W")
    out = (X @ W).tanh().sum()
    out.backward()
    return out


def _fingerprint(out):
    from graphviz_nn.graph import reachable
    return [(n, np.array(n.data, copy=True), np.array(n.grad, copy=True), n.label) for n in reachable(out)]


def _unchanged(before):
    for node, data, grad, label in before:
        assert np.array_equal(np.asarray(node.data), data) and node.label == label
        assert np.array_equal(np.asarray(node.grad), grad), node


@pytest.mark.parametrize("make", [_scalar_graph, _tensor_graph])
def test_every_view_leaves_data_grad_and_label_exactly_as_they_were(make):
    from graphviz_nn.tui.reports import gradient_check_text
    out = make()
    before = _fingerprint(out)
    render_bytes(out, "dot")
    render_bytes(out, "json")
    to_json(out)
    draw_dot(out)
    explain(out)
    text = gradient_check_text(build_trace(out, fill_grads=False))
    assert text  # the report was made
    _unchanged(before)


def test_the_apps_gradient_check_names_rows_without_labelling_the_users_nodes():
    from graphviz_nn.tui.reports import gradient_check_text
    out = _scalar_graph()
    before = _fingerprint(out)
    trace = build_trace(out, fill_grads=False)
    text = gradient_check_text(trace)
    assert "all passed" in text and "\nw " in text and "\nx " not in text  # x is data: not checked
    _unchanged(before)


def test_json_export_is_built_from_the_trace_and_matches_the_engines_snapshot():
    import json
    out = _scalar_graph()
    trace = build_trace(out, fill_grads=False)
    exported = json.loads(render_bytes(trace, "json"))
    build_trace(out)  # now the engine holds one pass's gradients, as the export shows them
    engine = to_json(out)
    assert [n["grad"] for n in exported["nodes"]] == pytest.approx([n["grad"] for n in engine["nodes"]])
    assert [n["label"] for n in exported["nodes"]] == [n["label"] for n in engine["nodes"]]
