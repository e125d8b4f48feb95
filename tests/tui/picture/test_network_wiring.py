"""The network picture's wiring as drawn: follow the line characters from every box and check
that they reach exactly the boxes the model connects it to (issue 21, item 1).

The picture is painted to characters by the same code the graph pane uses (``raster``), and
read back here with the drawing's conventions: ``┼`` is two wires crossing without touching,
``●`` a connection where a bus (coming along a row) feeds a collector (never the other way
round), ``▶`` an arrow into the box to its right. The expected connections come from the
layer sizes written in the test (fully connected layers), not from the view.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphviz_nn import Value
from graphviz_nn.debugger import build_trace
from graphviz_nn.debugger.network import network
from graphviz_nn.nn import MLP
from graphviz_nn.scenario_format.loader import load_scenario
from graphviz_nn.tui.picture.canvas import COMPACT, FULL, build as generic_build, compact_width
from graphviz_nn.tui.picture.network_view import MAX_SHOWN, MIN_SHOWN, NetworkView
from graphviz_nn.tui.picture.raster import paint_lines

U, D, L, R = (0, -1), (0, 1), (-1, 0), (1, 0)
OPPOSITE = {U: D, D: U, L: R, R: L}
CONNECTS = {"─": {L, R}, "│": {U, D}, "╭": {D, R}, "╮": {D, L}, "╰": {U, R}, "╯": {U, L},
            "├": {U, D, R}, "┤": {U, D, L}, "┬": {L, R, D}, "┴": {L, R, U}, "┼": {U, D, L, R},
            "●": {U, D, L, R}, "▶": {L, R}}


def picture(geo):
    """The whole canvas as characters, and which box covers each cell."""
    chars, _ = paint_lines(geo, 0, 0, geo.width, geo.height)
    owner = {}
    for n, (x, y) in geo.origin.items():
        w, h = geo.size[n]
        for yy in range(y, y + h):
            for xx in range(x, x + w):
                owner[(xx, yy)] = n
    return chars, owner


def follow(chars, owner, start):
    """From a cell just right of a box, along the wires: ``(boxes fed, boxes whose output was
    reached, problems)``."""
    height, width = len(chars), len(chars[0])
    fed, outputs, problems = set(), set(), []
    seen = set()
    todo = [(start, R)]
    while todo:
        (x, y), moving = todo.pop()
        ch = chars[y][x]
        axis = "h" if moving in (L, R) else "v"
        if ((x, y), axis) in seen:
            continue
        seen.add(((x, y), axis))
        exits = CONNECTS[ch]
        if ch == "┼" or (ch == "●" and axis == "v"):  # a crossing goes straight; a collector never feeds a bus
            exits = {L, R} if axis == "h" else {U, D}
        for d in exits:
            nx, ny = x + d[0], y + d[1]
            if not (0 <= nx < width and 0 <= ny < height):
                continue
            if (nx, ny) in owner:
                box = owner[(nx, ny)]
                if d == R and ch == "▶":
                    fed.add(box)
                elif d == L:
                    outputs.add(box)
                else:
                    problems.append(f"a wire runs into {box} at {(x, y)} without an arrow")
                continue
            nch = chars[ny][nx]
            if nch in CONNECTS and OPPOSITE[d] in CONNECTS[nch]:
                todo.append(((nx, ny), d))
    return fed, outputs, problems


def wires(geo):
    """``{box: (boxes its wires feed, other boxes' outputs met on the way)}`` for every box with an output."""
    chars, owner = picture(geo)
    found = {}
    for n, (x, y) in geo.origin.items():
        w, h = geo.size[n]
        for yy in range(y, y + h):
            cell = (x + w, yy)
            if cell[0] < geo.width and cell not in owner and chars[yy][x + w] in CONNECTS \
                    and L in CONNECTS[chars[yy][x + w]]:
                fed, outputs, problems = follow(chars, owner, cell)
                assert not problems, problems
                found[n] = (fed, outputs - {n})
    return found


def expected_edges(sizes):
    """Net node ids of a fully connected MLP with ``sizes`` (inputs first), and the loss."""
    names = [[f"in{k}" for k in range(sizes[0])]]
    names += [[f"neuron:L{i}.N{j + 1}" for j in range(n)] for i, n in enumerate(sizes[1:], start=1)]
    edges = {(s, d) for a, b in zip(names, names[1:]) for s in a for d in b}
    return edges | {(s, "loss") for s in names[-1]}


def scalar_trace(sizes):
    model = MLP(sizes[0], sizes[1:], activation="tanh", seed=1)
    x = [Value(0.5 - k, label=f"x{k}") for k in range(sizes[0])]
    out = model(x)
    outs = out if isinstance(out, list) else [out]
    loss = (outs[0] - 1.0) ** 2
    for o in outs[1:]:  # every output reaches the loss
        loss = loss + (o - 1.0) ** 2
    return build_trace(loss)


def check_wiring(view, geo, sizes):
    drawn = wires(geo)
    model = {(view._box[s], view._box[d]) for s, d in expected_edges(sizes)}  # hidden neurons: their "… more" box
    for box in view.ids:
        if box.startswith("caption:"):
            continue
        targets = {d for s, d in model if s == box}
        if not targets:
            assert box not in drawn or not drawn[box][0], box
            continue
        fed, others = drawn[box]
        assert fed == targets, (box, sorted(fed ^ targets))
        # another box's output on the same wire is only a merge into one box (into the loss)
        assert not others or len(fed) == 1, (box, others, fed)
    assert geo.crossings() == []


def widths_of(view, trace):
    final = trace.state_at(len(trace.steps))
    out = {}
    for n in view.ids:
        box = view.describe(n, final)
        out[n] = compact_width(f"({box.title})" if box.gate else box.title, box.value, box.grad)
    return out


@pytest.mark.parametrize("sizes", [[2, 2, 1], [2, 4, 1], [2, 16, 16, 1], [3, 7, 2], [1, 1, 1], [4, 6, 1, 3]], ids=str)
@pytest.mark.parametrize("style", [COMPACT, FULL], ids=lambda s: s.name)
def test_every_wire_reaches_exactly_the_neurons_the_model_connects(sizes, style):
    trace = scalar_trace(sizes)
    view = NetworkView(trace, network(trace))
    check_wiring(view, view.build_geometry(style, widths_of(view, trace)), sizes)


def test_a_hidden_neuron_in_focus_is_drawn_between_two_more_boxes_and_still_wired_right():
    sizes = [2, 16, 16, 1]
    trace = scalar_trace(sizes)
    view = NetworkView(trace, network(trace))
    inside = next(i.id for i in trace.nodes if i.group[:2] == ("L2", "N9") and not i.is_leaf)
    assert view.box_of(inside).startswith("more:")  # hidden at first
    assert view.refocus(inside)
    assert view.box_of(inside) == "neuron:L2.N9"
    column = view.wiring.columns[2]
    assert column == ["neuron:L2.N1", "more:2:1", "neuron:L2.N9", "more:2:3", "neuron:L2.N16"]
    final = trace.state_at(len(trace.steps))
    assert [view.describe(b, final).title for b in column if b.startswith("more:")] == ["… 7 more", "… 6 more"]
    check_wiring(view, view.build_geometry(COMPACT, widths_of(view, trace)), sizes)
    assert not view.refocus(inside)  # already shown: nothing to redraw


@pytest.mark.parametrize("sid, sizes", [("mlp-xor", [2, 4, 1]), ("mlp-moons", [2, 16, 16, 1])])
def test_catalogue_networks_are_wired_right(sid, sizes):
    trace = load_scenario(sid).trace()
    view = NetworkView(trace, network(trace))
    geo = view.build_geometry(COMPACT, widths_of(view, trace))
    check_wiring(view, geo, sizes)
    columns = view.wiring.columns
    drawn_weights = sum(len(a) * len(b) for a, b in zip(columns[:-2], columns[1:-1]))  # not into the loss
    assert len(geo.joints) == len({key for *_, key in geo.joints}) == drawn_weights  # one ● per drawn weight
    if max(sizes) <= MAX_SHOWN:
        assert drawn_weights == sum(a * b for a, b in zip(sizes, sizes[1:]))


def test_the_old_shared_bus_fails_this_check():
    """The check can fail: mlp-xor drawn by the generic router (one shared jog column per gap,
    the picture the issue reported) reads as x0 feeding some neurons only."""
    trace = load_scenario("mlp-xor").trace()
    view = NetworkView(trace, network(trace))
    geo = generic_build(view.positions(), view.edges, COMPACT, widths_of(view, trace))
    with pytest.raises(AssertionError):
        check_wiring(view, geo, [2, 4, 1])


def test_a_missing_joint_fails_this_check():
    """Without its ● a bus only crosses a collector: that weight's connection is gone, and the check says so."""
    trace = scalar_trace([3, 4, 1])
    view = NetworkView(trace, network(trace))
    geo = view.build_geometry(COMPACT, widths_of(view, trace))
    check_wiring(view, geo, [3, 4, 1])
    x, y, key = next(j for j in geo.joints if j[2] == ("in1", "neuron:L1.N1"))
    geo.joints.remove((x, y, key))
    chars, _ = picture(geo)
    assert chars[y][x] == "┼"  # now drawn as a plain crossing
    with pytest.raises(AssertionError):
        check_wiring(view, geo, [3, 4, 1])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 8), min_size=3, max_size=5), st.sampled_from([COMPACT, FULL]),
       st.integers(0, 7))
