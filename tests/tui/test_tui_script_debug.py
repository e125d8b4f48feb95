"""``graphviz-nn debug script.py`` opens the app on the script's backward pass (Pilot)."""
from __future__ import annotations

import textwrap

from graphviz_nn.script_capture import capture
from graphviz_nn.tui.app import DebuggerApp
from graphviz_nn.tui.target import from_outputs
from tui_helpers import screen_text

SCRIPT = textwrap.dedent("""\
    from micrograd.engine import Value
    w0, x0, w1, x1, w2 = (Value(v) for v in (2.0, -1.0, -3.0, -2.0, -3.0))
    for label, v in zip(("w0", "x0", "w1", "x1", "w2"), (w0, x0, w1, x1, w2)):
        v.label = label
    for step in range(3):
        f = 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())
        f.backward()
        w0.data -= 0.0  # an update that changes nothing keeps the slide's numbers
    """)


async def test_the_app_opens_on_the_last_backward_pass_and_steps_it(tmp_path):
    path = tmp_path / "neuron.py"
    path.write_text(SCRIPT)
    captured = capture(path)
    trace = captured.trace
    app = DebuggerApp(target=from_outputs(trace, captured.title), layout_engine="builtin")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert app.session.trace is trace
        assert "neuron.py: backward pass 3 of 3" in screen_text(app)
        await pilot.press("end")
        await pilot.pause()
        assert app.session.state.phase == "end"
        text = screen_text(app)
        assert "-0.20" in text and "0.73" in text  # w0's gradient and f, the slide's numbers
