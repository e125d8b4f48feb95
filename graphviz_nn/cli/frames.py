"""``graphviz-nn frames SCENARIO_OR_FILE -o DIR``: one picture per debugger step, and an HTML player."""
from __future__ import annotations

import argparse
import sys

from ..errors import UserError
from .render import add_diagram_options, diagram_options
from .scenario_args import add_scenario_argument, add_start_argument, start_of


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "frames", help="write one picture per debugger step (and an HTML player)",
        description="Write one numbered picture per debugger step (frame-000 is the start) plus "
                    "index.json, with every node at the same place in every frame. --html writes one "
                    "self-contained page that plays them (no network, no external scripts).")
    add_scenario_argument(parser)
    add_start_argument(parser)
    parser.add_argument("-o", "--output", metavar="DIR", default=None, help="the folder for the frames")
    parser.add_argument("--format", choices=("svg", "png", "pdf"), default="svg", help="frame format (default svg)")
    parser.add_argument("--html", metavar="FILE", default=None, help="also write the HTML player to FILE")
    add_diagram_options(parser)
    parser.set_defaults(run=run)
    return parser


class NothingToWriteError(UserError):
    """Neither -o nor --html was given."""


def run(args) -> int:
    import tempfile

    from ..render.frames import progress_bar, write_frames
    from ..scenario_format import load_scenario

    if args.output is None and args.html is None:
        raise NothingToWriteError("frames needs somewhere to write: give -o DIR for the pictures, "
                                  "--html FILE for the player, or both")
    scenario = load_scenario(args.scenario)
    trace = scenario.trace(start_of(args))
    options = diagram_options(args)
    title = f"{scenario.title} [{scenario.id}]"
    with tempfile.TemporaryDirectory() as scratch:
        directory = args.output if args.output is not None else scratch
        frames = write_frames(trace, directory, args.format, html=args.html, title=title,
                              progress=progress_bar(sys.stderr), timeout=args.timeout, **options)
    where = f" to {args.output}" if args.output is not None else ""
    player = f" and the player to {args.html}" if args.html else ""
    print(f"wrote {len(frames)} frames (steps 0 to {len(frames) - 1}){where}{player}")
    return 0
