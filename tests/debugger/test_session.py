"""Stepping a session: time travel, step over/into/out, and the sigmoid gate's expansion."""
import math

import pytest
from hypothesis import given, settings, strategies as st

from graphviz_nn import Value
from graphviz_nn.debugger import BreakpointError, Session, build_trace
from graphviz_nn.nn import MLP


def neuron():
    w0, x0 = Value(2.0, label="w0"), Value(-1.0, label="x0")
    w1, x1 = Value(-3.0, label="w1"), Value(-2.0, label="x1")
    w2 = Value(-3.0, label="w2")
    return (w0 * x0 + w1 * x1 + w2).sigmoid()


def snapshot(session):
    s = session.state
    return [(s.value(i.id), s.grad(i.id), s.is_partial(i.id)) for i in session.trace.nodes], s.phase


def test_stepping_back_from_the_end_restores_every_state_exactly():
    session = Session(build_trace(neuron()))
    seen = [snapshot(session)]
    while not session.at_end:
        session.next()
        seen.append(snapshot(session))
    assert len(seen) == len(session.trace.steps) + 1
    for k in range(len(seen) - 1, -1, -1):
        assert session.k == k and snapshot(session) == seen[k]
        session.prev()
    assert snapshot(session) == seen[0] and seen[0][1] == "start"


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["next", "prev", "goto", "restart", "run_to_end"]), max_size=30), st.integers(0, 18))
def test_any_sequence_of_moves_lands_on_state_at_k(moves, target):
    trace = build_trace(neuron())
    session = Session(trace)
    for move in moves:
        if move == "goto":
            session.goto(target)
        else:
            getattr(session, move)()
        assert 0 <= session.k <= len(trace.steps)
        assert snapshot(session) == (lambda s: ([(s.value(i.id), s.grad(i.id), s.is_partial(i.id))
                                                 for i in trace.nodes], s.phase))(trace.state_at(session.k))


def test_run_to_end_stops_at_the_end_of_the_current_pass():
    session = Session(build_trace(neuron()))
    session.run_to_end()
    assert session.k == 10 and session.state.phase == "forward"
    session.run_to_end()
    assert session.at_end and session.state.phase == "end"
    session.restart()
    assert session.k == 0


def test_step_into_the_sigmoid_shows_four_primitive_gates_whose_locals_multiply_to_sigma_prime():
    session = Session(build_trace(neuron()))
    session.goto(session.trace.n_forward)  # the next step is the sigmoid's backward step
    assert session.step_into() is None and session.depth == 1
    sub = session.trace
    gates = [n.symbol for n in sub.nodes if not n.is_leaf]
    assert gates == ["*-1", "exp", "+1", "1/x"]
    backward = sub.steps[sub.n_forward:]
    assert len(backward) == 4
    assert math.prod(s.local for s in backward) == pytest.approx(0.1966, abs=1e-4)
    # the lecture's numbers along the chain: 1.00, -0.53, -0.53, -0.20, 0.20
    assert [round(s.grad_after, 2) for s in backward] == [-0.53, -0.53, -0.2, 0.2]
    assert sub.steps[sub.n_forward - 1].value == pytest.approx(session._stack[0][0].steps[9].value)
    while session.depth:
        session.next()
    assert session.k == session.trace.n_forward + 1  # back past the collapsed gate's step


def test_a_breakpoint_set_inside_an_expansion_stays_there():
    session = Session(build_trace(neuron()))
    session.goto(session.trace.n_forward)
    session.step_into()
    inner = session.trace.find("exp")
    session.add_breakpoint(inner)  # an id of the expansion's own graph
    session.step_out()
    assert inner not in session.breakpoints  # the outer graph's node with that id is untouched
    session.restart()
    assert session.continue_() is None and session.k == session.trace.n_forward  # end of forward pass
    session.step_into()  # the same expansion again: its breakpoint is still set
    assert inner in session.breakpoints
    stop = session.continue_()
    assert stop is not None and stop.node == inner


