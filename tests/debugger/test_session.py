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
    session.goto(session.trace.n_forward + 2)  # the step shown: the sigmoid's backward step (after the seed)
    came_from = session.k
    assert session.step_into() is None and session.depth == 1
    assert session.inside.startswith("n9 (sigmoid), backward step 12") and "inside n9" in session.message
    sub = session.trace
    gates = [n.symbol for n in sub.nodes if not n.is_leaf]
    assert gates == ["*-1", "exp", "+1", "1/x"]
    seed, *backward = sub.steps[sub.n_forward:]
    assert seed.is_seed and seed.grad_after == 1.0 and len(backward) == 4
    assert math.prod(s.local for s in backward) == pytest.approx(0.1966, abs=1e-4)
    # the lecture's numbers along the chain: 1.00, -0.53, -0.53, -0.20, 0.20
    assert [round(s.grad_after, 2) for s in backward] == [-0.53, -0.53, -0.2, 0.2]
    assert sub.steps[sub.n_forward - 1].value == pytest.approx(session.root_trace.steps[9].value)
    session.end()
    session.next()  # stays inside: only step out leaves
    assert session.depth == 1 and "f (step out) returns" in session.message
    session.step_out()
    assert session.depth == 0 and session.k == came_from  # back to the step we came from


def test_a_breakpoint_set_inside_an_expansion_stays_there():
    session = Session(build_trace(neuron()))
    session.goto(session.trace.n_forward + 2)
    session.step_into()
    inner = session.trace.find("exp")
    assert inner.startswith("n9.")  # qualified: never one of the outer graph's ids
    session.add_breakpoint(inner)
    session.step_out()
    assert inner not in session.breakpoints
    session.restart()
    assert session.continue_() is None and session.k == session.trace.n_forward  # end of forward pass
    session.next(); session.next()  # the seed, then the sigmoid's step
    session.step_into()  # the same expansion again: its breakpoint is still set
    assert inner in session.breakpoints
    stop = session.continue_()
    assert stop is not None and stop.node == inner


def test_step_into_forward_sigmoid_then_step_out_returns_to_the_same_step():
    session = Session(build_trace(neuron()))
    session.goto(10)  # the sigmoid's forward step is shown
    session.step_into()
    assert session.state.phase == "start" and session.depth == 1
    session.next(); session.next()
    assert session.state.value("n9.1") == -1.0  # *-1 of the gate's input 1.0
    session.step_out()
    assert session.depth == 0 and session.k == 10
    session.next()  # the seed
    session.step_into()
    assert session.depth == 0 and session.k == 11 and "the seed" in session.message
    session.next(); session.step_into()  # the sigmoid's backward step: into its expansion
    assert session.depth == 1 and session.k == session.trace.n_forward
    session.step_out()
    assert session.depth == 0 and session.k == 12
    session.next()
    session.step_into()  # a + gate is not composite: one sentence, no move
    assert session.depth == 0 and session.k == 13 and "primitive gate (+)" in session.message


def test_prev_and_home_at_the_start_of_an_expansion_stay_inside():
    session = Session(build_trace(neuron()))
    session.goto(10)
    session.step_into()
    session.prev()
    assert session.depth == 1 and session.k == 0 and "start of the expansion" in session.message
    session.next(); session.next()
    session.home()
    assert session.depth == 1 and session.k == 0
    session.end()
    assert session.depth == 1 and session.k == session.trace.n_forward
    session.goto(0)
    assert session.depth == 1


def test_step_into_with_nothing_to_enter_says_so_and_does_not_move():
    session = Session(build_trace(neuron()))
    assert session.step_into() is None and session.k == 0 and "take a step first" in session.message
    session.goto(6)  # n5 = w0 * x0
    session.step_into()
    assert session.k == 6 and session.depth == 0 and "nothing to step into" in session.message


def test_step_out_at_the_top_with_no_group_says_so_and_does_not_move():
    session = Session(build_trace(neuron()))
    session.goto(7)
    assert session.step_out() is None and session.k == 7 and "nothing to finish" in session.message


def test_levels_are_only_those_the_graph_has():
    session = Session(build_trace(neuron()))
    assert session.levels == ("gate",)
    assert session.cycle_level() == "gate" and "only the gate level" in session.message
    with pytest.raises(BreakpointError, match="no neuron level"):
        session.set_level("neuron")
    grouped = Session(mlp_trace())
    assert grouped.levels == ("gate", "neuron", "layer")
    assert [grouped.cycle_level() for _ in range(3)] == ["neuron", "layer", "gate"]


def test_step_into_a_neuron_of_mlp_xor_lands_in_that_neurons_gates():
    from graphviz_nn.scenario_format import load_scenario
    trace = load_scenario("mlp-xor").trace()
    for phase in ("forward", "backward"):
        session = Session(trace, level="neuron")
        first, last = trace.pass_bounds(phase)
        session.goto(first)
        while trace.steps[session.k - 1].group[:2] != ("L1", "N1") if session.k > first else True:
            session.step_over()
        assert trace.steps[session.k - 1].group[:2] == ("L1", "N1")
        session.step_into()
        assert session.level == "gate" and session.state.step.group[:2] == ("L1", "N1")
        assert session.state.step.phase == phase
        previous = trace.steps[session.k - 2]
        assert previous.phase != phase or previous.group[:2] != ("L1", "N1")  # at the neuron's first step


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
    session.step_into()  # into the layer shown (L1), at its first neuron
    assert session.level == "neuron" and trace.steps[session.k - 1].group == ("L1", "N1")
    session.step_out()
    assert session.level == "layer" and trace.steps[session.k].group[:1] == ("L2",)


