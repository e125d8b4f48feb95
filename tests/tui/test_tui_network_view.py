"""The network picture in the running app: a layer wider than five neurons shows the current
neuron when the step reaches it, with explicit "… k more" boxes for the rest (issue 21)."""
from __future__ import annotations

from graphviz_nn.tui.app import DebuggerApp
from graphviz_nn.tui.widgets.graph_view import GraphView
from tui_helpers import screen_text


async def test_a_hidden_neuron_comes_into_view_when_the_step_reaches_it():
    app = DebuggerApp(scenario="mlp-regression", layout_engine="builtin")  # 1-8-1
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(3):  # l cycles the levels this scenario offers
            if app.session.level == "neuron":
                break
            await pilot.press("l")
            await pilot.pause()
        assert app.session.level == "neuron"
        text = screen_text(app)
        assert "(L1.N1)" in text and "(L1.N2)" in text and "(L1.N8)" in text
        assert "… 5 more" in text and "(L1.N5)" not in text  # hidden, and said so
        trace = app.session.trace
        k = next(s.number for s in trace.steps if s.phase == "forward" and s.group[:2] == ("L1", "N5"))
        app.session.goto(k)
        app.refresh_view()
        await pilot.pause()
        text = screen_text(app)
        assert "(L1.N5)" in text and "… 3 more" in text and "… 2 more" in text  # N2-N4 and N6-N7
        graph = app.query_one(GraphView)
        assert trace.steps[k - 1].text.startswith("L1.N5.w0 =")  # the neuron's first step is its weight's value
        assert graph.current == "caption:0" and "L1.N5.w0" in screen_text(app)  # lit: the caption reading it
        assert graph.geometry(graph.style_name).crossings() == []
        gate = next(s.number for s in trace.steps[k:] if s.group[:2] == ("L1", "N5") and "*" in s.text)
        app.session.goto(gate)  # n = L1.N5.w0 * x0: the neuron is being computed
        app.refresh_view()
        await pilot.pause()
        assert graph.current == "neuron:L1.N5"
        assert graph.hot_edge == ("in0", "neuron:L1.N5")
        await pilot.press("home")
        await pilot.pause()
        assert "(L1.N5)" in screen_text(app)  # stays until another hidden neuron is reached


async def test_clicking_a_more_box_shows_the_neuron_in_its_middle_and_selects_it():
    app = DebuggerApp(scenario="mlp-moons", layout_engine="builtin")  # 2-16-16-1
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert app.session.level == "neuron"
        assert "… 13 more" in screen_text(app) and "(L2.N9)" not in screen_text(app)
        app.post_message(GraphView.NodeClicked("more:2:2"))  # L2's box for N3..N15
        await pilot.pause()
        text = screen_text(app)
        assert "(L2.N9)" in text and "… 6 more" in text  # N3..N8 above it, N10..N15 below
        assert app.selected == "neuron:L2.N9"
        assert "neuron L2.N9" in app.query_one("#inspector").plain
