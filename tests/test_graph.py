"""Walking a recorded graph: creation order, deterministic ids, display labels, backward."""
import graphviz_nn
from graphviz_nn import Value
from graphviz_nn.graph import backward, display_label, inputs, is_leaf, node_ids, reachable


def _neuron():
    w0, x0, w1, x1, w2 = (Value(v, label=n) for v, n in
                          ((2.0, "w0"), (-1.0, "x0"), (-3.0, "w1"), (-2.0, "x1"), (-3.0, "w2")))
    return 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())


def _shape(output):
    """What a view sees: per node its id, label, op and input ids."""
    nodes = reachable(output)
    ids = node_ids(nodes)
    return [(ids[n], display_label(n, ids[n]), n.op and n.op.name, [ids[i] for i in n.inputs])
            for n in nodes]


def test_reachable_is_creation_order_and_each_node_once():
    x = Value(3.0, label="x")
    unused = x + 100  # created, but the output does not depend on it
    sq = x * x
    y = sq + x
    nodes = reachable(y)
    assert nodes == [x, sq, y]
    assert unused not in nodes
    assert [n._order for n in nodes] == sorted(n._order for n in nodes)


def test_reachable_puts_inputs_before_the_nodes_that_read_them():
    out = _neuron()
    nodes = reachable(out)
    position = {n: i for i, n in enumerate(nodes)}
    assert len(position) == len(nodes) == 13
    for n in nodes:
        assert all(position[i] < position[n] for i in n.inputs)


def test_reachable_includes_inputs_created_in_a_different_order():
    # b is created before a, but a is the first input: order follows creation, not inputs
    b = Value(1.0, label="b")
    a = Value(2.0, label="a")
    y = a - b
    assert reachable(y) == [b, a, y]
    assert y.inputs == (a, b)


def test_ids_are_deterministic_across_identical_builds():
    first = _shape(_neuron())
    for _ in range(3):
        _neuron() * 2  # other graphs built in between move the process-wide counter
    second = _shape(_neuron())
    assert first == second
    assert [row[0] for row in first] == [f"n{i}" for i in range(13)]
    assert [row[1] for row in first] == ["w0", "x0", "w1", "x1", "w2",
                                         "*", "*", "+", "+", "*-1", "exp", "+1", "1/x"]
    assert first[5] == ("n5", "*", "mul", ["n0", "n1"])


def test_display_label_prefers_user_label_then_gate_symbol_then_id():
    x = Value(2.0)
    named = Value(1.0, label="w")
    gate = x * 3
    gate_named = x + named
    gate_named.label = "sum"
    assert display_label(x, "n0") == "n0"
    assert display_label(named, "n1") == "w"
    assert display_label(gate, "n2") == "*3"
    assert display_label(gate_named, "n3") == "sum"
    assert display_label(x ** 2, "n4") == "x^2"


def test_inputs_and_leaves():
    x = Value(2.0)
    y = x * x
    assert inputs(y) == (x, x) and inputs(x) == ()
    assert is_leaf(x) and not is_leaf(y)
    assert x.op is None and x.const is None and x.local_grads == ()


def test_backward_from_a_non_root():
    x = Value(2.0)
    y = x * 3
    z = y + 1
    w = z * z
    z.backward()
    assert x.grad == 3.0
    assert z.grad == 1.0 and y.grad == 1.0
    assert w.grad == 0.0  # downstream of the start: untouched


def test_backward_returns_the_nodes_in_creation_order():
    x = Value(2.0)
    y = (x + 1) * x
    nodes = backward(y)
    assert nodes == reachable(y)
    assert x.grad == 5.0  # 2x + 1


def test_backward_with_a_seed():
    x = Value(2.0)
    y = x * x
    backward(y, seed=0.5)
    assert y.grad == 0.5 and x.grad == 2.0


def test_backward_from_a_leaf_accumulates_its_own_gradient():
    x = Value(2.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_multiple_outputs():
    x = Value(2.0, label="x")
    a = x * 3
    out1 = a * x     # 3x², d/dx = 6x = 12
    out2 = a + x     # 4x,  d/dx = 4
    nodes = reachable([out1, out2])
    assert nodes == [x, a, out1, out2]
    assert list(node_ids(nodes).values()) == ["n0", "n1", "n2", "n3"]
    out1.backward()
    assert x.grad == 12.0 and a.grad == 2.0
    out2.backward()
    assert x.grad == 16.0  # leaf accumulates over both outputs
    assert a.grad == 1.0   # interior recomputed for out2 alone
    # reachable accepts any iterable, and one output given twice is still one node
    assert reachable((out2, out2)) == [x, a, out2]


def test_package_exports_backward():
    x = Value(3.0)
    y = x * x
    graphviz_nn.backward(y)
    assert x.grad == 6.0


# ---- the backward-event contract (one walk: backward fills grads, the trace records the events) ----

def test_backward_events_are_gate_by_gate_with_each_gates_inputs_together():
    from graphviz_nn.graph import EVENT_FIELDS, backward_events
    out = _neuron()
    events = backward_events(out)
    assert EVENT_FIELDS == ("gate", "index", "input", "upstream", "local", "contribution", "grad_after")
    gates = [e[0] for e in events]
    runs = [g for i, g in enumerate(gates) if i == 0 or gates[i - 1] is not g]
    assert len(runs) == len(set(runs))  # each gate's edges are consecutive
    assert [g._order for g in runs] == sorted((g._order for g in runs), reverse=True)  # reverse creation order
    for gate, index, inp, upstream, local, contribution, grad_after in events:
        assert inp is gate.inputs[index] and contribution == upstream * local
        assert upstream == gate.grad  # complete before the gate sends anything on


def test_backward_with_and_without_events_gives_the_same_gradients():
    from graphviz_nn.graph import backward_events
    x = Value(3.0, label="x")
    y = x * x + x
    events = backward_events(y)
    assert [e[6] for e in events if e[2] is x] == [1.0, 4.0, 7.0]  # running fan-out sums, from the walk itself
    with_events = x.grad
    x.grad = 0.0
    backward(y)
    assert x.grad == with_events == 7.0


def test_data_gets_no_gradient_and_no_event():
    from graphviz_nn.graph import backward_events
    w = Value(2.0, label="w")
    x = Value(3.0, label="x", requires_grad=False)
    target = Value(1.0, label="y", requires_grad=False)
    loss = (w * x - target) ** 2
    events = backward_events(loss)
    assert all(e[2] is not x and e[2] is not target for e in events)
    assert x.grad == 0.0 and target.grad == 0.0 and w.grad == 2 * 5.0 * 3.0
    shifted = 1 - target  # a gate computed only from data is data too
    assert shifted.requires_grad is False and (shifted * w).requires_grad is True


def test_requires_grad_is_keyword_only_and_costs_no_memory():
    import sys

    import pytest
    with pytest.raises(TypeError):
        Value(1.0, "x", (), "", False)
    data = Value(1.0, requires_grad=False)
    assert isinstance(data, Value) and not data.requires_grad and Value(1.0).requires_grad
    # the flag is the class's: no slot and nothing stored per node (issue 28 gave Value a
    # __dict__ for users' own attributes, p.m = 0; the flag is never in it)
    assert type(data).__slots__ == () and sys.getsizeof(data) == sys.getsizeof(Value(1.0))
    assert "requires_grad" not in vars(data) and "requires_grad" not in vars(Value(1.0))
