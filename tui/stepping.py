"""The stepping keys: one ``Session`` move each, the sentence it leaves, breakpoints and levels."""
from __future__ import annotations

from graphviz_nn.debugger.network import NetworkTooLargeError, check_network_size
from graphviz_nn.errors import UserError

# After these moves the session's message says why the cursor did not move, or where it went.
SAID_MOVES = ("step_into", "step_out", "next", "prev", "step_over", "step_back_over")


def move(app, method: str, *args) -> None:
    """Run one ``Session`` move, say why it stopped (or did not move), redraw."""
    session = app.session
    if session is None:
        return
    app.selected = None
    try:
        result = getattr(session, method)(*args)
    except UserError as error:
        app.say(str(error), severity="warning")
        return
    if result is not None and hasattr(result, "sentence"):
        app.say(result.sentence, title="Stopped", timeout=6)
    elif session.message and method in SAID_MOVES:
        app.say(session.message)
    app.refresh_view()


def toggle_breakpoint(app) -> None:
    """``b``: on the selected box, else the current one; a neuron or layer box breaks on entering it."""
    session, view = app.session, app.picture.view
    if session is None or view is None:
        return
    box = app.selected or view.box_of(session.state.current)
    if box is None:
        app.say("Select a node first: click a box, or step to one.", severity="warning")
        return
    path = view.group_path(box)
    if path is not None:
        on = path not in session.group_breakpoints
        if on:
            session.add_group_breakpoint(path)
        else:
            session.remove_group_breakpoint(path)
        what = ".".join(path)
    else:
        on = session.toggle_breakpoint(box)
        what = f"{box} ({session.trace.node(box).label})"
    app.say(f"Breakpoint {'set on' if on else 'cleared from'} {what}.")
    app.refresh_view(follow=False)


def cycle_level(app) -> None:
    """``l``: the next level the graph offers (never inside a gate's expansion)."""
    session = app.session
    if session is None:
        return
    if session.depth:
        app.say("Inside a gate's expansion there are only gates: f returns first.", timeout=5)
        return
    session.cycle_level()  # only the levels this graph has; says so when it has one
    if session.level == "neuron":
        try:  # counted from the weight shapes: a refusal costs nothing and builds nothing
            check_network_size(session.trace)
        except NetworkTooLargeError as error:
            session.cycle_level()
            app.say(f"{error}; showing level {session.level}.", severity="warning", timeout=8)
            app.refresh_view(follow=False)
            return
    app.say(session.message)
    app.refresh_view(follow=False)
