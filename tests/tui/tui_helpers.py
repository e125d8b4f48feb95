"""Helpers for the TUI tests: the text on screen, and one box's text in the graph pane."""
from __future__ import annotations

from graphviz_nn.tui.widgets.graph_view import GraphView


def screen_text(app) -> str:
    """Everything the terminal shows right now, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def box_text(app, pilot, node_id: str) -> str:
    """Scroll the graph pane to a node's box and return the box's rows as they are on screen."""
    graph = app.query_one(GraphView)
    graph.follow(node_id)
    await pilot.pause()
    x, y = graph.box_origin_of(node_id)
    sx, sy = graph.scroll_offset
    region = graph.content_region
    lines = screen_text(app).splitlines()
    top, left = region.y + y - sy, region.x + x - sx
    w, h = graph.box_size_of(node_id)
    return "\n".join(line[left:left + w] for line in lines[top:top + h])


def node_id(app, label: str) -> str:
    """The id of the node a label names, in the trace on screen."""
    return app.session.trace.find(label)


def assert_consistent(app) -> None:
    """The debugger state is valid and the main screen shows it (header, graph highlight, step list)."""
    from graphviz_nn.tui.widgets.step_list import StepList

    session = app.session
    assert session is not None
    trace = session.trace
    assert 0 <= session.k <= len(trace.steps)
    assert session.level in ("gate", "neuron", "layer")
    state = session.state
    graph = app.query_one(GraphView)
    view = app._view
    assert view is not None and view.trace is trace
    assert graph.current == view.box_of(state.current)
    assert app.query_one(StepList).current == (session.k - 1 if session.k else None)
    header = app.query_one("#header").text
    assert f"step {session.k} of {len(trace.steps)}" in header


def messages(app) -> list:
    """The toasts the app has on screen (its one-sentence messages)."""
    return [n.message for n in app._notifications]
