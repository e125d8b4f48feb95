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
    parser.add_argument("--lr", type=_learning_rate, default=None, metavar="RATE",
                        help="the learning rate (default: the scenario's)")
    parser.add_argument("--batch-size", type=_positive, default=None, metavar="N",
                        help="samples per update for a scenario that trains on a data set "
                             "(default: the scenario's; the data set's size is full-batch gradient descent)")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="table: one row per iteration, then the final metrics and compared runs; "
                             "json: a list of records, the last one carrying 'metrics' for a classifier")
    parser.set_defaults(run=run)
    return parser


def _learning_rate(text: str) -> float:
    try:
        lr = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 1e-9 <= lr <= 100.0:
        raise argparse.ArgumentTypeError(f"{text} is out of range; expected a learning rate from 1e-9 to 100")
    return lr


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

    from ..metrics import metrics_text

    scenario = load_scenario(args.scenario)
    if scenario.compare is not None and args.lr is None and args.batch_size is None:
        from ..scenario_build.runs import runs
        runs(scenario, args.iterations)  # the whole comparison's work is refused before the first run
    trainer = scenario.trainer(start_of(args), args.iterations, args.lr, args.batch_size)
    progress = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    records = trainer.train(progress=progress)
    final = trainer.metrics()
    if args.format == "json":
        if final is not None and records:
            records[-1]["metrics"] = final  # the final model's metrics ride on the last record
        print(json.dumps(json_records(records), allow_nan=False))  # valid JSON, whatever diverged
        return 0
    batch = trainer.settings.batch_size
    print(f"Training {terminal_safe(scenario.title, newlines=False)}  [{scenario.id}]: {trainer.settings.optimizer}, "
          f"lr {trainer.settings.lr:g}, momentum {trainer.settings.momentum:g}, "
          + (f"batch size {batch}, " if batch else "") + f"{len(records)} iterations")
    print(table(records))
    if final is not None:
        print()
        print(f"After {len(records)} iterations, on the {sum(map(sum, final['confusion_matrix']))} training samples:")
        print(metrics_text(final))
    comparison = compared_runs(scenario, args)
    if comparison:
        print()
        print(comparison)
    return 0


def compared_runs(scenario, args) -> str:
    """The runs the scenario's [compare] table sets side by side, one line each (not with --lr
    or --batch-size, which ask for one run)."""
    from ..scenario_build.build import samples, training_set_loss
    from ..scenario_build.runs import runs
    from ..scenario_build.normal_equation import normal_equation_text
    if scenario.compare is None or args.lr is not None or args.batch_size is not None:
        return ""
    lines = []
    every = runs(scenario, args.iterations)
    if len(every) > 1:
        lines.append(f"Runs compared (`graphviz-nn plot {scenario.id} -o FILE` draws them):")
        for run in every:
            trainer = run.scenario.trainer(run.start, args.iterations, run.lr, run.batch_size)
            records = trainer.train()
            end = records[-1]
            extra = f", output {end['output']:.4f}" if isinstance(end.get("output"), float) else ""
            if run.batch_size is not None:
                # a mini-batch run's records are one batch's loss each: every batch-size run also
                # gets the whole set's loss after training, so the runs compare like with like
                count = len(samples(run.scenario)[0])
                if run.batch_size < count:
                    extra += f" (one batch of {run.batch_size})"
                extra += f"; after training, on all {count} samples {training_set_loss(run.scenario, trainer.built):.6g}"
            lines.append(f"  {run.label:<44} loss {records[0]['loss']:.6g} → {end['loss']:.6g}{extra}")
    if scenario.compare.normal_equation:
        trainer = scenario.trainer(start_of(args), args.iterations)
        trainer.train()
        lines.append(normal_equation_text(scenario, trainer.built))
    return "\n".join(lines)
