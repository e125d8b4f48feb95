"""The stepping keys: one ``Session`` move each, the sentence it leaves, breakpoints and levels."""
from __future__ import annotations

from functools import partial

from graphviz_nn.debugger.network import NetworkTooLargeError, check_network_size, network_size
from graphviz_nn.errors import UserError

from .busy import from_thread
from .picture.level_graph import make_view

# A level's picture is built on the UI thread only when this small (nodes, or a network's edges).
INLINE_LEVEL_NODES = 5000

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
        # a weight's caption while it is stepped breaks on that weight; an input, the loss: their node
        node = session.state.current if box == view.box_of(session.state.current) else view.node_of(box)
        if node is None or node not in session.trace._by_id:
            app.say("A breakpoint goes on a gate, a neuron or a layer; this box stands for several nodes "
                    "(click one of them, or step to it).", severity="warning")
            return
        on = session.toggle_breakpoint(node)
        what = f"{node} ({session.trace.node(node).label})"
    app.say(f"Breakpoint {'set on' if on else 'cleared from'} {what}.")
    app.refresh_view(follow=False)


def cycle_level(app) -> None:
    """``l``: the next level the graph offers (never inside a gate's expansion); a large level's
    picture is built off the UI thread, and a network too large to draw is refused in one sentence."""
    session = app.session
    if session is None:
        return
    if session.depth:
        app.say("Inside a gate's expansion there are only gates: f returns first.", timeout=5)
        return
    before = session.level
    session.cycle_level()  # only the levels this graph has; says so when it has one
    refusal = None
    if session.level == "neuron":
        try:  # counted from the weight shapes: a refusal costs nothing and builds nothing
            check_network_size(session.trace)
        except NetworkTooLargeError as error:
            refusal = str(error).split("; draw it")[0]  # the app draws the next level itself
            session.cycle_level()
    wanted, message = session.level, session.message
    session.set_level(before)  # the picture in view stays until the new one is built
    if wanted == before:
        app.say(refusal or message, severity="warning" if refusal else "information")
        return
    if refusal:
        app.say(f"{refusal}; switching to level {wanted}.", severity="warning", timeout=8)
    announce = None if refusal else message
    size = network_size(session.trace) if wanted == "neuron" else None
    if len(session.trace.nodes) <= INLINE_LEVEL_NODES and (size is None or size[1] <= INLINE_LEVEL_NODES):
        _level_ready(app, session, wanted, make_view(session.trace, wanted, app.picture.sample), announce)
    else:
        app.run_worker(partial(_build_level, app, session, wanted, announce), thread=True, exclusive=True,
                       group="level", exit_on_error=False)


def _build_level(app, session, level: str, message) -> None:
    """A level's picture built off the UI thread (a network of thousands of weights takes a while)."""
    try:
        view = make_view(session.trace, level, app.picture.sample)
    except UserError as error:
        from_thread(app, partial(app.say, str(error), severity="warning", timeout=8))
        return
    from_thread(app, _level_ready, app, session, level, view, message)


def _level_ready(app, session, level: str, view, message) -> None:
    if session is not app.session or session.depth:  # another graph or an expansion meanwhile
        return
    session.set_level(level)
    app.picture.show(session.trace, view)
    if message:
        app.say(message)
    app.refresh_view(follow=False)
