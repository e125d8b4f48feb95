"""Pictures that fit a page (render.fit): the default level of a large tensor graph, the folded
layout, and scalar graphs drawn exactly as before."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphviz_nn import Tensor, Value
from graphviz_nn.debugger import build_trace
from graphviz_nn.render import draw_dot, render_bytes, to_dot
from graphviz_nn.render.dot import Pinned
from graphviz_nn.render.fit import MARGIN, MAX_ASPECT, READABLE_NODES, aspect, default_level, fold
from graphviz_nn.render.frames import iter_frames
from graphviz_nn.render.micrograd_style import micrograd_dot


def chain_layout(columns: int, rows: int = 1, step: float = 90.0, width: float = 50.0, height: float = 30.0):
    """A left-to-right layout: ``columns`` ranks of ``rows`` nodes each, as dot would place them."""
    positions, sizes = {}, {}
    for c in range(columns):
        for r in range(rows):
            positions[f"n{c}_{r}"] = (MARGIN + width / 2 + c * step, MARGIN + height / 2 + r * 45.0)
            sizes[f"n{c}_{r}"] = (width, height)
    w = 2 * MARGIN + width + (columns - 1) * step
    h = 2 * MARGIN + height + (rows - 1) * 45.0
    return Pinned(positions, f"0,0,{w:.2f},{h:.2f}", sizes)


@settings(max_examples=40, deadline=None)
@given(columns=st.integers(1, 300), rows=st.integers(1, 4))
def test_a_folded_layout_is_within_the_aspect_and_keeps_each_band_s_shape(columns, rows):
    layout = chain_layout(columns, rows)
    folded = fold(layout)
    if aspect(layout) <= MAX_ASPECT:
        assert folded is layout
        return
    width, height = (float(v) for v in folded.bb.split(",")[2:4])
    assert aspect(folded) <= MAX_ASPECT * 1.15  # cuts fall between columns, so bands differ by one column
    assert aspect(folded) < aspect(layout)
    for node, (x, y) in folded.positions.items():
        w, h = folded.sizes[node]
        assert w / 2 - 1e-6 <= x <= width - w / 2 + 1e-6 and h / 2 - 1e-6 <= y <= height - h / 2 + 1e-6
    # the rows of one rank stay together and keep their vertical spacing
    for c in range(columns):
        ys = [folded.positions[f"n{c}_{r}"][1] - layout.positions[f"n{c}_{r}"][1] for r in range(rows)]
        xs = {folded.positions[f"n{c}_{r}"][0] for r in range(rows)}
        assert np.ptp(ys) < 1e-9 and len(xs) == 1
    # reading band by band, left to right, is the original order
    order = sorted(range(columns), key=lambda c: (-folded.positions[f"n{c}_0"][1], folded.positions[f"n{c}_0"][0]))
    assert order == list(range(columns))


def test_scalar_graphs_keep_micrograd_s_and_the_lecture_s_exact_pictures():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    out = (a * b + a).tanh()
    for _ in range(40):  # a long scalar chain: wide, and still drawn as one row
        out = out * 1.01
    assert draw_dot(out).source == micrograd_dot(out).source
    assert default_level(build_trace(out, fill_grads=False)) == "gate"
    assert render_bytes(out, "dot") == to_dot(out, level="gate").source.encode()


def test_a_small_tensor_graph_is_drawn_at_gate_level_and_folded_when_it_is_a_strip():
    X, W = Tensor(np.ones((2, 3)), label="X"), Tensor(np.ones((3, 2)), label="W")
    out = X @ W
    for _ in range(12):
        out = (out * 0.5).tanh()
    out = out.sum()
    trace = build_trace(out, fill_grads=False)
    assert len(trace.nodes) <= READABLE_NODES and default_level(trace) == "gate"
    svg = render_bytes(out, "svg")
    width, height = (float(v) for v in re.search(rb'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    assert width / height <= MAX_ASPECT * 1.15
    assert b"drawn at gate level to fit the page" in svg
    wide = render_bytes(out, "svg", level="gate")  # asked for: one row, as before, no title
    assert b"to fit the page" not in wide


def test_a_level_asked_for_is_drawn_as_asked():
    X = Tensor(np.ones((2, 3)), label="X")
    out = (X * 2.0).sum()
    assert render_bytes(out, "dot", level="gate") == to_dot(out, level="gate").source.encode()


def test_frames_of_a_strip_are_folded_like_the_picture():
    X = Tensor(np.ones((2, 2)), label="X")
    out = X
    for _ in range(15):
        out = (out * 0.5).tanh()
    out = out.sum()
    first = next(iter(iter_frames(out, "svg")))
    width, height = (float(v) for v in re.search(rb'width="([\d.]+)pt" height="([\d.]+)pt"', first).groups())
    assert width / height <= MAX_ASPECT * 1.15
    assert b"drawn at gate level to fit the page" in first
