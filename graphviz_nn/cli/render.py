"""``graphviz-nn render SCENARIO_OR_FILE -o FILE``: one diagram as SVG, PNG, PDF, DOT or JSON."""
from __future__ import annotations

import argparse
import sys

from ..debugger.levels import LEVELS
from .scenario_args import add_scenario_argument, add_start_argument, start_of


def _sample_number(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:20]!r} is not a sample number; give a whole number from 1") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"sample {n} does not exist; samples count from 1")
    return n


def add_diagram_options(parser, default_level: str | None = "gate") -> None:
    """Options shared by ``render`` and ``frames``: level of detail and look (``default_level``
    None: a tensor graph is drawn at the finest level that fits a page, a scalar graph at gate level)."""
    fits = (" (default: gate for a graph of Values; for a tensor graph, the finest level whose picture "
            "fits a page, named in its title)") if default_level is None else f" (default {default_level})"
    parser.add_argument("--level", choices=LEVELS, default=default_level,
                        help="gate: one node per operation; neuron: an MLP as its network (each input, "
                             "each neuron once, one edge per weight), else each neuron as one box; "
                             "layer: each layer as one box" + fits)
    parser.add_argument("--sample", type=_sample_number, default=1, metavar="N",
                        help="which sample of the batch the neuron level of an MLP shows (from 1; default 1)")
    parser.add_argument("--decimals", type=int, default=2, metavar="N", help="digits after the point (default 2)")
    parser.add_argument("--palette", choices=("lecture", "colorblind"), default="lecture",
                        help="lecture: green values, red gradients; colorblind: blue and vermillion")
    parser.add_argument("--no-grads", dest="show_grads", action="store_false", help="draw values only")
    parser.add_argument("--no-legend", dest="legend", action="store_false",
                        help="leave out the caption saying which row is the value and which the gradient")
    parser.add_argument("--max-nodes", type=int, default=None, metavar="N",
                        help="refuse gate-level diagrams with more nodes than this (default 2000)")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                        help="give up on a Graphviz layout after this long (default 60)")


MAX_TIMEOUT = 3600.0  # an hour: longer than any layout worth waiting for


def check_diagram_options(args) -> None:
    """Options argparse accepts but that make no sense are one sentence, not a silent default."""
    import math

    from ..errors import UserError
    if not (math.isfinite(args.timeout) and 0 < args.timeout <= MAX_TIMEOUT):
        raise UserError(f"--timeout {args.timeout:g} is not a number of seconds from above 0 to {MAX_TIMEOUT:g}; "
                        f"give e.g. --timeout 60")
    if args.max_nodes is not None and args.max_nodes < 1:
        raise UserError(f"--max-nodes {args.max_nodes} is not a positive number of nodes; give e.g. --max-nodes 2000")
    if not 0 <= args.decimals <= 12:
        raise UserError(f"--decimals {args.decimals} is out of range; give a number of digits from 0 to 12")


def diagram_options(args) -> dict:
    """The ``to_dot`` keyword arguments from the parsed options (checked first)."""
    from ..render.dot import DEFAULT_NODE_LIMIT
    check_diagram_options(args)
    return {"level": args.level, "decimals": args.decimals, "palette": args.palette, "sample": args.sample - 1,
            "show_grads": args.show_grads, "legend": args.legend,
            "max_nodes": DEFAULT_NODE_LIMIT if args.max_nodes is None else args.max_nodes}


def scenario_trace(scenario, start, options: dict):
    """The scenario's trace, refused by size *before* it is traced: the graph is recorded
    (cheap) and counted, and only a graph the gate view can draw is traced (the costly part)."""
    from .. import graph
    from ..render.dot import GraphTooLargeError
    from ..scenario_build.to_trace import to_trace
    limit = options.get("max_nodes")

    def small_enough(outputs) -> None:
        count = len(graph.reachable(outputs))
        if count > limit:
            raise GraphTooLargeError(
                f"the graph has {count:,} nodes, more than the gate-level limit of {limit:,}; "
                f"draw it with --level neuron or --level layer (or raise --max-nodes)")

    gate_limit = options.get("level") in ("gate", None) and limit is not None  # None: gate for Values
    return to_trace(scenario, start=start, check=small_enough if gate_limit else None).trace


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "render", help="draw a scenario's graph as SVG, PNG, PDF, DOT or JSON",
        description="Draw a scenario's computational graph the way the lecture does: values above "
                    "each edge, gradients below, at the end or at any debugger step. SVG, PNG and PDF "
                    "need Graphviz's dot; DOT and JSON do not.")
    add_scenario_argument(parser)
    add_start_argument(parser)
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the file to write ('-' for standard output)")
    parser.add_argument("--format", choices=("svg", "png", "pdf", "dot", "json"), default=None,
                        help="output format (default: from the file's suffix; svg for standard output)")
    parser.add_argument("--step", default="end", metavar="N|end",
                        help="draw the state after N debugger steps, or at the end (default)")
    parser.add_argument("--phase", choices=("forward", "backward"), default=None,
                        help="count --step within this pass ('--phase forward --step end': values only)")
    add_diagram_options(parser, default_level=None)
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    from ..render.export import atomic_write, format_of, render_bytes, writable_target
    from ..scenario_format import load_scenario

    to_stdout = args.output == "-"
    fmt = args.format or ("svg" if to_stdout else format_of(args.output))
    options = diagram_options(args)
    if not to_stdout:
        writable_target(args.output)  # a folder or a device is refused before any work
    if fmt == "dot":
        options["max_nodes"] = None  # no layout runs, so any size is fine
    trace = scenario_trace(load_scenario(args.scenario), start_of(args), options)
    if options["level"] is None:
        options["cli_wording"] = True  # a tensor graph's title says which --level was drawn and how to ask
    step = None if args.step == "end" and args.phase is None else args.step
    data = render_bytes(trace, fmt, step=step, phase=args.phase, timeout=args.timeout, **options)
    if to_stdout:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        atomic_write(args.output, data)
    return 0
