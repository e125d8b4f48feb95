"""Real models, readable end to end (issue 27): a GPT-2-shaped transformer and a small CNN.

Gradients equal PyTorch's, no call of theirs is an opaque gate, every level draws, the default
picture stays within a slide's aspect, and attention's backward can be stepped into.
"""
from __future__ import annotations

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch_models import NanoGPT, nano_gpt, small_cnn, tiny_gpt

from graphviz_nn.debugger import Session, build_trace
from graphviz_nn.debugger.levels import collapse, levels_of, page_level
from graphviz_nn.render import draw_dot, render_bytes
from graphviz_nn.render.dot import to_dot
from graphviz_nn.render.fit import MAX_ASPECT, fitted_options
from graphviz_nn.render.player import PlayerTooLargeError
from graphviz_nn.torch import record


def gpt_recording(dtype=torch.float32, seed=0):
    model, idx, targets = tiny_gpt(seed=seed, dtype=dtype)
    torch.manual_seed(11)  # the dropout masks the recording draws
    rec = record(lambda idx, targets: model(idx, targets), idx, targets)
    torch.manual_seed(11)  # the same masks for PyTorch's own backward
    model.zero_grad()
    loss = model(idx, targets)
    loss.backward()
    return model, rec, loss


def cnn_recording(dtype=torch.float32):
    model, X, y = small_cnn(dtype=dtype)
    torch.manual_seed(12)
    rec = record(lambda X, y: F.cross_entropy(model(X), y), X, y)
    torch.manual_seed(12)
    model.zero_grad()
    loss = F.cross_entropy(model(X), y)
    loss.backward()
    return model, rec, loss


def assert_same_gradients(model, rec, atol, rtol):
    rec.output.backward()
    for name, p in model.named_parameters():
        np.testing.assert_allclose(rec.leaves[name].grad, p.grad.double().numpy(), rtol=rtol, atol=atol,
                                   err_msg=name)


