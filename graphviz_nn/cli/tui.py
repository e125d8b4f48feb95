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
    parser.add_argument("--exercise", action="store_true",
                        help="exercise mode: at each step the student types the hidden number (value, local "
                             "gradient, gradient) and is told at once whether it is right, with a hint if not")
    parser.add_argument("--builtin-layout", action="store_true",
                        help="never run Graphviz; use the built-in layered layout")
    # set by ``graphviz-nn serve`` for each browser session (see graphviz_nn.tui.served_policy)
    parser.add_argument("--served", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scenarios", metavar="DIR", default=None, help=argparse.SUPPRESS)
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    from ..scenario_build.to_trace import scenario_of
    from ..tui.app import DebuggerApp

    # read once, here: a bad name or file is one sentence before the screen changes, and the app
    # opens this very Scenario; a served session hands the app the name, for its policy to check
    scenario = scenario_of(args.scenario)
    app = DebuggerApp(scenario=args.scenario if args.served else scenario, layout_engine="builtin" if args.builtin_layout else "auto",
                      served=args.served, scenarios_dir=args.scenarios, exercise=args.exercise)
    app.run()
    return int(app.return_code or 0)
