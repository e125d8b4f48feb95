"""Quiz mode keeps its secrets (issue 21): the lecture pane's quoted numbers and the diagnostic
flags appear only once the step that computes them is reached, or when v reveals everything."""
from __future__ import annotations

import math
import re

import pytest

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


QUIZ_SCENARIOS = ["sigmoid-neuron", "dead-relu", "mlp-xor", "mlp-moons", "learning-rate", "saturated-sigmoid",
                  "softmax-cross-entropy", "keras-dense", "activations"]
TOKEN = re.compile(r"(?<![\w.])-?\d+\.\d+(?![\w.])")


def answers_after_start(trace) -> tuple:
    """(numbers the steps compute: gates' values, gradients, contributions, updates; the givens:
    the leaves' values and the gates' constants), read from the trace's steps, as floats."""
    import numpy as np

    def floats(x):
        return [] if x is None else [float(v) for v in np.asarray(x, dtype=float).ravel()]

    computed, given = [], []
    for step in trace.steps:
        leaf = step.phase == "forward" and trace.node(step.node).is_leaf
        for x in (step.value,) if step.phase == "forward" else (step.contribution, step.grad_after, step.new_value):
            (given if leaf else computed).extend(floats(x))
    for info in trace.nodes:
        if isinstance(info.const, (int, float)):
            given.append(float(info.const))
    return computed, given


def revealed(text: str, trace) -> list:
    computed, given = answers_after_start(trace)

    def shown(token, x):
        return abs(float(token) - x) <= 0.5 * 10 ** -len(token.split(".")[1]) * (1 + 1e-9)

    return [t for t in TOKEN.findall(text) if any(shown(t, x) for x in computed) and not any(shown(t, x) for x in given)]


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("sid", QUIZ_SCENARIOS)
async def test_at_the_start_in_quiz_mode_no_number_a_step_computes_is_anywhere_on_screen(sid, size):
    """Picture, inspector, step list, lecture pane (turned on), loss plot, header: at step 0 of a
    quiz only the givens (leaves, constants) may be on screen; at the end the answers are there."""
    app = DebuggerApp(scenario=sid, layout_engine="builtin")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if not app.query_one("#lecture").display:
            await pilot.press("L")
        await pilot.press("end", "home")
        await pilot.pause()
        trace = app.session.trace
        assert app.session.k == 0 and app.quiz
        assert revealed(screen_text(app), trace) == []
        await pilot.press("end")  # the check can fail: at the end the answers are on screen
        await pilot.pause()
        assert revealed(screen_text(app), trace)


async def test_quiz_mode_hides_the_explanations_numbers_but_not_the_formulas_constants():
    app = DebuggerApp(scenario="activations", layout_engine="builtin")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        text = lecture(app)
        # 0.01 is also a value the trace computes; in the formula it is the question, not an answer
        assert "leaky_relu_001 = leaky_relu(x, 0.01)" in text and "elu_x = elu(x, 1.0)" in text
        assert "sigmoid ?, tanh ?" in " ".join(text.split())  # the explanation's answers stay hidden


def step_numbers(step) -> list:
    import numpy as np

    def floats(x):
        return [] if x is None else [float(v) for v in np.asarray(x, dtype=float).ravel()]
    if step.phase == "forward":
        return floats(step.value)
    return floats(step.contribution) + floats(step.grad_after) + floats(step.new_value) + \
        floats(step.upstream) + floats(step.local)


def future_only(text: str, trace, k: int) -> list:
    """Numbers on screen that only a step after k computes (not a constant, not known by step k:
    values, gradients, upstreams, and the local gradients a computed gate stored, with 1 - v)."""
    known = [float(i.const) for i in trace.nodes if isinstance(i.const, (int, float))]
    for step in trace.steps[:k]:
        known += step_numbers(step)
        info = trace.node(step.node)
        if step.phase == "forward" and info.local_grads:
            known += [float(g) for g in info.local_grads]
    known += [1 - x for x in known]
    later = [x for step in trace.steps[k:] for x in step_numbers(step)]

    def shown(token, x):
        return abs(float(token) - x) <= 0.5 * 10 ** -len(token.split(".")[1]) * (1 + 1e-9)

    return [t for t in TOKEN.findall(text) if any(shown(t, x) for x in later) and not any(shown(t, x) for x in known)]


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("sid, ks", [("sigmoid-neuron", [3, 9, 13, 15, 18, 22]), ("dead-relu", [2, 5, 8]),
                                     ("mlp-xor", [20, 100, 160, 200, 300]), ("mlp-moons", [10, 25, 30, 40])])
async def test_in_quiz_mode_no_number_a_later_step_computes_is_on_screen_mid_trace(sid, ks, size):
    app = DebuggerApp(scenario=sid, layout_engine="builtin")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if not app.query_one("#lecture").display:
            await pilot.press("L")
        trace = app.session.trace
        for k in ks:
            app.session.goto(k)
            app.refresh_view()
            await pilot.pause()
            assert future_only(screen_text(app), trace, k) == [], (k, screen_text(app))
        await pilot.press("end")  # the check can fail: the end's numbers are not known at the start
        await pilot.pause()
        assert future_only(screen_text(app), trace, 0)


async def test_the_loss_plot_waits_for_the_forward_pass_to_reach_the_loss_in_quiz_mode():
    from graphviz_nn.tui.widgets.loss_plot import LossPlot
    app = DebuggerApp(scenario="mlp-xor", layout_engine="builtin")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        plot = app.query_one(LossPlot)
        trace = app.session.trace
        loss = trace.forward_value(trace.outputs[0])
        assert plot.caption == "loss: ? (its forward pass computes it)"
        at = next(s.number for s in trace.steps if s.phase == "forward" and s.node == trace.outputs[0])
        app.session.goto(at - 1)
        app.refresh_view()
        await pilot.pause()
        assert "?" in plot.caption
        await pilot.press("n")  # the step that computes the loss
        await pilot.pause()
        assert plot.caption == f"loss per iteration: {loss:.2f} → {loss:.2f}"
        await pilot.press("home", "v")  # quiz mode off: the loss is shown from the start
        await pilot.pause()
        assert plot.caption == f"loss per iteration: {loss:.2f} → {loss:.2f}"


def test_a_loss_not_reached_yet_keeps_an_empty_column_and_sets_no_axis():
    from graphviz_nn.tui.widgets.loss_plot import plot_rows
    bars, low, high = plot_rows([2.0, 1.0, None], 3, rows=1)
    assert (low, high) == (0.0, 2.0)  # the hidden loss does not stretch the axis
    assert bars[0][2] == " " and bars[0][0] == "█"
