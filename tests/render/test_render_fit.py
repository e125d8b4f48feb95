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


def chain_layout(columns: int, rows: int = 1, step: float = 90.0, width: float = 50.0, height: float = 30.0,
                 skips: tuple = ()):
    """A left-to-right layout: ``columns`` ranks of ``rows`` nodes each, as dot would place them,
    each node joined to the one after it in its row, and column c's first node to column c + s
    for each s in ``skips`` (a residual connection)."""
    positions, sizes, edges = {}, {}, []
    for c in range(columns):
        for r in range(rows):
            positions[f"n{c}_{r}"] = (MARGIN + width / 2 + c * step, MARGIN + height / 2 + r * 45.0)
            sizes[f"n{c}_{r}"] = (width, height)
            if c + 1 < columns:
                edges.append((f"n{c}_{r}", f"n{c + 1}_{r}"))
        edges += [(f"n{c}_0", f"n{c + s}_0") for s in skips if c + s < columns]
    w = 2 * MARGIN + width + (columns - 1) * step
    h = 2 * MARGIN + height + (rows - 1) * 45.0
    return Pinned(positions, f"0,0,{w:.2f},{h:.2f}", sizes, tuple(edges))


def band_of(folded, x: float, y: float) -> int:
    """Which of a folded layout's bands holds the point (x, y)."""
    inside = [i for i, (x0, y0, x1, y1) in enumerate(folded.bands) if x0 <= x <= x1 and y0 - 1e-6 <= y <= y1 + 1e-6]
    assert len(inside) == 1, (x, y, folded.bands)
    return inside[0]


@settings(max_examples=40, deadline=None)
@given(columns=st.integers(1, 300), rows=st.integers(1, 4), skips=st.lists(st.integers(2, 40), max_size=2))
def test_a_folded_layout_is_within_the_aspect_and_keeps_each_band_s_shape(columns, rows, skips):
    layout = chain_layout(columns, rows, skips=tuple(skips))
    folded = fold(layout)
    if aspect(layout) <= MAX_ASPECT:
        assert folded is layout
        return
    width, height = (float(v) for v in folded.bb.split(",")[2:4])
    assert aspect(folded) <= MAX_ASPECT  # the fewest bands that fit
    assert aspect(fold_into(layout, len(folded.bands) - 1)) > MAX_ASPECT or len(folded.bands) == 2
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
    # a line between two bands ends at a connector beside each band, after its tail and before its head
    for tail, head in layout.edges:
        (xt, yt), (xh, yh) = folded.positions[tail], folded.positions[head]
        bt, bh = band_of(folded, xt, yt), band_of(folded, xh, yh)
        if bt == bh:
            assert (tail, head) not in folded.crossings
            continue
        letter, (ox, oy), (ix, iy) = folded.crossings[(tail, head)]
        assert band_of(folded, ox, oy) == bt and band_of(folded, ix, iy) == bh
        assert ox > max(x + folded.sizes[n][0] / 2 for n, (x, y) in folded.positions.items() if band_of(folded, x, y) == bt)
        assert ix < min(x - folded.sizes[n][0] / 2 for n, (x, y) in folded.positions.items() if band_of(folded, x, y) == bh)
    letters = [c[0] for c in folded.crossings.values()]
    assert len(set(letters)) == len(letters)


def fold_into(layout, bands: int):
    """The layout cut into exactly ``bands`` bands the way ``fold`` cuts it (to show fewer do not fit)."""
    from graphviz_nn.render import fit
    xs = sorted({x for x, _ in layout.positions.values()})
    gaps = [(a + b) / 2 for a, b in zip(xs, xs[1:])]
    crossed = {g: 0 for g in gaps}
    return fit._arrange(layout, fit._cuts(layout, gaps, crossed, bands))


def test_a_cut_falls_where_fewest_lines_cross():
    # a residual line from every fourth column c to c + 2: the gaps after columns 4k and 4k + 1
    # are crossed by two lines, those after 4k + 2 and 4k + 3 by the chain alone
    layout = chain_layout(40, 1, step=60.0)
    skips = tuple((f"n{c}_0", f"n{c + 2}_0") for c in range(0, 38, 4))
    layout = Pinned(layout.positions, layout.bb, layout.sizes, layout.edges + skips)
    folded = fold(layout)
    assert len(folded.bands) >= 2 and aspect(folded) <= MAX_ASPECT
    assert len(folded.crossings) == len(folded.bands) - 1  # one line per cut: the chain's own
    assert all(int(tail[1:].split("_")[0]) % 4 in (2, 3) for tail, _ in folded.crossings)


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


