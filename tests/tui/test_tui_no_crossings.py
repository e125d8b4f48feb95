"""No line runs through a box: every catalogue scenario, gate and neuron level, both layouts
(built-in and Graphviz) and both node styles, as the app draws them."""
from __future__ import annotations

import pytest

from graphviz_nn.scenario_format.loader import catalogue_ids, load_scenario
from graphviz_nn.tui.picture.canvas import COMPACT, FULL, build, compact_width
from graphviz_nn.tui.picture.layout import dot_available, graphviz_layout, layered_layout
from graphviz_nn.tui.picture.level_graph import make_view

ENGINES = ["built-in"] + (["graphviz"] if dot_available() else [])


def _positions(view, engine):
    if hasattr(view, "positions"):
        return view.positions()
    edges = [(e[0], e[1]) for e in view.edges]
    if engine == "graphviz":
        return graphviz_layout(view.ids, edges).positions
    return layered_layout(view.ids, edges).positions


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("level", ["gate", "neuron"])
@pytest.mark.parametrize("sid", catalogue_ids())
def test_no_edge_runs_through_a_box(sid, level, engine):
    trace = load_scenario(sid).trace()
    view = make_view(trace, level)
    if engine == "graphviz" and len(view.ids) > 1500:
        pytest.skip("the app lays graphs this big out with the built-in layout")
    positions = _positions(view, engine)
    final = trace.state_at(len(trace.steps))
    widths = {}
    for n in view.ids:
        box = view.describe(n, final)
        widths[n] = compact_width(f"({box.title})" if box.gate else box.title, box.value, box.grad)
    for style in (FULL, COMPACT):
        if hasattr(view, "build_geometry"):  # a network draws its own crossbars, as in the app
            geo = view.build_geometry(style, widths)
        else:
            geo = build(positions, view.edges, style, widths)
        assert geo.crossings() == [], (style.name, geo.crossings()[:5])


def test_add_mul_x_to_plus_does_not_cross_the_times_box():
    """The issue's example: with Graphviz's layout the x→+ edge ran through the * box."""
    trace = load_scenario("add-mul").trace()
    view = make_view(trace, "gate")
    positions = _positions(view, ENGINES[-1])
    geo = build(positions, view.edges, FULL)
    assert geo.crossings() == []
    times = next(i.id for i in trace.nodes if i.op == "mul")
    x0, y0 = geo.origin[times]
    w, h = geo.size[times]
    cells = {(x, y) for x0_, y0_, x1, y1, *_ in geo.segments for x in range(x0_, x1 + 1) for y in range(y0_, y1 + 1)}
    assert not any((x, y) in cells for x in range(x0, x0 + w) for y in range(y0, y0 + h))


def test_crossings_finds_a_line_through_a_box():
    """The check can fail: a hand-made picture with a line through the middle box."""
    geo = build({"a": (0, 0.0), "b": (1, 0.0), "c": (2, 0.0)}, [("a", "c", 0)], FULL)
    geo.segments.append((0, geo.origin["b"][1] + 2, geo.width, geo.origin["b"][1] + 2, ("a", "c", 0), True))
    assert any(node == "b" for _, node in geo.crossings())
