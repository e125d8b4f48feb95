"""The trace of the CS231n sigmoid neuron and of fan-out, checked against the lecture's numbers."""
import math
import random

import pytest
from hypothesis import given, settings, strategies as st

from graphviz_nn import Value
from graphviz_nn.debugger import TraceError, build_trace
from graphviz_nn.errors import UserError


def neuron():
    w0, x0 = Value(2.0, label="w0"), Value(-1.0, label="x0")
    w1, x1 = Value(-3.0, label="w1"), Value(-2.0, label="x1")
    w2 = Value(-3.0, label="w2")
    return (w0 * x0 + w1 * x1 + w2).sigmoid()


def backward_into(trace, label):
    node_id = trace.find(label)
    return [s for s in trace.steps if s.phase == "backward" and s.input == node_id]


def test_one_forward_step_per_node_and_one_backward_step_per_edge():
    trace = build_trace(neuron())
    assert trace.n_forward == len(trace.nodes) == 10
    assert [s.phase for s in trace.steps].count("forward") == 10
    # the seed step, then one step per edge
    assert [s.phase for s in trace.steps].count("backward") == 1 + len(trace.edges) == 10
    assert trace.steps[10].is_seed and trace.steps[10].text == "seed: n9.grad = 1.00  (dn9/dn9 = 1)"
    assert [s.node for s in trace.steps[:10]] == [f"n{i}" for i in range(10)]


def test_backward_step_into_w0_reads_upstream_local_contribution():
    (step,) = backward_into(build_trace(neuron()), "w0")
    assert step.upstream == pytest.approx(0.1966, abs=1e-4)
    assert step.local == -1.0
    assert step.contribution == pytest.approx(-0.1966, abs=1e-4)
    assert step.text == "[0.20] × [-1.00] = -0.20 → w0.grad = -0.20"


def test_final_gradients_match_the_lecture_gate_by_gate():
    trace = build_trace(neuron())
    leaves = [(trace.node(s.input).label, round(s.grad_after, 2)) for s in trace.steps
              if s.phase == "backward" and trace.node(s.input).is_leaf]
    # gate by gate from the output: the last + sends to w2, then w1*x1, then w0*x0
    assert leaves == [("w2", 0.2), ("w1", -0.39), ("x1", -0.59), ("w0", -0.2), ("x0", 0.39)]


def test_each_gates_inputs_are_consecutive_steps_after_the_seed():
    trace = build_trace(neuron())
    backward = trace.steps[trace.n_forward:]
    assert backward[0].is_seed and "seed" in backward[0].text
    gates = [s.node for s in backward[1:]]
    assert gates == ["n9", "n8", "n8", "n7", "n7", "n6", "n6", "n5", "n5"]
    assert [s.input_index for s in backward[1:] if s.node == "n8"] == [0, 1]


def test_tracing_an_already_backpropagated_graph_shows_one_pass_not_accumulated_sums():
    f = neuron()
    f.backward()  # a learner calls backward first, then asks for the trace (twice)
    build_trace(f)
    trace = build_trace(f)
    (step,) = backward_into(trace, "w1")
    assert step.text == "[0.1966] × [-2.00] = -0.3932 → w1.grad = -0.3932"
    assert trace.engine_node(trace.find("w1")).grad == pytest.approx(-0.3932, abs=1e-4)


def test_forward_text_reads_like_one_equation_per_node():
    trace = build_trace(neuron())
    assert trace.steps[0].text == "w0 = 2.00"
    assert trace.steps[5].text == "n5 = w0 * x0 = -2.00"
    assert trace.steps[9].text == "n9 = sigmoid(n8) = 0.73"


def test_fan_out_shows_partial_sums():
    x = Value(3.0, label="x")
    trace = build_trace(x * x + x)
    steps = backward_into(trace, "x")
    # gate by gate: the + gate sends 1 to x first, then the x*x gate sends 3 and 3
    assert [s.grad_after for s in steps] == [1.0, 4.0, 7.0]
    assert [s.text.split("→ ")[1] for s in steps] == [
        "x.grad = 1.00 (1 of 3)", "x.grad = 1.00 + 3.00 = 4.00 (2 of 3)", "x.grad = 4.00 + 3.00 = 7.00 (3 of 3)"]
    k = steps[1].index + 1
    state = trace.state_at(k)
    assert state.grad("n0") == 4.0 and state.is_partial("n0")
    assert not trace.state_at(len(trace.steps)).is_partial("n0")
    assert x.grad == 7.0


def test_state_at_start_knows_nothing_and_at_end_knows_every_gradient():
    f = neuron()
    trace = build_trace(f)
    start, end = trace.state_at(0), trace.state_at(len(trace.steps))
    assert start.phase == "start" and start.step is None and start.current is None
    assert all(start.value(n.id) is None and start.grad(n.id) is None for n in trace.nodes)
    assert end.phase == "end"
    for info in trace.nodes:
        assert end.value(info.id) == trace.engine_node(info.id).data
        assert end.grad(info.id) == pytest.approx(trace.engine_node(info.id).grad)