def svg_size(svg: bytes) -> tuple:
    return tuple(float(v) for v in re.search(rb'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())


def drawn_lines(source: str) -> list:
    """Every line a DOT source draws, as (tail, head) node names (ports left off)."""
    return [(m[1], m[2]) for m in re.finditer(r"^\t(\w+)(?::\S+)? -> (\w+)", source, re.M)]


def positions_in(source: str) -> dict:
    return {m[1]: (float(m[2]), float(m[3])) for m in re.finditer(r'^\t(\w+) \[.*pos="([-\d.]+),([-\d.]+)!"', source, re.M)}


def test_mlp_moons_default_picture_is_within_4_to_1_and_no_line_runs_between_bands():
    from graphviz_nn.render.fit import fitted_options
    from graphviz_nn.scenario_build.to_trace import to_trace

    svg = render_bytes("mlp-moons", "svg")
    width, height = svg_size(svg)
    assert width / height <= MAX_ASPECT
    assert b"drawn at gate level to fit the page" in svg
    trace, options = fitted_options(to_trace("mlp-moons").trace, {})
    pinned = options["pinned"]
    assert len(pinned.bands) >= 2 and pinned.crossings
    source = to_dot(trace, **options).source
    where = positions_in(source)
    for tail, head in drawn_lines(source):  # both ends of every drawn line in one band
        (xt, yt), (xh, yh) = where[tail], where[head]
        assert band_of(pinned, xt, yt) == band_of(pinned, xh, yh), (tail, head)
    # each cut line: a connector after its tail and one before its head, with the same letter
    connectors = re.findall(r'\t(to|from)_(\w+?)_\w+ \[id="\S+" class="connector".*label="(\w+)"', source)
    assert sorted(c[1] for c in connectors if c[0] == "to") == sorted(c[1] for c in connectors if c[0] == "from")
    assert sorted(c[1] for c in connectors if c[0] == "to") == sorted(letter for letter, _, _ in pinned.crossings.values())
    assert all(letter == label for _, letter, label in connectors)


def test_frames_and_player_with_no_level_fit_the_page_with_one_layout_for_every_frame():
    from graphviz_nn import player

    frames = list(iter_frames("mlp-moons", "svg"))
    assert len(frames) == 51
    sizes = {svg_size(f) for f in frames}
    assert len(sizes) == 1  # one pinned layout: no frame jumps
    width, height = sizes.pop()
    assert width / height <= MAX_ASPECT
    assert all(b"drawn at gate level to fit the page" in f for f in frames)
    assert all(b'class="node connector"' in f for f in frames)
    made = player("mlp-moons", max_bytes=None)
    assert made.level == "gate" and made.svgs[0].encode() == frames[0]
    assert player("mlp-moons", level="layer", max_bytes=None).level == "layer"


def test_a_player_of_values_with_no_level_is_the_gate_level_player_byte_for_byte():
    from graphviz_nn import player

    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    out = (a * b + a).tanh()
    for _ in range(30):  # long enough that a tensor graph this wide would be folded
        out = out * 1.01
    default, gate = player(out), player(out, level="gate")
    assert default.level == "gate" and default.svgs == gate.svgs
    assert b"to fit the page" not in default.svgs[0].encode()


def test_the_app_opens_a_tensor_graph_at_the_level_its_pictures_are_drawn_at():
    from graphviz_nn.debugger.levels import opening_level
    from graphviz_nn.recording import group
    from graphviz_nn.scenario_build.to_trace import to_trace

    for scenario in ("mlp-moons", "mini-batch-sgd", "dropout"):
        trace = to_trace(scenario).trace
        assert opening_level(trace) == default_level(trace)
    X = Tensor(np.ones((2, 2)), label="X")
    out = X
    for i in range(40):  # 81 nodes in groups: past READABLE_NODES at gate level, so a coarser level
        with group(f"L{i // 10}", f"N{i}"):
            out = (out * 0.5).tanh()
    trace = build_trace(out.sum(), fill_grads=False)
    assert len(trace.nodes) > READABLE_NODES
    assert opening_level(trace) == default_level(trace) == "neuron"


@settings(max_examples=8, deadline=None)
@given(ops=st.lists(st.sampled_from(["tanh", "half", "residual", "relu"]), min_size=12, max_size=45),
       width=st.integers(1, 3))
def test_any_folded_tensor_chain_is_within_4_to_1_with_every_drawn_line_inside_one_band(ops, width):
    from graphviz_nn.render.fit import fitted_options

    X = Tensor(np.linspace(-1, 1, 2 * width).reshape(2, width), label="X")
    out, earlier = X, [X]
    for op in ops:  # a chain with residual connections back to a node a few steps earlier
        out = {"tanh": lambda t: t.tanh(), "half": lambda t: t * 0.5, "relu": lambda t: t.relu(),
               "residual": lambda t: t + earlier[-min(len(earlier), 4)]}[op](out)
        earlier.append(out)
    out = out.sum()
    trace, options = fitted_options(out, {"level": "gate", "fit": True})
    svg = render_bytes(trace, "svg", **options)
    width_pt, height_pt = svg_size(svg)
    assert width_pt / height_pt <= MAX_ASPECT
    pinned = options.get("pinned")
    if pinned is None:  # it fitted unfolded
        return
    source = to_dot(trace, **options).source
    where = positions_in(source)
    for tail, head in drawn_lines(source):
        assert band_of(pinned, *where[tail]) == band_of(pinned, *where[head]), (tail, head)
    letters = re.findall(r'class="connector".*label="(\w+)"', source)
    assert sorted(letters) == sorted(2 * [letter for letter, _, _ in pinned.crossings.values()])
