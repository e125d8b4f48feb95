"""Exercise mode: which numbers a step asks a student for, how an answer is read and checked,
the hints, and the bookkeeping (right first time, after a hint, revealed).

The app (``tui/exercise_prompt.py``), the HTML player, the worksheet and ``graphviz-nn
exercise`` all read this module; none of them decides anything about an answer itself.

What a step asks (``KINDS``; a lecturer may choose a subset):
  value   a gate's forward value (a leaf is given, never asked)       keys ``n5``, ``f``, ``"6"``
  local   a backward step's local gradient d gate / d input            keys ``"15.local"``, ``df/dn11``
  grad    the input's gradient after the step (upstream × local; at a fan-out the running sum)
                                                                       keys ``"15"``, ``w0.grad`` (its last step)
  update  a parameter's new value, old − lr × grad                     keys ``"27"``, ``w.new``
The seed (d out/d out = 1) and tensor steps ask nothing: only single numbers can be typed.

Tolerance (the one rule, mirrored by the player's JavaScript): an answer is right when it agrees
with the true value to the displayed decimals, |answer − true| ≤ ½ unit in the last place of the
true value as ``format.number`` writes it at the trace's decimals (0.005 at two decimals, 5e-07
for ``1.27e-04``); or equally close to the same arithmetic done on the numbers as displayed (a
student multiplying the shown 0.20 by the shown -2.00 writes -0.40 where the truth is -0.3932).

    >>> from graphviz_nn import Value
    >>> from graphviz_nn.debugger import build_trace
    >>> w, x = Value(2.0, label="w"), Value(-1.0, label="x")
    >>> ex = Exercise.of(build_trace((w * x).relu()))
    >>> [q.keys[0] for q in ex.questions][:3]
    ['n2', 'n3', 'dn3/dn2']
    >>> ex.answer(0, "-2.1").hint
    'n2 = w * x: put in w = 2.00 and x = -1.00'
    >>> ex.answer(0, "-2e0").right, ex.outcome[0]
    (True, 'after a hint')
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..errors import UserError
from ..ops import OPS
from . import format as fmt

KINDS = ("value", "local", "grad", "update")
MAX_WRONG = 3  # the third wrong answer shows the number (counted as revealed)
MAX_ANSWER_CHARS = 40
MAX_ANSWER_FILE_BYTES = 256 * 1024
FIRST, HINTED, REVEALED = "right first time", "after a hint", "revealed"
OUTCOMES = (FIRST, HINTED, REVEALED)
EXAMPLE = "-0.2, -.20 or -2e-1"
# the same pattern the player's JavaScript uses (html_player reads NUMBER_PATTERN)
NUMBER_PATTERN = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_NUMBER = re.compile(NUMBER_PATTERN)


class AnswerError(UserError):
    """An answer (typed, or in an answer file) that cannot be read or does not match a step."""


# ---- reading one answer ----
def parse_answer(text) -> float:
    """A student's number: ``-0.2``, ``-.20``, ``-2e-1``, ``+0.2`` (a pasted ``−`` too); junk is one sentence.

    >>> parse_answer("-.20"), parse_answer(" -2e-1 "), parse_answer("−0.2")
    (-0.2, -0.2, -0.2)
    """
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise AnswerError(f"{text!r} is not a number; write a decimal such as {EXAMPLE}")
    if not isinstance(text, str):
        x = float(text)
    else:
        t = cleaned(text)
        if not t:
            raise AnswerError(f"the answer is empty; type a number such as {EXAMPLE}")
        if len(t) > MAX_ANSWER_CHARS:
            raise AnswerError(f"the answer is {len(t)} characters long; type one number such as {EXAMPLE}")
        if not _NUMBER.match(t):
            raise AnswerError(f"{quoted(t)} is not a number; type a decimal such as {EXAMPLE}")
        x = float(t)
    if not math.isfinite(x):
        raise AnswerError(f"{quoted(str(text))} is too large to be an answer here; type a number such as {EXAMPLE}")
    return x


def cleaned(text: str) -> str:
    """The typed text as it is read: spaces around it dropped, a typographic minus (from a slide) made ``-``."""
    return text.strip().replace("\u2212", "-")


def quoted(text: str) -> str:
    """Typed text in a sentence: in single quotes, cut to 21 characters (the player writes it the same way)."""
    return "'" + (text if len(text) <= 21 else text[:18] + "...") + "'"


# ---- what a step asks ----
@dataclass(frozen=True)
class Question:
    """One number a student is asked for at one step."""

    step: int  # the step's number (as every view numbers it, from 1)
    kind: str  # one of KINDS
    keys: tuple  # names an answer may use; keys[0] is the one views print
    prompt: str  # "n5 = w0 * x0 = ?"
    expected: float
    shown: str  # the expected value as the step list writes it
    alternative: Optional[float]  # the step's arithmetic done on the displayed numbers
    hints: tuple  # (the rule, the rule with the numbers filled in)

    @property
    def key(self) -> str:
        return self.keys[0]

    @property
    def tolerance(self) -> float:
        """Half a unit in the last displayed place of the expected value."""
        return fmt.half_unit(self.shown)

    def accepts(self, answer: float) -> bool:
        """True when ``answer`` agrees with the true value (or the displayed arithmetic) to the displayed decimals."""
        tol = self.tolerance * (1 + 1e-9)  # a hair over the half unit: -0.205 shown as -0.20 or -0.21 both count
        if abs(answer - self.expected) <= tol:
            return True
        return self.alternative is not None and abs(answer - self.alternative) <= tol

    def to_json(self) -> dict:
        """What the player's JavaScript needs to ask and check this question."""
        return {"step": self.step, "kind": self.kind, "keys": list(self.keys), "prompt": self.prompt,
                "expected": self.expected, "shown": self.shown, "tolerance": self.tolerance,
                "alternative": self.alternative, "hints": list(self.hints)}


