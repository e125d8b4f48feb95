"""Issue 12's Pilot checks: the whole graph at a glance, presentation and quiz modes, the lecture
pane, networks drawn as networks, training in the app; and the app's side of issue 11's
stepping (s/f/Home/l, one numbering)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from graphviz_nn.tui import presenter
from graphviz_nn.tui.app import DebuggerApp
from graphviz_nn.tui.widgets.graph_view import GraphView
from graphviz_nn.tui.widgets.inspector import Inspector
from graphviz_nn.tui.widgets.loss_plot import LossPlot
from graphviz_nn.tui.widgets.step_list import StepList
from tui_helpers import messages, node_id, screen_text

LEAF_GRADIENTS = ["-0.20", "0.39", "-0.39", "-0.59", "0.20"]
EXE = Path(sys.executable).with_name("graphviz-nn")


def app_for(scenario="sigmoid-neuron", **kw):
    return DebuggerApp(scenario=scenario, layout_engine="builtin", **kw)


def graph_text(app) -> str:
    """The graph pane's rows as on screen."""
    graph = app.query_one(GraphView)
    region = graph.content_region
    lines = screen_text(app).splitlines()
    return "\n".join(line[region.x:region.x + region.width] for line in lines[region.y:region.y + region.height])


def all_boxes_in_view(app) -> bool:
    graph = app.query_one(GraphView)
    sx, sy = graph.scroll_offset
    w, h = graph.scrollable_content_region.size
    for n in app._view.ids:
        x, y = graph.box_origin_of(n)
        bw, bh = graph.box_size_of(n)
        if not (sx <= x and x + bw <= sx + w and sy <= y and y + bh <= sy + h):
            return False
    return True