def test_step_out_at_gate_level_finishes_the_neuron():
    trace = mlp_trace()
    session = Session(trace)
    start = next(s.index for s in trace.steps if s.group == ("L2", "N2") and not trace.node(s.node).is_leaf)
    session.goto(start + 1)
    session.step_out()
    assert trace.steps[session.k - 1].group == ("L2", "N2") and trace.steps[session.k].group != ("L2", "N2")
    assert session.level == "gate"  # issue 21: step out never changes the level by itself (it said "neuron")


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
    start = 1 + int(where * (len(trace.steps) - 2))
    session.goto(start)
    shown = trace.steps[start - 1]  # the group we are in is the one of the step shown
    session.step_out()
    key = shown.group[:2]
    if not key:
        assert session.k == start and "nothing to finish" in session.message
        return
    taken = trace.steps[start:session.k]
    assert all(s.phase == shown.phase and s.group[:len(key)] == key for s in taken)
    if session.k < len(trace.steps):
        after = trace.steps[session.k]
        assert after.phase != shown.phase or after.group[:len(key)] != key


def test_break_messages_number_steps_as_the_header_does():
    session = Session(build_trace(neuron()))
    session.add_breakpoint("w2")
    hit = session.continue_()
    assert hit is not None and f"at step {session.k}:" in hit.sentence  # the header says "step k of N"
    assert session.state.step.number == session.k
    session.remove_breakpoint("w2")
    session.add_watch("saturated", threshold=0.5)
    session.restart()
    hit = session.continue_()
    assert hit.reason == "saturated" and hit.sentence.startswith(f"step {session.k}: ")


def test_decimals_are_one_setting_of_the_session_and_reach_every_expansion():
    import math

    from graphviz_nn import Value

    w, x = Value(2.0, label="w"), Value(-1.0, label="x")
    session = Session.from_outputs((w * x).sigmoid())
    assert session.decimals == 2
    gate = next(s.index for s in session.trace.steps if s.phase == "forward" and session.trace.node(s.node).composite)
    session.goto(gate + 1)
    session.step_into()  # inside the sigmoid's expansion
    assert session.depth == 1
    assert session.set_decimals(4) == 4 and session.decimals == 4
    inner, top = session.trace, session.root_trace
    assert inner.decimals == 4 and top.decimals == 4
    sigma = 1 / (1 + math.exp(2.0))
    assert f"{sigma:.4f}" in top.step_text(top.steps[gate])
    assert session.set_decimals(9) == 6 and session.set_decimals(-3) == 0  # clamped to what a screen shows


def test_step_out_at_neuron_level_finishes_only_that_neuron_and_keeps_the_level():
    # issue 21: f at neuron level finished the whole layer L1 and switched to layer level
    trace = mlp_trace()
    session = Session(trace, level="neuron")
    start = next(s.index for s in trace.steps if s.group == ("L1", "N1") and not trace.node(s.node).is_leaf)
    session.goto(start + 1)
    session.step_out()
    assert session.level == "neuron"
    assert trace.steps[session.k - 1].group == ("L1", "N1")
    assert trace.steps[session.k].group != ("L1", "N1")
    assert trace.steps[session.k].group[:1] == ("L1",)  # the rest of L1 is still to come
    assert session.message == "finished L1.N1 (forward pass)"


def test_step_out_after_step_into_returns_to_the_level_it_came_from_and_l_forgets_it():
    trace = mlp_trace()
    session = Session(trace, level="neuron")
    first = next(s.index for s in trace.steps if s.group == ("L1", "N2") and not trace.node(s.node).is_leaf)
    session.goto(first + 1)
    session.step_into()  # into L1.N2's gates
    assert session.level == "gate"
    session.next()
    session.step_out()
    assert session.level == "neuron" and trace.steps[session.k].group != ("L1", "N2")
    session.goto(first + 1)
    session.step_into()
    session.cycle_level()  # a level chosen by hand: f no longer returns to the neuron level
    level = session.level
    session.step_out()
    assert session.level == level


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=1, max_size=3), st.sampled_from(["gate", "neuron", "layer"]),
       st.floats(0, 1), st.integers(0, 100))
def test_step_back_over_undoes_step_over_unit_by_unit(sizes, level, where, seed):
    from graphviz_nn.debugger.levels import unit_key
    trace = build_trace(MLP(2, sizes + [1], activation="tanh", seed=seed)([0.4, -0.9]))
    session = Session(trace, level=level)
    session.goto(0)
    ends = [0]
    while session.k < len(trace.steps):
        session.step_over()
        ends.append(session.k)
    steps = trace.steps
    for a, b in zip(ends, ends[1:]):  # every stop is a unit boundary, computed here from the groups
        key = unit_key(steps[a].group, level)
        assert all(unit_key(s.group, level) == key and s.phase == steps[a].phase for s in steps[a:b])
        assert key is not None or b == a + 1
    for expected in reversed(ends[:-1]):
        session.step_back_over()
        assert session.k == expected
    session.step_back_over()
    assert session.k == 0 and "nothing to step back over" in session.message
