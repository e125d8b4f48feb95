"""``graphviz-nn show SCENARIO_OR_FILE``: the explanation and the step-by-step text view, or JSON."""
from __future__ import annotations

import argparse
import json

from ..terminal_text import terminal_safe
from .scenario_args import add_scenario_argument, add_start_argument, start_of


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("show", help="print a scenario's forward and backward steps",
                                   description="Print a scenario's explanation and its forward and backward "
                                               "steps as text, or the recorded graph as JSON.")
    add_scenario_argument(parser)
    add_start_argument(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text: the explanation and the step table; json: the snapshot of every output")
    parser.add_argument("--decimals", type=int, default=2, metavar="N",
                        help="digits after the point in the step table (default 2; more are used where a "
                             "product would not otherwise check out)")
    parser.set_defaults(run=run)
    return parser


def header(scenario) -> str:
    lines = [f"{scenario.title}  [{scenario.id}]", f"Lecture: {scenario.lecture or '(your own scenario: no lecture slide)'}", "", scenario.explanation]
    return terminal_safe("\n".join(lines))  # the loader refuses control characters; this is the second lock


def snapshot(scenario, start=None) -> dict:
    """The snapshot of every drawn output, read from the trace of one backward pass from the
    scenario's choice (no node is written into)."""
    from ..scenario_build.to_trace import to_trace
    from ..snapshot import trace_to_json
    return trace_to_json(to_trace(scenario, start=start).trace)


def run(args) -> int:
    from ..debugger.explain import table
    from ..scenario_build.facts import facts
    from ..scenario_build.to_trace import to_trace
    from ..scenario_format import load_scenario
    from ..snapshot import trace_to_json

    scenario = load_scenario(args.scenario)
    view = to_trace(scenario, start=start_of(args))  # one build and one trace serve every part below
    if args.format == "json":
        print(json.dumps(trace_to_json(view.trace), ensure_ascii=False))
        return 0
    view.trace.set_decimals(args.decimals)  # a bad --decimals is refused before anything is printed
    print(header(scenario))
    print()
    computed = facts(scenario, start_of(args), view)
    if computed:
        print(computed)
        print()
    print(table(view.trace))
    return 0
