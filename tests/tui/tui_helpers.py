"""Helpers for the TUI tests: the text on screen, and one box's text in the graph pane."""
from __future__ import annotations

from graphviz_nn.tui.widgets.graph_view import BOX_H, BOX_W, GraphView


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
    return "\n".join(line[left:left + BOX_W] for line in lines[top:top + BOX_H])


def node_id(app, label: str) -> str:
    """The id of the node a label names, in the trace on screen."""
    return app.session.trace.find(label)
