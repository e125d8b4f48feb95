"""End to end in a real terminal: the README's run command (``graphviz-nn``, no arguments) in tmux.

Keys go in through tmux, the screen comes back through ``capture-pane``; after ``q`` the
shell must be back on the main screen with the cursor shown and mouse reporting off.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXE = Path(sys.executable).with_name("graphviz-nn")

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (scripts/test.sh installs it)")


class Tmux:
    def __init__(self, width: int, height: int):
        self.socket = f"gvnn-{uuid.uuid4().hex[:8]}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("TMUX")}
        env["TERM"] = "xterm-256color"
        self.env = env
        self.run("-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", str(width), "-y", str(height),
                 "bash --norc --noprofile")

    def run(self, *args) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True,
                              env=self.env, timeout=20)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def send(self, *keys: str) -> None:
        self.run("send-keys", "-t", "e2e", *keys)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "e2e")

    def flag(self, name: str) -> str:
        return self.run("display-message", "-p", "-t", "e2e", f"#{{{name}}}").strip()

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} did not appear within {timeout} s; the screen was:\n{screen}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, env=self.env)


@pytest.fixture
def tmux():
    session = Tmux(120, 36)
    yield session
    session.close()


def test_run_command_steps_forward_to_073_and_quits_cleanly(tmux):
    assert EXE.exists(), f"{EXE} is missing: install the project (scripts/setup.sh)"
    tmux.send(f"cd {ROOT} && {EXE}; echo EXIT=$?", "Enter")
    screen = tmux.wait_for("step 0 of 26")
    assert "The sigmoid neuron" in screen
    assert tmux.flag("alternate_on") == "1"  # a full-screen app is running
    for _ in range(13):  # the 13 forward steps
        tmux.send("n")
    screen = tmux.wait_for("step 13 of 26")
    assert "forward" in screen
    assert "0.73" in screen, screen
    tmux.send("q")
    screen = tmux.wait_for("EXIT=0")
    assert "step 13 of 26" not in screen  # the app's screen is gone
    assert tmux.flag("alternate_on") == "0"  # back on the shell's own screen
    assert tmux.flag("cursor_flag") == "1"  # cursor shown again
    assert tmux.flag("mouse_any_flag") == "0"  # mouse reporting switched off


LEAF_GRADIENTS = ["-0.20", "0.39", "-0.39", "-0.59", "0.20"]


def graph_part(screen: str) -> str:
    """The graph pane only: each row cut at the side pane's border (the lecture pane there
    quotes the same numbers, so the whole screen would prove nothing)."""
    lines = screen.splitlines()
    # the main area: below the header, above the step list's top border (or the footer)
    end = next((i for i, line in enumerate(lines) if i and set(line.strip()) == {"─"} and len(line.strip()) > 60),
               len(lines) - 1)
    rows = lines[1:end]
    columns = {}
    for row in rows:
        for i, ch in enumerate(row):
            if ch in "│└":
                columns[i] = columns.get(i, 0) + 1
    border = max((c for c, n in columns.items() if n >= len(rows) * 0.8), default=None)
    if border is None:  # no side pane (fit): the whole width is the graph
        return "\n".join(rows)
    return "\n".join(row[:border] for row in rows)


@pytest.mark.parametrize("size", [(120, 36), (100, 30)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_run_command_shows_the_whole_neuron_at_end_and_step_1_at_home(size):
    """The README's run command, as written: at End the output 0.73 and all five leaf gradients are on screen."""
    tmux = Tmux(*size)
    try:
        tmux.send(f"cd {ROOT} && bash scripts/run.sh; echo EXIT=$?", "Enter")
        tmux.wait_for("step 0 of 26")
        tmux.send("End")
        tmux.wait_for("step 26 of 26")
        graph = graph_part(tmux.wait_for("0.73"))
        assert "0.73" in graph, graph
        for g in LEAF_GRADIENTS:
            assert g in graph, (g, graph)
        tmux.send("Home")
        screen = tmux.wait_for("step 0 of 26")
        assert "     1 F" in screen, screen  # the step list is back at step 1
        tmux.send("q")
        tmux.wait_for("EXIT=0")
    finally:
        tmux.close()


def test_at_80x24_the_fit_key_shows_the_whole_neuron():
    tmux = Tmux(80, 24)
    try:
        tmux.send(f"cd {ROOT} && {EXE}; echo EXIT=$?", "Enter")
        tmux.wait_for("step 0 of 26")
        tmux.send("End")
        tmux.wait_for("step 26 of 26")
        tmux.send("0")
        tmux.wait_for("0.73")
        deadline = time.monotonic() + 10
        graph = graph_part(tmux.screen())
        while not all(g in graph for g in LEAF_GRADIENTS + ["0.73"]) and time.monotonic() < deadline:
            time.sleep(0.1)
            graph = graph_part(tmux.screen())
        for g in LEAF_GRADIENTS + ["0.73"]:
            assert g in graph, (g, graph)
        tmux.send("q")
        tmux.wait_for("EXIT=0")
    finally:
        tmux.close()


def test_unknown_scenario_is_one_sentence_and_status_2(tmux):
    tmux.send(f"cd {ROOT} && {EXE} tui no-such-scenario; echo EXIT=$?", "Enter")
    screen = tmux.wait_for("EXIT=2")
    assert "there is no scenario called 'no-such-scenario'" in screen
    assert "Traceback" not in screen
    assert tmux.flag("alternate_on") == "0"


def test_debug_from_python_opens_the_app_and_returns_on_quit(tmux, tmp_path):
    script = tmp_path / "mine.py"
    script.write_text("from graphviz_nn import Value, debug\n"
                      "x = Value(3.0, label='x')\n"
                      "debug(x * x + x, title='my graph')\n"
                      "print('RETURNED', x.grad)\n")
    tmux.send(f"cd {ROOT} && {sys.executable} {script}", "Enter")
    screen = tmux.wait_for("step 0 of 8")
    assert "my graph" in screen
    tmux.send("End")
    tmux.wait_for("step 8 of 8")
    tmux.send("q")
    # returned on quit; the app read its own trace, so the user's x.grad is as it was (issue 20)
    tmux.wait_for("RETURNED 0.0")
    assert tmux.flag("alternate_on") == "0"


def test_starts_without_graphviz_and_says_so(tmux):
    # only the virtual environment on PATH: no dot program anywhere
    tmux.send(f"cd {ROOT} && PATH={EXE.parent} {EXE}; echo EXIT=$?", "Enter")
    screen = tmux.wait_for("step 0 of 26")
    assert "w0" in screen
    screen = tmux.wait_for("not installed")
    assert "built-in layout" in " ".join(screen.split())
    tmux.send("n", "n", "n")
    tmux.wait_for("step 3 of 26")
    tmux.send("q")
    tmux.wait_for("EXIT=0")
