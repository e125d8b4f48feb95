"""``graphviz-nn tui`` and ``graphviz-nn serve``: arguments, one-sentence errors, a real server."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from graphviz_nn.cli import COMMANDS, DEFAULT_COMMAND, build_parser, main
from graphviz_nn.cli import serve as serve_command


def test_tui_is_the_default_command_and_opens_sigmoid_neuron():
    assert DEFAULT_COMMAND == ("tui",) and "tui" in COMMANDS and "serve" in COMMANDS
    args = build_parser().parse_args(["tui"])
    assert args.scenario == "sigmoid-neuron"


def test_tui_with_an_unknown_scenario_is_one_sentence(capsys):
    assert main(["tui", "no-such-scenario"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("graphviz-nn: ") and "there is no scenario called 'no-such-scenario'" in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_tui_with_an_invalid_file_is_one_sentence(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("kind = [")
    assert main(["tui", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.toml, line 1" in err and err.count("\n") == 1


def test_serve_binds_to_localhost_unless_told():
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.scenario) == ("127.0.0.1", 8000, "sigmoid-neuron")
    args = build_parser().parse_args(["serve", "activations", "--host", "0.0.0.0", "--port", "9000"])
    assert (args.host, args.port, args.scenario) == ("0.0.0.0", 9000, "activations")


def test_serve_rejects_a_bad_port(capsys):
    assert main(["serve", "--port", "70000"]) == 2
    assert "--port 70000 is not a TCP port" in capsys.readouterr().err


def test_serve_without_the_web_extra_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)  # import fails as if not installed
    assert main(["serve"]) == 2
    assert "pip install 'graphviz-nn[web]'" in capsys.readouterr().err


def test_serve_command_runs_the_tui_of_the_scenario():
    command = serve_command.app_command("sigmoid-gate")
    assert command.endswith("-m graphviz_nn tui sigmoid-gate --served")  # sessions run with serve's limits


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_a_browser_on_localhost():
    pytest.importorskip("textual_serve")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "graphviz_nn", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        page = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and page is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    page = response.read().decode("utf-8", "replace")
            except OSError:
                time.sleep(0.2)
        assert page is not None, "the server did not answer"
        assert "graphviz-nn" in page and "ws" in page  # the page opens a websocket to the app
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_on_a_port_in_use_is_one_sentence(refused):
    pytest.importorskip("textual_serve")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        refused("serve", "--port", port).assert_one_sentence(f"port {port} is already in use")


@pytest.mark.parametrize("host", ["256.1.1.1", "no-such-host.invalid", "[::1"])
def test_serve_on_a_bad_host_is_one_sentence(host, refused):
    pytest.importorskip("textual_serve")
    refused("serve", "--host", host, "--port", free_port()).assert_one_sentence("--host")


def test_serve_on_all_interfaces_says_what_it_exposes(monkeypatch, capsys, tmp_path):
    pytest.importorskip("textual_serve")
    from textual_serve.server import Server

    from graphviz_nn.cli.classroom_server import server_class
    started = []
    monkeypatch.setattr(server_class(Server), "serve", lambda self: started.append(self))
    monkeypatch.setattr(serve_command, "_check_port_free", lambda host, port: None)  # never bind 0.0.0.0 here
    assert main(["serve", "--host", "0.0.0.0", "--port", "9000", "--scenarios", str(tmp_path),
                 "--max-sessions", "5"]) == 0
    err = capsys.readouterr().err
    assert "ALL network interfaces" in err and "port 9000" in err and str(tmp_path.resolve()) in err
    assert "nothing is written here" in err
    (server,) = started
    assert server.max_sessions == 5 and "--served" in server.command and str(tmp_path.resolve()) in server.command
    assert main(["serve", "--max-sessions", "0"]) == 2
    assert main(["serve", "--scenarios", str(tmp_path / "missing")]) == 2
