"""Steps and node infos are made on first read: the lazy sequences must equal the eager list the
trace used to build, step by step and field by field, whatever order they are read in.

The reference is made here from the engine's own edge events by a plain loop (the contract
of ``graph.EVENT_FIELDS``), never from the trace.
"""
import random

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from graphviz_nn import SGD, Tensor, Value
from graphviz_nn.debugger import build_trace
from graphviz_nn.debugger import format as fmt
from graphviz_nn.debugger.training import Trainer
from graphviz_nn.graph import backward_events, reachable
from graphviz_nn.recording import group

FIELDS = ("index", "phase", "node", "group", "value", "input_index", "input", "upstream", "local",
          "contribution", "grad_before", "grad_after", "fan", "old_value", "new_value", "grad", "lr")


def random_graph(rng, n_leaves, n_ops, n_outputs):
    """Leaves, then gates on random earlier nodes (fan-out, x*x, groups, data leaves)."""
    pool = []
    for i in range(n_leaves):
        with group(*(("L1", f"N{i % 2}") if rng.random() < 0.5 else ())):
            pool.append(Value(rng.uniform(-2, 2), label=f"x{i}" if rng.random() < 0.7 else None,
                              requires_grad=rng.random() < 0.8))
    for _ in range(n_ops):
        a, b = rng.choice(pool), rng.choice(pool)
        op = rng.choice(["add", "mul", "tanh", "sub", "addc", "mulc", "sigmoid", "square"])
        with group(*(("L2", "N0") if rng.random() < 0.3 else ())):
            node = {"add": lambda: a + b, "mul": lambda: a * b, "tanh": lambda: a.tanh(),
                    "sub": lambda: a - b, "addc": lambda: a + 1.5, "mulc": lambda: a * -2.0,
                    "sigmoid": lambda: a.sigmoid(), "square": lambda: a * a}[op]()
        if rng.random() < 0.2:
            node.label = f"h{len(pool)}"
        pool.append(node)
    return pool[-n_outputs:][::-1]


def reference_steps(outputs, seed=1.0):
    """The eager list of steps as plain dicts: forward steps in creation order, the seed, then
    one step per edge event with its running sum and fan count, made by one plain loop."""
    nodes = reachable(outputs)
    ids = {node: f"n{i}" for i, node in enumerate(nodes)}
    bf = outputs[0]
    for node in reachable(bf):
        if node._a is None:
            node.grad = 0.0
    events = backward_events(bf, seed=seed)
    steps = [dict(index=k, phase="forward", node=ids[n], group=n.group, value=n.data) for k, n in enumerate(nodes)]
    steps.append(dict(index=len(steps), phase="backward", node=ids[bf], group=bf.group, input_index=None,
                      input=ids[bf], upstream=None, local=None, contribution=seed, grad_before=None,
                      grad_after=seed, fan=(1, 1)))
    total = {}
    for gate, index, inp, upstream, local, contribution, after in events:
        total[inp] = total.get(inp, 0) + 1
    seen, last = {}, {}
    for gate, index, inp, upstream, local, contribution, after in events:
        seen[inp] = seen.get(inp, 0) + 1
        steps.append(dict(index=len(steps), phase="backward", node=ids[gate], group=gate.group, input_index=index,
                          input=ids[inp], upstream=upstream, local=local, contribution=contribution,
                          grad_before=last.get(inp), grad_after=after, fan=(seen[inp], total[inp])))
        last[inp] = after
    return nodes, ids, steps


def assert_step_is(step, expected):
    for field in FIELDS:
        want = expected.get(field, (1, 1) if field == "fan" else None)
        assert getattr(step, field) == want, (step.index, field)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 5), st.integers(1, 25), st.integers(1, 2))