def questions(trace, ask=KINDS, decimals=None) -> list:
    """Every question of a trace, in step order (a backward step's local gradient before its grad).

    ``decimals``: the digits the view displays (default the trace's own): answers agree to these.
    """
    ask = check_kinds(ask)
    return _Asker(trace, ask, trace.decimals if decimals is None else decimals).all()


def check_kinds(ask) -> tuple:
    """The kinds a lecturer chose, checked: a comma-separated string or a sequence of names."""
    if isinstance(ask, str):
        ask = [a.strip() for a in ask.split(",") if a.strip()]
    ask = tuple(ask)
    bad = [a for a in ask if a not in KINDS]
    if bad or not ask:
        raise AnswerError(f"{', '.join(map(repr, bad)) or 'nothing'} is not a kind of number to ask; "
                          f"choose from {', '.join(KINDS)} (e.g. --ask local,grad)")
    return ask


class _Asker:
    """Builds the questions of one trace: it knows the names, the displayed numbers and the hints."""

    def __init__(self, trace, ask, decimals):
        self.trace, self.ask = trace, ask
        self.d = decimals
        names = Counter(info.name for info in trace.nodes)
        self.unique = {name for name, n in names.items() if n == 1}
        edges = Counter((s.node, s.input) for s in trace.steps if s.phase == "backward" and not s.is_seed)
        self.single_edges = {e for e, n in edges.items() if n == 1}

    def n(self, x) -> str:
        return fmt.number(x, self.d)

    def shown(self, x) -> float:
        """A number as the student sees it (rounded to the displayed decimals)."""
        return float(self.n(x))

    def name(self, node_id) -> str:
        return self.trace.node(node_id).name

    def all(self) -> list:
        out = []
        for step in self.trace.steps:
            if step.phase == "forward":
                made = [self.value(step)] if "value" in self.ask else []
            elif step.phase == "backward":
                made = self.backward(step)
            else:
                made = [self.update(step)] if "update" in self.ask else []
            out.extend(q for q in made if q is not None and math.isfinite(q.expected))
        return out

    def _keys(self, step, *names) -> tuple:
        return tuple(k for k in names if k) + (str(step.number),)

    def value(self, step):
        info = self.trace.node(step.node)
        if info.is_leaf or not _scalar(step.value):
            return None
        ins = [self.trace.forward_value(i) for i in info.inputs]
        if not all(_scalar(x) for x in ins):
            return None
        names = [self.name(i) for i in info.inputs]
        op = OPS.get(info.op)
        alt = _safe(lambda: op.scalar(*[self.shown(x) for x in ins], info.const)[0]) if op and op.scalar else None
        given = " and ".join(f"{nm} = {self.n(x)}" for nm, x in dict(zip(names, ins)).items())
        filled = fmt.expression(op, info.const, [self.n(x) for x in ins]) if op else info.formula
        return Question(step.number, "value", self._keys(step, info.name if info.name in self.unique else None),
                        f"{info.name} = {info.formula} = ?", float(step.value), self.n(step.value), alt,
                        (f"{info.name} = {info.formula}: put in {given}", f"{info.name} = {filled}"))

    def backward(self, step) -> list:
        if step.is_seed or step.local is None or not _scalar(step.grad_after):
            return []
        made = []
        if "local" in self.ask:
            made.append(self.local(step))
        if "grad" in self.ask:
            made.append(self.grad(step))
        return made

    def local(self, step):
        trace = self.trace
        info = trace.node(step.node)
        gate, inp = info.name, self.name(step.input)
        i = step.input_index
        formula = info.local_formulas[i] if i < len(info.local_formulas) else ""
        ins = [trace.forward_value(x) for x in info.inputs]
        op = OPS.get(info.op)
        alt = _safe(lambda: op.scalar(*[self.shown(x) for x in ins], info.const)[1][i]) if op and op.scalar else None
        dname = f"d{gate}/d{inp}"
        if formula in ("a", "b") and len(info.inputs) == 2:  # a product: the other input
            other = self.name(info.inputs[1 - i])
            hints = (f"the local gradient of a product with respect to {inp} is the other input, {other}",
                     f"{dname} = {other} = {self.n(ins[1 - i])}")
        elif _is_number(formula):
            hints = (f"{gate} = {info.formula}: how much does {gate} change when {inp} grows by 1?",
                     f"the rule of {info.symbol}: {dname} = {formula}")
        else:
            parts = trace.local_text(step, self.d).split(" = ")
            if len(parts) > 2 and parts[-1] == self.n(step.local):
                parts = parts[:-1]  # the hint stops before the number
            filled = " = ".join(parts) if len(parts) > 1 else f"{formula} at {inp} = {self.n(ins[i])}"
            hints = (f"the local gradient of {info.symbol} is {formula}", f"{dname} = {filled}")
        keys = (dname if (step.node, step.input) in self.single_edges and gate in self.unique and inp in self.unique
                else None, f"{step.number}.local")
        return Question(step.number, "local", tuple(k for k in keys if k), f"{dname} = ?", float(step.local),
                        self.n(step.local), alt, hints)

    def grad(self, step):
        gate, inp = self.name(step.node), self.name(step.input)
        i, n = step.fan
        last = i == n
        up, loc = self.n(step.upstream), self.n(step.local)
        alt = self.shown(step.upstream) * self.shown(step.local)
        rule = f"upstream × local: {gate}.grad × d{gate}/d{inp}"
        numbers = f"[{up}] × [{loc}]"
        if i > 1 and step.grad_before is not None:
            before = self.n(step.grad_before)
            rule += f", added to what {inp}.grad already holds"
            numbers = f"{before} + {numbers}"
            alt += self.shown(step.grad_before)
        prompt = f"{inp}.grad = ?" if n == 1 else f"{inp}.grad after {i} of {n} contributions = ?"
        key = f"{inp}.grad" if last and inp in self.unique else None
        return Question(step.number, "grad", self._keys(step, key), prompt, float(step.grad_after),
                        self.n(step.grad_after), alt, (rule, f"{inp}.grad = {numbers}"))

    def update(self, step):
        if not all(_scalar(x) for x in (step.old_value, step.new_value, step.grad)):
            return None
        name = self.name(step.node)
        moved = step.grad if step.moved is None else step.moved
        what = "grad" if step.moved is None else "v (the momentum velocity)"
        alt = self.shown(step.old_value) - self.shown(step.lr) * self.shown(moved)
        key = f"{name}.new" if name in self.unique else None
        return Question(step.number, "update", self._keys(step, key), f"{name} ← {name} − lr·{what.split()[0]} = ?",
                        float(step.new_value), self.n(step.new_value), alt,
                        (f"gradient descent: new {name} = old {name} − learning rate × {what}",
                         f"{name} ← {self.n(step.old_value)} − {self.n(step.lr)} × {self.n(moved)}"))