def test_any_mlp_is_wired_right_whichever_neuron_is_in_focus(sizes, style, focus):
    """Property: any layer sizes (wide layers elided), any hidden neuron brought into view."""
    trace = scalar_trace(sizes)
    view = NetworkView(trace, network(trace))
    hidden = [b for b in view.ids if b.startswith("more:")]
    if hidden:
        view.expand(hidden[focus % len(hidden)])
    check_wiring(view, view.build_geometry(style, widths_of(view, trace)), sizes)


@pytest.mark.parametrize("sizes", [[2, 2, 1], [2, 4, 1], [2, 16, 16, 1], [4, 6, 1, 3]], ids=str)
@pytest.mark.parametrize("rows", [MIN_SHOWN, MIN_SHOWN + 1])
def test_a_folded_network_on_a_small_terminal_is_wired_right(sizes, rows):
    trace = scalar_trace(sizes)
    view = NetworkView(trace, network(trace))
    view.fold(rows)
    assert all(len(column) <= rows for column in view.wiring.columns)
    check_wiring(view, view.build_geometry(COMPACT, widths_of(view, trace)), sizes)
    assert view.fold(MAX_SHOWN) or rows == MAX_SHOWN  # unfolding gives the boxes back
    assert view.wiring.columns[1] == [f"neuron:L1.N{j + 1}" for j in range(sizes[1])] or sizes[1] > MAX_SHOWN


