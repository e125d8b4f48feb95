"""``graphviz-nn debug SCRIPT.py [ARGS...]``: run a micrograd-style script, then step through a
backward pass it made (the last one, or ``--backward N``)."""
from __future__ import annotations

import argparse


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "debug", help="run a micrograd-style script, then step through one of its backward passes",
        description="Run a Python script written for micrograd (its micrograd imports get graphviz_nn's Value "
                    "and nn) and open the step debugger on a backward pass it made: the last one, or the "
                    "N-th with --backward N (the script then stops right after it, as at a breakpoint).")
    parser.add_argument("script", metavar="SCRIPT.py", help="the script to run, as `python SCRIPT.py` would")
    parser.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS", help="arguments passed to the script")
    parser.add_argument("--backward", type=_pass_number, default=None, metavar="N",
                        help="open the N-th backward pass (1 = the first loss.backward()); default: the last")
    parser.add_argument("--builtin-layout", action="store_true",
                        help="never run Graphviz; use the built-in layered layout")
    parser.set_defaults(run=run)
    return parser


def _pass_number(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a pass number; give 1 for the first backward pass")
    return int(text)


def run(args) -> int:
    from ..script_capture import capture

    captured = capture(args.script, tuple(args.args), args.backward)  # one sentence on any failure
    from ..launch_app import debug_trace

    explanation = explanation_of(captured)
    return debug_trace(captured.trace, captured.title, explanation,
                       layout_engine="builtin" if args.builtin_layout else "auto")


def explanation_of(captured) -> str:
    """What the app says it shows: which pass of which script, recorded by which of our engines."""
    engine = "Tensor" if captured.trace.has_tensor else "Value"
    return f"The backward pass {captured.number} that {captured.script.name} ran, recorded by graphviz_nn's {engine}."