def test_step_into_forward_sigmoid_then_step_out_resumes_after_the_gate():
    session = Session(build_trace(neuron()))
    session.goto(9)
    session.step_into()
    assert session.state.phase == "start" and session.depth == 1
    session.next(); session.next()
    assert session.state.value("n1") == -1.0  # *-1 of the gate's input 1.0
    session.step_out()
    assert session.depth == 0 and session.k == 10
    session.step_into()  # the sigmoid's backward step comes next: into its expansion again
    assert session.depth == 1 and session.k == session.trace.n_forward
    session.step_out()
    assert session.depth == 0 and session.k == 11
    session.step_into()  # a + gate is not composite: one step
    assert session.depth == 0 and session.k == 12


def test_prev_at_the_start_of_an_expansion_returns_before_the_gate():
    session = Session(build_trace(neuron()))
    session.goto(9)
    session.step_into()
    session.prev()
    assert session.depth == 0 and session.k == 9


def mlp_trace():
    model = MLP(2, [3, 3, 1], activation="tanh", seed=1)
    return build_trace(model([0.5, -1.5]))


def test_step_over_at_neuron_level_treats_a_neuron_as_one_step():
    trace = mlp_trace()
    session = Session(trace, level="neuron")
    # skip the leaves until the first step inside a neuron's computation
    session.goto(next(s.index for s in trace.steps if s.phase == "forward" and s.group and not trace.node(s.node).is_leaf))
    group = trace.steps[session.k].group
    session.step_over()
    done = trace.steps[session.k - 1]
    assert done.group == group and trace.steps[session.k].group != group


def test_step_over_at_layer_level_finishes_a_layer_and_step_into_descends():
    trace = mlp_trace()
    session = Session(trace, level="layer")
    start = next(s.index for s in trace.steps if s.phase == "forward" and s.group[:1] == ("L1",)
                 and not trace.node(s.node).is_leaf)
    session.goto(start)
    session.step_over()
    assert trace.steps[session.k - 1].group[:1] == ("L1",) and trace.steps[session.k].group[:1] == ("L2",)
    session.step_into()
    assert session.level == "neuron" and trace.steps[session.k - 1].group == ("L2", "N1")
    session.step_out()
    assert session.level == "layer" and trace.steps[session.k].group[:1] != ("L2",)


def test_step_out_at_gate_level_finishes_the_neuron():
    trace = mlp_trace()
    session = Session(trace)
    start = next(s.index for s in trace.steps if s.group == ("L2", "N2") and not trace.node(s.node).is_leaf)
    session.goto(start + 1)
    session.step_out()
    assert trace.steps[session.k - 1].group == ("L2", "N2") and trace.steps[session.k].group != ("L2", "N2")
    assert session.level == "neuron"


def test_unknown_level_is_a_user_error():
    with pytest.raises(BreakpointError, match="unknown level"):
        Session(build_trace(neuron()), level="atom")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=1, max_size=3), st.sampled_from(["neuron", "layer"]),
       st.floats(0, 1), st.integers(0, 100))
def test_step_over_takes_exactly_one_whole_unit(sizes, level, where, seed):
    from graphviz_nn.debugger.levels import unit_key
    trace = build_trace(MLP(2, sizes + [1], activation="tanh", seed=seed)([0.4, -0.9]))
    session = Session(trace, level=level)
    start = int(where * (len(trace.steps) - 1))
    session.goto(start)
    session.step_over()
    taken = trace.steps[start:session.k]
    key = unit_key(taken[0].group, level)
    if key is None:
        assert len(taken) == 1
    else:
        assert all(unit_key(s.group, level) == key and s.phase == taken[0].phase for s in taken)
        if session.k < len(trace.steps):
            after = trace.steps[session.k]
            assert unit_key(after.group, level) != key or after.phase != taken[0].phase


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=1, max_size=2), st.floats(0, 1), st.integers(0, 100))
def test_step_out_at_gate_level_finishes_exactly_the_enclosing_neuron(sizes, where, seed):
    trace = build_trace(MLP(2, sizes + [1], activation="tanh", seed=seed)([0.4, -0.9]))
    session = Session(trace)
    start = int(where * (len(trace.steps) - 1))
    session.goto(start)
    first = trace.steps[start]
    session.step_out()
    taken = trace.steps[start:session.k]
    key = first.group[:2]
    assert taken and all(s.phase == first.phase and s.group[:len(key)] == key for s in taken)
    if session.k < len(trace.steps):
        after = trace.steps[session.k]
        assert after.phase != first.phase or after.group[:len(key)] != key
