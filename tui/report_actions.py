"""``x``, ``d``, ``r``: the gradient check (in a worker, Esc cancels), diagnostics, the training report."""
from __future__ import annotations

from graphviz_nn.errors import UserError

from . import reports
from .busy import BusyWork, from_thread
from .screens.report import ReportScreen


def gradient_check(app, busy: BusyWork) -> None:
    """The check rebuilds the graph twice per leaf: off the UI thread, with progress."""
    if app.session is None:
        return
    if busy.what is not None:
        app.say(f"{busy.what.split('…')[0]} is still running; Esc cancels it.", severity="warning")
        return
    trace = app.session.trace
    scenario = app.target.scenario if app.target is not None else None

    def job(worker) -> str:
        shown = [0]

        def progress(done: int, total: int) -> None:
            if worker.is_cancelled:
                raise reports.Cancelled
            if done * 20 // total != shown[0]:  # about twenty updates whatever the size
                shown[0] = done * 20 // total
                from_thread(app, busy.show_progress, f"Gradient check… {done}/{total} graph evaluations")

        try:
            return reports.gradient_check_text(trace, scenario, progress)
        except UserError as error:
            return str(error)

    busy.run("Gradient check…", job, lambda text: app.push_screen(ReportScreen("Gradient check", text)))


def training_report(app) -> None:
    app.push_screen(ReportScreen("Training report", reports.training_report_text(app.target)))


def diagnostics(app) -> None:
    if app.session is not None:
        app.push_screen(ReportScreen("Diagnostics", reports.diagnostics_text(app.session.trace)))
