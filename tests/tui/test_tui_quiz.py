"""Quiz mode keeps its secrets (issue 21): the lecture pane's quoted numbers and the diagnostic
flags appear only once the step that computes them is reached, or when v reveals everything."""
from __future__ import annotations

import math
import re

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


async def test_the_picker_hides_the_explanations_numbers_in_quiz_mode_and_shows_them_after_v():
    import tomllib
    from pathlib import Path
    from textual.widgets import OptionList
    path = Path(__file__).resolve().parents[2] / "scenarios" / "sigmoid-neuron.toml"
    explanation = " ".join(tomllib.loads(path.read_text())["explanation"].split())
    f = 1 / (1 + math.exp(-(2.0 * -1.0 + -3.0 * -2.0 + -3.0)))
    assert f"{f:.2f}" in explanation  # the file itself quotes the answer the class is asked for
    app = DebuggerApp(scenario="sigmoid-neuron", layout_engine="builtin")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        listed = [" ".join(options.get_option_at_index(i).prompt.plain.split()) for i in range(options.option_count)]
        explained = [line.split(") ", 1)[1] for line in listed if ") " in line]  # after "title (id)"
        assert len(explained) > 30 and not any(re.search(r"\d\.\d", line) for line in explained), explained
        assert f"{f:.2f}" not in screen_text(app)
        neuron = next(" ".join(e[2].split()) for e in app.screen.entries if e[0] == "sigmoid-neuron")
        assert "give f = ?; the weights get ?, ? and ?" in neuron  # what the list shows and filters on
        for typed in f"{f:.2f}":  # filtering by the answer finds nothing either
            await pilot.press(typed)
        await pilot.pause()
        assert "(sigmoid-neuron)" not in " ".join(
            options.get_option_at_index(i).prompt.plain for i in range(options.option_count))
        await pilot.press("escape")
        await pilot.press("v", "o")  # quiz mode off: the explanation as written
        await pilot.pause()
        neuron = next(" ".join(e[2].split()) for e in app.screen.entries if e[0] == "sigmoid-neuron")
        assert neuron == explanation
        assert re.search(r"\d\.\d", screen_text(app))  # other explanations' numbers are back on screen
