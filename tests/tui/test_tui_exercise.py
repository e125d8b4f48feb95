"""Exercise mode in the app, driven by Pilot: right, wrong and malformed answers typed into the box.

On the sigmoid neuron (gate level) and on the XOR MLP at neuron level and in a training
iteration; the step list marks ✓ right first time, ~ after a hint, ✗ revealed; a summary at the end.
"""
from __future__ import annotations

from graphviz_nn.tui.app import DebuggerApp
from graphviz_nn.tui.exercise_prompt import ExercisePrompt
from graphviz_nn.tui.widgets.step_list import StepList
from textual.widgets import Input, Static
from tui_helpers import screen_text

SIZE = (120, 36)


def app_for(scenario, **kw):
    return DebuggerApp(scenario=scenario, layout_engine="builtin", **kw)


def question(app) -> str:
    return str(app.query_one("#exercise-question", Static).content)


def verdict(app) -> str:
    return str(app.query_one("#exercise-verdict", Static).content)


def row(app, number: int) -> str:
    steps = app.query_one(StepList)
    return steps._row(number - 1)


async def type_answer(pilot, text: str) -> None:
    box = pilot.app.query_one("#exercise-answer", Input)
    assert box.has_focus, "the answer box should have the keys"
    for key in text:
        await pilot.press({"-": "minus", ".": "full_stop", "?": "question_mark"}.get(key, key))
    await pilot.press("enter")
    await pilot.pause()


async def test_sigmoid_neuron_right_wrong_and_malformed_answers():
    app = app_for("sigmoid-neuron", exercise=True)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(5):  # the five leaves are given
            await pilot.press("n")
        await pilot.pause()
        assert app.session.k == 5 and question(app) == "step 6: n5 = w0 * x0 = ?"
        assert "6 F  n5 = w0 * x0 = ?" in row(app, 6)  # the step list hides the number
        await type_answer(pilot, "abc")  # malformed: one sentence, not a try
        assert verdict(app) == "'abc' is not a number; type a decimal such as -0.2, -.20 or -2e-1"
        assert app.session.k == 5
        await type_answer(pilot, "-3")  # wrong: the rule, without the number
        assert verdict(app) == "not -3; hint: n5 = w0 * x0: put in w0 = 2.00 and x0 = -1.00"
        assert app.session.k == 5 and "-2.00" not in verdict(app)
        await type_answer(pilot, "-2")
        assert verdict(app) == "right: n5 = -2.00" and app.session.k == 6
        assert row(app, 6).startswith("     6 F~ n5 = w0 * x0 = -2.00")
        await type_answer(pilot, "6")  # right first time
        assert row(app, 7).startswith("     7 F✓ n6 = w1 * x1 = 6.00")
        await type_answer(pilot, "?")  # ? shows the number
        assert verdict(app) == "revealed: n7 = 4.00" and row(app, 8)[8] == "✗"
        # n cannot pass a step that asks (the keys are in the box: Esc hands them back)
        await pilot.press("escape")
        await pilot.press("n", "n", "end")
        await pilot.pause()
        assert app.session.k == 8 and question(app) == "step 9: n8 = n7 + w2 = ?"


async def test_the_whole_neuron_ends_with_a_summary_and_hides_local_gradients_until_answered():
    app = app_for("sigmoid-neuron", exercise=True)
    async with app.run_test(size=SIZE) as pilot:
        ex = app.exercise.of(app.session.trace)
        await pilot.press(*["n"] * 5)
        for i, q in enumerate(ex.questions):
            while app.query_one("#exercise-answer", Input).display is False:  # the seed asks nothing
                await pilot.press("n")
                await pilot.pause()
            assert question(app) == f"step {q.step}: {q.prompt}"
            if q.key == "df/dn11":
                # the 1/x gate is current: its local gradient shows as a formula only
                inspector = screen_text(app)
                assert "∂out/∂n11 (+1): -1/x²" in inspector and "-0.53" not in inspector
                await type_answer(pilot, "-0.5")
                assert verdict(app) == "not -0.5; hint: the local gradient of 1/x is -1/x²"
                await type_answer(pilot, "-0.6")
                assert verdict(app) == "not -0.6; hint: df/dn11 = -1/x² = -1/1.37²"
            await type_answer(pilot, q.shown)
        assert app.session.k == 26 and ex.done
        assert question(app) == "Exercise done: 31 of 32 right first time, 1 after a hint, 0 revealed."
        assert row(app, 25).startswith("    25 B✓") and row(app, 15).startswith("    15 B~")


