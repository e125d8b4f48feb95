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
