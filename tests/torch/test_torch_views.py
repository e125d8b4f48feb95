"""A recorded PyTorch model works in every view: explain, render, frames, player, the app, breakpoints, watches."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch_models import two_layer

from graphviz_nn import explain, to_json
from graphviz_nn.debugger import Session, build_trace, collapse, diagnose
from graphviz_nn.render import to_dot, write_frames
from graphviz_nn.torch import record


@pytest.fixture
def rec():
    model, X, y = two_layer(seed=2)
    return record(lambda X, y: F.cross_entropy(model(X), y), X, y)


def test_explain_names_parameter_gradients(rec):
    text = explain(rec.output)
    assert "0.weight.grad" in text and "2.bias.grad" in text
    assert "dL/dW = Xᵀ · dL/dY" in text


def test_layer_level_collapses_each_module_into_one_box(rec):
    view = collapse(build_trace(rec.output), "layer")
    assert [n.label for n in view.nodes if n.kind == "group"] == ["0", "1", "2"]


def test_dot_shows_the_named_leaves_at_gate_and_layer_level(rec):
    gate = to_dot(rec.output, step="end").source
    assert "0.weight" in gate and "log_softmax" in gate
    layer = to_dot(rec.output, step="end", level="layer").source
    assert "0.weight" not in layer  # inside the box of layer 0


def test_snapshot_json_writes_an_opaque_gate_by_name():
    x = torch.tensor([0.5, -1.0], dtype=torch.float64, requires_grad=True)
    snap = to_json(record(lambda x: torch.erf(x).sum(), x).output)
    erf = next(n for n in snap["nodes"] if n["op"] == "torch.erf")
    assert erf["symbol"] == "erf" and erf["const"] == "torch.erf"


def test_frames_and_player_render_every_step(rec, tmp_path):
    frames = write_frames(rec.output, tmp_path / "frames", "svg", html=tmp_path / "player.html")
    assert len(frames) == len(build_trace(rec.output).steps) + 1
    page = (tmp_path / "player.html").read_text()
    assert "0.weight" in page


def test_breakpoint_on_a_parameter_and_on_a_layer(rec):
    session = Session.from_outputs(rec.output)
    session.add_breakpoint("2.weight")
    first = session.continue_()
    assert first is not None and first.node == session.trace.find("2.weight")
    session.remove_breakpoint("2.weight")
    session.restart()
    session.run_to_end()  # to the end of the forward pass
    session.add_group_breakpoint("0")
    hit = session.continue_()
    assert hit is not None and session.trace.node(hit.node).group == ("0",)


def test_opaque_erf_is_stepped_with_pytorch_vjp():
    x = torch.tensor([[0.3, -1.2], [2.0, 0.1]], dtype=torch.float64, requires_grad=True)
    rec = record(lambda x: (torch.erf(x) * 3.0).sum(), x)
    assert rec.opaque == ("erf",)
    trace = build_trace(rec.output)
    erf = next(n for n in trace.nodes if n.op == "torch.erf")
    assert erf.symbol == "erf" and erf.formula == "erf(x)"  # in the user's names
    assert "PyTorch's own VJP of erf" in erf.local_formulas[0]
    (step,) = [s for s in trace.steps if s.phase == "backward" and s.node == erf.id]
    slope = 2 / math.sqrt(math.pi) * np.exp(-x.detach().numpy() ** 2)
    np.testing.assert_allclose(step.upstream, np.full((2, 2), 3.0))
    np.testing.assert_allclose(step.contribution, 3.0 * slope, rtol=1e-14)
    assert "PyTorch's own VJP of erf" in step.text
    (torch.erf(x) * 3.0).sum().backward()
    np.testing.assert_allclose(rec.leaves["x"].grad, x.grad.numpy(), rtol=0, atol=1e-10)


def planted_log_of_zero():
    """A classifier whose loss takes log of a probability that a mask set to exactly 0."""
    torch.manual_seed(3)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).double()
    X = torch.randn(5, 3, dtype=torch.float64)
    mask = torch.ones(5, 2, dtype=torch.float64)
    mask[2, 1] = 0.0  # the planted bug: one probability becomes 0, and log(0) = -inf

    def loss(X):
        p = model(X).softmax(dim=1) * mask
        return -(torch.log(p) * 0.5).mean()

    return record(loss, X)


def test_planted_log_zero_is_named_as_the_origin_of_the_non_finite_value():
    rec = planted_log_of_zero()
    assert math.isinf(rec.output.item())  # -inf: torch.autograd.detect_anomaly looks only for nan
    trace = build_trace(rec.output)
    flags = [f for f in diagnose(trace) if f.kind == "not_finite"]
    assert flags, diagnose(trace)
    origin = trace.node(flags[0].node)
    assert origin.op == "log" and "first non-finite value" in flags[0].sentence
    assert "log(" in flags[0].sentence


def test_not_finite_watch_stops_at_the_log(rec):
    session = Session.from_outputs(planted_log_of_zero().output)
    session.add_watch("not_finite")
    hit = session.continue_()
    assert hit is not None and hit.reason == "not_finite"
    assert session.trace.node(hit.node).op == "log"
    assert session.state.phase == "forward"


async def test_the_app_steps_the_backward_pass_of_a_recorded_model(rec):
    from graphviz_nn.tui.app import DebuggerApp
    from graphviz_nn.tui.target import from_outputs

    app = DebuggerApp(target=from_outputs(rec.output, "two-layer MLP"), layout_engine="builtin")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("end")
        await pilot.pause()
        session = app.session
        assert session.state.phase == "end"
        assert session.k == len(session.trace.steps)
        text = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "two-layer MLP" in text
        leaf = session.trace.find("0.weight")
        weight = rec.leaves["0.weight"]
        assert not np.any(weight.grad)  # the app reads its trace: the recording's gradients stay as they were
        rec.output.backward()  # the engine's own backward pass, for the numbers to compare with
        np.testing.assert_allclose(session.state.grad(leaf), weight.grad)


def test_nested_modules_give_layer_and_neuron_level_boxes():
    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(3, 4), nn.Linear(4, 4)

        def forward(self, x):
            return self.fc2(self.fc1(x).relu())

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder, self.head = Encoder(), nn.Linear(4, 2)

        def forward(self, x):
            return self.head(self.encoder(x))

    rec = record(Net(), torch.randn(5, 3))
    assert rec.leaves["encoder.fc2.weight"].group == ("encoder", "fc2")
    trace = build_trace(rec.output)
    boxes = {level: [n.label for n in collapse(trace, level).nodes if n.kind == "group"]
             for level in ("neuron", "layer")}
    assert boxes == {"neuron": ["encoder.fc1", "encoder.fc2"], "layer": ["encoder", "head"]}
