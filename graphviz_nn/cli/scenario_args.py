"""The SCENARIO_OR_FILE argument shared by every command that opens a scenario."""
from __future__ import annotations

from ..scenario_format.loader import DEFAULT_SCENARIO


def add_scenario_argument(parser, optional: bool = True) -> None:
    """Add the positional SCENARIO_OR_FILE (a catalogue id or a .toml path)."""
    kwargs = dict(nargs="?", default=DEFAULT_SCENARIO) if optional else {}
    parser.add_argument("scenario", metavar="SCENARIO_OR_FILE", **kwargs,
                        help="a catalogue id (see 'graphviz-nn list') or the path of a scenario .toml file"
                             + (f" (default {DEFAULT_SCENARIO})" if optional else ""))


def add_start_argument(parser) -> None:
    parser.add_argument("--start", metavar="NAME_OR_INDEX", default=None,
                        help="which of the scenario's starting points to use (learning-slowdown-* have two)")


def start_of(args):
    """The --start value as an index when it is a number, else as a name."""
    start = getattr(args, "start", None)
    return int(start) if start is not None and start.isdigit() else start