def _scalar(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _safe(compute) -> Optional[float]:
    """The displayed-numbers arithmetic, or None where it leaves the rule's domain."""
    try:
        x = float(compute())
    except (ArithmeticError, ValueError, TypeError):
        return None
    return x if math.isfinite(x) else None


# ---- one student's attempt at a whole trace ----
@dataclass(frozen=True)
class Verdict:
    """What became of one answer: right or not, the sentence to show, the hint, the outcome once settled."""

    right: bool
    message: str
    hint: str = ""
    outcome: Optional[str] = None  # FIRST, HINTED or REVEALED once the question is settled
    malformed: bool = False  # the text was not a number: not counted as a try


class Exercise:
    """The questions of a trace and how a student has done on each (a plain object: views hold one).

    A malformed answer is not a try; the first wrong answer gets the rule, the second the rule with
    the numbers, the third (or ``reveal``) shows the number.
    """

    def __init__(self, qs, decimals: Optional[int] = None, ask=KINDS):
        self.questions: list = list(qs)
        self.decimals, self.ask = decimals, ask  # what the questions were written at (None: unknown)
        self.wrong = [0] * len(self.questions)
        self.outcome: list = [None] * len(self.questions)
        self._by_step: dict = {}
        for i, q in enumerate(self.questions):
            self._by_step.setdefault(q.step, []).append(i)

    @classmethod
    def of(cls, trace, ask=KINDS, decimals=None) -> "Exercise":
        decimals = trace.decimals if decimals is None else decimals
        return cls(questions(trace, ask, decimals), decimals, check_kinds(ask))

    def set_decimals(self, trace, decimals: int) -> None:
        """Rewrite the questions at other decimals (a view showing more or fewer digits): prompts,
        hints and tolerance follow the digits on screen; the student's progress stays."""
        done = {(q.step, q.kind): (w, o) for q, w, o in zip(self.questions, self.wrong, self.outcome)}
        self.__init__(questions(trace, self.ask, decimals), decimals, self.ask)
        for i, q in enumerate(self.questions):
            self.wrong[i], self.outcome[i] = done.get((q.step, q.kind), (0, None))

    def asks(self, step_number: int) -> list:
        """Indices of the questions of one step (empty: the step asks nothing)."""
        return self._by_step.get(step_number, [])

    def pending(self, step_number: int) -> list:
        """Indices of a step's questions not settled yet, in the order they are asked."""
        return [i for i in self.asks(step_number) if self.outcome[i] is None]

    def reachable(self) -> int:
        """The furthest a view may go (``state_at(k)``): just before the first step still asking."""
        return min(self.questions[i].step for i, o in enumerate(self.outcome) if o is None) - 1 \
            if not self.done else 10 ** 9

    def asking(self, k: int) -> Optional[int]:
        """At ``state_at(k)``: the question to ask now (the next step's first open one), else None."""
        open_ = self.pending(k + 1)
        return open_[0] if open_ else None

    def answer(self, i: int, text) -> Verdict:
        q = self.questions[i]
        if self.outcome[i] is not None:
            return Verdict(True, f"{q.key} is already settled ({self.outcome[i]}): {q.shown}", outcome=self.outcome[i])
        try:
            x = parse_answer(text)
        except AnswerError as error:
            return Verdict(False, str(error), malformed=True)
        if q.accepts(x):
            self.outcome[i] = FIRST if self.wrong[i] == 0 else HINTED
            return Verdict(True, f"right: {q.key} = {q.shown}", outcome=self.outcome[i])
        self.wrong[i] += 1
        typed = cleaned(text) if isinstance(text, str) else _echo(x)
        if self.wrong[i] >= MAX_WRONG:
            return self.reveal(i, f"not {typed}")
        hint = q.hints[min(self.wrong[i], len(q.hints)) - 1]
        return Verdict(False, f"not {typed}; hint: {hint}", hint=hint)

    def reveal(self, i: int, why: str = "revealed") -> Verdict:
        q = self.questions[i]
        if self.outcome[i] is None:
            self.outcome[i] = REVEALED
        return Verdict(False, f"{why}: {q.key} = {q.shown}", outcome=self.outcome[i])

    def step_outcome(self, step_number: int) -> Optional[str]:
        """FIRST when every question of the step was right first time, REVEALED if any was revealed,
        else HINTED; None while any is open (or the step asks nothing)."""
        got = [self.outcome[i] for i in self.asks(step_number)]
        if not got or None in got:
            return None
        if REVEALED in got:
            return REVEALED
        return FIRST if all(o == FIRST for o in got) else HINTED

    @property
    def done(self) -> bool:
        return None not in self.outcome

    def summary(self) -> dict:
        """Counts of questions: each outcome, and those still open."""
        counts = {o: self.outcome.count(o) for o in OUTCOMES}
        counts["open"] = self.outcome.count(None)
        return counts

    def summary_text(self) -> str:
        """``11 of 13 right first time, 1 after a hint, 1 revealed`` (and what is still open)."""
        c = self.summary()
        text = f"{c[FIRST]} of {len(self.questions)} right first time, {c[HINTED]} after a hint, {c[REVEALED]} revealed"
        return text + (f", {c['open']} not answered" if c["open"] else "")


def _echo(x: float) -> str:
    return f"{x:g}"


# ---- the scriptable check: an answer file against a trace ----
@dataclass(frozen=True)
class Checked:
    key: str
    question: Question
    given: float
    right: bool

    @property
    def line(self) -> str:
        mark = "right" if self.right else "WRONG"
        return f"{mark:5}  {self.key} = {_echo(self.given)}  (expected {self.question.shown}; step {self.question.step})"


def key_index(qs) -> dict:
    """Every name an answer may use → its question."""
    return {key: q for q in qs for key in q.keys}


def check_answers(qs, answers: dict) -> list:
    """Each answer checked against its question, in the file's order; unknown names and junk are one sentence."""
    index = key_index(qs)
    if not qs:
        raise AnswerError("this scenario asks nothing that can be typed (its steps are arrays or leaves); "
                          "choose an expression scenario such as sigmoid-neuron")
    out = []
    for key, given in answers.items():
        q = index.get(key)
        if q is None:
            raise AnswerError(f"no step asks for {quoted(str(key))}; names look like {', '.join(_examples(qs))} "
                              f"(graphviz-nn exercise SCENARIO --list shows every one)")
        try:
            x = parse_answer(given)
        except AnswerError as error:
            raise AnswerError(f"the answer for {key!r}: {error}") from None
        out.append(Checked(key, q, x, q.accepts(x)))
    return out


def _examples(qs) -> list:
    seen = []
    for kind in KINDS:
        q = next((q for q in qs if q.kind == kind), None)
        if q is not None:
            seen.append(repr(q.key))
    return seen


def load_answers(path) -> dict:
    """A TOML or JSON answer file as a flat dict of key → number or text (nested tables joined with ``.``)."""
    import tomllib
    p = Path(path)
    try:
        size = p.stat().st_size
        if not p.is_file():
            raise AnswerError(f"{path} is not a file; give a TOML or JSON file of answers")
        if size > MAX_ANSWER_FILE_BYTES:
            raise AnswerError(f"{path} is {size:,} bytes, more than the {MAX_ANSWER_FILE_BYTES // 1024} KiB an answer "
                              f"file may have; an answer file holds one short line per number")
        with p.open("rb") as f:
            raw = f.read(MAX_ANSWER_FILE_BYTES + 1)
    except FileNotFoundError:
        raise AnswerError(f"there is no answer file {path}; check the name") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise AnswerError(f"{path} is not UTF-8 text; save the answers as a TOML or JSON text file") from None
    is_json = p.suffix.lower() == ".json" or (p.suffix.lower() != ".toml" and text.lstrip().startswith("{"))
    try:
        data = json.loads(text) if is_json else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError, RecursionError) as error:
        where = f"line {error.lineno}" if isinstance(error, json.JSONDecodeError) else str(error).split("(")[-1].rstrip(")")
        example = '"w0.grad": -0.2' if is_json else '"w0.grad" = -0.2 (quote a number such as "-.20")'
        raise AnswerError(f"{path} is not valid {'JSON' if is_json else 'TOML'} ({where}); write one line per "
                          f"answer such as {example}") from None
    if not isinstance(data, dict):
        raise AnswerError(f"{path} holds no table of answers; write one line per answer such as \"w0.grad\" = -0.2")
    return _flat(data, path)


def _flat(data: dict, path, prefix: str = "") -> dict:
    out = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, path, name + "."))
        elif isinstance(value, (list, tuple)):
            raise AnswerError(f"the answer for {name!r} in {path} is a list; give one number per name")
        else:
            out[name] = value
    return out
