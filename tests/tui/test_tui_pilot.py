"""The issue's Pilot checks: keys pressed, debugger state and text on screen asserted."""
from __future__ import annotations

import pytest

from graphviz_nn import Value
from graphviz_nn.tui.app import DebuggerApp
from graphviz_nn.tui.widgets.graph_view import GraphView
from graphviz_nn.tui.widgets.inspector import Inspector
from graphviz_nn.tui.widgets.step_list import StepList
from tui_helpers import box_text, messages, node_id, screen_text

SIZE = (120, 36)


def app_for(scenario=None, **kw):
    # full boxes ("= 0.73" inside a border): the compact style has its own tests
    kw.setdefault("zoom", "full")
    return DebuggerApp(scenario=scenario, layout_engine="builtin", **kw)


async def test_default_scenario_is_sigmoid_neuron_at_step_zero():
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.target.id == "sigmoid-neuron"
        assert app.session.k == 0
        text = screen_text(app)
        assert "step 0 of 26" in text  # 12 forward steps, the seed, 13 edges
        assert "= ?" in text  # nothing computed yet: every box waits


async def test_forward_pass_shows_073_on_the_output_box():
    app = app_for("sigmoid-neuron")
    async with app.run_test(size=SIZE) as pilot:
        n = app.session.trace.n_forward
        for _ in range(n):
            await pilot.press("n")
        assert app.session.k == n and app.session.state.phase == "forward"
        out = app.session.trace.backward_from
        box = await box_text(app, pilot, out)
        assert "= 0.73" in box, box
        assert "∇ ?" in box  # the gradient is not known during the forward pass


