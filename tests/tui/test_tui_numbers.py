"""One way to write a number per step (issue 21): at each backward step of the CS231n neuron the
step list, the inspector, the picture and the presentation line write the new gradient with the
same digits, and those digits are the hand-computed gradient rounded."""
from __future__ import annotations

import math
import re

from graphviz_nn.tui.app import DebuggerApp
from graphviz_nn.tui.presenter import inspector_lines, spoken_line
from tui_helpers import box_text

# the slide's neuron by hand: z = w0*x0 + w1*x1 + w2, f = σ(z), df/dz = f(1 - f)
W0, X0, W1, X1, W2 = 2.0, -1.0, -3.0, -2.0, -3.0
F = 1 / (1 + math.exp(-(W0 * X0 + W1 * X1 + W2)))
DZ = F * (1 - F)
LEAF_GRADS = {"w0": DZ * X0, "x0": DZ * W0, "w1": DZ * X1, "x1": DZ * W1, "w2": DZ}


async def test_the_new_gradient_is_written_alike_everywhere_at_its_step():
    app = DebuggerApp(scenario="sigmoid-neuron", layout_engine="builtin", zoom="full")
    async with app.run_test(size=(160, 45)) as pilot:
        trace = app.session.trace
        checked = 0
        for step in trace.steps:
            if step.phase != "backward" or step.is_seed or trace.node(step.input).name not in LEAF_GRADS:
                continue
            app.session.goto(step.number)
            app.refresh_view()
            await pilot.pause()
            shown = re.search(r"\.grad = (-?\d+\.\d+)", step.text).group(1)  # the step list's digits
            name = trace.node(step.input).name
            places = len(shown.split(".")[1])
            assert abs(float(shown) - LEAF_GRADS[name]) <= 0.5 * 10 ** -places + 1e-12  # the right number
            inspector = "\n".join(text for _, text in inspector_lines(trace, app.session.state, step.node))
            assert f"{name}.grad = {shown}" in inspector
            assert f"{name}.grad = {shown}" in spoken_line(trace, app.session.state)
            assert shown in await box_text(app, pilot, step.input)  # the leaf's box in the picture
            checked += 1
        assert checked == len(LEAF_GRADS)
