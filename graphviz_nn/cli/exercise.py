"""``graphviz-nn exercise SCENARIO --answers FILE``: a student's numbers checked, for auto-graded courses.

Exit status: 0 when every answer is right, 1 when any is wrong (or, with ``--all``, missing),
2 for bad input (an unknown name, not a number, a huge file), in one sentence.
"""
from __future__ import annotations

import argparse

from .scenario_args import add_scenario_argument, add_start_argument, start_of


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "exercise", help="check a student's answers (a TOML or JSON file) against a scenario's steps",
        description="Check a file of a student's numbers, keyed by the names the steps use (f, n5, w0.grad, "
                    "df/dn11, step numbers such as 15 or 15.local), against the scenario's forward and backward "
                    "steps. An answer is right when it agrees with the true value to the displayed decimals. "
                    "Exits 0 only when every answer is right.")
    add_scenario_argument(parser)
    add_start_argument(parser)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--answers", metavar="FILE", help="the student's answers: TOML (\"w0.grad\" = -0.2) or JSON")
    what.add_argument("--list", action="store_true",
                      help="print every question and the names an answer may use (without the numbers)")
    parser.add_argument("--ask", default="value,local,grad,update", metavar="KINDS",
                        help="which numbers the exercise asks: any of value, local, grad, update (default all)")
    parser.add_argument("--all", dest="require_all", action="store_true",
                        help="a question the file does not answer counts as wrong")
    parser.add_argument("--decimals", type=int, default=2, metavar="N",
                        help="the displayed decimals answers must agree to (default 2)")
    parser.set_defaults(run=run)
    return parser


def exercise_questions(scenario, start, ask, decimals: int) -> list:
    """The questions of a scenario's trace (the one helper ``exercise`` and ``worksheet`` share)."""
    from ..debugger.exercise import questions
    from ..scenario_build.to_trace import to_trace
    return questions(to_trace(scenario, start=start, who="exercise").trace, ask, decimals)


def run(args) -> int:
    from ..debugger.exercise import check_answers, check_kinds, load_answers
    from ..debugger.trace import check_decimals
    from ..errors import UserError
    from ..scenario_format import load_scenario
    from ..terminal_text import terminal_safe

    try:
        check_decimals(args.decimals)
    except UserError:
        raise UserError(f"--decimals {args.decimals} is out of range; give a number of digits from 0 to 12") from None
    ask = check_kinds(args.ask)
    answers = None if args.list else load_answers(args.answers)  # a bad file is refused before any work
    scenario = load_scenario(args.scenario)
    qs = exercise_questions(scenario, start_of(args), ask, args.decimals)
    if args.list:
        for q in qs:
            print(terminal_safe(f"step {q.step:>4}  {q.kind:6}  {q.prompt:40}  names: {', '.join(q.keys)}"))
        return 0
    checked = check_answers(qs, answers)
    for c in checked:
        print(terminal_safe(c.line))
    answered = {id(c.question) for c in checked}
    missing = [q for q in qs if id(q) not in answered]
    right = sum(c.right for c in checked)
    summary = f"{right} of {len(checked)} answers right"
    if missing:
        summary += f"; {len(missing)} of {len(qs)} questions not answered" + (
            f" (first: {missing[0].key})" if args.require_all else "")
    print(summary)
    ok = right == len(checked) and (not args.require_all or not missing)
    return 0 if ok else 1