def test_folded_to_three_the_current_neuron_sits_between_two_more_boxes_that_count_the_rest():
    sizes = [2, 4, 1]  # mlp-xor's shape: four hidden neurons fold at 80×24
    trace = scalar_trace(sizes)
    view = NetworkView(trace, network(trace))
    assert view.wiring.columns[1] == [f"neuron:L1.N{j}" for j in range(1, 5)]
    assert view.fold(MIN_SHOWN)
    final = trace.state_at(len(trace.steps))
    titles = [view.describe(b, final).title for b in view.wiring.columns[1]]
    assert titles == ["L1.N1", "… 2 more", "L1.N4"]  # the first and the last, the rest counted
    inside = next(i.id for i in trace.nodes if i.group[:2] == ("L1", "N2") and not i.is_leaf)
    assert view.refocus(inside)
    titles = [view.describe(b, final).title for b in view.wiring.columns[1]]
    assert titles == ["… 1 more", "L1.N2", "… 2 more"]
    check_wiring(view, view.build_geometry(COMPACT, widths_of(view, trace)), sizes)
    assert not view.fold(1) and view.rows == MIN_SHOWN  # never fewer than three boxes


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 8), min_size=3, max_size=5), st.integers(0, 40))
def test_any_folded_mlp_is_wired_right_whichever_neuron_is_current(sizes, pick):
    """Property: folded to three boxes, any neuron brought into view by a step, wiring still true."""
    trace = scalar_trace(sizes)
    view = NetworkView(trace, network(trace))
    view.fold(MIN_SHOWN)
    gates = [i.id for i in trace.nodes if len(i.group) >= 2 and not i.is_leaf]
    view.refocus(gates[pick % len(gates)])
    assert view.box_of(gates[pick % len(gates)]).startswith("neuron:")
    assert all(len(column) <= MIN_SHOWN for column in view.wiring.columns)
    check_wiring(view, view.build_geometry(COMPACT, widths_of(view, trace)), sizes)


def _lit_cells_by_hand(geo, sx, sy, w, h, hot_key):
    """Which window cells the highlighted edge lights, cell by cell from the segments' ends
    (independent of raster's walk): a segment's cells when its key is the hot edge's, and a
    joint only for its own edge."""
    def hot(key):
        return key is not None and tuple(key[:2]) == tuple(hot_key[:2])

    lit = set()
    for x0, y0, x1, y1, key, _ in geo.segments:
        cells = [(y0, x) for x in range(x0, x1 + 1)] if y0 == y1 else [(y, x0) for y in range(y0, y1 + 1)]
        if hot(key):
            lit.update((y - sy, x - sx) for y, x in cells if sx <= x < sx + w and sy <= y < sy + h)
    for x, y, key in geo.joints:
        if sx <= x < sx + w and sy <= y < sy + h:
            (lit.add if hot(key) else lit.discard)((y - sy, x - sx))
    return lit


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_the_highlight_lights_exactly_the_stepped_weights_cells_in_any_window(seed):
    # the graph pane keeps the painted lines and repaints only the highlight: check that part
    import random
    rng = random.Random(seed)
    trace = scalar_trace([2, 4, 3, 1])
    view = NetworkView(trace, network(trace))
    geo = view.build_geometry(COMPACT, widths_of(view, trace))
    keys = sorted({tuple(s[4][:2]) for s in geo.segments if s[4] is not None and s[4][0] is not None})
    hot_key = rng.choice(keys)
    sx, sy = rng.randrange(geo.width), rng.randrange(geo.height)
    w, h = rng.randrange(1, geo.width + 1), rng.randrange(1, geo.height + 1)
    _, hot = paint_lines(geo, sx, sy, w, h, None, hot_key)
    assert {(r, c) for r in range(h) for c in range(w) if hot[r][c]} == _lit_cells_by_hand(geo, sx, sy, w, h, hot_key)
    full, _ = paint_lines(geo, 0, 0, geo.width, geo.height)
    window, _ = paint_lines(geo, sx, sy, w, h)
    assert window == [row[sx:sx + w] + [" "] * max(0, sx + w - geo.width) for row in full[sy:sy + h]] + \
        [[" "] * w] * max(0, sy + h - geo.height)  # a window reads as the same cut of the whole canvas