def test_lazy_steps_equal_the_eager_list_field_by_field_in_any_reading_order(seed, n_leaves, n_ops, n_outputs):
    rng = random.Random(seed)
    outputs = random_graph(rng, n_leaves, n_ops, n_outputs)
    nodes, ids, expected = reference_steps(outputs)
    trace = build_trace(outputs)
    assert trace.steps.made() == [] and trace.nodes.made() == []  # building made none of them
    assert len(trace.steps) == len(expected) and trace.n_forward == len(nodes)
    order = list(range(len(expected)))
    rng.shuffle(order)  # made out of order, by positive and negative indices
    for k in order:
        assert_step_is(trace.steps[k - len(expected) if k % 2 else k], expected[k])
    for step, want in zip(trace.steps, expected):  # iteration returns the same (cached) objects
        assert step is trace.steps[step.index]
        assert_step_is(step, want)
    assert trace.steps == list(trace.steps) and trace.steps[1:-1:2] == list(trace.steps)[1:-1:2]
    # iterating makes the rest in one loop: the same fields, and the steps read before are kept
    again = build_trace(outputs)
    early = {k: again.steps[k] for k in order[: len(order) // 3]}
    for step, want in zip(again.steps, expected):
        assert_step_is(step, want)
        assert early.get(step.index, step) is step
    # the state a view reads matches the reference's running sums at every k
    for k in range(0, len(expected) + 1, max(1, len(expected) // 7)):
        state = trace.state_at(k)
        for node in nodes:
            arrived = [s for s in expected[:k] if s["phase"] == "backward" and s["input"] == ids[node]]
            assert state.grad(ids[node]) == (arrived[-1]["grad_after"] if arrived else None)
            assert state.value(ids[node]) == (node.data if k > nodes.index(node) else None)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 5), st.integers(1, 25))
def test_lazy_node_infos_equal_what_the_engine_nodes_say(seed, n_leaves, n_ops):
    rng = random.Random(seed)
    (out,) = random_graph(rng, n_leaves, n_ops, 1)
    trace = build_trace(out)
    nodes = reachable(out)
    ids = {node: f"n{i}" for i, node in enumerate(nodes)}
    order = list(range(len(nodes)))
    rng.shuffle(order)
    for i in order:
        node = nodes[i]
        info = trace.node(ids[node]) if i % 2 else trace.nodes[i - len(nodes)]
        ins = tuple(x for x in (node._a, node._b) if x is not None)
        names = [x.label or ids[x] for x in ins]
        assert (info.id, info.user_label, info.group, info.is_leaf, info.requires_grad) == \
               (ids[node], node.label or None, node.group, node._a is None, node.requires_grad)
        assert info.inputs == tuple(ids[x] for x in ins)
        assert info.op == (node._rule.name if node._rule else None)
        assert info.formula == (fmt.expression(node._rule, node._const, names) if node._rule else node.label or "")
        assert info.local_grads == (None if node._rule is None else node.local_grads)
        assert trace.id_of(node) == ids[node] and trace.engine_node(ids[node]) is node
    assert list(trace.nodes) == [trace.node(f"n{i}") for i in range(len(nodes))]
    # iterating a fresh trace makes its infos in one loop: the same fields as one by one
    fresh = list(build_trace(out).nodes)
    for info, one in zip(fresh, trace.nodes):
        assert (info.id, info.label, info.op, info.symbol, info.const, info.inputs, info.group, info.is_leaf,
                info.is_tensor, info.shape, info.formula, info.local_formulas, info.composite, info.user_label,
                info.local_grads, info.requires_grad) == \
               (one.id, one.label, one.op, one.symbol, one.const, one.inputs, one.group, one.is_leaf,
                one.is_tensor, one.shape, one.formula, one.local_formulas, one.composite, one.user_label,
                one.local_grads, one.requires_grad)


def test_the_steps_read_like_a_list_with_the_update_steps_after_the_backward_pass():
    w, b = Value(0.6, label="w"), Value(0.9, label="b")
    trainer = Trainer(lambda: ((w * 1.5 + b).tanh() - 0.25) ** 2, [w, b], SGD([w, b], lr=0.1))
    trace = trainer.trace_iteration()
    steps = trace.steps
    n = len(steps)
    assert n == trace.n_forward + trace.n_backward + 2
    assert [s.phase for s in steps[-2:]] == ["update", "update"] and steps[-1] is steps[n - 1]
    assert steps[-n] is steps[0] and steps[0].phase == "forward"
    assert [s.node for s in steps[-2:]] == [trace.id_of(w), trace.id_of(b)]
    assert steps[::-1] == list(reversed(list(steps))) and steps[n - 3:] == [steps[-3], steps[-2], steps[-1]]
    for bad in (n, -n - 1):
        with pytest.raises(IndexError):
            steps[bad]
    for bad in ("1", 1.0):  # as a list answers
        with pytest.raises(TypeError):
            steps[bad]
    assert list(steps) == list(steps) and len(list(steps)) == n  # a second iteration reads the same steps
    assert trace.state_at(n).value(trace.id_of(w)) == steps[-2].new_value
    # an update step reads what the optimiser did, as numbers computed here
    grad_w = 2 * (np.tanh(0.6 * 1.5 + 0.9) - 0.25) * (1 - np.tanh(0.6 * 1.5 + 0.9) ** 2) * 1.5
    assert steps[-2].grad == pytest.approx(grad_w) and steps[-2].new_value == pytest.approx(0.6 - 0.1 * grad_w)


def test_decimals_changed_before_or_after_a_step_is_made_write_it_at_the_new_digits():
    x = Value(1.23456, label="x")
    trace = build_trace(x * x)
    first = trace.steps[0].text
    trace.set_decimals(4)
    assert first == "x = 1.23" and trace.steps[0].text == "x = 1.2346"
    assert trace.steps[1].text == f"n1 = x * x = {1.23456 ** 2:.4f}"  # made after the change


def test_tensor_steps_keep_copies_that_later_in_place_updates_cannot_change():
    X = Tensor([[1.0, 2.0], [3.0, 4.0]], label="X")
    W = Tensor([[0.5], [-1.0]], label="W")
    loss = (X @ W).sum()
    trace = build_trace(loss)
    expected = X.data.sum(axis=0).reshape(2, 1)  # dL/dW = Xᵀ · 1
    W.grad[...] = 99.0  # what an optimiser's zero_grad or a later pass does in place
    W.data[...] = -7.0
    (into_w,) = [s for s in trace.steps if s.phase == "backward" and s.input == trace.id_of(W)]
    np.testing.assert_array_equal(into_w.grad_after, expected)
    np.testing.assert_array_equal(trace.state_at(len(trace.steps)).grad(trace.id_of(W)), expected)
    np.testing.assert_array_equal(trace.steps[trace.rank(trace.id_of(W))].value, [[0.5], [-1.0]])


@pytest.mark.parametrize("n_nodes", [63, 64, 65, 127, 128, 129, 200])
def test_steps_made_in_blocks_are_right_at_every_block_edge(n_nodes):
    # steps are made 64 at a time: the seed, the first backward step and each block's first and
    # last step fall on a block edge for some of these sizes
    rng = random.Random(n_nodes)
    x = Value(0.3, label="x")
    h = x
    for i in range(n_nodes - 1):
        h = h * x if i % 3 == 0 else (h.tanh() if i % 3 == 1 else h + 0.1)  # one node each; x fans out
    nodes, ids, expected = reference_steps([h])
    assert len(nodes) == n_nodes
    trace = build_trace(h)
    order = list(range(len(expected)))
    rng.shuffle(order)
    for k in order:
        assert_step_is(trace.steps[k], expected[k])
    session_trace = build_trace(h)  # in order, as a session steps
    for k in range(len(expected)):
        assert_step_is(session_trace.steps[k], expected[k])
