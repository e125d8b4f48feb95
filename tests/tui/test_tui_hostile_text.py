"""Text is text, the app never blocks, and odd input never ends it (issue 14)."""
from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graphviz_nn.tui.app import DebuggerApp
from tui_helpers import screen_text

SIZE = (120, 36)
ROOT = Path(__file__).resolve().parents[2]
MARKUP = "[/bold]"
LECTURE = '[lecture]\nseed = "s"\nslide = "s"\n'


def app_for(scenario="sigmoid-neuron"):
    return DebuggerApp(scenario=scenario, layout_engine="builtin")


async def type_into_prompt(pilot, app, text):
    field = app.screen.query_one("Input")
    field.value = text
    await pilot.press("enter")
    await pilot.pause()


@pytest.mark.parametrize("key", ["g", "w", "e", "o"])
async def test_markup_typed_into_every_prompt_is_shown_as_text(key, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key)
        await pilot.pause()
        if key == "o":
            await pilot.click("#picker-path")
            field = app.screen.query_one("#picker-path")
            field.value = f"{tmp_path}/{MARKUP} oops.toml"
            await pilot.press("enter")
        else:
            typed = {"g": f"{MARKUP} oops", "w": f"vanishing {MARKUP}", "e": f"{MARKUP}/x.svg"}[key]
            await type_into_prompt(pilot, app, typed)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running and app.screen is app.screen_stack[0]
        shown = screen_text(app) + "".join(n.message for n in app._notifications)
        assert MARKUP in shown, shown  # quoted literally in the message
        await pilot.press("n")
        assert app.session is not None and app.session.k == 1
    assert app.return_code in (0, None)


def scenario_text(title="t", outputs='f = "x * x"'):
    return (f'id = "s"\ntitle = "{title}"\nexplanation = "{MARKUP} and [red]red[/red]"\nkind = "expression"\n'
            f'{LECTURE}[leaves]\nx = 2.0\n[outputs]\n{outputs}\n')


async def test_a_title_that_looks_like_markup_is_shown_as_it_is(tmp_path):
    path = tmp_path / "title.toml"
    path.write_text(scenario_text(title=f"{MARKUP} oops [b]not bold[/b]"))
    app = app_for(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.session is not None
        assert f"{MARKUP} oops [b]not bold[/b]" in screen_text(app)


async def test_a_key_that_looks_like_markup_is_quoted_in_the_error(tmp_path):
    path = tmp_path / "key.toml"
    path.write_text(scenario_text() + f'"{MARKUP}" = 1\n')
    app = app_for(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.error is not None and MARKUP in app.error
        assert MARKUP in screen_text(app)


@pytest.fixture
def slow_evaluations(monkeypatch):
    """The real gradient check, each graph evaluation made 20 ms longer: a check that is still
    running when the test presses its key, however fast the machine (501 evaluations ≈ 10 s)."""
    from graphviz_nn.tui import reports
    real = reports.gradient_check_text

    def slowed(trace, scenario, progress):
        def progress_after_a_pause(done, total):
            time.sleep(0.02)
            progress(done, total)
        return real(trace, scenario, progress_after_a_pause)

    monkeypatch.setattr(reports, "gradient_check_text", slowed)


def long_check_file(tmp_path) -> Path:
    """A gradient check that takes a while but is within the budget: 250 leaves, ~2,000 nodes."""
    values = ", ".join(f"{0.1 + i / 1000:.3f}" for i in range(250))
    path = tmp_path / "long.toml"
    path.write_text(f'id = "long"\ntitle = "long check"\nexplanation = "e"\nkind = "expression"\n{LECTURE}'
                    f'[leaves]\nx = [{values}]\n[outputs]\nf = "sum(x * x * x * x * x * x * x)"\n')
    return path


async def test_q_during_a_long_gradient_check_quits_and_stops_the_check(tmp_path, slow_evaluations):
    app = app_for(str(long_check_file(tmp_path)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.session is not None
        await pilot.press("x")
        await pilot.pause()
        assert app._busy is not None and "Gradient check" in screen_text(app)
        await pilot.press("n")  # the app answers keys while the check runs
        assert app.session.k == 1
        (worker,) = [w for w in app.workers if w.group == "busy"]
        await pilot.press("q")
    assert app.return_code in (0, None)
    assert worker.is_cancelled
    await_seconds = time.monotonic() + 10
    while worker.is_running and time.monotonic() < await_seconds:  # stops at its next evaluation
        time.sleep(0.01)
    assert not worker.is_running and worker.result is None  # stopped, no report was made


async def test_escape_cancels_a_running_gradient_check(tmp_path, slow_evaluations):
    app = app_for(str(long_check_file(tmp_path)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert app._busy is not None
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app._busy is None and app.screen is app.screen_stack[0]  # no report pushed
        assert any("cancelled" in n.message for n in app._notifications)


async def test_a_large_scenario_opens_in_a_worker_with_progress(tmp_path):
    values = ", ".join(f"{i / 1000:.3f}" for i in range(1000))
    path = tmp_path / "large.toml"
    path.write_text(f'id = "large"\ntitle = "large"\nexplanation = "e"\nkind = "expression"\n{LECTURE}'
                    f'[leaves]\nx = [{values}]\n[outputs]\nf = "sum(x * x * x * x)"\n')
    app = app_for("sigmoid-neuron")
    async with app.run_test(size=SIZE) as pilot:
        app.open_scenario(str(path))
        message = app.query_one("#message")
        assert app._busy is not None and "Opening large" in str(message.render())
        assert "Esc cancels" in str(message.render())
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app._busy is None and app.target.id == "large" and len(app.session.trace.nodes) > 4000


@pytest.mark.parametrize("sequence", [b"\x1b[1114112u", b"\x1b[99999999999999999999A"])
def test_escape_sequences_that_broke_textuals_key_parser_do_not_end_the_app(sequence):
    """End to end in a real pseudo-terminal: the bytes reach Textual's own driver and parser."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app on the terminal
        os.environ.update(TERM="xterm-256color", COLUMNS="100", LINES="30", PYTHONPATH=str(ROOT))
        os.execv(sys.executable, [sys.executable, "-m", "graphviz_nn", "tui", "--builtin-layout"])
    output = bytearray()

    def read_for(seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    output.extend(os.read(fd, 65536))
                except OSError:
                    return False
        return True

    try:
        deadline = time.monotonic() + 60
        while b"sigmoid" not in output.lower() and time.monotonic() < deadline:
            if not read_for(0.2):
                break
        assert b"sigmoid" in output.lower(), output[-500:]
        os.write(fd, sequence)
        read_for(1.0)
        os.write(fd, b"n")
        read_for(1.0)
        alive, _ = os.waitpid(pid, os.WNOHANG)
        assert alive == 0, "the app ended after the escape sequence"
        os.write(fd, b"q")
        end = time.monotonic() + 20
        status = None
        while time.monotonic() < end:
            read_for(0.1)
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
        assert status is not None and os.waitstatus_to_exitcode(status) == 0
        assert b"Traceback" not in output
    finally:
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)