def test_output_gradient_known_from_first_backward_state():
    trace = build_trace(neuron())
    assert trace.state_at(trace.n_forward).grad("n9") is None
    assert trace.state_at(trace.n_forward + 1).grad("n9") == 1.0  # the seed step
    assert trace.state_at(trace.n_forward + 1).current_edge is None
    assert trace.state_at(trace.n_forward + 2).current_edge == ("n8", "n9", 0)


def test_values_become_known_one_forward_step_at_a_time():
    trace = build_trace(neuron())
    state = trace.state_at(6)
    assert state.value("n5") == -2.0 and state.value("n6") is None
    assert state.current == "n5" and state.phase == "forward"


def test_state_at_rejects_out_of_range_with_a_user_error():
    trace = build_trace(neuron())
    with pytest.raises(UserError, match="out of range"):
        trace.state_at(len(trace.steps) + 1)


def test_unknown_id_or_label_is_a_user_error():
    trace = build_trace(neuron())
    with pytest.raises(TraceError, match="no node"):
        trace.find("nope")


def test_multiple_outputs_get_forward_steps_and_backward_from_chooses_the_pass():
    a, b = Value(2.0, label="a"), Value(5.0, label="b")
    loss, other = a * 3, b + 1
    trace = build_trace([loss, other])
    assert trace.n_forward == 4 and len(trace.outputs) == 2
    end = trace.state_at(len(trace.steps))
    assert end.grad(trace.id_of(a)) == 3.0 and end.grad(trace.id_of(b)) is None
    trace2 = build_trace([loss, other], backward_from=other)
    assert trace2.backward_from == trace2.id_of(other)


def test_seed_scales_every_gradient():
    x = Value(1.5, label="x")
    y = (x * x).exp()
    trace = build_trace(y, seed=0.5)
    (step,) = [s for s in trace.steps if s.input == trace.id_of(x) and s.input_index == 1]
    assert trace.state_at(len(trace.steps)).grad(trace.id_of(x)) == pytest.approx(0.5 * 2 * 1.5 * math.exp(2.25))
    assert step.upstream == pytest.approx(0.5 * math.exp(2.25))


def _random_expression(rng, n_leaves, n_ops):
    leaves = [Value(rng.uniform(-2, 2), label=f"x{i}") for i in range(n_leaves)]
    pool = list(leaves)
    for _ in range(n_ops):
        a, b = rng.choice(pool), rng.choice(pool)
        op = rng.choice(["add", "mul", "tanh", "sub", "addc"])
        node = {"add": lambda: a + b, "mul": lambda: a * b, "tanh": lambda: a.tanh(),
                "sub": lambda: a - b, "addc": lambda: a + 1.5}[op]()
        pool.append(node)
    return leaves, pool[-1]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 4), st.integers(1, 12))
def test_trace_gradients_agree_with_central_finite_differences(seed, n_leaves, n_ops):
    leaves, out = _random_expression(random.Random(seed), n_leaves, n_ops)
    trace = build_trace(out)
    end = trace.state_at(len(trace.steps))
    eps = 1e-6
    for leaf in leaves:
        if leaf not in trace._ids:
            continue
        numeric = (_replay(out, leaf, eps) - _replay(out, leaf, -eps)) / (2 * eps)
        assert end.grad(trace.id_of(leaf)) == pytest.approx(numeric, rel=1e-4, abs=1e-5)


def _replay(out, leaf, shift):
    """The output's value with one leaf shifted, re-running the recorded ops' forward rules."""
    from graphviz_nn.graph import reachable
    vals = {}
    for node in reachable(out):
        if node._rule is None:
            vals[node] = node.data + (shift if node is leaf else 0.0)
        else:
            vals[node] = node._rule.scalar(*(vals[x] for x in node.inputs), node._const)[0]
    return vals[out]


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_prev_from_the_end_restores_every_earlier_state(seed):
    rng = random.Random(seed)
    _, out = _random_expression(rng, 3, 8)
    trace = build_trace(out)
    n = len(trace.steps)
    forward_views = []
    for k in range(n + 1):
        s = trace.state_at(k)
        forward_views.append([(s.value(i.id), s.grad(i.id), s.is_partial(i.id)) for i in trace.nodes])
    for k in range(n, -1, -1):
        s = trace.state_at(k)
        assert [(s.value(i.id), s.grad(i.id), s.is_partial(i.id)) for i in trace.nodes] == forward_views[k]