def svg_aspect(svg: bytes) -> float:
    width, height = (float(v) for v in re.search(rb'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    return width / height


@pytest.fixture(scope="module")
def gpt():
    return gpt_recording()


@pytest.fixture(scope="module")
def cnn():
    return cnn_recording()


@pytest.fixture(scope="module")
def nanogpt():
    """nanoGPT's model (1 layer, 2 heads, width 16, vocab 10, block 8), recorded as its users call it."""
    model, idx, targets = nano_gpt()
    rec = record(lambda idx, targets: model(idx, targets)[1], idx, targets)
    model.zero_grad()
    _, loss = model(idx, targets)
    loss.backward()
    return model, rec, loss


def test_nanogpt_s_gradients_are_pytorch_s_with_no_opaque_gate(nanogpt):
    model, rec, loss = nanogpt
    assert rec.output.item() == pytest.approx(loss.item(), rel=1e-6)
    assert rec.opaque == () and rec.notes == ()
    assert len(build_trace(rec.output, fill_grads=False).steps) == 156
    assert_same_gradients(model, rec, atol=1e-6, rtol=1e-4)


def test_the_gpt_s_gradients_are_pytorch_s_in_float32(gpt):
    model, rec, loss = gpt
    assert rec.output.item() == pytest.approx(loss.item(), rel=1e-6)
    assert rec.opaque == () and rec.notes == ()
    # tied weights: one leaf, named as named_parameters() names it, with both uses' gradient summed
    assert model.transformer.tok.weight is model.head.weight and "head.weight" not in rec.leaves
    assert_same_gradients(model, rec, atol=1e-6, rtol=1e-4)


def test_the_gpt_s_gradients_are_pytorch_s_to_round_off_in_float64():
    model, rec, loss = gpt_recording(torch.float64, seed=3)
    assert rec.opaque == ()
    assert_same_gradients(model, rec, atol=1e-12, rtol=1e-10)


def test_the_gpt_records_both_attention_forms_as_rules(gpt):
    _, rec, _ = gpt
    ops = [n.op for n in build_trace(rec.output, fill_grads=False).nodes if n.op]
    # block 0 calls scaled_dot_product_attention, block 1 writes attention out by hand
    for op in ("attention", "masked_fill", "batched_matmul", "softmax", "embedding", "normalize", "gelu",
               "gelu_tanh", "dropout", "log_softmax", "index"):
        assert op in ops, op
    assert not any(op.startswith("torch.") for op in ops)


def test_the_cnn_s_gradients_are_pytorch_s_in_float32(cnn):
    model, rec, loss = cnn
    assert rec.output.item() == pytest.approx(loss.item(), rel=1e-6)
    assert rec.opaque == () and rec.notes == ()
    ops = [n.op for n in build_trace(rec.output, fill_grads=False).nodes if n.op]
    for op in ("im2col", "batched_matmul", "normalize", "relu", "max_pool2d", "dropout"):
        assert op in ops, op
    assert_same_gradients(model, rec, atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("which", ["gpt", "cnn"])
def test_every_level_draws(which, request):
    _, rec, _ = request.getfixturevalue(which)
    trace = build_trace(rec.output, fill_grads=False)
    for level in levels_of(trace):
        svg = render_bytes(trace, "svg", level=level)
        assert b"<svg" in svg and b"nan" not in svg.lower().replace(b"nanum", b"")


@pytest.mark.parametrize("which,level", [("gpt", "neuron"), ("cnn", "gate"), ("nanogpt", "neuron")])
def test_the_default_picture_fits_a_slide_and_says_its_level(which, level, request):
    _, rec, _ = request.getfixturevalue(which)
    for svg in (render_bytes(rec.output, "svg"), draw_dot(rec.output)._repr_image_svg_xml().encode()):
        assert svg_aspect(svg) <= MAX_ASPECT
        assert f"drawn at {level} level to fit the page".encode() in svg
        assert b"for another pass level=" in svg
    # a line cut between two bands ends at a pair of lettered connectors, never a diagonal across
    trace, options = fitted_options(rec.output, {})
    pinned = options["pinned"]
    bands = [next(i for i, (_, low, _, high) in enumerate(pinned.bands) if low <= y <= high)
             for y in (pinned.positions[n][1] for n in sorted(pinned.positions))]
    band = dict(zip(sorted(pinned.positions), bands))
    assert {(t, h) for t, h in pinned.edges if band[t] != band[h]} == set(pinned.crossings)
    source = to_dot(trace, **options).source
    for letter, _, _ in pinned.crossings.values():
        assert source.count(f'label="{letter}" pos=') == 2


@pytest.mark.parametrize("which,level", [("gpt", "neuron"), ("cnn", "gate")])
def test_frames_and_the_player_of_a_model_with_no_level_fit_a_slide(which, level, request):
    from graphviz_nn.render.frames import iter_frames
    from graphviz_nn.render.player import build_player

    _, rec, _ = request.getfixturevalue(which)
    trace = build_trace(rec.output, fill_grads=False)
    frames = iter_frames(trace, "svg")
    first, second = next(frames), next(frames)  # one layout for every frame: drawing a few is enough
    frames.close()
    assert svg_aspect(first) <= MAX_ASPECT and svg_aspect(first) == svg_aspect(second)
    assert f"drawn at {level} level to fit the page".encode() in first
    with pytest.raises(PlayerTooLargeError, match=f"at {level} level"):
        build_player(trace, max_bytes=50_000)  # the player draws at that level too (refused early here)


def test_stepping_into_attention_s_backward_shows_its_primitive_gates(gpt):
    _, rec, _ = gpt
    session = Session.from_outputs(rec.output)
    session.level = "gate"
    trace = session.trace
    gate = next(n for n in trace.nodes if n.op == "attention")
    step = next(s for s in trace.steps if s.phase == "backward" and s.node == gate.id)
    session.goto(step.number)
    session.step_into()
    inner = session.trace
    assert session.inside is not None and inner is not trace
    names = [n.op for n in inner.nodes if n.op]
    assert names == ["transpose", "batched_matmul", "mul_const", "masked_fill", "softmax"]
    # the expansion's gradients for q and k are the composite gate's (the outer trace's steps), and
    # PyTorch's: softmax(mask(q·kᵀ·s)) differentiated by torch.autograd with the same upstream
    q_id, k_id = gate.inputs
    outer = {s.input_index: s.contribution for s in trace.steps if s.phase == "backward" and s.node == gate.id}
    leaves = [n for n in inner.nodes if n.is_leaf]
    end = inner.state_at(len(inner.steps))
    q, k = (torch.tensor(trace.forward_value(i), requires_grad=True) for i in (q_id, k_id))
    scores = (q @ k.transpose(-2, -1)) * gate.const.scale
    weights = scores.masked_fill(~torch.tensor(gate.const.keep), float("-inf")).softmax(-1)
    upstream = torch.tensor(trace.grad_at(gate.id, len(trace.steps)))
    dq, dk = torch.autograd.grad(weights, (q, k), upstream)
    for i, (leaf, expected) in enumerate(zip(leaves, (dq, dk))):
        np.testing.assert_allclose(end.grad(leaf.id), outer[i], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(end.grad(leaf.id), expected.numpy(), rtol=1e-9, atol=1e-12)


async def test_the_app_opens_the_gpt_at_the_level_its_pictures_use_and_every_level_shows(gpt):
    from graphviz_nn.tui.app import DebuggerApp
    from graphviz_nn.tui.target import from_outputs

    _, rec, _ = gpt
    app = DebuggerApp(target=from_outputs(rec.output, "tiny GPT"), layout_engine="builtin")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert app.session.level == "neuron"  # as render.fit.default_level chose for the pictures
        seen = set()
        for _ in range(len(app.session.levels)):  # layer level too: the tied head no longer crashes it
            text = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
            assert "tiny GPT" in text and f"level {app.session.level}" in text
            seen.add(app.session.level)
            await pilot.press("l")
            await pilot.pause()
        assert seen == {"gate", "neuron", "layer"}


@pytest.mark.parametrize("which,op", [("gpt", "normalize"), ("gpt", "gelu_tanh"), ("cnn", "normalize")])
def test_stepping_into_layer_norm_batch_norm_and_gelu_gives_the_gate_s_gradient(which, op, request):
    _, rec, _ = request.getfixturevalue(which)
    session = Session.from_outputs(rec.output)
    session.level = "gate"
    trace = session.trace
    gate = next(n for n in trace.nodes if n.op == op)
    step = next(s for s in trace.steps if s.phase == "backward" and s.node == gate.id)
    session.goto(step.number)
    session.step_into()
    inner = session.trace
    assert all(not n.composite for n in inner.nodes) and len([n for n in inner.nodes if n.op]) >= 7
    (leaf,) = [n for n in inner.nodes if n.is_leaf]
    np.testing.assert_allclose(inner.state_at(len(inner.steps)).grad(leaf.id), step.contribution,
                               rtol=1e-9, atol=1e-12)


def test_a_permuting_transpose_reads_as_a_call_and_a_matrix_transpose_as_a_suffix():
    from graphviz_nn.debugger.format import expression
    from graphviz_nn.ops import OPS
    assert expression(OPS["transpose"], (0, 1, 3, 2), ["k"]) == "transpose(k, 0, 1, 3, 2)"
    assert expression(OPS["transpose"], None, ["W"]) == "Wᵀ"


def test_nanogpt_s_neuron_level_is_a_box_per_block_not_one_for_transformer_h():
    torch.manual_seed(0)
    model = NanoGPT(layers=2)
    idx = torch.randint(0, 10, (2, 8))
    rec = record(lambda idx: model(idx, torch.roll(idx, -1, dims=1))[1], idx)
    trace = build_trace(rec.output, fill_grads=False)
    boxes = [n.label for n in collapse(trace, "neuron").nodes if n.kind == "group"]
    assert boxes == ["transformer.wte", "transformer.wpe", "transformer.h.0", "transformer.h.1", "transformer.ln_f"]
    assert page_level(trace) == "neuron"  # the default picture is this one
