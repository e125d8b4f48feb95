"""The network picture in the running app: a layer wider than five neurons shows the current
neuron when the step reaches it, with explicit "… k more" boxes for the rest (issue 21)."""
from __future__ import annotations

from graphviz_nn.tui.app import DebuggerApp
from graphviz_nn.tui.widgets.graph_view import GraphView
from tui_helpers import screen_text


async def test_a_hidden_neuron_comes_into_view_when_the_step_reaches_it():
    app = DebuggerApp(scenario="mlp-regression", layout_engine="builtin")  # 1-8-1
    async with app.run_test(size=(120, 36)) as pilot:
        await neuron_level(app, pilot)
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


async def neuron_level(app, pilot) -> None:
    for _ in range(3):  # l cycles the levels this scenario offers
        if app.session.level == "neuron":
            break
        await pilot.press("l")
        await pilot.pause()
    assert app.session.level == "neuron"


def whole_picture_in_view(app) -> bool:
    graph = app.query_one(GraphView)
    geo = graph.geometry(graph.style_name)
    region = graph.content_region
    return geo.width <= region.width and geo.height <= region.height


async def test_at_80x24_the_network_folds_and_takes_the_width_with_no_key_and_0_brings_the_inspector_back():
    app = DebuggerApp(scenario="mlp-moons", layout_engine="builtin")  # 2-16-16-1
    async with app.run_test(size=(80, 24)) as pilot:
        await neuron_level(app, pilot)
        await pilot.pause()
        side, steps = app.query_one("#side"), app.query_one("#steps")
        assert not side.display and steps.display  # the inspector made room, the step list stayed
        assert whole_picture_in_view(app)
        text = screen_text(app)
        for box in ("X[0]", "X[1]", "(L1.N1)", "(L2.N1)", "(L3.N1)", "(loss)", "… 14 more"):
            assert box in text, box
        for _ in range(30):  # through the forward pass into the backward pass: still all in view
            await pilot.press("n")
        await pilot.pause()
        assert app.session.k == 30 and whole_picture_in_view(app) and "(L3.N1)" in screen_text(app)
        await pilot.press("0")
        await pilot.pause()
        assert side.display  # the inspector back beside a picture that scrolls
        await pilot.press("0")
        await pilot.pause()
        assert not side.display
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        await pilot.pause()
        assert side.display and whole_picture_in_view(app)
        assert "… 13 more" in screen_text(app) and "(L1.N16)" in screen_text(app)  # five boxes a layer again


async def test_at_80x24_mlp_xor_folds_its_four_neurons_beside_the_inspector():
    app = DebuggerApp(scenario="mlp-xor", layout_engine="builtin")  # 2-4-1
    async with app.run_test(size=(80, 24)) as pilot:
        await neuron_level(app, pilot)
        await pilot.pause()
        assert app.query_one("#side").display and whole_picture_in_view(app)
        assert "… 2 more" in screen_text(app)
        trace = app.session.trace
        k = next(s.number for s in trace.steps if s.phase == "forward" and s.group[:2] == ("L1", "N3")
                 and not trace.node(s.node).is_leaf)
        app.session.goto(k)
        app.refresh_view()
        await pilot.pause()
        graph = app.query_one(GraphView)
        assert graph.current == "neuron:L1.N3" and "(L1.N3)" in screen_text(app)
        assert whole_picture_in_view(app)


async def test_b_on_a_neuron_box_then_c_stops_where_the_neuron_starts_and_on_a_layer_box_where_the_layer_starts():
    app = DebuggerApp(scenario="mlp-xor", layout_engine="builtin")  # 2-4-1
    async with app.run_test(size=(120, 36)) as pilot:
        await neuron_level(app, pilot)
        trace = app.session.trace
        app.selected = "neuron:L1.N3"
        await pilot.press("b")
        await pilot.pause()
        assert ("L1", "N3") in app.session.group_breakpoints
        await pilot.press("c")
        await pilot.pause()
        first = next(s.number for s in trace.steps if s.group[:2] == ("L1", "N3"))  # from the groups
        assert app.session.k == first
        assert trace.steps[first - 2].group[:2] != ("L1", "N3")  # it stopped on entering, not later
        app.selected = None
        weight = trace.steps[first - 1].node  # the neuron's first step: its weight's value, lit in the caption
        assert trace.node(weight).label == "L1.N3.w0"
        await pilot.press("b")  # on the caption being stepped: a breakpoint on that weight (was a crash)
        await pilot.pause()
        assert app.session.breakpoints == {weight}
        await pilot.press("b")
        await pilot.pause()
        assert not app.session.breakpoints
        app.selected = "more:1:2" if "more:1:2" in app.picture.view.ids else "caption:1"
        await pilot.press("b")  # a box standing for several nodes: one sentence, nothing set
        await pilot.pause()
        assert not app.session.breakpoints and app.session.group_breakpoints == {("L1", "N3")}
        app.selected = "neuron:L1.N3"
        await pilot.press("b")  # on the neuron again: cleared
        await pilot.pause()
        assert not app.session.group_breakpoints
        await pilot.press("l")  # neuron -> layer
        await pilot.pause()
        assert app.session.level == "layer"
        await pilot.press("home")
        layer = next(b for b in app.picture.view.ids if app.picture.view.group_path(b) == ("L2",))
        app.selected = layer
        await pilot.press("b")
        await pilot.pause()
        assert ("L2",) in app.session.group_breakpoints
        await pilot.press("c")
        await pilot.pause()
        assert app.session.k == next(s.number for s in trace.steps if s.group[:1] == ("L2",))
