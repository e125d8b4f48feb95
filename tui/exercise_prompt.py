"""Exercise mode in the app: at each step whose numbers are hidden, the student types them.

Every rule (what a step asks, the tolerance, the hints, right first time / after a hint /
revealed) is ``graphviz_nn.debugger.exercise``'s; this module is the box the student types into
and the few calls the app makes:

- ``hold(app)`` before each redraw: never past the first step still asking; ask its number;
- ``step_row(app, trace, i, reached)`` the step list's row with its mark (✓ right first time,
  ~ after a hint, ✗ revealed), or None when the exercise is off;
- ``hides_locals(app, trace, node)`` the inspector keeps a gate's local gradients to formulas
  while the student still has to work them out;
- ``toggle(app)`` the key (``a``) and ``graphviz-nn tui --exercise``.

Enter checks the answer, ``?`` shows the number, Escape leaves the box (so n and p step again).
"""
from __future__ import annotations

from typing import Optional

from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from graphviz_nn.debugger.exercise import FIRST, HINTED, KINDS, REVEALED, Exercise, check_kinds

from . import presenter

MARKS = {FIRST: "✓", HINTED: "~", REVEALED: "✗"}
KEPT_TRACES = 8  # training makes a trace per iteration: the exercises of the last few are kept


class ExerciseMode:
    """One core ``Exercise`` per trace the app shows (an iteration, a gate's expansion)."""

    def __init__(self, ask=KINDS):
        self.ask = check_kinds(ask)
        self._by_trace: dict = {}

    def of(self, trace) -> Exercise:
        ex = self._by_trace.get(trace)
        if ex is None:
            while len(self._by_trace) >= KEPT_TRACES:
                self._by_trace.pop(next(iter(self._by_trace)))
            ex = self._by_trace[trace] = Exercise.of(trace, self.ask, trace.decimals)
        elif ex.decimals != trace.decimals:  # , or . changed the digits: answers agree to what is on screen
            ex.set_decimals(trace, trace.decimals)
        return ex


class ExercisePrompt(Vertical):
    """The question, the box to type the answer in, and what became of the last answer."""

    DEFAULT_CSS = """
    ExercisePrompt { height: auto; display: none; background: $boost; border-top: solid $warning;
                     padding: 0 1; }
    ExercisePrompt > Horizontal { height: 1; }
    ExercisePrompt #exercise-question { width: auto; max-width: 70%; text-style: bold; }
    ExercisePrompt Input { width: 1fr; min-width: 10; max-width: 24; margin-left: 1; }
    ExercisePrompt #exercise-verdict { height: auto; max-height: 3; }
    """
    BINDINGS = [Binding("escape", "leave", "Leave the box", show=False)]

    def __init__(self, *, id=None) -> None:
        super().__init__(id=id)
        self.asked = None  # (exercise, question index) on screen

    def compose(self):
        with Horizontal():
            yield Static("", id="exercise-question", markup=False)
            # disabled until a step asks: a hidden box must never take the keys (the app focuses on mount)
            yield Input(placeholder="your answer", id="exercise-answer", compact=True, max_length=60, disabled=True)
        yield Static("", id="exercise-verdict", markup=False)

    def ask(self, ex: Exercise, i: int, focus: bool) -> None:
        """Show question ``i``; ``focus``: the keys go to the box (a new question, or a move that ran into it)."""
        box = self.query_one("#exercise-answer", Input)
        if focus:
            box.can_focus = True
            box.focus()
        if self.asked == (ex, i):
            return  # a redraw while the student types: keep what is typed
        self.asked = (ex, i)
        q = ex.questions[i]
        self.query_one("#exercise-question", Static).update(f"step {q.step}: {q.prompt}")
        box.display = True
        box.disabled = False
        box.value = ""

    def idle(self, text: str) -> None:
        """Nothing to ask at this step: say what comes, and hand the keys back to stepping."""
        self.asked = None
        self.query_one("#exercise-question", Static).update(text)
        box = self.query_one("#exercise-answer", Input)
        if box.has_focus:
            self.app.set_focus(None)
        box.display = False
        box.disabled = True

    def tell(self, text: str) -> None:
        self.query_one("#exercise-verdict", Static).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        answered(self.app, event.value)

    def action_leave(self) -> None:
        # out of the box until the student comes back to it (n at the step, a click): after a
        # dialog the app would otherwise hand the keys straight back to it
        self.query_one("#exercise-answer", Input).can_focus = False
        self.app.set_focus(None)
        self.app.say("Out of the answer box: p and n step again (n at this step, or a click, comes back).",
                     timeout=4)

    def on_click(self) -> None:
        if self.asked is not None:
            box = self.query_one("#exercise-answer", Input)
            box.can_focus = True
            box.focus()