async def test_end_of_backward_shows_w0_and_x1_gradients():
    app = app_for("sigmoid-neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        assert app.session.state.phase == "end"
        w0 = await box_text(app, pilot, node_id(app, "w0"))
        assert "w0" in w0 and "∇ -0.20" in w0, w0
        x1 = await box_text(app, pilot, node_id(app, "x1"))
        assert "x1" in x1 and "∇ -0.59" in x1, x1


async def test_prev_from_the_end_back_to_the_start_restores_the_first_screen():
    app = app_for("sigmoid-neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = screen_text(app)
        total = len(app.session.trace.steps)
        for _ in range(total):
            await pilot.press("right")
        assert app.session.k == total
        assert screen_text(app) != first
        for _ in range(total):
            await pilot.press("p")
        await pilot.pause()
        assert app.session.k == 0
        assert screen_text(app) == first


async def test_step_into_the_sigmoid_gate_shows_its_four_primitive_gates():
    app = app_for("sigmoid-gate")
    async with app.run_test(size=SIZE) as pilot:
        gate = node_id(app, "f")
        assert app.session.trace.node(gate).op == "sigmoid"
        while app.session.k == 0 or app.session.state.step.node != gate:
            await pilot.press("n")  # until the sigmoid gate's step is the one shown
        came_from = app.session.k
        await pilot.press("s")
        assert app.session.depth == 1
        ops = [info.symbol for info in app.session.trace.nodes if not info.is_leaf]
        assert ops == ["*-1", "exp", "+1", "1/x"]
        for info in app.session.trace.nodes:
            if not info.is_leaf:
                box = await box_text(app, pilot, info.id)
                assert info.symbol in box, box
        assert "inside a gate" in screen_text(app)
        await pilot.press("f")  # finish: back to the one sigmoid gate, at the step we came from
        assert app.session.depth == 0 and app.session.k == came_from
        assert app.session.trace.node(gate).op == "sigmoid"


async def test_breakpoint_on_exp_stops_continue_there():
    app = app_for("sigmoid-neuron")
    async with app.run_test(size=SIZE) as pilot:
        exp = next(i.id for i in app.session.trace.nodes if i.op == "exp")
        app.query_one(GraphView).post_message(GraphView.NodeClicked(exp))
        await pilot.pause()
        await pilot.press("b")
        assert exp in app.session.breakpoints
        await pilot.press("c")
        step = app.session.state.step
        assert step.node == exp and step.phase == "forward"
        assert app.session.k < app.session.trace.n_forward  # stopped before the end of the pass
        assert "●" in await box_text(app, pilot, exp)


async def test_clicking_a_box_selects_it_for_the_inspector():
    app = app_for("sigmoid-neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        graph = app.query_one(GraphView)
        target = node_id(app, "w2")
        graph.follow(target)
        await pilot.pause()
        x, y = graph.box_origin_of(target)
        sx, sy = graph.scroll_offset
        await pilot.click(GraphView, offset=(x - sx + 3, y - sy + 2))
        assert app.selected == target
        assert "leaf w2 = -3.00" in screen_text(app)  # the inspector now describes w2


async def test_inspector_shows_local_gradient_formula_with_numbers():
    app = app_for("sigmoid-neuron")
    async with app.run_test(size=SIZE) as pilot:
        rdiv = next(i.id for i in app.session.trace.nodes if i.op == "rdiv_const")
        backward_start = app.session.trace.n_forward
        app.session.goto(backward_start + 2)  # after the seed, the first backward step goes through 1/x
        app.refresh_view()
        await pilot.pause()
        assert app.session.state.step.node == rdiv
        text = screen_text(app)
        assert "-1/x² = -0.53" in text
        assert "[1.00] × [-0.53] = -0.53" in text


async def test_enter_in_the_step_list_jumps_to_that_step():
    app = app_for("sigmoid-neuron")
    async with app.run_test(size=SIZE) as pilot:
        app.query_one(StepList).focus()
        for _ in range(4):
            await pilot.press("down")
        await pilot.press("enter")
        assert app.session.k == 5


async def test_go_to_step_prompt_and_bad_input():
    app = app_for("sigmoid-neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g", "ctrl+a", "k", "1", "2", "enter")
        assert app.session.k == 0  # not a number: nothing moves
        await pilot.press("g")
        await pilot.press(*["backspace"] * 5, "1", "2", "enter")
        assert app.session.k == 12


async def test_level_cycles_and_header_says_so():
    app = app_for("sigmoid-neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")  # an expression without neurons offers the gate level only
        assert app.session.level == "gate" and "only the gate level" in app.session.message
    app = app_for("mlp-xor")
    async with app.run_test(size=SIZE) as pilot:
        for level in ("neuron", "layer", "gate"):
            await pilot.press("l")
            assert app.session.level == level
            assert f"level {level}" in screen_text(app)


async def test_level_on_a_single_neuron_says_there_is_only_the_gate_level():
    app = app_for("sigmoid-neuron")  # a single neuron: no neuron or layer groups
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert app.session.level == "gate"
        assert "level gate" in screen_text(app)
        assert any("only the gate level" in m for m in messages(app))


async def test_invalid_scenario_file_shows_the_scenario_error(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text('id = "broken"\nkind = "expression"\n[leaves]\nx = "two"\n')
    app = DebuggerApp(scenario=str(bad), layout_engine="builtin")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.error is not None and "broken.toml" in app.error
        assert "broken.toml" in screen_text(app)
        for key in ("n", "p", "c", "end", "b", "l", "s", "f"):
            await pilot.press(key)  # nothing open: keys do nothing, and nothing crashes
        assert app.session is None


async def test_opening_an_invalid_file_from_the_picker_keeps_the_session(tmp_path):
    bad = tmp_path / "empty.toml"
    bad.write_text("")
    app = app_for("sigmoid-neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        await pilot.press("o")
        await pilot.click("#picker-path")
        await pilot.press("/")  # typed into the path field, not taken as a key of the app
        field = app.screen.query_one("#picker-path")
        assert field.value == "/"
        field.value = str(bad)  # the rest at once: a long path key by key is slow
        await pilot.press("enter")
        await pilot.pause()
        assert app.error is not None and "empty.toml" in app.error
        assert app.session is not None and app.session.k == 2


async def test_picker_lists_the_catalogue_and_opens_a_scenario():
    app = app_for("sigmoid-neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await pilot.pause()
        from textual.widgets import OptionList
        from graphviz_nn.scenario_format import catalogue_ids
        options = app.screen.query_one(OptionList)
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] == catalogue_ids()
        assert options.get_option_at_index(options.highlighted).id == "sigmoid-neuron"  # the open one
        entry = next(e for e in app.screen.entries if e[0] == "sigmoid-neuron")
        assert " ".join(entry[2].split())[:40] in " ".join(screen_text(app).split())  # its explanation
        index = next(i for i in range(options.option_count) if options.get_option_at_index(i).id == "sigmoid-gate")
        options.highlighted = index
        await pilot.press("enter")
        await pilot.pause()
        assert app.target.id == "sigmoid-gate"


async def test_debug_on_a_users_graph():
    x = Value(3.0, label="x")
    app = DebuggerApp(outputs=x * x + x, title="x*x + x", layout_engine="builtin")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        assert "x*x + x" in screen_text(app)
        box = await box_text(app, pilot, node_id(app, "x"))
        assert "∇ 7.00" in box


async def test_gradient_check_and_diagnostics_reports_open_and_close():
    app = app_for("sigmoid-neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        await app.workers.wait_for_complete()  # the check runs in a worker (issue 14)
        await pilot.pause()
        text = screen_text(app)
        assert "all passed" in text and "w0" in text
        await pilot.press("escape", "d")
        await pilot.pause()
        assert "Diagnostics" in screen_text(app)
        await pilot.press("escape")
        assert app.screen is app.screen_stack[0]


async def test_training_report_shows_accuracy_and_metrics():
    import numpy as np
    app = app_for("metrics")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("t", "r")
        await pilot.pause()
        text = screen_text(app)
        assert "Training report" in text and "accuracy by iteration" in text
        assert "precision 0.6667" in text and "ROC AUC   0.8800" in text  # the hand-worked example
        # the report's numbers are the trainer's: the accuracy of iteration 1 at w = 1.5, b = 0
        x = np.array([-2.0, -1.5, -1.0, 0.2, 0.8, -0.5, 0.5, 1.0, 1.5, 2.0])
        assert "1: 0.7000" in text and np.mean((x >= 0) == np.array([0] * 5 + [1] * 5)) == 0.7
        await pilot.press("escape")
        assert app.screen is app.screen_stack[0]


async def test_training_report_on_a_scenario_that_does_not_train():
    app = app_for("sigmoid-neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert "does not train" in screen_text(app)


async def test_train_key_advances_the_iteration_and_changes_the_weights():
    app = app_for("learning-slowdown-quadratic")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.target.trains and "iteration 1" in screen_text(app)
        params = [info.id for info in app.session.trace.nodes if info.user_label and ".w" in info.user_label
                  or (info.user_label or "").endswith(".b")]
        assert len(params) == 2  # one weight and one bias
        before = [app.session.trace.value_at(p, 0 + app.session.trace.rank(p) + 1) for p in params]
        losses_before = len(app.target.trainer.history)
        await pilot.press("t")
        assert len(app.target.trainer.history) == losses_before + 1
        assert "iteration 2" in screen_text(app)
        assert app.session.k == 0  # the new iteration starts at its first step
        after = [app.session.trace.value_at(p, app.session.trace.rank(p) + 1) for p in params]
        assert all(a != b for a, b in zip(before, after)), (before, after)
        await pilot.press("end")
        phases = {s.phase for s in app.session.trace.steps}
        assert phases == {"forward", "backward", "update"}
        assert "loss per iteration" in screen_text(app)


async def test_train_key_on_a_scenario_that_does_not_train_says_so():
    app = app_for("sigmoid-neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "t")
        assert app.session.k == 1 and app.target.trainer is None


async def test_fan_out_shows_the_running_sum_of_contributions():
    x = Value(3.0, label="x")
    app = DebuggerApp(outputs=x * x + x, layout_engine="builtin")
    async with app.run_test(size=SIZE) as pilot:
        trace = app.session.trace
        xid = node_id(app, "x")
        first, second = trace.grad_steps(xid)[:2]
        app.session.goto(second + 1)  # two of x's three contributions are in
        app.selected = xid
        app.refresh_view()
        await pilot.pause()
        text = app.query_one(Inspector).plain  # on screen it wraps beside the graph pane
        # gate by gate: the + gate's 1 arrives first, then the x*x gate's 3s
        assert "partial gradient: 1.00 + 3.00 = 4.00  (2 of 3 contributions)" in text
        assert "∂ 4.00" in await box_text(app, pilot, xid)  # ∂: not final yet
        await pilot.press("end")
        app.selected = xid
        app.refresh_view()
        await pilot.pause()
        assert "gradient: 1.00 + 3.00 + 3.00 = 7.00  (3 of 3 contributions)" in app.query_one(Inspector).plain


async def test_diagnostic_flag_sentence_in_the_inspector():
    app = app_for("saturated-sigmoid")
    async with app.run_test(size=SIZE) as pilot:
        gate = next(i.id for i in app.session.trace.nodes if i.op == "sigmoid")
        await pilot.press("end")
        app.selected = gate
        app.refresh_view()
        await pilot.pause()
        text = app.query_one(Inspector).plain
        assert "! saturated" in text
        assert "is saturated" in text
        assert "!" in (await box_text(app, pilot, gate)).splitlines()[0]  # the box is marked


async def test_watch_prompt_then_continue_stops_where_it_fires():
    app = app_for("saturated-sigmoid")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w", *"saturated", "enter")
        assert "saturated" in app.session.watches
        await pilot.press("c")
        hit = app.session.last_break
        assert hit is not None and hit.reason == "saturated"
        step = app.session.state.step
        assert app.session.trace.node(step.node).op == "sigmoid" and step.phase == "forward"
        await pilot.press("w", *"nonsense", "enter")  # an unknown kind is one sentence, no crash
        assert "nonsense" not in app.session.watches


async def test_a_large_graph_opens_at_neuron_level():
    from graphviz_nn.nn import MLP
    out = MLP(8, [16, 16, 1], seed=0)([0.5] * 8)
    app = DebuggerApp(outputs=out, layout_engine="builtin")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(app.session.trace.nodes) > 400
        assert app.session.level == "neuron"
        assert "L1.N1" in screen_text(app)  # neuron boxes on screen (the network view)
        assert len(app._view.ids) < len(app.session.trace.nodes) / 5  # neurons, not gates
        await pilot.press("l", "l")
        assert app.session.level == "gate" and len(app._view.ids) == len(app.session.trace.nodes)


async def test_without_graphviz_the_app_says_so_once(monkeypatch):
    from graphviz_nn.tui.picture import layout as layout_module
    monkeypatch.setattr(layout_module, "dot_available", lambda: False)
    app = DebuggerApp(scenario="sigmoid-neuron", layout_engine="auto")
    said = []
    monkeypatch.setattr(app, "notify", lambda message, **kw: said.append(message))
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("l", "l", "l")  # new levels lay out again, silently
        await app.workers.wait_for_complete()
        await pilot.pause()
    notes = [m for m in said if "not installed" in m]
    assert notes == ["Graphviz's dot program is not installed; using the built-in layout"]


@pytest.mark.parametrize("suffix", ["svg", "png", "pdf"])
async def test_export_writes_the_current_frame(tmp_path, suffix):
    from graphviz_nn.tui.picture.layout import dot_available
    if not dot_available():
        pytest.skip("Graphviz's dot is not installed (scripts/setup.sh installs it)")
    target = tmp_path / f"frame.{suffix}"
    app = app_for("sigmoid-neuron")
    async with app.run_test(size=SIZE) as pilot:
        app.session.goto(16)
        app.refresh_view()
        await pilot.press("e")
        app.screen.query_one("#prompt-input").value = str(target)  # typing a long path key by key is slow
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        data = target.read_bytes()
        magic = {"svg": b"<?xml", "png": b"\x89PNG", "pdf": b"%PDF"}[suffix]
        assert data.startswith(magic)
        if suffix == "svg":
            assert b"0.73" in data and b"&#45;0.53" in data  # values and the gradients known at step 16 (SVG escapes -)
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # atomic: no leftovers


async def test_export_to_a_missing_folder_is_one_sentence(tmp_path):
    app = app_for("sigmoid-neuron")
    said = []
    async with app.run_test(size=SIZE) as pilot:
        app.say = lambda message, **kw: said.append(message)
        await pilot.press("e")
        app.screen.query_one("#prompt-input").value = str(tmp_path / "nowhere" / "f.svg")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert any("does not exist" in m for m in said), said


async def test_gradient_check_of_a_tensor_scenario_goes_through_the_scenario():
    app = app_for("mlp-moons")
    async with app.run_test(size=SIZE) as pilot:
        assert any(info.is_tensor for info in app.session.trace.nodes)
        await pilot.press("x")
        await app.workers.wait_for_complete()  # the check runs in a worker (issue 14)
        await pilot.pause()
        text = screen_text(app)
        assert "L1.W[0]" in text and "ok" in text


async def test_shift_arrows_pan_the_graph():
    app = app_for("sigmoid-neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        graph = app.query_one(GraphView)
        assert graph.virtual_size.width > graph.size.width  # the neuron is wider than the pane
        start = graph.scroll_offset
        await pilot.press("shift+right", "shift+down")
        await pilot.pause()
        moved = graph.scroll_offset
        assert moved.x > start.x and moved.y >= start.y
        await pilot.press("shift+left")
        await pilot.pause()
        assert graph.scroll_offset.x < moved.x


async def test_clicking_a_step_list_row_jumps_there():
    app = app_for("sigmoid-neuron")
    async with app.run_test(size=SIZE) as pilot:
        steps = app.query_one(StepList)
        top = steps.scroll_offset.y
        await pilot.click(StepList, offset=(10, 1 + 3))  # below the top border: the fourth row shown
        assert app.session.k == top + 3 + 1  # row i is step i + 1 done
        assert "step 4 of 26" in screen_text(app)


async def test_breakpoints_and_watches_survive_a_training_iteration():
    app = app_for("learning-slowdown-quadratic")
    async with app.run_test(size=SIZE) as pilot:
        sigmoid = next(i.id for i in app.session.trace.nodes if i.op == "sigmoid")
        app.session.add_breakpoint(sigmoid)
        app.session.add_watch("saturated")
        await pilot.press("t")
        assert sigmoid in app.session.breakpoints and "saturated" in app.session.watches
        await pilot.press("c")
        assert app.session.state.step.node == sigmoid  # the breakpoint still stops continue


async def test_clicking_a_neuron_box_summarises_the_neuron():
    from graphviz_nn.nn import MLP
    out = MLP(2, [3, 1], seed=0)([1.0, -2.0])
    app = DebuggerApp(outputs=out, layout_engine="builtin")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "end")
        app.post_message(GraphView.NodeClicked("neuron:L1.N2"))  # the network view's neuron
        await pilot.pause()
        text = app.query_one(Inspector).plain
        # b + w0*x0 + w1*x1 then relu: two *, two +, one relu; parameters w0, w1, b
        assert "neuron L1.N2: 5 gates, 3 parameters" in text
        assert "output n" in text and "gradient" in text