def test_each_neurons_backward_steps_stay_together():
    from graphviz_nn.nn import MLP
    model = MLP(2, [3, 2, 1], activation="tanh", seed=2)
    trace = build_trace(model([0.3, -0.7]))
    groups = [s.group for s in trace.steps[trace.n_forward:]]
    runs = [g for i, g in enumerate(groups) if i == 0 or groups[i - 1] != g]
    assert len(runs) == len(set(runs))  # no neuron is entered twice
    layers = [g[:1] for g in runs]
    assert layers == sorted(layers, reverse=True)  # L3, then L2, then L1


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 4), st.integers(1, 15), st.booleans())
def test_backward_invariants_on_random_graphs(seed, n_leaves, n_ops, grouped):
    from graphviz_nn import group
    rng = random.Random(seed)
    if grouped:  # nodes spread over a few groups, as nn does, to exercise the group-by-group order
        leaves = [Value(rng.uniform(-2, 2), label=f"x{i}") for i in range(n_leaves)]
        pool = list(leaves)
        for j in range(n_ops):
            with group(f"L{rng.randrange(3)}", f"N{rng.randrange(2)}"):
                a, b = rng.choice(pool), rng.choice(pool)
                pool.append(a * b + 0.5 if j % 2 else (a + b).tanh())
        out = pool[-1]
    else:
        leaves, out = _random_expression(rng, n_leaves, n_ops)
    trace = build_trace(out)
    end = len(trace.steps)
    assert trace.steps[trace.n_forward].is_seed
    backward = trace.steps[trace.n_forward + 1:]
    assert len(backward) == len(trace.edges)
    assert {(s.input, s.node, s.input_index) for s in backward} == {(e.src, e.dst, e.index) for e in trace.edges}
    for s in backward:
        # a gate is entered only once its gradient is complete: every contribution into it came before
        assert all(i < s.index for i in trace.grad_steps(s.node))
        assert s.upstream == trace.grad_at(s.node, end)
        assert s.contribution == s.upstream * s.local
    for info in trace.nodes:
        assert trace.grad_at(info.id, end) == pytest.approx(trace.engine_node(info.id).grad, rel=1e-12, abs=1e-12)


def test_every_scalar_op_shows_its_local_gradient_with_the_numbers_filled_in():
    from graphviz_nn.ops import OPS
    from graphviz_nn.value import apply
    consts = {"add_const": 2.0, "mul_const": -3.0, "rsub_const": 1.0, "rdiv_const": 1.0, "pow": 2.0,
              "leaky_relu": 0.1, "elu": 1.0, "rpow_const": 2.0}
    for name, op in OPS.items():
        if op.scalar is None:
            continue
        inputs = [Value(1.37 if i == 0 else -0.5, label=f"x{i}") for i in range(op.arity)]
        gate = apply(name, inputs, consts.get(name))
        trace = build_trace(gate)
        for step in trace.steps[trace.n_forward + 1:]:
            text = step.local_text
            formula = trace.node(step.node).local_formulas[step.input_index]
            # formula = numbers = value, or just the constant where there is nothing to fill in (the 1 of +)
            assert text.endswith(f" = {trace.number(step.local)}") or text == formula, (name, text)
    sig = build_trace(Value(1.0, label="x").sigmoid())
    assert sig.steps[-1].local_text == "σ(x)(1-σ(x)) = 0.73 × 0.27 = 0.20"
    inv = build_trace(1 / Value(1.3678794411714423, label="x"))
    assert inv.steps[-1].local_text == "-1/x² = -1/1.37² = -0.53"


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 4), st.integers(1, 12))
def test_state_queries_agree_with_replaying_the_steps_from_zero(seed, n_leaves, n_ops):
    # nodes fed once and nodes fed several times (fan-out) keep their step indices in two forms
    _, out = _random_expression(random.Random(seed), n_leaves, n_ops)
    trace = build_trace(out)
    for k in range(len(trace.steps) + 1):
        value, grad, arrivals = {}, {}, {}
        for step in trace.steps[:k]:  # the naive way: walk the steps and keep what is known
            if step.phase == "forward":
                value[step.node] = step.value
            else:
                grad[step.input] = step.grad_after
                arrivals[step.input] = arrivals.get(step.input, 0) + 1
        state = trace.state_at(k)
        for info in trace.nodes:
            total = sum(1 for s in trace.steps if s.phase == "backward" and s.input == info.id)
            assert state.value(info.id) == value.get(info.id)
            assert state.grad(info.id) == grad.get(info.id)
            assert state.is_partial(info.id) == (0 < arrivals.get(info.id, 0) < total)
            assert trace.grad_steps(info.id) == [s.index for s in trace.steps
                                                 if s.phase == "backward" and s.input == info.id]


def test_a_gates_formula_names_its_inputs_as_the_user_labelled_them():
    x, y = Value(2.0, label="x"), Value(3.0)
    trace = build_trace((x * y).tanh())
    assert [info.formula for info in trace.nodes] == ["x", "", "x * n1", "tanh(n2)"]
