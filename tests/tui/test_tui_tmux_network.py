"""End to end in a real terminal: the README's run command opens mlp-xor and mlp-moons, ``l``
switches to the neuron level, and at every step checked the graph pane shows every layer of
the network and the current neuron, highlighted (issue 21, item 1).

The expected layers and current neuron come from the scenario's trace read here (its groups),
not from the app. No key but ``l`` and ``n`` is pressed at any size: at 80×24 the wide layers fold
to three boxes (the current neuron among them) and mlp-moons takes the whole width by itself.
"""
from __future__ import annotations

import re
import shutil
import time

import pytest
from test_tui_tmux_e2e import ROOT, Tmux, graph_part

from graphviz_nn.tui.target import from_scenario

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (scripts/test.sh installs it)")

SIZES = [(120, 36), (100, 30), (80, 24)]
LAYERS = {"mlp-xor": ["x0", "x1", "L1.N1", "L1.N4", "L2.N1", "loss"],
          "mlp-moons": ["X[0]", "X[1]", "L1.N1", "L1.N16", "L2.N1", "L2.N16", "L3.N1", "loss"]}
# At 80×24 a wide layer folds to its current neuron between "… k more" boxes: every layer is
# there as a neuron box of its own, the first and last neurons not always.
FOLDED = {"mlp-xor": ["x0", "x1", "loss"], "mlp-moons": ["X[0]", "X[1]", "loss"]}
LAYER_COUNT = {"mlp-xor": 2, "mlp-moons": 3}


def expected_names(sid: str, size) -> list:
    return FOLDED[sid] if size == (80, 24) else LAYERS[sid]


def every_layer(sid: str, size, graph: str) -> bool:
    layers = {int(m) for m in re.findall(r"\(L(\d+)\.N\d+\)", graph)}
    return all(name in graph for name in expected_names(sid, size)) and \
        layers == set(range(1, LAYER_COUNT[sid] + 1))


def current_neuron(trace, k: int) -> str:
    """The box the step at ``k`` is about, by the trace's labels and groups: a weight's caption,
    a neuron (a tensor layer's other steps: its first neuron), an input, or the loss."""
    state = trace.state_at(k)
    info = trace.node(state.current)
    if info.is_leaf and re.search(r"\.(w\d+|W)$", info.label or ""):
        return info.label  # a weight's own step (its value, its update): the caption reading it
    if len(info.group) >= 2:
        return ".".join(info.group[:2])
    if len(info.group) == 1:
        return f"{info.group[0]}.N1"
    if info.is_leaf and info.label in ("x0", "x1", "X"):
        return "X[0]" if info.label == "X" else info.label
    return "loss"


def screen_with_escapes(tmux: Tmux) -> str:
    return tmux.run("capture-pane", "-e", "-p", "-t", "e2e")


def check_screen(tmux: Tmux, sid: str, trace, k: int, total: int, size) -> None:
    screen = tmux.wait_for(f"step {k} of {total}")
    graph = graph_part(screen)
    deadline = time.monotonic() + 5
    while not every_layer(sid, size, graph) and time.monotonic() < deadline:
        time.sleep(0.1)  # a notification may sit over the corner for a moment
        graph = graph_part(tmux.screen())
    for name in expected_names(sid, size):
        assert name in graph, (sid, k, name, graph)
    assert every_layer(sid, size, graph), (sid, k, graph)
    if k == 0:
        return
    current = current_neuron(trace, k)
    assert current in graph, (sid, k, current, graph)
    if current.startswith(("L", "loss")):  # its title is the one drawn on the highlight's background
        weight = re.search(r"\.(w\d+|W)$", current)
        title = re.escape(current if weight else f"({current})")
        lit = re.search(r"\x1b\[[0-9;]*48;5;\d+m\s*" + title, screen_with_escapes(tmux))
        assert lit, (sid, k, current)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("sid", ["mlp-moons", "mlp-xor"])
def test_neuron_level_shows_every_layer_and_the_current_neuron(sid, size):
    trace = from_scenario(sid).make_trace()  # the app's trace: forward, backward and update steps
    total = len(trace.steps)
    tmux = Tmux(*size)
    try:
        tmux.send(f"cd {ROOT} && bash scripts/run.sh tui {sid}; echo EXIT=$?", "Enter")
        tmux.wait_for(f"step 0 of {total}")
        tmux.send("l")
        tmux.wait_for("level neuron")
        check_screen(tmux, sid, trace, 0, total, size)
        # moons: every step; xor (402 steps): a stride through forward, backward and update
        stride = 1 if total < 100 else 23
        k = 0
        while k + stride <= total:
            for _ in range(stride):
                tmux.send("n")
            k += stride
            check_screen(tmux, sid, trace, k, total, size)
        tmux.send("q")
        tmux.wait_for("EXIT=0")
    finally:
        tmux.close()
