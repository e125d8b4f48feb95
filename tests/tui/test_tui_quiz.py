"""Quiz mode keeps its secrets (issue 21): the lecture pane's quoted numbers and the diagnostic
flags appear only once the step that computes them is reached, or when v reveals everything."""
from __future__ import annotations

import math

from graphviz_nn.tui.app import DebuggerApp
from graphviz_nn.tui.presenter import hide_numbers, quiz_numbers
from graphviz_nn.scenario_format import load_scenario
from graphviz_nn.tui.widgets.graph_view import GraphView
from tui_helpers import screen_text


def lecture(app) -> str:
    return app.query_one("#lecture").render().plain


def graph_text(app) -> str:
    graph = app.query_one(GraphView)
    region = graph.content_region
    lines = screen_text(app).splitlines()
    return "\n".join(line[region.x:region.x + region.width] for line in lines[region.y:region.y + region.height])


def test_quoted_numbers_are_hidden_until_the_step_that_computes_them():
    trace = load_scenario("sigmoid-neuron").trace()
    f = 1 / (1 + math.exp(-(2.0 * -1.0 + -3.0 * -2.0 + -3.0)))  # the slide's neuron, by hand
    text = f"f = {f:.2f}; w0 gets {f * (1 - f) * -1.0:.2f}; five leaves, 2.5 of nothing"
    numbers = quiz_numbers(text, trace)
    forward_f = next(s.number for s in trace.steps if s.phase == "forward" and trace.node(s.node).name == "f")
    assert [text[a:b] for a, b, _ in numbers] == ["0.73", "-0.20"]  # 2.5 is not a number the trace computes
    assert numbers[0][2] == forward_f
    assert hide_numbers(text, numbers, 0) == "f = ?; w0 gets ?; five leaves, 2.5 of nothing"
    assert hide_numbers(text, numbers, forward_f) == "f = 0.73; w0 gets ?; five leaves, 2.5 of nothing"
    assert hide_numbers(text, numbers, len(trace.steps)) == text


async def test_the_lecture_pane_hides_the_answers_until_reached_and_v_reveals_them():
    app = DebuggerApp(scenario="sigmoid-neuron", layout_engine="builtin")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert "give f = ?; the weights get ?, ? and ?" in " ".join(lecture(app).split())
        await pilot.press("end")
        assert "give f = 0.73; the weights get -0.20, -0.39 and 0.20" in " ".join(lecture(app).split())
        await pilot.press("home")
        assert "f = ?" in lecture(app)
        await pilot.press("v")
        assert "give f = 0.73" in " ".join(lecture(app).split())


async def test_a_dead_relu_flag_appears_only_once_its_value_is_known():
    app = DebuggerApp(scenario="dead-relu", layout_engine="builtin")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        relu = next(i.id for i in app.session.trace.nodes if i.op == "relu")
        assert app.flags.get(relu)  # the diagnostics know it is dead
        assert "!" not in graph_text(app)
        app.selected = relu
        app.refresh_view(follow=False)
        await pilot.pause()
        assert "! dead_relu" not in screen_text(app)  # the inspector keeps it too
        forward = next(s.number for s in app.session.trace.steps if s.phase == "forward" and s.node == relu)
        await pilot.press("g")
        await pilot.press(*str(forward), "enter")
        await pilot.pause()
        assert "!" in graph_text(app)
        app.selected = relu
        app.refresh_view(follow=False)
        await pilot.pause()
        assert "! dead_relu" in screen_text(app)
        await pilot.press("home", "v")
        await pilot.pause()
        assert "!" in graph_text(app)  # v: quiz mode off, every flag shown
