"""``graphviz-nn check SCENARIO_OR_FILE``: gradient check and diagnostics; exit 1 on a failed check."""
from __future__ import annotations

import argparse

from ..terminal_text import terminal_safe
from .scenario_args import add_scenario_argument, add_start_argument, start_of


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("check", help="gradient-check a scenario and list problems",
                                   description="Compare backprop with central finite differences for every "
                                               "leaf (or parameter) and list diagnostics such as vanishing "
                                               "gradients or dead ReLUs. Exits with 1 if a gradient check fails.")
    add_scenario_argument(parser)
    add_start_argument(parser)
    parser.add_argument("--one-sided", action="store_true",
                        help="use the slide's one-sided difference (f(x+eps) - f(x)) / eps instead of the central one")
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    from ..debugger.diagnostics import diagnose
    from ..scenario_format import load_scenario

    scenario = load_scenario(args.scenario)
    start = start_of(args)
    report = scenario.gradcheck(start, one_sided=args.one_sided)
    print(f"Gradient check: {terminal_safe(scenario.title, newlines=False)}  [{scenario.id}]")
    print(report)
    flags = diagnose(scenario.trace(start))
    print()
    if flags:
        print(f"Diagnostics ({len(flags)}):")
        for flag in flags:
            print(f"  {flag.node}  {flag.kind}: {flag.sentence}")
    else:
        print("Diagnostics: nothing flagged.")
    return 0 if report.passed else 1
