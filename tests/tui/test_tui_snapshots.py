"""Snapshots of the main screen and the help screen at 120×36 and 80×24 (SVGs under __snapshots__).

Update with ``pytest tests/tui/test_tui_snapshots.py --snapshot-update`` only after looking at
the new images.
"""
from __future__ import annotations

import pytest

from graphviz_nn.tui.app import DebuggerApp

SIZES = [(120, 36), (80, 24)]
# mid-backward: values everywhere, gradients arriving, the current edge highlighted
MID_BACKWARD = ["n"] * 16


def make_app():
    return DebuggerApp(scenario="sigmoid-neuron", layout_engine="builtin")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen(snap_compare, size):
    assert snap_compare(make_app(), press=MID_BACKWARD, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(snap_compare, size):
    assert snap_compare(make_app(), press=["question_mark"], terminal_size=size)


def test_neuron_level_screen(snap_compare):
    from graphviz_nn.nn import MLP
    out = MLP(2, [3, 1], output_activation="sigmoid", seed=0)([1.0, -2.0])
    app = DebuggerApp(outputs=out, title="MLP 2-3-1", layout_engine="builtin")
    assert snap_compare(app, press=["l"] + ["n"] * 30, terminal_size=(120, 36))


def test_presentation_mode_screen(snap_compare):
    assert snap_compare(make_app(), press=MID_BACKWARD + ["P"], terminal_size=(120, 36))


def test_mlp_xor_network_view_screen(snap_compare):
    app = DebuggerApp(scenario="mlp-xor", layout_engine="builtin")
    assert snap_compare(app, press=["l", "end", "right_square_bracket"], terminal_size=(120, 36))


def test_mlp_moons_network_view_screen(snap_compare):
    app = DebuggerApp(scenario="mlp-moons", layout_engine="builtin")
    assert snap_compare(app, press=["l", "n", "n", "n"], terminal_size=(120, 36))


def test_loss_plot_and_start_picker_screen(snap_compare):
    app = DebuggerApp(scenario="learning-slowdown-quadratic", layout_engine="builtin")
    assert snap_compare(app, press=["t", "t", "t", "S"], terminal_size=(120, 36))
