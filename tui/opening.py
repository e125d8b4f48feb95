"""Opening what the app shows: a scenario (a large one in a worker), a target, the ``o`` picker.

Every way in ends in ``install(target, trace)``; a mistake ends in one sentence on screen.
"""
from __future__ import annotations

from typing import Optional

from textual.widgets import Static

from graphviz_nn.debugger.levels import opening_level
from graphviz_nn.debugger.quiz import hide_all_numbers
from graphviz_nn.debugger.session import Session
from graphviz_nn.errors import UserError
from graphviz_nn.scenario_format.budget import estimate
from graphviz_nn.scenario_build.to_trace import scenario_of

from graphviz_nn.terminal_text import terminal_safe

from . import memory, reports, served_policy
from .busy import BusyWork
from .target import catalogue, from_scenario

# Graphs up to this size open in a few milliseconds, inline; larger ones in a worker.
INLINE_NODES = 3000


def make_target(make):
    """``(target, trace)``, or the one sentence saying why it cannot be opened."""
    try:
        target = make()
        return target, target.make_trace()
    except UserError as error:
        return str(error)
    except (ArithmeticError, ValueError, TypeError, RecursionError, MemoryError) as error:
        # a file the loader accepted but the engine cannot build: say so, keep the app
        return (f"this graph cannot be built ({type(error).__name__}: {error}); "
                f"check the scenario's numbers and expressions")


class Opening:
    """The ways one app opens something; large scenarios go through its ``BusyWork``."""

    def __init__(self, app, busy: BusyWork) -> None:
        self.app = app
        self.busy = busy
        self._catalogue: Optional[list] = None
        self.diagnosed = None  # the trace app.flags belong to (not a composite gate's expansion)

    def install(self, target, trace) -> None:
        """Show a target whose trace is ready (the digits the last session had carry over)."""
        app = self.app
        app.error = None
        app.query_one("#message", Static).display = False
        app.target = target
        level = opening_level(trace)  # debugger/levels.py decides
        session = Session(trace, level=level)
        if app.session is not None:
            session.set_decimals(app.session.decimals)
        app.query_one("#loss").display = target.trains
        app.lecture.show(target)
        self.install_session(session)

    def install_session(self, session: Session) -> None:
        """Step through a new session (a new target, or the next training iteration)."""
        app = self.app
        replacing = app.session is not None
        app.session = session
        app.selected = None
        app.picture.forget()
        self.diagnosed = session.trace
        app.flags = {}
        for flag in reports.diagnose(session.trace):
            app.flags.setdefault(flag.node, []).append(flag)
        memory.settle(replacing=replacing)
        app.refresh_view()

    def show_error(self, message: str) -> None:
        """Say what went wrong in one sentence, in the app (the old session, if any, stays)."""
        app = self.app
        if app.served:
            message = served_policy.redact(message)  # a browser user never sees what a file holds
        message = terminal_safe(message, newlines=False)  # a file name may hold escapes
        app.error = message
        box = app.query_one("#message", Static)
        box.update(message)
        box.display = True
        app.say(message, title="Cannot open", severity="error", timeout=8)

    def target(self, make) -> bool:
        """Load a target; a ``UserError`` becomes the message on screen, never a crash."""
        outcome = make_target(make)
        if isinstance(outcome, str):
            self.show_error(outcome)
            return False
        self.install(*outcome)
        return True

    def scenario(self, id_or_path) -> None:
        """A small scenario at once, a large one in a worker with progress and Esc."""
        app = self.app
        try:
            if app.served:
                id_or_path = served_policy.allowed(str(id_or_path), app.scenarios_dir)
            scenario = scenario_of(id_or_path)  # read once per open; the work budget is checked before building
        except UserError as error:
            self.show_error(str(error))
            return
        if estimate(scenario).nodes <= INLINE_NODES:
            app.open_target(lambda: from_scenario(scenario))  # through the app: a subclass may wrap it
            return
        self.busy.run(f"Opening {scenario.id}…", lambda worker: make_target(lambda: from_scenario(scenario)),
                      self._opened)

    def _opened(self, outcome) -> None:
        if isinstance(outcome, str):
            self.show_error(outcome)
        else:
            self.install(*outcome)

    def pick(self) -> None:
        """``o``: the catalogue (and under serve the class's files), type to filter, Enter opens."""
        app = self.app

        def answer(choice: Optional[str]) -> None:
            if choice:
                self.scenario(choice)

        if self._catalogue is None:  # reading every scenario file once per run is enough
            self._catalogue = catalogue(served_policy.class_files(app.scenarios_dir) if app.served else ())
        from .screens.picker import PickerScreen  # a dialog: imported when opened, not before the first screen
        entries = self._catalogue
        if app.quiz:  # quiz mode: an explanation's numbers would answer the lecture's questions
            entries = [(sid, title, hide_all_numbers(text)) for sid, title, text in entries]
        app.push_screen(PickerScreen(entries, app.target.id if app.target else None), answer)
