"""The ``graphviz-nn`` command: one module per subcommand, each with ``add_parser`` and ``run``.

With no arguments it opens the terminal step debugger on the default scenario.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from .. import __version__
from ..errors import UserError

# Subcommand modules in the order ``--help`` lists them.
COMMANDS = ("tui", "serve", "list_cmd", "show", "check", "train", "plot", "render", "frames", "worksheet",
            "exercise", "debug_script")
# The name a user types -> its module, so running one command imports only that one (the app's
# first screen never waits for the renderer, the player or the server behind other commands).
COMMAND_MODULES = {"tui": "tui", "serve": "serve", "list": "list_cmd", "show": "show", "check": "check",
                   "train": "train", "plot": "plot", "render": "render", "frames": "frames",
                   "worksheet": "worksheet", "exercise": "exercise", "debug": "debug_script"}

DEFAULT_COMMAND = ("tui",)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; ``only``: a parser that knows just that command's module."""
    parser = argparse.ArgumentParser(
        prog="graphviz-nn",
        description="Step through backpropagation: lecture scenarios, a terminal debugger, Graphviz diagrams.",
        epilog="With no command, opens the terminal step debugger on the sigmoid-neuron scenario.",
    )
    parser.add_argument("--version", action="version", version=f"graphviz-nn {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS if only is None else (only,):
        importlib.import_module(f".{name}", __name__).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv and DEFAULT_COMMAND[0] in COMMANDS:
        argv = list(DEFAULT_COMMAND)
    # a known command name first: only its module is imported; anything else (--help, a typo)
    # meets the whole parser, which lists every command
    module = COMMAND_MODULES.get(argv[0]) if argv else None
    parser = build_parser(module if module in COMMANDS else None)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(args.run(args) or 0)
    except UserError as error:
        _say(error.for_cli())
        return error.exit_status
    except OSError as error:  # the system said no while reading or writing: a full disk, a lost pipe
        if isinstance(error, BrokenPipeError):
            return 0
        where = f" ({error.filename})" if getattr(error, "filename", None) else ""
        _say(f"the system refused to read or write{where}: {error.strerror or error}; "
             f"free some space or choose another place")
        return 2
    except MemoryError:
        _say("this ran out of memory; try a smaller scenario (see 'Limits' in docs/scenarios.md)")
        return 2
    except KeyboardInterrupt as interrupt:  # Ctrl+C, or SIGTERM/SIGHUP while frames are staged
        print("graphviz-nn: interrupted", file=sys.stderr)
        return 128 + getattr(interrupt, "signal_number", 2)
    except BrokenPipeError:
        return 0


def _say(message: str) -> None:
    """One line on standard error, with any control character shown as its escape."""
    from ..terminal_text import terminal_safe
    print(f"graphviz-nn: {terminal_safe(message, newlines=False)}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
