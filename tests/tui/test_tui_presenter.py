"""The inspector's text (tui/presenter.py) for a gate written micrograd's way."""
import math

from graphviz_nn import Value
from graphviz_nn.debugger import build_trace


def my_tanh(self):
    t = math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t ** 2) * out.grad
    out._backward = _backward
    return out


def test_the_terminal_inspector_names_a_user_gate_by_its_op_string():
    from graphviz_nn.tui.presenter import inspector_lines
    x = Value(0.5, label="x")
    o = my_tanh(x)
    trace = build_trace(o)
    lines = [text for _, text in inspector_lines(trace, trace.state_at(len(trace.steps)), trace.id_of(o))]
    assert "op tanh (your own op): tanh(x)" in lines  # the user's names, not ids (issue 11)
    assert any("read from _backward" in line for line in lines)


def test_known_flags_show_a_nodes_flags_only_once_their_number_is_known():
    # the quiz-mode flags, decided per node on demand, equal the whole table computed at once
    from graphviz_nn.debugger import Session, build_trace, diagnose
    from graphviz_nn.nn import MLP
    from graphviz_nn.tui.presenter import KnownFlags, flag_known

    trace = build_trace(MLP(2, [4, 1], activation="sigmoid", seed=3)([40.0, -30.0]))  # saturated: flags
    flags = {}
    for flag in diagnose(trace):
        flags.setdefault(flag.node, []).append(flag)
    assert flags
    session = Session(trace)
    for k in range(0, len(trace.steps) + 1, 3):
        session.goto(k)
        state = session.state
        whole = {node: [f for f in fs if flag_known(f, state)] for node, fs in flags.items()}
        whole = {node: fs for node, fs in whole.items() if fs}
        known = KnownFlags(flags, state)
        assert dict(known) == whole
        for info in trace.nodes:
            assert (info.id in known) == (info.id in whole)
            assert known.get(info.id, ()) == whole.get(info.id, ())


def test_the_header_keeps_where_you_are_within_its_width():
    # at 80 columns the level and the sample were cut off; the title gives way instead
    from types import SimpleNamespace

    from graphviz_nn.tui import presenter
    state = SimpleNamespace(k=3, phase="forward")
    args = ("An MLP separates the two moons", state, 56, 1, "neuron")
    wide = presenter.header_text(*args, sample="sample 1 of 100 ([ ])")
    assert wide == ("An MLP separates the two moons  │  forward  │  step 3 of 56  │  iteration 1  │  level neuron"
                    "  │  sample 1 of 100 ([ ])")
    assert presenter.header_text(*args, sample="sample 1 of 100 ([ ])", width=len(wide)) == wide
    for width in (40, 60, 78, 90, 100):
        line = presenter.header_text(*args, sample="sample 1 of 100 ([ ])", width=width)
        assert "step 3 of 56 │ iteration 1 │ level neuron │ sample 1 of 100 ([ ])" in line
        assert len(line) <= max(width, len("forward │ step 3 of 56 │ iteration 1 │ level neuron │ sample 1 of 100 ([ ])"))
    assert presenter.header_text(*args, width=84) == ("An MLP separates the two moons │ forward │ step 3 of 56 │ "
                                                      "iteration 1 │ level neuron")
    assert presenter.header_text(*args, width=70) == "An MLP separate… │ forward │ step 3 of 56 │ iteration 1 │ level neuron"
