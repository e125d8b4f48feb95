"""``graphviz-nn serve [SCENARIO] [--port] [--host] [--scenarios DIR] [--max-sessions N]``:
the step debugger in a browser, for a classroom.

Each browser tab gets its own app session, started with ``--served``: exports are delivered
to the browser as downloads (nothing is written on the server), ``o`` opens only the
catalogue and the .toml files under ``--scenarios DIR``, and error messages never quote a
file's contents. The server refuses pages of other sites and caps the sessions.
"""
from __future__ import annotations

import argparse
import errno
import shlex
import socket
import sys
from pathlib import Path

from ..errors import UserError
from .scenario_args import add_scenario_argument

DEFAULT_MAX_SESSIONS = 30
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "serve", help="serve the step debugger to web browsers (needs graphviz-nn[web])",
        description="Serve the terminal step debugger through textual-serve; each browser tab gets "
                    "its own session. Bound to 127.0.0.1 unless --host says otherwise. Sessions write "
                    "nothing on the server: exports are downloads in the browser.")
    add_scenario_argument(parser)
    parser.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; 0.0.0.0 shares it on the network)")
    parser.add_argument("--scenarios", metavar="DIR", default=None,
                        help="a folder of scenario files the class may open with o (default: the catalogue only)")
    parser.add_argument("--max-sessions", type=int, default=DEFAULT_MAX_SESSIONS, metavar="N",
                        help=f"at most N browser sessions at once (default {DEFAULT_MAX_SESSIONS}; each is a process)")
    parser.set_defaults(run=run)
    return parser


def app_command(scenario: str, scenarios_dir: str | None = None) -> str:
    """The shell command textual-serve runs per browser session."""
    parts = [sys.executable, "-m", "graphviz_nn", "tui", scenario, "--served"]
    if scenarios_dir is not None:
        parts += ["--scenarios", scenarios_dir]
    return " ".join(shlex.quote(part) for part in parts)


def check_options(args) -> str | None:
    """The user's own mistakes first, in one sentence; returns the scenarios folder (absolute)."""
    if not 0 < args.port < 65536:
        raise UserError(f"--port {args.port} is not a TCP port; use a number from 1 to 65535")
    if not 1 <= args.max_sessions <= 1000:
        raise UserError(f"--max-sessions {args.max_sessions} is out of range; use a number from 1 to 1000")
    folder = None
    if args.scenarios is not None:
        path = Path(args.scenarios)
        if not path.is_dir():
            raise UserError(f"--scenarios {args.scenarios!r} is not a folder; give the folder holding "
                            f"the class's .toml files")
        folder = str(path.resolve())
    try:
        socket.getaddrinfo(args.host, args.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UserError(f"--host {args.host!r} is not an address of this machine; use 127.0.0.1 (this "
                        f"machine only) or 0.0.0.0 (the network)") from None
    return folder


def run(args) -> int:
    from ..scenario_format.loader import load_scenario

    folder = check_options(args)
    load_scenario(args.scenario)  # fail here, in one sentence, rather than in every browser tab
    try:
        from textual_serve.server import Server
    except ImportError:
        raise UserError("serving in a browser needs the optional extra: pip install 'graphviz-nn[web]'") from None
    from .classroom_server import exposed_addresses, server_class
    ClassroomServer = server_class(Server)
    _check_port_free(args.host, args.port)
    server = ClassroomServer(app_command(args.scenario, folder), host=args.host, port=args.port,
                             title=f"graphviz-nn: {args.scenario}", max_sessions=args.max_sessions)
    from . import classroom_limits as limits
    print(f"graphviz-nn: serving {args.scenario} at http://{args.host}:{args.port} "
          f"(at most {args.max_sessions} sessions of at most {limits.MAX_COLUMNS}×{limits.MAX_ROWS} cells and "
          f"{limits.SESSION_ADDRESS_SPACE // 1024 ** 2} MB each; Ctrl+C stops)", file=sys.stderr)
    if args.host in WILDCARD_HOSTS:
        reach = ", ".join(exposed_addresses()) or "every address of this machine"
        print(f"graphviz-nn: listening on ALL network interfaces: anyone who can reach this machine "
              f"({reach}) on port {args.port} can open sessions; o opens "
              f"{'the catalogue and ' + folder if folder else 'the catalogue only'}; nothing is written here",
              file=sys.stderr)
    try:
        server.serve()
    except OSError as error:
        raise _listen_error(args, error) from None
    return 0


def _check_port_free(host: str, port: int) -> None:
    """A port in use or an address this machine does not have is one sentence before starting."""
    try:
        probe = socket.create_server((host if host else "0.0.0.0", port), reuse_port=False)
    except OSError as error:
        raise _listen_error(argparse.Namespace(host=host, port=port), error) from None
    probe.close()


def _listen_error(args, error: OSError) -> UserError:
    if error.errno == errno.EADDRINUSE:
        return UserError(f"port {args.port} is already in use on {args.host}; stop the other server "
                         f"or choose another port with --port")
    if error.errno in (errno.EACCES, errno.EPERM):
        return UserError(f"port {args.port} needs administrator rights; choose a port above 1023 with --port")
    return UserError(f"cannot listen on {args.host}:{args.port} ({error.strerror or error}); "
                     f"use --host 127.0.0.1 or an address of this machine")
