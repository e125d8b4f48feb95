"""Breakpoints and watches stop a session where the lecture says to look."""
import math

import pytest

from graphviz_nn import Value
from graphviz_nn.debugger import BreakpointError, Session, build_trace
from graphviz_nn.nn import MLP


def test_log_of_zero_stops_at_the_log_node_as_the_origin():
    x = Value(0.0, label="x")
    y = x.log() * 2 + 1
    session = Session(build_trace(y))
    session.add_watch("not_finite")
    hit = session.continue_()
    assert hit is not None and hit.reason == "not_finite"
    assert session.trace.node(hit.node).op == "log"
    assert session.k == hit.k and session.state.step.node == hit.node
    assert "first non-finite" in hit.sentence
    # continuing does not stop again at the *2 and +1 nodes that merely inherit -inf
    nxt = session.continue_()
    assert nxt is None and session.state.phase == "forward" and session.k == session.trace.n_forward


def test_non_finite_gradient_origin_in_the_backward_pass():
    x = Value(0.0, label="x")
    y = x.sqrt() + 1  # forward finite, local gradient of sqrt at 0 is inf
    session = Session(build_trace(y))
    session.add_watch("not_finite")
    assert session.continue_() is None  # forward pass is clean
    hit = session.continue_()
    assert hit.reason == "not_finite" and session.trace.node(hit.node).op == "sqrt"


def test_deep_sigmoid_chain_triggers_the_vanishing_watch():
    x = Value(0.5, label="x")
    h = x
    for _ in range(12):
        h = h.sigmoid()
    session = Session(build_trace(h))
    session.add_watch("vanishing")
    session.run_to_end()
    hit = session.continue_()
    assert hit is not None and hit.reason == "vanishing"
    assert abs(session.state.grad(hit.node)) < 1e-4  # the default threshold (issue 21 raised it from 1e-5)
    # the first flagged node is deep in the chain, not near the output
    assert session.trace.rank(hit.node) < 10


def test_exploding_watch_with_a_threshold():
    x = Value(3.0, label="x")
    y = (x * 100) * 100
    session = Session(build_trace(y))
    session.add_watch("exploding", threshold=1e3)
    session.run_to_end()
    hit = session.continue_()
    assert hit.reason == "exploding" and hit.node == session.trace.id_of(x)


def test_relu_with_negative_input_is_reported_dead():
    w = Value(-2.0, label="w")
    out = (w * 1.5).relu()
    session = Session(build_trace(out))
    session.add_watch("dead_relu")
    hit = session.continue_()
    assert hit.reason == "dead_relu" and session.trace.node(hit.node).op == "relu"
    assert "dead ReLU" in hit.sentence
    assert session.trace.state_at(len(session.trace.steps)).grad("n0") == 0.0


def test_saturated_sigmoid_watch_and_its_threshold():
    out = (Value(8.0, label="z") * 1.0).sigmoid()  # σ'(8) ≈ 3.4e-4
    session = Session(build_trace(out))
    session.add_watch("saturated")
    assert session.continue_().reason == "saturated"
    calm = Session(build_trace((Value(0.5) * 1.0).sigmoid()))
    calm.add_watch("saturated")
    assert calm.continue_() is None


def test_node_breakpoint_by_label_stops_forward_and_backward():
    w0, x0 = Value(2.0, label="w0"), Value(-1.0, label="x0")
    out = (w0 * x0 + 1).tanh()
    session = Session(build_trace(out))
    assert session.add_breakpoint("x0") == "n1"
    hit = session.continue_()
    assert hit.reason == "breakpoint" and session.k == 2
    assert session.continue_() is None  # rest of forward
    hit = session.continue_()
    assert hit.node == "n1" and session.state.step.input == "n1"
    assert not session.toggle_breakpoint("x0")
    session.restart()
    assert session.continue_() is None and session.k == session.trace.n_forward


def test_group_breakpoint_stops_on_entering_the_group():
    model = MLP(2, [2, 1], seed=3)
    trace = build_trace(model([1.0, 2.0]))
    session = Session(trace)
    session.add_group_breakpoint("L2")
    hit = session.continue_()
    first = next(s.index for s in trace.steps if s.group[:1] == ("L2",))
    assert hit.reason == "group" and hit.k == first + 1 and "entering group L2" in hit.sentence
    session.run_to_end()
    hit = session.continue_()  # the backward pass starts inside L2 (the output neuron)
    assert hit.reason == "group" and hit.k == trace.n_forward + 1
    hit = session.continue_()
    assert hit is None and session.at_end


