"""``graphviz-nn tui [SCENARIO_OR_FILE]``: the terminal step debugger (the default command)."""
from __future__ import annotations

import argparse

from .scenario_args import add_scenario_argument


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "tui", help="step through backpropagation in the terminal",
        description="Open the terminal step debugger on a lecture scenario or a scenario file "
                    "(press ? inside for the keys).")
    add_scenario_argument(parser)
    parser.add_argument("--builtin-layout", action="store_true",
                        help="never run Graphviz; use the built-in layered layout")
    # set by ``graphviz-nn serve`` for each browser session (see graphviz_nn.tui.served_policy)
    parser.add_argument("--served", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scenarios", metavar="DIR", default=None, help=argparse.SUPPRESS)
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    from ..scenario_format.loader import load_scenario
    from ..tui.app import DebuggerApp

    load_scenario(args.scenario)  # a bad name or file is one sentence here, before the screen changes
    app = DebuggerApp(scenario=args.scenario, layout_engine="builtin" if args.builtin_layout else "auto",
                      served=args.served, scenarios_dir=args.scenarios)
    app.run()
    return int(app.return_code or 0)
