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
    tmux.wait_for("RETURNED 7.0")  # returned on quit; the graph was traced (and backpropagated) once
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
