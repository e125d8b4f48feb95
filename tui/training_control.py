"""Training in the app: ``t`` one traced iteration, ``T`` N iterations in a worker (Esc cancels),
``S`` a starting point; breakpoints, watches and decimals carry over to the next iteration."""
from __future__ import annotations

from functools import partial
from typing import Optional

from graphviz_nn.debugger.session import Session
from graphviz_nn.errors import UserError

from .busy import from_thread
from .prompts import ask, read_iterations
from .target import from_scenario, iteration_of
from .widgets.training_bar import TrainingBar

NOT_TRAINING = ("This scenario does not train; open a training scenario with o "
                "(e.g. learning-slowdown-quadratic).")


def carry_over(old: Session, new: Session) -> None:
    """Breakpoints, watches and decimals survive a training iteration (same model, same node ids)."""
    for node in old.breakpoints:
        if new.trace.has_node(node):
            new.add_breakpoint(node)
    for path in old.group_breakpoints:
        new.add_group_breakpoint(path)
    for kind, threshold in old.watches.items():
        new.watches[kind] = threshold
    new.set_decimals(old.decimals)


class TrainingControl:
    """The training keys of one app; ``running`` is the run of ``T`` in progress (None: idle)."""

    def __init__(self, app) -> None:
        self.app = app
        self.running: Optional[dict] = None

    @property
    def bar(self) -> TrainingBar:
        return self.app.query_one("#training", TrainingBar)

    def one(self) -> None:
        """``t``: one more iteration, traced: the session moves to it at the same level."""
        app, target = self.app, self.app.target
        if self.running is not None:
            app.say("Training is running; Esc cancels it.", severity="warning")
            return
        if target is None or not target.trains:
            app.say(NOT_TRAINING, severity="warning")
            return
        try:
            trace = target.make_trace()
        except UserError as error:
            app.say(str(error), severity="warning")
            return
        old = app.session
        session = Session(trace, level=old.level if old else "gate")
        if old is not None:
            carry_over(old, session)
        app.opening.install_session(session)

    def many(self) -> None:
        """``T``: ask how many iterations, then run them in a worker."""
        app, target = self.app, self.app.target
        if target is None or not target.trains:
            app.say(NOT_TRAINING, severity="warning")
            return
        if self.running is not None:
            app.say("Training is running; Esc cancels it.", severity="warning")
            return
        settings = getattr(target.scenario, "training", None)
        default = str(getattr(settings, "iterations", None) or 100)

        ask(app, f"Train how many iterations? (the scenario's count: {default})", default,
            "they run without tracing; the last one opens in the debugger; Esc cancels",
            lambda text: self._start(read_iterations(text, default)))

    def cancel(self) -> None:
        if self.running is not None:  # the iterations stop at the next chunk
            self.running["cancel"] = True

    def _start(self, n: int) -> None:
        run = {"cancel": False, "total": n}
        self.running = run
        self.bar.start(n)
        self.app.run_worker(partial(self._work, n, run), thread=True, exclusive=True,
                            group="training", exit_on_error=False)

    def _work(self, n: int, run: dict) -> None:
        """N-1 fast iterations in chunks (the bar moves, Esc is heard between chunks); the Nth is traced."""
        trainer = self.app.target.trainer
        done, chunk = 0, max(1, n // 50)
        error = None
        try:
            while done < n - 1 and not run["cancel"]:
                k = min(chunk, n - 1 - done)
                losses = trainer.run(k)
                done += k
                self.app.call_from_thread(self.bar.advance, done, n, losses[-1])
        except Exception as error_:  # a diverging run (overflow): say so, keep the app
            error = f"training stopped after {done} iterations ({type(error_).__name__}: {error_})"
        from_thread(self.app, self._done, run, done, error)  # after quit nobody waits for it

    def _done(self, run: dict, done: int, error: Optional[str]) -> None:
        app = self.app
        self.running = None
        self.bar.display = False
        self.one()  # one more iteration, traced: the one on screen
        iteration = iteration_of(app.target)
        if error:
            app.say(error, severity="warning", timeout=8)
        elif run["cancel"]:
            app.say(f"Cancelled after {done + 1} of {run['total']} iterations; showing iteration {iteration}.",
                    timeout=6)
        else:
            app.say(f"Trained {run['total']} iterations; showing iteration {iteration}.", timeout=5)

    def pick_start(self) -> None:
        """``S``: for scenarios with several starting points (the learning-slowdown ones), pick one."""
        app = self.app
        scenario = getattr(app.target, "scenario", None)
        starts = getattr(scenario, "starts", ()) or ()
        if len(starts) < 2:
            app.say("This scenario has one starting point; learning-slowdown-* have two.", timeout=4)
            return
        if self.running is not None:
            app.say("Training is running; Esc cancels it first.", severity="warning")
            return
        entries = [(str(i), s.name, "parameters " + ", ".join(f"{p:g}" for p in s.parameters))
                   for i, s in enumerate(starts)]

        def answer(choice: Optional[str]) -> None:
            if choice is not None and choice.isdigit():
                app.open_target(lambda: from_scenario(scenario, start=int(choice)))

        from .screens.picker import PickerScreen  # a dialog: imported when opened, not before the first screen
        app.push_screen(PickerScreen(entries, None, title="Start from",
                                     hint="Pick a starting point (Enter): training begins again from it.",
                                     placeholder="type to filter"), answer)