def toggle(app) -> None:
    """``a``: exercise mode on or off."""
    app.exercise = None if app.exercise is not None else ExerciseMode()
    if app.exercise is not None:
        app.quiz = True  # the step list never shows a number before it is answered
        app.say("Exercise mode: type each hidden number and press Enter; ? shows it, Esc leaves the box.",
                timeout=5)
    else:
        app.say("Exercise mode off.", timeout=3)
    app.query_one("#steps").refresh()
    app.refresh_view(follow=False)


def hold(app) -> None:
    """Before a redraw: the session never goes past the first step still asking, and that step asks."""
    prompt = app.query_one(ExercisePrompt)
    mode, session = app.exercise, app.session
    if mode is None or session is None:
        if prompt.display:
            prompt.idle("")
            prompt.display = False
        return
    ex = mode.of(session.trace)
    ran_into = session.k > ex.reachable()
    if ran_into:
        session.goto(ex.reachable())  # a jump (c, End, a whole neuron) stops where an answer is due
    prompt.display = True
    i = ex.asking(session.k)
    if i is not None:
        prompt.ask(ex, i, focus=ran_into or prompt.asked != (ex, i))
    elif not ex.questions:
        prompt.idle("This graph asks nothing that can be typed: its steps are arrays (a leaves-only or tensor graph).")
    elif ex.done:
        prompt.idle(f"Exercise done: {ex.summary_text()}.")
    else:
        prompt.idle("Nothing to work out at the next step: n steps on.")


def answered(app, text: str) -> None:
    """Enter in the box: check the answer (``?``: show the number); a finished step is shown at once."""
    mode, session = app.exercise, app.session
    if mode is None or session is None:
        return
    ex = mode.of(session.trace)
    i = ex.asking(session.k)
    if i is None:
        return
    step = ex.questions[i].step
    verdict = ex.reveal(i) if text.strip() == "?" else ex.answer(i, text)
    prompt = app.query_one(ExercisePrompt)
    prompt.tell(verdict.message)
    if verdict.malformed or not verdict.right and verdict.outcome is None:
        prompt.query_one("#exercise-answer", Input).value = ""  # the hint says what to do next
        return
    if ex.step_outcome(step) is not None:
        session.goto(step)  # every number of the step is in: show it
    app.query_one("#steps").refresh()
    app.refresh_view()
    if ex.done:
        app.say(f"Exercise done: {ex.summary_text()}.", title="Exercise", timeout=10)


def hides_locals(app, trace, node_id) -> bool:
    """True while a local gradient of this gate is still to be worked out (the inspector shows the formula only)."""
    if app.exercise is None or node_id is None:
        return False
    ex = app.exercise.of(trace)
    return any(o is None and q.kind == "local" and trace.steps[q.step - 1].node == node_id
               for q, o in zip(ex.questions, ex.outcome))


def step_row(app, trace, i: int, reached: bool) -> Optional[str]:
    """The step list's row in exercise mode: numbers only once reached, and the step's mark."""
    if app.exercise is None:
        return None
    step = trace.steps[i]
    row = presenter.step_row(step, reveal=reached, trace=trace)
    mark = MARKS.get(app.exercise.of(trace).step_outcome(step.number), " ")
    return row[:8] + mark + row[9:]  # in the blank after the phase letter, so the columns stay
