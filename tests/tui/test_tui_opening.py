"""Opening in the app (tui/opening.py): a target that cannot be built says so and keeps the old session."""
from __future__ import annotations

from graphviz_nn.tui.app import DebuggerApp
from graphviz_nn.tui.target import Target
from tui_helpers import screen_text


def _broken() -> Target:
    def make_trace():
        return 1.0 / 0.0  # what a file the loader accepted but the engine cannot build does

    return Target("broken", "broken", make_trace=make_trace)


async def test_a_target_that_cannot_be_built_is_one_sentence_and_the_old_session_stays():
    app = DebuggerApp(scenario="sigmoid-neuron", layout_engine="builtin")
    async with app.run_test(size=(120, 36)) as pilot:
        before = app.session
        assert app.open_target(_broken) is False
        await pilot.pause()
        assert app.session is before and app.target.id == "sigmoid-neuron"
        assert app.error.startswith("this graph cannot be built (ZeroDivisionError")
        assert "this graph cannot be built" in screen_text(app)


async def test_a_training_iteration_keeps_the_decimals_breakpoints_and_level():
    app = DebuggerApp(scenario="mlp-xor", layout_engine="builtin")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("full_stop")  # 3 decimals
        await pilot.pause()
        first = app.session
        first.add_breakpoint(first.trace.nodes[0].id)
        await pilot.press("t")
        await pilot.pause()
        assert app.session is not first
        assert app.session.decimals == 3 and app.session.trace.decimals == 3
        assert app.session.breakpoints == {first.trace.nodes[0].id}
        assert app.session.level == first.level
