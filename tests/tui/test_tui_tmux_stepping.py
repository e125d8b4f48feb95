"""Issue 21 end to end in a real terminal (tmux at 120×36, 100×30, 80×24, the README's command):
quiz mode keeps the neuron's gradients off the screen after Home; ``>`` steps over one neuron or
one layer; ``f`` finishes the neuron it is in and keeps the level; keys typed right after ``g`` count.

The expected step numbers are worked out here from the steps' group paths (not by the app's Session).
"""
from __future__ import annotations

import re

import pytest

from graphviz_nn.tui.target import from_scenario
from test_tui_tmux_e2e import EXE, LEAF_GRADIENTS, ROOT, Tmux

SIZES = [(120, 36), (100, 30), (80, 24)]
# every gradient of the CS231n neuron at two decimals (the leaves' and the gates': 1.00 is the seed)
NEURON_GRADIENTS = LEAF_GRADIENTS + ["-0.53", "1.00"]


def ids(size):
    return f"{size[0]}x{size[1]}"


def unit_ends(steps, depth: int) -> list:
    """The step numbers where a unit of ``depth`` (2: neuron, 1: layer) ends: a step outside every
    group is a unit of its own; a unit ends where the phase or the group changes."""
    ends = []
    for i, step in enumerate(steps):
        key = step.group[:depth] if len(step.group) >= depth else None
        after = steps[i + 1] if i + 1 < len(steps) else None
        same = (after is not None and key is not None and after.phase == step.phase
                and (after.group[:depth] if len(after.group) >= depth else None) == key)
        if not same:
            ends.append(i + 1)
    return ends


def header_step(screen: str) -> int:
    return int(re.search(r"step (\d+) of", screen.splitlines()[0]).group(1))


def wait_step(tmux: Tmux, k: int, n: int) -> str:
    return tmux.wait_for(f"step {k} of {n} ")


@pytest.mark.parametrize("size", SIZES, ids=ids)
def test_after_home_no_gradient_of_the_neuron_is_on_screen_in_quiz_mode(size):
    tmux = Tmux(*size)
    try:
        tmux.send(f"cd {ROOT} && {EXE}; echo EXIT=$?", "Enter")
        tmux.wait_for("step 0 of 26")
        if size[1] < 30:
            tmux.send("L")  # the lecture pane on (short terminals open without it): its explanation quotes them
        tmux.send("End")
        tmux.wait_for("step 26 of 26")
        screen = tmux.wait_for("-0.59")  # at the end they are all there to see
        tmux.send("Home")
        tmux.wait_for("step 0 of 26")
        screen = tmux.screen()
        assert "f = 1 /" in screen  # the lecture pane is there (its formula first, however it wraps)
        for g in NEURON_GRADIENTS:
            assert g not in screen, (g, screen)
        tmux.send("q")
        tmux.wait_for("EXIT=0")
    finally:
        tmux.close()


@pytest.mark.parametrize("size", SIZES, ids=ids)
def test_step_over_moves_neuron_by_neuron_and_layer_by_layer_and_step_out_keeps_the_level(size):
    steps = from_scenario("mlp-xor").make_trace().steps
    n = len(steps)
    neurons, layers = unit_ends(steps, 2), unit_ends(steps, 1)
    assert len(layers) < len(neurons) < n  # the units are real: a neuron is more than a gate
    tmux = Tmux(*size)
    try:
        tmux.send(f"cd {ROOT} && {EXE} tui mlp-xor; echo EXIT=$?", "Enter")
        wait_step(tmux, 0, n)
        tmux.send("l")  # gate → neuron
        for k in neurons[:8]:
            tmux.send(">")
            wait_step(tmux, k, n)
        for k in reversed(neurons[:7]):  # < goes back one neuron at a time
            tmux.send("<")
            wait_step(tmux, k, n)
        # f in the middle of a neuron with gates: finishes it, stays at neuron level
        middle = next(i for i, s in enumerate(steps) if len(s.group) >= 2 and s.phase == "forward"
                      and i + 2 < n and steps[i + 2].group == s.group and steps[i + 1].group == s.group
                      and i > neurons[8])
        tmux.send("g")
        tmux.send(str(middle + 1), "Enter")  # typed right after g: none of it is lost
        wait_step(tmux, middle + 1, n)
        tmux.send("f")
        end = next(k for k in neurons if k > middle)
        screen = wait_step(tmux, end, n)
        if size[0] >= 100:
            assert "level neuron" in screen.splitlines()[0]
        tmux.send(">")  # still neuron level: the next stop is the next neuron's end, not a layer's
        wait_step(tmux, next(k for k in neurons if k > end), n)
        tmux.send("l")  # neuron → layer
        tmux.send("Home")
        wait_step(tmux, 0, n)
        for k in layers[:4]:
            tmux.send(">")
            wait_step(tmux, k, n)
        tmux.send("q")
        tmux.wait_for("EXIT=0")
    finally:
        tmux.close()