def test_bad_watch_and_group_are_user_errors():
    session = Session(build_trace(Value(1.0) * 2))
    with pytest.raises(BreakpointError, match="unknown watch"):
        session.add_watch("sad")
    with pytest.raises(BreakpointError, match="no node is in group"):
        session.add_group_breakpoint(("L9",))


def test_dead_relu_watch_reads_the_forward_value_even_after_an_update():
    from graphviz_nn import SGD
    w = Value(-0.5, label="w")
    out = w.relu() + w * -4.0  # relu(w) dead at -0.5; the update (grad -4) moves w above 0
    trace = build_trace(out)
    opt = SGD([w], lr=1.0)
    opt.step()
    trace.add_updates(opt.last_updates, opt.lr)
    assert w.data > 0
    session = Session(trace)
    session.add_watch("dead_relu")
    assert session.continue_().reason == "dead_relu"


def test_activation_watches_read_the_rule_tables_local_gradient():
    """The saturation and dead-ReLU watches hold no derivative of their own: each activation's
    local gradient in the watch's sentence is the one the rule table (ops.py) computes."""
    import numpy as np
    from graphviz_nn import Tensor
    from graphviz_nn.debugger import breakpoints as bp
    from graphviz_nn.ops import OPS
    for name, x in (("sigmoid", 6.0), ("tanh", 3.5), ("elu", -6.0), ("relu", -1.0)):
        for engine in ("scalar", "tensor"):
            leaf = Value(x, label="x") if engine == "scalar" else Tensor([x, x - 0.5], label="x")
            gate = leaf._gate(OPS[name], 1.0 if name == "elu" else None)
            trace = build_trace(gate)
            step = trace.steps[1]
            expected = np.asarray(OPS[name].scalar(x, 1.0 if name == "elu" else None)[1][0])
            local = trace.local_gradient(step.node)
            assert np.asarray(local).flat[0] == pytest.approx(float(expected), rel=1e-12, abs=1e-300), (name, engine)
            kind = "dead_relu" if name == "relu" else "saturated"
            sentence = bp.check_watch(kind, 0.01 if kind == "saturated" else None, trace, step)
            assert sentence is not None, (name, engine)
    assert "local_gradient_of_activation" not in dir(bp)  # no second copy of σ' or tanh'


def test_the_vanishing_watch_default_catches_saturated_sigmoids_gradients():
    # issue 21: with the old default (1e-5) the lecture's saturated neuron (w = 5, x = 2, b = 0) never stopped
    import math

    from graphviz_nn.scenario_format import load_scenario

    trace = load_scenario("saturated-sigmoid").trace()
    sigma = 1 / (1 + math.exp(-(5.0 * 2.0 + 0.0)))
    d = sigma * (1 - sigma)  # dσ/dz at z = 10
    expected = {"b": d, "w": d * 2.0}  # dσ/dz · dz/db, dσ/dz · dz/dw
    session = Session(trace)
    session.add_watch("vanishing")
    stops = []
    while not session.at_end:
        hit = session.continue_()
        if hit is not None:
            stops.append((trace.node(hit.node).name, session.state.grad(hit.node)))
    assert {"w", "b"} <= {name for name, _ in stops}
    for name, grad in stops:  # the interior gates w*x and +b carry dσ/dz itself
        assert grad == pytest.approx(expected.get(name, d), rel=1e-9) and 0 < grad < 1e-4


def test_the_saturation_watch_fires_before_the_gradient_is_known_and_says_so():
    # at the forward step the gradient from above is not known yet: the watch cannot say "kills"
    # outright (under the cross-entropy cost the sigmoid's σ' cancels and nothing is killed)
    z = Value(4.0, label="z")
    session = Session(build_trace(-((1 - z.sigmoid()).log())))
    session.add_watch("saturated")
    hit = session.continue_()
    assert hit.reason == "saturated" and session.state.step.phase == "forward"
    s = 1 / (1 + math.exp(-4.0))
    assert f"local gradient {s * (1 - s):.2f}" in hit.sentence
    assert hit.sentence.endswith("which kills it unless the gradient from above is large")
