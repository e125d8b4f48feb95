"""The app's moves as a lecturer expects them, over a ``Session`` (no Textual here).

``s`` opens what is highlighted: the composite gate or the neuron/layer of the step just
done (else the next step's). Inside a gate's expansion, Home/End/n/p stay inside it until
``f`` returns to the step you came from. A move that cannot happen returns one sentence
and leaves the cursor where it was.

    >>> from graphviz_nn.scenario_format.loader import load_scenario
    >>> from graphviz_nn.debugger.session import Session
    >>> session = Session(load_scenario("sigmoid-gate").trace())
    >>> step_out(session)
    'At the top of the graph: no gate or group to step out of.'
"""
from __future__ import annotations

from typing import Optional

from graphviz_nn.debugger.session import LEVELS, Session, unit_key


def levels_of(trace) -> tuple:
    """The levels a graph has: gate always; neuron (an MLP's network) and layer only when it has them."""
    from graphviz_nn.debugger.network import network

    depth = max((len(info.group) for info in trace.nodes), default=0)
    neurons = depth >= 2 or (depth >= 1 and network(trace) is not None)
    return ("gate",) + (("neuron",) if neurons else ()) + (("layer",) if depth >= 1 else ())


def inside(session: Session) -> Optional[str]:
    """Which gate's expansion is on screen (``None`` at the top): ``sigmoid n9 (f), backward pass``."""
    if not session.depth:
        return None
    parent, _, before, _ = session._stack[-1]
    step = parent.steps[before]
    info = parent.node(step.node)
    name = f" ({info.user_label})" if info.user_label else ""
    return f"{info.op} {info.id}{name}, {step.phase} pass"


def step_into(session: Session):
    """Open the highlighted gate or group; returns a ``Break``, a sentence, or ``None``."""
    if session.depth:
        if session.k >= session._pass_end:
            return "End of this gate's expansion: f returns to the step you came from."
        return session.step_over()
    steps = session.trace.steps
    done = session.state.step
    if session.level != "gate":
        # the neuron or layer just stepped over (else the next one): enter it at its first gate
        step = done or (steps[session.k] if session.k < len(steps) else None)
        key = unit_key(step.group, session.level) if step is not None else None
        if key is None:
            session.level = LEVELS[LEVELS.index(session.level) - 1]
            return session.step_over()
        first = step.index
        while first > 0 and steps[first - 1].phase == step.phase and \
                unit_key(steps[first - 1].group, session.level) == key:
            first -= 1
        session.level = LEVELS[LEVELS.index(session.level) - 1]
        session.goto(first + 1)
        return None
    for step in (done, steps[session.k] if session.k < len(steps) else None):
        if step is not None and step.phase in ("forward", "backward") and session.trace.node(step.node).composite:
            if step is done:
                # re-open the gate just done: f comes back to this very step
                first = step.index
                while first > 0 and steps[first - 1].phase == step.phase and steps[first - 1].node == step.node:
                    first -= 1
                session._push(steps[first])
            else:
                session._push(step)
            return None
    if session.k >= len(steps):
        return "Nothing to step into: this is the end of the trace."
    return session.step_over()


def step_out(session: Session):
    """Back to the step you came from, or finish the enclosing neuron/layer; else one sentence."""
    if session.depth:
        session._pop(resume=True)
        return None
    steps = session.trace.steps
    step = steps[session.k] if session.k < len(steps) else session.state.step
    if session.level == "layer" or step is None or not step.group:
        return "At the top of the graph: no gate or group to step out of."
    return session.step_out()


def next_(session: Session):
    if session.depth and session.k >= session._pass_end:
        return "End of this gate's expansion: f returns to the step you came from."
    session.next()
    return None


def prev(session: Session):
    if session.depth and session.k <= session._pass_start:
        return "Start of this gate's expansion: f returns to the step you came from."
    session.prev()
    return None


def home(session: Session):
    """The start: of the expansion when inside one, else of the whole trace."""
    if session.depth:
        session.goto(session._pass_start)
    else:
        session.restart()
    return None


def end(session: Session):
    if session.depth:
        session.goto(session._pass_end)
    else:
        session.goto(len(session.trace.steps))
    return None


def next_level(session: Session):
    """The next level the graph has; a sentence when it has only one."""
    available = levels_of(session.root_trace)
    if session.depth:
        return "Inside a gate's expansion there are only gates: f returns first."
    if len(available) == 1:
        return "This graph has only the gate level (no neurons or layers to group by)."
    current = session.level if session.level in available else "gate"
    session.set_level(available[(available.index(current) + 1) % len(available)])
    return None
