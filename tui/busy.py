"""Long work off the UI thread, one piece at a time: a progress line, Esc cancels, q always quits.

Opening a large scenario and the gradient check run here; the result comes back to the UI
thread unless the work was cancelled (nobody wants it any more).
"""
from __future__ import annotations

from functools import partial
from typing import Callable, Optional

from textual.widgets import Static
from textual.worker import get_current_worker

from .reports import Cancelled


def from_thread(app, callback, *args) -> None:
    """Hand a result to the UI thread; after the app quit there is nobody to hand it to."""
    try:
        app.call_from_thread(callback, *args)
    except RuntimeError:
        pass


class BusyWork:
    """The ``busy`` worker group of one app and the progress line it shows in ``#message``."""

    GROUP = "busy"

    def __init__(self, app) -> None:
        self.app = app
        self.what: Optional[str] = None  # what is running (the progress line), None when idle

    def run(self, text: str, job: Callable, done: Callable) -> None:
        """Run ``job(worker)`` in a thread (it may raise ``Cancelled``); then ``done(result)``."""
        self.what = text
        self.show_progress(text)
        self.app.run_worker(partial(self._work, job, done), thread=True, exclusive=True,
                            group=self.GROUP, exit_on_error=False)

    def _work(self, job: Callable, done: Callable) -> None:
        worker = get_current_worker()
        try:
            result = job(worker)
        except Cancelled:
            return
        if not worker.is_cancelled:
            from_thread(self.app, self._finish, done, result)

    def _finish(self, done: Callable, result) -> None:
        self.end()
        done(result)

    def show_progress(self, text: str) -> None:
        if self.what is None:
            return
        self.what = text
        box = self.app.query_one("#message", Static)
        box.update(f"{text}  (Esc cancels, q quits)")
        box.display = True

    def end(self, note: Optional[str] = None) -> None:
        self.what = None
        box = self.app.query_one("#message", Static)
        if self.app.error is None:
            box.display = False
        if note:
            self.app.say(note, timeout=4)

    def cancel(self) -> None:
        """Esc: stop the running work, say so."""
        if self.what is None:
            return
        what = self.what.split("…")[0]
        self.app.workers.cancel_group(self.app, self.GROUP)
        self.end(f"{what}: cancelled.")

    def stop(self) -> None:
        """q: running work is told to stop (it checks between graph evaluations)."""
        self.app.workers.cancel_group(self.app, self.GROUP)
