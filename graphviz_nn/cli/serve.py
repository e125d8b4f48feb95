"""``graphviz-nn serve [SCENARIO] [--port] [--host]``: the step debugger in a browser, for a classroom."""
from __future__ import annotations

import argparse
import shlex
import sys

from ..errors import UserError
from .scenario_args import add_scenario_argument


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "serve", help="serve the step debugger to web browsers (needs graphviz-nn[web])",
        description="Serve the terminal step debugger through textual-serve; each browser tab gets "
                    "its own session. Bound to 127.0.0.1 unless --host says otherwise.")
    add_scenario_argument(parser)
    parser.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; 0.0.0.0 shares it on the network)")
    parser.set_defaults(run=run)
    return parser


def app_command(scenario: str) -> str:
    """The shell command textual-serve runs per browser session."""
    return " ".join(shlex.quote(part) for part in (sys.executable, "-m", "graphviz_nn", "tui", scenario))


def run(args) -> int:
    from ..scenario_format.loader import load_scenario

    # the user's own mistakes first: they are reported whether or not the extra is installed
    if not 0 < args.port < 65536:
        raise UserError(f"--port {args.port} is not a TCP port; use a number from 1 to 65535")
    load_scenario(args.scenario)  # fail here, in one sentence, rather than in every browser tab
    try:
        from textual_serve.server import Server
    except ImportError:
        raise UserError("serving in a browser needs the optional extra: pip install 'graphviz-nn[web]'") from None
    server = Server(app_command(args.scenario), host=args.host, port=args.port,
                    title=f"graphviz-nn: {args.scenario}")
    print(f"graphviz-nn: serving {args.scenario} at http://{args.host}:{args.port} (Ctrl+C stops)",
          file=sys.stderr)
    server.serve()
    return 0
