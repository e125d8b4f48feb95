"""Yes/no questions a view asks of a whole graph (is it a tensor graph, a tensor MLP, how deep
are its groups, is there a group L2, is there a node n7) are answered from what the trace
recorded at build, without making every node info: a 50,000-node graph opened in a view pays
for the infos it shows, not for a question.

The answers are checked against the engine's nodes read directly in the test, and the cost
through ``trace.nodes.made()`` (the infos made so far).
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from graphviz_nn import Tensor, Value
from graphviz_nn.debugger import Session, build_trace
from graphviz_nn.debugger.levels import levels_of, opening_level
from graphviz_nn.debugger.network import is_tensor_mlp, network_size
from graphviz_nn.graph import reachable
from graphviz_nn.nn import MLP
from graphviz_nn.recording import group

N = 20_000  # large enough that making every info would be the whole cost of a question


def grouped_chain(n=N):
    """A long scalar chain whose first half sits in neuron groups ``L1.N<k>`` and rest in ``L2``."""
    x = Value(0.5, label="x")
    h = x
    for i in range(n // 2):
        with group(*(("L1", f"N{i % 7}") if i < n // 4 else ("L2",))):
            h = (h * 0.999 + x) if i % 2 else (h + 0.001).tanh()
    return h


@pytest.fixture(scope="module")
def big():
    out = grouped_chain()
    return out, reachable(out)


def made(trace) -> int:
    return len(trace.nodes.made())


def test_questions_on_a_large_scalar_graph_make_no_node_info(big):
    out, nodes = big
    trace = build_trace(out, fill_grads=False)
    assert len(trace.nodes) == len(nodes) > N
    assert trace.has_tensor is False
    assert trace.group_depth() == max(len(n.group) for n in nodes) == 2
    assert trace.has_group(("L1",)) and trace.has_group(("L1", "N6")) and trace.has_group(("L2",))
    assert not trace.has_group(("L1", "N7")) and not trace.has_group(("L3",))
    assert trace.has_node("n0") and trace.has_node(f"n{len(nodes) - 1}")
    assert not trace.has_node(f"n{len(nodes)}") and not trace.has_node("x") and not trace.has_node(7)
    assert trace.labelled_leaves() == [("n0", "x", ())]
    assert is_tensor_mlp(trace) is False
    assert network_size(trace) is None
    assert levels_of(trace) == ("gate", "neuron", "layer")
    assert opening_level(trace) == "neuron"  # more than LARGE_GRAPH nodes, with groups
    assert made(trace) == 0


def test_a_group_breakpoint_is_checked_without_making_every_node_info(big):
    out, _ = big
    trace = build_trace(out, fill_grads=False)
    session = Session(trace)
    before = made(trace)
    assert session.add_group_breakpoint("L1.N3") == ("L1", "N3")
    assert made(trace) == before < 10


def test_the_page_level_decision_asks_a_scalar_graph_nothing_it_must_build_infos_for(big):
    from graphviz_nn.render.fit import default_level, is_tensor_graph
    out, _ = big
    trace = build_trace(out, fill_grads=False)
    assert is_tensor_graph(trace) is False and default_level(trace) == "gate"
    assert made(trace) == 0


def test_a_tensor_mlp_is_recognised_and_sized_from_its_weights_infos_alone():
    model = MLP(2, [16, 16, 1], seed=0, engine="tensor")
    X = Tensor(np.random.default_rng(0).normal(size=(40, 2)), label="X", requires_grad=False)
    out = (model(X) ** 2).sum()
    trace = build_trace(out, fill_grads=False)
    leaves = [n for n in reachable(out) if n._a is None]
    weights = [n for n in leaves if n.label and n.label.endswith(".W") and n.group]
    assert len(weights) == 3
    assert is_tensor_mlp(trace) and trace.has_tensor
    assert made(trace) == 0
    # nodes: inputs + neurons of every layer + the loss; edges: one per weight, and the last layer's into the loss
    shapes = [n.data.shape for n in weights]
    assert network_size(trace) == (2 + 16 + 16 + 1 + 1, 2 * 16 + 16 * 16 + 16 * 1 + 1) == (
        shapes[0][0] + sum(s[1] for s in shapes) + 1, sum(s[0] * s[1] for s in shapes) + shapes[-1][1])
    assert made(trace) == len(weights)  # the weight matrices' infos, for their shapes
    assert [label for _, label, _ in trace.labelled_leaves()] == [n.label for n in leaves if n.label]


def test_a_scalar_mlp_is_not_a_tensor_mlp_and_asking_makes_no_info():
    model = MLP(2, [4, 1], seed=0)
    out = model([0.5, -1.0])
    trace = build_trace(out, fill_grads=False)
    assert not is_tensor_mlp(trace) and levels_of(trace) == ("gate", "neuron", "layer")
    assert made(trace) == 0


@settings(max_examples=40, deadline=None)
@given(paths=st.lists(st.tuples(st.sampled_from(["L1", "L2", "N0"]), st.sampled_from(["", "N0", "N1"])),
                      min_size=1, max_size=8),
       labels=st.lists(st.sampled_from([None, "", "a", "L1.W", "x.W", "W"]), min_size=8, max_size=8),
       asked=st.tuples(st.sampled_from(["L1", "L2", "N0", "L3"]), st.sampled_from(["", "N0", "N1"])))
def test_the_answers_agree_with_the_node_infos_on_any_small_graph(paths, labels, asked):
    nodes = []
    for i, (layer, neuron) in enumerate(paths):
        with group(*((layer, neuron) if neuron else (layer,) if layer != "N0" else ())):
            leaf = Value(float(i) + 0.5, label=labels[i] or None)
            if labels[i] == "":
                leaf.label = ""  # an empty label names nothing
            nodes.append(leaf if not nodes else nodes[-1] * leaf)
    trace = build_trace(nodes[-1], fill_grads=False)
    ask = asked if asked[1] else asked[:1]
    engine = reachable(nodes[-1])
    assert trace.group_depth() == max(len(n.group) for n in engine)
    assert trace.has_group(ask) == any(n.group[:len(ask)] == ask for n in engine)
    assert trace.labelled_leaves() == [(f"n{i}", n.label, n.group) for i, n in enumerate(engine)
                                       if n._a is None and n.label]
    assert is_tensor_mlp(trace) == any(n._a is None and n.group and n.label and n.label.endswith(".W")
                                       for n in engine)
    assert made(trace) == 0
    infos = list(trace.nodes)  # and the same answers read the slow way, from every info
    assert trace.group_depth() == max(len(i.group) for i in infos)
    assert trace.has_group(ask) == any(i.group[:len(ask)] == ask for i in infos)
    assert is_tensor_mlp(trace) == any(i.group and i.is_leaf and i.label and i.label.endswith(".W") for i in infos)


def test_finding_a_node_by_a_label_the_user_gave_makes_no_node_info(big):
    out, nodes = big
    trace = build_trace(out, fill_grads=False)
    assert trace.find("x") == "n0" and trace.find("n7") == "n7"
    assert made(trace) == 0
    first_tanh = next(f"n{i}" for i, n in enumerate(nodes) if n._rule is not None and n._rule.name == "tanh")
    assert trace.find("tanh") == first_tanh  # a label the graph derives (the gate's symbol) still reads the infos


@settings(max_examples=40, deadline=None)
@given(labels=st.lists(st.sampled_from([None, "", "a", "b", "+", "n1", "a b"]), min_size=1, max_size=6),
       name=st.sampled_from(["a", "b", "+", "*", "n1", "n0", "a b", "zz"]))
def test_find_answers_what_reading_every_info_answers(labels, name):
    nodes = [Value(1.5, label=labels[0] or None)]
    for label in labels[1:]:
        nodes.append(nodes[-1] + Value(0.5))
        nodes[-1].label = label
    trace, reference = (build_trace(nodes[-1], fill_grads=False) for _ in range(2))
    infos = list(reference.nodes)
    expected = (name if reference.has_node(name) else
                next((i.id for i in infos if i.user_label == name), None)
                or next((i.id for i in infos if i.label == name), None))
    if expected is None:
        with pytest.raises(Exception, match="no node has id or label"):
            trace.find(name)
    else:
        assert trace.find(name) == expected