# ---- 1. fit, zoom, pan ----
@pytest.mark.parametrize("size", [(120, 36), (100, 30)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_sigmoid_neuron_fits_whole_at_every_step(size):
    app = app_for()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        graph = app.query_one(GraphView)
        assert graph.style_name == "compact"  # full boxes do not fit: the lecture style is chosen
        for k in range(len(app.session.trace.steps) + 1):
            app.session.goto(k)
            app.refresh_view()
            await pilot.pause()
            assert all_boxes_in_view(app), k
        text = graph_text(app)
        assert "0.73" in text
        for g in LEAF_GRADIENTS:
            assert g in text, g


async def test_at_80x24_the_fit_key_shows_the_whole_graph():
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("end")
        assert not all_boxes_in_view(app)  # the inspector takes the room
        await pilot.press("0")
        await pilot.pause()
        await pilot.pause()
        assert all_boxes_in_view(app)
        assert not app.query_one("#side").display
        text = graph_text(app)
        assert "0.73" in text and all(g in text for g in LEAF_GRADIENTS)
        await pilot.press("0")  # again: the inspector comes back
        await pilot.pause()
        assert app.query_one("#side").display


async def test_plus_and_minus_switch_between_full_and_compact_boxes():
    app = app_for()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("end", "plus")
        await pilot.pause()
        graph = app.query_one(GraphView)
        assert graph.style_name == "full" and graph.box_size_of(app.session.trace.backward_from) == (14, 5)
        assert graph.virtual_size.width > graph.scrollable_content_region.width  # full boxes need scrolling
        out = app.session.trace.backward_from
        assert graph.current is not None
        await pilot.press("minus")
        await pilot.pause()
        assert graph.style_name == "compact"
        assert graph.box_size_of(out)[1] == 3  # value, symbol, gradient


# ---- 2. presentation mode ----
async def test_presentation_mode_hides_the_panes_and_says_the_step_large():
    app = app_for()
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(15):
            await pilot.press("n")
        await pilot.press("P")
        await pilot.pause()
        assert not app.query_one("#side").display and not app.query_one(StepList).display
        spoken = str(app.query_one("#spoken").render())
        step = app.session.state.step
        assert step.phase == "backward"
        assert "upstream [" in spoken and "× local [" in spoken and f"step {app.session.k}" in spoken
        graph = app.query_one(GraphView)
        assert graph.size.width == 120  # the graph fills the terminal's width
        await pilot.press("C")  # the colour-blind palette
        assert graph.palette == "colorblind"
        await pilot.press("full_stop")  # one more decimal everywhere the app writes a number
        await pilot.pause()
        assert "0.731" in graph_text(app)
        await pilot.press("comma", "P")
        await pilot.pause()
        assert app.query_one("#side").display and app.query_one(StepList).display


# ---- 5. quiz mode ----
async def test_quiz_mode_hides_future_numbers_until_reached():
    app = app_for()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        steps = app.query_one(StepList)
        trace = app.session.trace
        last = len(trace.steps) - 1
        assert "0.73" not in steps._row(12) and "?" in steps._row(12)  # the 1/x forward step, not reached
        assert steps._row(12).split()[0] == "13"  # its step number is shown, not its numbers
        x1 = trace.find("x1")
        into_x1 = next(s.index for s in trace.steps if s.phase == "backward" and s.input == x1)
        assert "-0.59" not in steps._row(into_x1)  # x1's gradient: asked before it is answered
        assert "→ x1.grad" in steps._row(into_x1)
        for _ in range(13):
            await pilot.press("n")
        assert "0.73" in steps._row(12)
        await pilot.press("p")
        assert "0.73" not in steps._row(12)  # going back hides it again
        await pilot.press("v")  # reveal all
        assert "0.73" in steps._row(12) and "-0.59" in steps._row(into_x1)


# ---- 6. the lecture pane ----
async def test_lecture_pane_shows_title_explanation_and_formula_and_toggles():
    app = app_for("sigmoid-gate")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        pane = app.query_one("#lecture")
        text = str(pane.render())
        assert "The sigmoid neuron with one sigmoid gate" in text
        assert "σ(x)(1 - σ(x))" in text  # the explanation
        assert "f = sigmoid(w0*x0 + w1*x1 + w2)" in text  # the formula
        await pilot.press("L")
        assert not pane.display
        await pilot.press("L")
        assert pane.display


# ---- 3. networks drawn as networks ----
async def test_mlp_xor_neuron_level_is_the_network_for_one_sample():
    app = app_for("mlp-xor")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("l")
        await pilot.pause()
        view = app._view
        labels = [n.label for n in view.net.nodes]
        assert labels == ["x0", "x1", "L1.N1", "L1.N2", "L1.N3", "L1.N4", "L2.N1", "loss"]
        geo = app.query_one(GraphView)._geo
        assert len(geo.joints) == 12  # one ● per weight, where a box's bus meets a neuron's collector
        assert len({key for *_, key in geo.joints}) == 12
        assert "sample 1 of 4" in screen_text(app)
        trace = app.session.trace
        w1 = next(i.id for i in trace.nodes if i.label == "L1.N3.w1")
        k = next(s.number for s in trace.steps if s.phase == "backward" and s.input == w1)
        app.session.goto(k)  # L1.N3.w1's gradient arrives
        app.refresh_view()
        await pilot.pause()
        box = view.describe("caption:0", app.session.state)
        assert box.title == "L1.N3.w1"  # the caption over x → L1 reads the stepped weight
        state = app.session.state
        assert (box.value, box.grad) == (presenter.box_number(state.value(w1), 2), presenter.box_number(state.grad(w1), 2))
        assert app.query_one(GraphView).hot_edge == ("in1", "neuron:L1.N3")  # its wire is lit
        assert "L1.N3.w1" in screen_text(app)
        await pilot.press("end")
        await pilot.press("right_square_bracket")
        assert "sample 2 of 4" in screen_text(app)
        x = view.describe("in1", app.session.state)
        assert x.value == "1.00"  # XOR's second sample is (0, 1)
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert "sample 4 of 4" in screen_text(app)


async def test_mlp_moons_neuron_level_finds_each_neuron():
    app = app_for("mlp-moons")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert app.session.level == "neuron"
        view = app._view
        neurons = [n for n in view.net.nodes if n.kind == "neuron"]
        assert len(neurons) == 33 and len({n.label for n in neurons}) == 33
        assert "sample 1 of 100" in screen_text(app)
        app.post_message(GraphView.NodeClicked("neuron:L2.N7"))
        await pilot.pause()
        text = app.query_one(Inspector).plain
        assert "neuron L2.N7" in text and "sample 1 of 100" in text
        assert "w0 from L1.N1:" in text  # its weights, each from a neuron of the layer before


# ---- 7. training in the app ----
async def test_training_run_with_progress_and_cancel():
    app = app_for("learning-slowdown-quadratic")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert "iteration 1" in screen_text(app)
        await pilot.press("T")
        await pilot.pause()
        field = app.screen.query_one("#prompt-input")
        assert field.value == "300"  # the scenario's count
        field.value = "1000000"
        await pilot.press("enter")
        await pilot.pause()
        assert app.training is not None and app.query_one("#training").display
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.training is None and not app.query_one("#training").display
        done = len(app.target.trainer.history)
        assert 1 < done < 1_000_000
        assert any("Cancelled after" in m for m in messages(app))
        assert f"iteration {done}" in screen_text(app)


async def test_training_numbers_iterations_as_graphviz_nn_train():
    app = app_for("learning-slowdown-quadratic")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("T")
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = "5"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "iteration 6" in screen_text(app)  # iteration 1, then 5 more
        history = [h.loss for h in app.target.trainer.history]
    out = subprocess.run([str(EXE), "train", "learning-slowdown-quadratic", "--format", "json", "--iterations", "6"],
                         capture_output=True, text=True, check=True).stdout
    records = json.loads(out)
    assert [r["iteration"] for r in records] == list(range(1, 7))
    assert [r["loss"] for r in records] == pytest.approx(history)  # the app's iteration 6 is train's iteration 6


async def test_start_picker_switches_between_the_two_starts():
    app = app_for("learning-slowdown-quadratic")
    async with app.run_test(size=(120, 36)) as pilot:
        starts = app.target.scenario.start_names
        assert len(starts) == 2 and f"start {starts[0]}" in screen_text(app)
        await pilot.press("S")
        await pilot.pause()
        from textual.widgets import OptionList
        options = app.screen.query_one(OptionList)
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] == ["0", "1"]
        fast = starts.index("w=0.6, b=0.9")
        options.highlighted = fast
        await pilot.press("enter")
        await pilot.pause()
        assert "start w=0.6, b=0.9" in screen_text(app)
        assert app.target.trainer.history[0].outputs[0] == pytest.approx(0.82, abs=0.005)  # the slide's 0.82
        await pilot.press("S")
        await pilot.pause()
        app.screen.query_one(OptionList).highlighted = starts.index("w=2, b=2")
        await pilot.press("enter")
        await pilot.pause()
        assert "start w=2, b=2" in screen_text(app)
        assert app.target.trainer.history[0].outputs[0] == pytest.approx(0.98, abs=0.005)  # the slow start


async def test_loss_plot_has_a_value_axis_from_zero_and_an_iteration_axis():
    app = app_for("learning-slowdown-quadratic")
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(3):
            await pilot.press("t")
        await pilot.pause()
        plot = app.query_one(LossPlot)
        rows = [text for text, _ in plot.lines(40)]
        from graphviz_nn.tui.widgets.loss_plot import axis_number
        top = max(h.loss for h in app.target.trainer.history)
        assert rows[1].strip().startswith(axis_number(top) + " ┤")  # the top of the value axis: the largest loss
        assert rows[4].strip().startswith("0 ┤")  # the axis starts at zero: a small drop looks small
        # the iteration axis counts from 1 to the iteration on screen, as the header and `train` do
        last = app.target.trainer.iteration
        assert last == 4 and f"iteration {last}" in screen_text(app)  # opened on iteration 1, then 3 more
        assert "iteration" in rows[-1] and rows[-1].strip().startswith("1 ") and rows[-1].strip().endswith(str(last))
        bars = "".join(rows[1:5])
        assert "█" in bars



def test_loss_plot_caption_shortens_to_whole_words_in_a_narrow_pane():
    plot = LossPlot()
    plot.show([], waiting=True)  # quiz mode, before the loss's forward step
    assert [text for text, _ in plot.lines(60)][0] == "loss: ? (its forward pass computes it)"
    assert [text for text, _ in plot.lines(30)][0] == "loss: ? (not yet computed)"  # 80x24's pane: no "com"
    assert [text for text, _ in plot.lines(10)][0] == "loss: ?"
    plot.show([0.6931, 0.125])
    assert [text for text, _ in plot.lines(40)][0] == "loss per iteration: 0.69 → 0.12"
    assert [text for text, _ in plot.lines(20)][0] == "loss: 0.69 → 0.12"
    for width in range(1, 60):  # whatever the width: one of the forms, never longer than the pane
        caption = [text for text, _ in plot.lines(width)][0]
        assert len(caption) <= width and "loss"[:width] in caption

# ---- 8. small fixes ----
async def test_home_and_end_scroll_the_step_list_with_the_current_step():
    app = app_for()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("end")
        await pilot.pause()
        assert "    25 B" in screen_text(app)
        await pilot.press("home")
        await pilot.pause()
        text = screen_text(app)
        assert "     1 F" in text and "    25 B" not in text


async def test_watch_accepts_dead_relu_as_people_type_it():
    app = app_for("dead-relu")
    async with app.run_test(size=(120, 36)) as pilot:
        for typed in ("dead relu", "dead-relu", "dead_relu"):
            app.session.watches.clear()
            await pilot.press("w")
            app.screen.query_one("#prompt-input").value = typed
            await pilot.press("enter")
            assert list(app.session.watches) == ["dead_relu"], typed


async def test_picker_filters_as_you_type():
    app = app_for()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        await pilot.press(*"slowdown")
        await pilot.pause()
        from textual.widgets import OptionList
        options = app.screen.query_one(OptionList)
        shown = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert shown == ["learning-slowdown-cross-entropy", "learning-slowdown-quadratic"]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.target.id == "learning-slowdown-quadratic"


async def test_a_scenario_file_without_a_lecture_table_opens(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text('id = "mine"\ntitle = "Mine"\nkind = "expression"\nexplanation = "my own"\n'
                    '[leaves]\na = 2.0\nb = -3.0\n[outputs]\nf = "a * b"\n')
    app = app_for(str(mine))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("end")
        assert app.error is None and "Mine" in screen_text(app)


# ---- issue 11: step into/over/out, one numbering ----
async def test_s_on_the_backward_step_of_the_sigmoid_gate_enters_it_and_f_returns():
    app = app_for("sigmoid-gate")
    async with app.run_test(size=(120, 36)) as pilot:
        gate = node_id(app, "f")
        trace = app.session.trace
        k = next(s.index for s in trace.steps if s.phase == "backward" and s.node == gate and not s.is_seed) + 1
        app.session.goto(k)  # the step just done is the sigmoid gate's backward step
        app.refresh_view()
        await pilot.press("s")
        assert app.session.depth == 1
        assert "inside a gate: f (sigmoid)" in screen_text(app) and "backward" in app.session.inside
        assert app.session.state.phase != "forward" or app.session.k == app.session._pass_start
        await pilot.press("n", "n")
        await pilot.press("home")
        assert app.session.depth == 1 and app.session.k == app.session._pass_start  # Home stays inside
        await pilot.press("end")
        assert app.session.depth == 1
        await pilot.press("n")  # at the end of the expansion: says so, does not leave
        assert app.session.depth == 1
        assert any("f (step out) returns" in m for m in messages(app))
        await pilot.press("f")
        assert app.session.depth == 0 and app.session.k == k
        assert f"step {k} of {len(trace.steps)}" in screen_text(app)


async def test_f_at_the_top_says_so_and_does_not_move():
    app = app_for()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("n", "n", "n")
        await pilot.press("f")
        assert app.session.k == 3 and app.session.level == "gate"
        assert "level gate" in screen_text(app)
        assert any("nothing to finish" in m for m in messages(app))


async def test_s_on_l1_n1_at_neuron_level_enters_l1_n1s_gates():
    app = app_for("mlp-xor")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("l")
        assert app.session.level == "neuron"
        while True:  # step over units until the one just done is L1.N1's
            await pilot.press("n")
            step = app.session.state.step
            if step is not None and step.group[:2] == ("L1", "N1") and not app.session.trace.node(step.node).is_leaf:
                break
        await pilot.press("s")
        assert app.session.level == "gate"
        assert app.session.state.step.group[:2] == ("L1", "N1")
        assert app._view.box_of(app.session.state.current) is not None


async def test_breakpoint_message_step_number_equals_the_header():
    app = app_for()
    async with app.run_test(size=(120, 36)) as pilot:
        exp = next(i.id for i in app.session.trace.nodes if i.op == "exp")
        app.session.add_breakpoint(exp)
        await pilot.press("c")
        hit = app.session.last_break
        assert hit is not None
        assert f"at step {app.session.k}:" in hit.sentence
        assert f"step {app.session.k} of" in screen_text(app)


async def test_lecture_pane_highlights_the_current_sub_expression():
    app = app_for("sigmoid-neuron")
    async with app.run_test(size=(120, 36)) as pilot:
        trace = app.session.trace
        plus = next(i.id for i in trace.nodes if i.op == "add" and trace.node(i.inputs[1]).is_leaf)
        app.session.goto(next(s.index for s in trace.steps if s.node == plus) + 1)  # w0*x0 + w1*x1 + w2
        app.refresh_view()
        await pilot.pause()
        shown = app.query_one("#lecture").render()
        marked = [shown.plain[span.start:span.end] for span in shown.spans if "yellow" in str(span.style)]
        assert marked == ["w0*x0 + w1*x1 + w2"]
        app.session.goto(trace.n_forward)  # the end of the forward pass: 1/x, the whole formula
        app.refresh_view()
        await pilot.pause()
        shown = app.query_one("#lecture").render()
        marked = [shown.plain[span.start:span.end] for span in shown.spans if "yellow" in str(span.style)]
        assert marked == ["1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))"]


async def test_a_short_terminal_opens_without_the_lecture_pane_and_l_shows_it():
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        pane = app.query_one("#lecture")
        assert not pane.display  # the inspector needs the rows at 80×24
        await pilot.press("L")
        assert pane.display and "The sigmoid neuron" in screen_text(app)


async def test_a_new_app_starts_at_two_decimals_whatever_the_last_one_chose():
    # the decimals setting outlives an app in the same process (a notebook calling debug() twice)
    first = app_for("sigmoid-neuron")
    async with first.run_test(size=(120, 36)) as pilot:
        await pilot.press("full_stop", "full_stop")
        await pilot.pause()
    second = app_for("sigmoid-neuron")
    async with second.run_test(size=(120, 36)) as pilot:
        await pilot.press("end")
        await pilot.pause()
        text = graph_text(second)
        assert "0.73" in text and "0.7311" not in text
