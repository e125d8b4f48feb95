"""``graphviz-nn plot SCENARIO_OR_FILE -o FILE``: the slides' pictures (curves, boundaries, ROC/PR)."""
from __future__ import annotations

import argparse

from .scenario_args import add_scenario_argument
from .train import _positive

STYLES = ("screen", "projector")


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "plot", help="draw a scenario's training curves or functions (SVG/PNG/PDF)",
        description="Draw what the slides plot: loss and output against the iteration for every run a "
                    "scenario compares (learning rates, batch sizes, starts, costs), a classifier's accuracy, "
                    "decision boundary and ROC/PR curves, or an expression's outputs and their derivatives "
                    "as functions of its first leaf.")
    add_scenario_argument(parser, optional=False)
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the image to write; its suffix picks the format (.svg, .png or .pdf)")
    parser.add_argument("--style", choices=STYLES, default="screen",
                        help="screen (default) or projector: larger fonts and thicker lines for a lecture hall")
    parser.add_argument("--iterations", type=_positive, default=None, metavar="N",
                        help="how many iterations each run trains (default: the scenario's)")
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    from ..render.plots import plot_format, write_plot
    from ..scenario_format import load_scenario

    plot_format(args.output)  # a wrong suffix is reported before any training runs
    scenario = load_scenario(args.scenario)
    written = write_plot(scenario, args.output, args.style, args.iterations)
    print(f"Wrote {written}")
    return 0
