"""One way from anything a user hands a view to a trace (``scenario_build.to_trace``), and views
that leave the user's nodes as they were: data, grad and label."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from graphviz_nn import Tensor, Value, load_scenario
from graphviz_nn.debugger import Trace, build_trace
from graphviz_nn.errors import UserError
from graphviz_nn.graph import ForeignNodeError, reachable
from graphviz_nn.scenario_build.scenario import Scenario
from graphviz_nn.scenario_build.to_trace import scenario_of, to_trace


def _neuron():
    """The lecture's neuron with a data input, a learner's own gradients already in it."""
    w = Value(2.0, label="w")
    x = Value(-1.0, label="x", requires_grad=False)
    b = Value(0.5)  # unlabelled: no view may label it
    out = (w * x + b).sigmoid()
    out.backward()
    w.grad += 10.0  # accumulated across calls, as leaf gradients are
    return out, w, x, b


def _fingerprint(out):
    return [(n, np.array(n.data, copy=True), np.array(n.grad, copy=True), n.label) for n in reachable(out)]


def _assert_unchanged(before):
    for node, data, grad, label in before:
        assert np.array_equal(np.asarray(node.data), data), node
        assert np.array_equal(np.asarray(node.grad), grad), node
        assert node.label == label, node


def _texts(trace):
    return [s.text for s in trace.steps]


def test_every_kind_of_source_becomes_the_same_trace():
    out, w, x, b = _neuron()
    expected = _texts(build_trace(out, fill_grads=False))
    assert _texts(to_trace(out).trace) == expected
    assert _texts(to_trace([out]).trace) == expected
    assert _texts(to_trace((out,)).trace) == expected
    trace = build_trace(out, fill_grads=False)
    assert to_trace(trace).trace is trace  # a trace is used as it is
    # a scenario by object, catalogue id and file path: the scenario's own trace, and its title
    scenario = load_scenario("sigmoid-neuron")
    steps = _texts(load_scenario("sigmoid-neuron").trace())
    path = Path(__file__).resolve().parents[2] / "scenarios" / "sigmoid-neuron.toml"
    for source in (scenario, "sigmoid-neuron", str(path), path):
        view = to_trace(source)
        assert _texts(view.trace) == steps
        assert view.title == f"{scenario.title} [sigmoid-neuron]"
        assert isinstance(view.scenario, Scenario) and set(view.built) == {"f"}


def test_the_trace_s_numbers_are_the_lectures():
    # the sigmoid neuron of the cs231n slide: f = σ(w0·x0 + w1·x1 + w2), checked by hand here
    view = to_trace("sigmoid-neuron")
    f = view.trace.find("f")
    z = 2.0 * -1.0 + -3.0 * -2.0 + -3.0
    s = 1.0 / (1.0 + np.exp(-z))
    assert view.trace.forward_value(f) == pytest.approx(s)
    end = len(view.trace.steps)
    assert view.trace.grad_at(view.trace.find("w0"), end) == pytest.approx(s * (1 - s) * -1.0)


def test_a_pytorch_recording_is_traced_from_its_output():
    torch = pytest.importorskip("torch")  # the optional bridge: only with PyTorch installed
    from graphviz_nn.torch import record

    rec = record(lambda a: (a * 3).sum(), torch.tensor([1.0, 2.0]))
    assert _texts(to_trace(rec).trace) == _texts(build_trace(rec.output, fill_grads=False))


def test_a_start_belongs_to_a_scenario_and_bad_sources_are_one_sentence():
    out, *_ = _neuron()
    with pytest.raises(UserError, match="start= chooses a scenario's starting point"):
        to_trace(out, start=1)
    with pytest.raises(ForeignNodeError, match=r"draw expected a Value or Tensor .*got int"):
        to_trace(42, who="draw")

    class Oops(UserError):
        pass
    with pytest.raises(Oops, match=r"^view\(\) takes a Value or Tensor output, .*got list$"):
        to_trace([], who="view", error=Oops)
    import micrograd.engine
    with pytest.raises(ForeignNodeError, match="view expected a graphviz_nn Value, got a micrograd.engine.Value"):
        to_trace(micrograd.engine.Value(1.0), who="view", error=Oops)


def test_scenario_of_reads_a_file_once_and_keeps_a_scenario():
    scenario = load_scenario("sigmoid-neuron")
    assert scenario_of(scenario) is scenario
    assert scenario_of("sigmoid-neuron").id == "sigmoid-neuron"


def test_the_first_build_is_the_one_the_loader_checked_and_later_builds_are_fresh():
    scenario = load_scenario("sigmoid-neuron")
    first, second = scenario.build(), scenario.build()
    assert first["f"] is not second["f"]
    assert first["f"].data == second["f"].data == pytest.approx(0.7310585786)
    assert not set(reachable(first["f"])) & set(reachable(second["f"]))  # no node shared


@pytest.mark.parametrize("make", ["scalar", "tensor"])
def test_player_frames_render_and_debug_leave_the_users_nodes_as_they_were(make, monkeypatch):
    from graphviz_nn import player
    from graphviz_nn.launch_app import debug
    from graphviz_nn.render import render_bytes
    from graphviz_nn.render.dot import to_dot
    from graphviz_nn.render.frames import frame_texts
    from graphviz_nn.tui import app as app_module
    from graphviz_nn.tui.target import from_outputs

    if make == "scalar":
        out = _neuron()[0]
    else:
        X = Tensor([[1.0, -2.0]], label="X", requires_grad=False)
        W = Tensor([[0.5], [0.25]], label="W")
        out = (X @ W).tanh().sum()
        out.backward()
    before = _fingerprint(out)
    expected = _texts(build_trace(out, fill_grads=False))
    assert player(out, max_bytes=None).texts[1:] == expected
    assert frame_texts(out)[1:] == expected
    assert to_dot(out).source
    assert render_bytes(out, "json") and render_bytes(out, "dot")
    assert _texts(from_outputs(out).make_trace()) == expected
    opened = []
    monkeypatch.setattr(app_module.DebuggerApp, "run", lambda self: opened.append(self))
    debug(out)
    assert len(opened) == 1 and _texts(opened[0]._initial_target.make_trace()) == expected
    _assert_unchanged(before)


def test_show_json_reads_the_trace_and_writes_no_node(monkeypatch, capsys):
    from graphviz_nn.cli import main

    built = []
    real_build = Scenario.build

    def spy(self, start=None):
        result = real_build(self, start)
        built.append((result, _fingerprint(list(result.values()))))
        return result

    monkeypatch.setattr(Scenario, "build", spy)
    assert main(["show", "sigmoid-neuron", "--format", "json"]) == 0
    snap = json.loads(capsys.readouterr().out)
    assert len(built) == 1  # one build for the whole command
    result, before = built[0]
    _assert_unchanged(before)
    assert all(np.asarray(n.grad).sum() == 0 for n in reachable(list(result.values())))  # still as built
    # the gradients shown are the engine's own backward pass over a fresh build
    monkeypatch.setattr(Scenario, "build", real_build)
    fresh = load_scenario("sigmoid-neuron").build()
    fresh["f"].backward()
    grads = {n.label: n.grad for n in reachable(fresh["f"]) if n.label}
    shown = {r["label"]: r["grad"] for r in snap["nodes"] if r["label"] in grads}
    assert shown == pytest.approx(grads) and len(shown) == len(grads)


def test_show_jacobian_corner_writes_no_gradient():
    from graphviz_nn.scenario_build.facts import jacobian_corner

    x = Tensor(np.array([1.0, -2.0, 3.0]), label="x")
    y = x.tanh()
    y.sum().backward()
    before = _fingerprint(y)
    corner, nonzeros = jacobian_corner(y, x, k=3)
    # tanh is element-wise: the Jacobian is diagonal with 1 - tanh²(x), computed here by numpy
    assert np.allclose(corner, np.diag(1 - np.tanh([1.0, -2.0, 3.0]) ** 2)) and nonzeros == [1, 1, 1]
    _assert_unchanged(before)


def test_a_trace_is_not_rebuilt_when_handed_over():
    trace = build_trace(Value(1.0, label="a") * 2, fill_grads=False)
    assert isinstance(to_trace(trace).trace, Trace) and to_trace(trace).trace is trace
