"""``graphviz-nn frames SCENARIO_OR_FILE -o DIR``: one picture per debugger step, a player, slides, an animation."""
from __future__ import annotations

import argparse
import sys

from ..errors import UserError
from .render import add_diagram_options, diagram_options, scenario_trace
from .scenario_args import add_scenario_argument, add_start_argument, start_of


def add_parser(subparsers) -> argparse.ArgumentParser:
    from ..render.animation import DEFAULT_DELAY_MS
    from ..render.player import MAX_PLAYER_BYTES

    parser = subparsers.add_parser(
        "frames", help="write one picture per debugger step (and an HTML player, Beamer overlays, a GIF)",
        description="Write one numbered picture per debugger step (frame-000 is the start) plus "
                    "index.json, with every node at the same place in every frame. --html writes one "
                    "self-contained page that plays them (no network, no external scripts); --beamer a "
                    "LaTeX snippet with one overlay per step; --gif an animation.")
    add_scenario_argument(parser)
    add_start_argument(parser)
    parser.add_argument("-o", "--output", metavar="DIR", default=None, help="the folder for the frames")
    parser.add_argument("--format", choices=("svg", "png", "pdf"), default="svg", help="frame format (default svg)")
    parser.add_argument("--html", metavar="FILE", default=None, help="also write the HTML player to FILE")
    parser.add_argument("--max-player-bytes", type=int, default=MAX_PLAYER_BYTES, metavar="N",
                        help=f"refuse a player larger than this (default {MAX_PLAYER_BYTES:,})")
    parser.add_argument("--exercise", nargs="?", const="value,local,grad,update", default=None, metavar="KINDS",
                        help="the HTML player asks each step's numbers before showing them (checked to the "
                             "displayed decimals, with hints); KINDS: any of value, local, grad, update (default all)")
    parser.add_argument("--quiz", action="store_true",
                        help="no frame, step line or title shows a number before the step that computes it; "
                             "the leaves (inputs, weights) are given from the first frame")
    parser.add_argument("--beamer", metavar="FILE.tex", default=None,
                        help="also write a Beamer snippet (one \\only<n> overlay per step) and its PDF frames "
                             "(in FILE-frames/ beside it)")
    parser.add_argument("--gif", metavar="FILE", default=None,
                        help="also write an animation: FILE.gif, or FILE.png/.apng for an animated PNG (needs Pillow)")
    parser.add_argument("--delay", type=int, default=DEFAULT_DELAY_MS, metavar="MS",
                        help=f"milliseconds per step in the animation (default {DEFAULT_DELAY_MS})")
    add_diagram_options(parser, default_level=None)  # a recorded model: the level that fits a page
    parser.set_defaults(run=run)
    return parser


class NothingToWriteError(UserError):
    """None of -o, --html, --beamer or --gif was given."""


def run(args) -> int:
    from ..render.animation import animation_format, check_delay, require_pillow, write_animation
    from ..render.beamer import write_beamer
    from ..render.export import writable_target
    from ..render.frame_set import write_frames
    from ..render.frames import FramesError, progress_bar
    from ..render.player import build_player
    from ..scenario_format import load_scenario

    if not (args.output or args.html or args.beamer or args.gif):
        raise NothingToWriteError("frames needs somewhere to write: give -o DIR for the pictures, --html FILE "
                                  "for the player, --beamer FILE.tex for slides, --gif FILE for an animation")
    # everything that can be refused is checked before anything is drawn or written
    if args.gif:
        animation_format(args.gif)
        require_pillow()
    check_delay(args.delay)
    if args.max_player_bytes <= 0:
        raise FramesError(f"--max-player-bytes must be a positive number of bytes, got {args.max_player_bytes}")
    options = diagram_options(args)
    if args.quiz:
        options["quiz"] = True
    if options["level"] is None:
        options["cli_wording"] = True  # a tensor graph's title says which --level was drawn and how to ask
    exercise = None
    if args.exercise is not None:
        from ..debugger.exercise import check_kinds
        if args.html is None:
            raise FramesError("--exercise is for the HTML player; give --html FILE with it")
        exercise = check_kinds(args.exercise)
    for path in (args.html, args.beamer, args.gif):
        if path is not None:
            writable_target(path)  # a missing folder, a folder or a device is refused before any work
    scenario = load_scenario(args.scenario)
    trace = scenario_trace(scenario, start_of(args), options)
    title = f"{scenario.title} [{scenario.id}]"
    if args.quiz:
        from ..debugger.quiz import quiz_title
        title = quiz_title(title, trace)
    common = dict(progress=progress_bar(sys.stderr), timeout=args.timeout, **options)
    if args.output is not None:
        write_frames(trace, args.output, args.format, html=args.html, title=title,
                     max_player_bytes=args.max_player_bytes, cli=True, exercise=exercise, **common)
    elif args.html is not None:
        build_player(trace, title, max_bytes=args.max_player_bytes, cli=True, exercise=exercise,
                     **common).save(args.html)
    written = []
    if args.html:
        written.append(f"the player to {args.html}")
    if args.beamer:
        write_beamer(trace, args.beamer, title=title, **common)
        written.append(f"the Beamer overlays to {args.beamer}")
    if args.gif:
        write_animation(trace, args.gif, delay_ms=args.delay, **common)
        written.append(f"the animation to {args.gif}")
    count = len(trace.steps) + 1
    where = f" to {args.output}" if args.output is not None else ""
    extra = f" and {', '.join(written)}" if written else ""
    print(f"wrote {count} frames (steps 0 to {count - 1}){where}{extra}")
    return 0
