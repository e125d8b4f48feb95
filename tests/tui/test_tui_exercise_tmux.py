"""Exercise mode end to end in a real terminal (tmux): right, wrong and malformed answers typed as keys."""
from __future__ import annotations

import pytest

from test_tui_tmux_e2e import EXE, ROOT, Tmux, pytestmark  # noqa: F401 (pytestmark: skipped without tmux)


def answer(tmux, text: str) -> None:
    tmux.run("send-keys", "-t", "e2e", "-l", "--", text)  # -l: "-3" is text, not a tmux flag
    tmux.send("Enter")


def leave_and_quit(tmux) -> None:
    """Out of the answer box, then quit; the app exits 0."""
    tmux.send("Escape")  # alone: Escape then q at once reads as Alt+q
    tmux.wait_for("Out of the answer box")
    tmux.send("q")
    tmux.wait_for("EXIT=0")


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_sigmoid_neuron_exercise_in_a_terminal(size):
    tmux = Tmux(*size)
    try:
        tmux.send(f"cd {ROOT} && {EXE} tui sigmoid-neuron --exercise --builtin-layout; echo EXIT=$?", "Enter")
        tmux.wait_for("step 0 of 26")
        for k in range(1, 6):
            tmux.send("n")
            tmux.wait_for(f"step {k} of 26")
        tmux.wait_for("step 6: n5 = w0 * x0 = ?")
        answer(tmux, "two")
        tmux.wait_for("'two' is not a number; type a decimal such as -0.2, -.20 or -2e-1")
        answer(tmux, "-3")
        screen = tmux.wait_for("not -3; hint: n5 = w0 * x0: put in w0 = 2.00 and x0 = -1.00")
        assert "step 5 of 26" in screen
        answer(tmux, "-2e0")
        screen = tmux.wait_for("right: n5 = -2.00")
        assert "step 6 of 26" in screen and "6 F~ n5 = w0 * x0 = -2.00" in screen
        answer(tmux, "6")
        screen = tmux.wait_for("step 8: n7 = n5 + n6 = ?")
        assert "7 F✓ n6 = w1 * x1 = 6.00" in screen
        leave_and_quit(tmux)
    finally:
        tmux.close()


def test_mlp_at_neuron_level_exercise_in_a_terminal():
    tmux = Tmux(120, 36)
    try:
        tmux.send(f"cd {ROOT} && {EXE} tui mlp-xor --exercise --builtin-layout; echo EXIT=$?", "Enter")
        tmux.wait_for("step 0 of 402")
        tmux.send("l")
        tmux.wait_for("level neuron")
        tmux.send("c")
        tmux.wait_for("step 20: n19 = L1.N1.w0 * x0 = ?")
        answer(tmux, "1..2")
        tmux.wait_for("'1..2' is not a number")
        answer(tmux, "1")
        tmux.wait_for("not 1; hint: n19 = L1.N1.w0 * x0: put in L1.N1.w0 = ")
        answer(tmux, "0")
        screen = tmux.wait_for("right: n19 = 0.00")
        assert "step 20 of 402" in screen and "level neuron" in screen
        leave_and_quit(tmux)
    finally:
        tmux.close()
