"""``graphviz-nn train SCENARIO_OR_FILE``: the per-iteration history as a table or JSON."""
from __future__ import annotations

import argparse
import json
import sys

from ..terminal_text import terminal_safe
from .scenario_args import add_scenario_argument, add_start_argument, start_of


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("train", help="train a scenario and print its history",
                                   description="Train a scenario with its optimiser settings and print one "
                                               "record per iteration (loss, and the recorded outputs).")
    add_scenario_argument(parser, optional=False)
    add_start_argument(parser)
    parser.add_argument("--iterations", type=_positive, default=None, metavar="N",
                        help="how many iterations (default: the scenario's)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(run=run)
    return parser


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= n <= 1_000_000:
        raise argparse.ArgumentTypeError(f"{n} is out of range; expected 1 to 1,000,000")
    return n


class ProgressBar:
    """A one-line bar on standard error, redrawn in place; only used on a terminal."""

    def __init__(self, stream, width: int = 30):
        self.stream = stream
        self.width = width

    def __call__(self, done: int, total: int) -> None:
        filled = self.width * done // total
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total}")
        if done >= total:
            self.stream.write("\r" + " " * (self.width + 30) + "\r")
        self.stream.flush()


def json_records(records: list) -> list:
    """Records with non-finite numbers as the snapshot writes them ("nan", "inf", "-inf")."""
    from ..snapshot import json_number
    return [{k: json_number(v) if isinstance(v, (float, list)) else v for k, v in r.items()} for r in records]


def table(records: list) -> str:
    names = [k for k in records[0] if k != "iteration"] if records else ["loss"]
    head = f"{'iteration':>9}  " + "  ".join(f"{n:>14}" for n in names)
    lines = [head, "-" * len(head)]
    for r in records:
        lines.append(f"{r['iteration']:>9}  " + "  ".join(_cell(r[n]) for n in names))
    return "\n".join(lines)


def _cell(value) -> str:
    return f"{value:>14.6g}" if isinstance(value, float) else f"{str(value):>14.14}"


def run(args) -> int:
    from ..scenario_format import load_scenario

    scenario = load_scenario(args.scenario)
    trainer = scenario.trainer(start_of(args), args.iterations)
    progress = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    records = trainer.train(progress=progress)
    if args.format == "json":
        print(json.dumps(json_records(records), allow_nan=False))  # valid JSON, whatever diverged
    else:
        print(f"Training {terminal_safe(scenario.title, newlines=False)}  [{scenario.id}]: {trainer.settings.optimizer}, "
              f"lr {trainer.settings.lr:g}, momentum {trainer.settings.momentum:g}, {len(records)} iterations")
        print(table(records))
    return 0
