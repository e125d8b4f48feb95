"""Drawing every pane from ``session.state``: header, picture, inspector, step list, loss, lecture.

Nothing here computes a value or a gradient: the words come from ``presenter``, the numbers
from the trace.
"""
from __future__ import annotations

from textual.widgets import Static

from . import exercise_prompt, presenter
from .target import iteration_of, loss_history
from .widgets.graph_view import GraphView
from .widgets.header_line import HeaderLine
from .widgets.inspector import Inspector
from .widgets.loss_plot import LossPlot
from .widgets.step_list import StepList


def refresh(app, follow: bool = True) -> None:
    """Redraw every pane; ``follow``: scroll so the current node (and edge) are in view."""
    session = app.session
    header = app.query_one("#header", HeaderLine)
    if session is None:
        header.update("graphviz-nn  │  nothing open: press o to open a scenario")
        return
    exercise_prompt.hold(app)  # exercise mode: stop where an answer is due, and ask it
    trace = session.trace
    state = session.state
    picture = app.picture
    view = picture.current_view(trace)
    graph = app.query_one("#graph", GraphView)
    if follow and view.samples:
        view.follow_sample(state.current)  # the network shows the current step's sample
        picture.sample = view.sample
    if follow and getattr(view, "refocus", None) and view.refocus(state.current):
        picture.draw_network(view)  # a hidden neuron of a wide layer comes into view
    graph.current = view.box_of(state.current)
    graph.selected = app.selected
    graph.hot_edge = view.hot_edge(state.current_edge, state)
    if follow and state.k == 0:
        graph.scroll_to(0, 0, animate=False, immediate=True)  # the start looks as it did on opening
    elif follow and graph.current is not None:
        edge = state.current_edge  # backward: keep the input the gradient flows into in view too
        graph.follow(graph.current, view.box_of(edge[0]) if edge else None)
    graph.invalidate()  # after scrolling: a step that scrolls is drawn once, for the new window
    title = app.target.title if app.target else ""
    busy = "  │  laying out with Graphviz…" if picture.layout_busy else ""
    header.update(presenter.header_text(title, state, len(trace.steps), iteration_of(app.target),
                                        session.level, session.depth, session.inside,
                                        picture.sample_note(), width=(header.size.width or app.size.width) - 2 - len(busy)) + busy)
    top = trace is app.top_trace()
    focus = view.node_of(app.selected) if app.selected else state.current
    flags = app.shown_flags().get(focus, ()) if top else ()
    lines = view.group_summary(app.selected, state) + presenter.inspector_lines(
        trace, state, focus, flags, hide_locals=exercise_prompt.hides_locals(app, trace, focus))
    app.query_one("#inspector", Inspector).show(lines)
    app.query_one("#steps", StepList).set_current(state.k - 1 if state.k else None)
    if app.target is not None and app.target.trains:
        history = loss_history(app.target)
        waiting = app.quiz and bool(history) and trace is app.top_trace() and state.value(trace.outputs[0]) is None
        if waiting:
            history = history[:-1]  # quiz mode: this iteration's loss is its forward pass's answer
        app.query_one("#loss", LossPlot).show(history, waiting)
    if picture.presenting:
        app.query_one("#spoken", Static).update(presenter.spoken_line(trace, state))
    if top:
        app.lecture.mark(app.target, trace, state, app.quiz)


def fill_step_list(app, trace) -> None:
    """Rows for a trace; in quiz mode a step's numbers appear only once it has been reached."""
    def row(i: int) -> str:
        session = app.session
        reached = session is not None and session.trace is trace and i < session.k
        return exercise_prompt.step_row(app, trace, i, reached) or \
            presenter.step_row(trace.steps[i], reveal=reached or not app.quiz, trace=trace)

    app.query_one("#steps", StepList).show_steps(len(trace.steps), row)
