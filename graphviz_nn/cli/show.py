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
    """The engine's snapshot of every output, after one backward pass from the scenario's choice."""
    from .. import to_json
    from ..debugger import build_trace
    outputs, backward_from = scenario.outputs_for_view(start)
    build_trace(outputs, backward_from=backward_from)  # fills the gradients the snapshot shows
    return to_json(outputs[0] if len(outputs) == 1 else outputs)


def run(args) -> int:
    from ..debugger.explain import explain
    from ..scenario_format import load_scenario

    scenario = load_scenario(args.scenario)
    start = start_of(args)
    if args.format == "json":
        print(json.dumps(snapshot(scenario, start), ensure_ascii=False))
        return 0
    from ..scenario_build.facts import facts
    outputs, backward_from = scenario.outputs_for_view(start)
    print(header(scenario))
    print()
    computed = facts(scenario, start)
    if computed:
        print(computed)
        print()
    print(explain(outputs, backward_from, decimals=args.decimals))
    return 0
