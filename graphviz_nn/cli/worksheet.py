"""``graphviz-nn worksheet SCENARIO -o sheet.pdf``: the lecture's diagram with blanks to fill in on paper.

``--answers`` writes the key (every blank filled in). PDF, SVG, PNG and DOT are the diagram;
``.tex`` is a LaTeX page with the diagram (its PDF written beside it) and the list of questions.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from .scenario_args import add_scenario_argument, add_start_argument, start_of

FORMATS = ("pdf", "svg", "png", "dot", "tex")


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "worksheet", help="draw a scenario's diagram with blanks for students to fill in (PDF, SVG, TeX)",
        description="Draw the lecture's diagram with a box for every value and gradient a student works "
                    "out (the leaves and the seed are given); --answers writes the key. A .tex file is a "
                    "LaTeX page with the diagram and the list of questions (the diagram's PDF is written "
                    "beside it).")
    add_scenario_argument(parser)
    add_start_argument(parser)
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="sheet.pdf, .svg, .png, .dot or .tex")
    parser.add_argument("--answers", action="store_true", help="write the key: every box filled in")
    parser.add_argument("--decimals", type=int, default=2, metavar="N", help="digits after the point (default 2)")
    parser.add_argument("--palette", choices=("lecture", "colorblind"), default="lecture",
                        help="lecture: green values, red gradients; colorblind: blue and vermillion")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                        help="give up on the Graphviz layout after this long (default 60)")
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    from ..errors import UserError
    from ..render.export import atomic_write, writable_target
    from ..render.run_dot import run_dot
    from ..render.worksheet import worksheet_dot, worksheet_tex
    from ..scenario_format import load_scenario

    fmt = Path(args.output).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UserError(f"{args.output} has no worksheet format I know; end the name in "
                        f"{', '.join('.' + f for f in FORMATS)}")
    if not 0 <= args.decimals <= 12:
        raise UserError(f"--decimals {args.decimals} is out of range; give a number of digits from 0 to 12")
    if not 0 < args.timeout <= 3600:
        raise UserError(f"--timeout {args.timeout:g} is not a number of seconds from above 0 to 3600; give e.g. --timeout 60")
    writable_target(args.output)  # a folder or a device is refused before any work
    from ..scenario_build.to_trace import to_trace
    scenario = load_scenario(args.scenario)
    trace = to_trace(scenario, start=start_of(args), who="worksheet").trace
    trace.set_decimals(args.decimals)
    diagram = worksheet_dot(trace, answers=args.answers, palette=args.palette).source
    if fmt == "dot":
        atomic_write(args.output, diagram.encode("utf-8"))
    elif fmt != "tex":
        atomic_write(args.output, run_dot(diagram, fmt, timeout=args.timeout))
    else:
        tex = Path(args.output)
        pdf = tex.with_name(f"{tex.stem}-diagram.pdf")
        writable_target(pdf)
        data = run_dot(diagram, "pdf", timeout=args.timeout)  # laid out before either file is written
        atomic_write(pdf, data)
        atomic_write(tex, worksheet_tex(trace, pdf.name, scenario.title, args.answers).encode("utf-8"))
    return 0
