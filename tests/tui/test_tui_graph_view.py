"""The graph canvas: draws only visible boxes, joins them with lines, maps clicks to nodes."""
from __future__ import annotations

from textual.app import App

from graphviz_nn.tui.picture.layout import layered_layout
from graphviz_nn.tui.picture.box import Box
from graphviz_nn.tui.widgets.graph_view import BOX_W, GraphView
from tui_helpers import screen_text


class CanvasApp(App):
    def __init__(self, ids, edges, describe):
        super().__init__()
        self.ids, self.edges, self.describe = ids, edges, describe
        self.clicked = []

    def compose(self):
        yield GraphView()

    def on_mount(self):
        positions = layered_layout(self.ids, [(s, d) for s, d, _ in self.edges]).positions
        self.query_one(GraphView).show_graph(positions, self.edges, self.describe)

    def on_graph_view_node_clicked(self, message):
        self.clicked.append(message.node_id)


def chain(n):
    ids = [f"n{i}" for i in range(n)]
    # a long chain with a second input every few nodes: 5,000 nodes over many ranks
    edges = [(ids[i - 1], ids[i], 0) for i in range(1, n)]
    edges += [(ids[i - 2], ids[i], 1) for i in range(2, n, 3)]
    return ids, edges


async def test_only_visible_boxes_are_described_on_a_5000_node_graph():
    asked = set()

    def describe(node_id):
        asked.add(node_id)
        return Box(node_id, "1.00", None)

    ids, edges = chain(5000)
    app = CanvasApp(ids, edges, describe)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        graph = app.query_one(GraphView)
        assert graph.virtual_size.width > 5000  # far wider than the screen
        assert 0 < len(asked) <= 12, len(asked)  # what fits in 80×24, not 5,000
        asked.clear()
        graph.follow("n4000")
        graph.invalidate()
        await pilot.pause()
        assert "n4000" in asked and len(asked) <= 12
        assert "n4000" in screen_text(app)


async def test_boxes_lines_arrows_and_clicks():
    ids = ["a", "b", "c"]
    edges = [("a", "c", 0), ("b", "c", 1)]
    app = CanvasApp(ids, edges, lambda n: Box(f"box {n}", "2.00" if n != "c" else None, None))
    async with app.run_test(size=(60, 16)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "box a" in text and "box b" in text and "box c" in text
        assert text.count("▶") == 2  # one arrow per edge
        assert "= 2.00" in text and "= ?" in text  # c's value is not known yet
        graph = app.query_one(GraphView)
        x, y = graph.box_origin_of("c")
        assert graph.node_at(x + 1, y + 1) == "c"
        assert graph.node_at(x + BOX_W + 1, y) is None
        sx, sy = graph.scroll_offset
        await pilot.click(GraphView, offset=(x - sx + 2, y - sy + 2))
        await pilot.pause()
        assert app.clicked == ["c"]


async def test_current_node_and_edge_use_the_highlight_style():
    ids = ["a", "b"]
    app = CanvasApp(ids, [("a", "b", 0)], lambda n: Box(n, "1.00", "0.50"))
    async with app.run_test(size=(60, 12)) as pilot:
        graph = app.query_one(GraphView)
        graph.current, graph.hot_edge = "b", ("a", "b", 0)
        graph.invalidate()
        await pilot.pause()
        x, y = graph.box_origin_of("b")
        sx, sy = graph.scroll_offset
        strip = graph.render_line(y - sy)
        styles = {seg.text: seg.style for seg in strip}
        assert any(s is not None and s.color is not None and s.color.name == "yellow" for s in styles.values())