async def test_the_key_turns_exercise_mode_on_and_off():
    app = app_for("sigmoid-neuron")
    async with app.run_test(size=SIZE) as pilot:
        prompt = app.query_one(ExercisePrompt)
        await pilot.press("end")
        await pilot.pause()
        assert not prompt.display and app.session.k == 26
        await pilot.press("a")
        await pilot.pause()
        assert prompt.display and app.session.k == 5  # back to the first step that asks
        assert question(app) == "step 6: n5 = w0 * x0 = ?"
        await pilot.press("escape", "a")
        await pilot.pause()
        assert app.exercise is None and not prompt.display


async def test_an_mlp_at_neuron_level_asks_and_checks():
    app = app_for("mlp-xor", exercise=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert app.session.level == "neuron"
        await pilot.press("c")  # a jump stops where an answer is due
        await pilot.pause()
        ex = app.exercise.of(app.session.trace)
        first = ex.questions[0]
        assert app.session.k == first.step - 1 and question(app) == f"step {first.step}: {first.prompt}"
        assert first.prompt == "n19 = L1.N1.w0 * x0 = ?"
        w0 = app.session.trace.forward_value(app.session.trace.find("L1.N1.w0"))
        await type_answer(pilot, "x")
        assert "is not a number" in verdict(app)
        await type_answer(pilot, "7")
        assert verdict(app).startswith("not 7; hint: n19 = L1.N1.w0 * x0: put in L1.N1.w0 = ")
        await type_answer(pilot, f"{w0 * 0.0:.2f}")  # x0 = 0 for the first sample
        assert verdict(app) == "right: n19 = 0.00" and app.session.k == first.step
        assert app.session.level == "neuron"


async def test_a_training_iteration_asks_its_own_numbers():
    app = app_for("mlp-xor", exercise=True)
    async with app.run_test(size=SIZE) as pilot:
        first = app.session.trace
        await pilot.press("t")  # one training iteration: a new trace with update steps
        await pilot.pause()
        trace = app.session.trace
        assert trace is not first
        ex = app.exercise.of(trace)
        assert ex is not app.exercise.of(first)
        updates = [q for q in ex.questions if q.kind == "update"]
        # XOR trains with momentum: the update asks old − lr·v (the velocity the step shows)
        assert updates and updates[0].prompt == "L1.N1.w0 ← L1.N1.w0 − lr·v = ?"
        await pilot.press("end")  # stops at this iteration's first step that asks
        await pilot.pause()
        q = ex.questions[0]
        assert app.session.k == q.step - 1 and question(app) == f"step {q.step}: {q.prompt}"
        await type_answer(pilot, q.shown)
        assert verdict(app) == f"right: {q.key} = {q.shown}" and app.session.k == q.step
        assert row(app, q.step)[8] == "✓"


async def test_a_graph_of_arrays_says_it_asks_nothing():
    app = app_for("sigmoid-jacobian", exercise=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        await pilot.pause()
        assert app.session.k == len(app.session.trace.steps)
        assert question(app).startswith("This graph asks nothing that can be typed")


async def test_fewer_decimals_mid_exercise_make_the_number_on_screen_the_right_answer():
    app = app_for("sigmoid-neuron", exercise=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*["n"] * 5)
        await pilot.pause()
        for _ in range(5):  # n5..n9 revealed
            await type_answer(pilot, "?")
        assert question(app) == "step 11: n10 = exp(n9) = ?"
        await pilot.press("escape", "comma")  # one decimal fewer: the screen now says n9 = -1.0
        await pilot.pause()
        assert app.session.decimals == 1 and "n9 = n8 *-1 = -1.0" in row(app, 10)
        await pilot.press("n")  # runs into the question: the keys go back to the box
        await pilot.pause()
        await type_answer(pilot, "0.4")  # exp(-1) = 0.37 at two decimals, 0.4 as the screen writes it
        assert verdict(app) == "right: n10 = 0.4"
        assert row(app, 11).startswith("    11 F✓ n10 = exp(n9) = 0.4")
        assert "5 revealed" in app.exercise.of(app.session.trace).summary_text()  # the progress stayed
