"""graphviz_nn.tui.picture.layout: the built-in layered layout and the Graphviz one agree on the rules a view relies on."""
from __future__ import annotations

import random

import pytest

from graphviz_nn.tui.picture import layout as layout_module
from graphviz_nn.debugger import build_trace
from graphviz_nn.tui.picture.layout import BUILTIN, GRAPHVIZ, LayoutError, dot_available, graphviz_layout, layered_layout, layout
from graphviz_nn.nn import MLP
from graphviz_nn.value import Value


def neuron_graph():
    w0, x0, w1, x1, w2 = (Value(v, label=n) for v, n in ((2, "w0"), (-1, "x0"), (-3, "w1"), (-2, "x1"), (-3, "w2")))
    f = 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())
    trace = build_trace(f)
    return [n.id for n in trace.nodes], [(e.src, e.dst) for e in trace.edges]


def random_dag(n: int, seed: int = 0):
    rng = random.Random(seed)
    ids = [f"n{i}" for i in range(n)]
    edges = []
    for i in range(2, n):
        for j in rng.sample(range(i), k=min(2, i)):
            edges.append((ids[j], ids[i]))
    return ids, edges


def check_rules(result, ids, edges):
    pos = result.positions
    assert set(pos) == set(ids)
    for src, dst in edges:
        assert pos[src][0] < pos[dst][0], (src, dst)  # left to right
    by_rank = {}
    for n, (r, y) in pos.items():
        by_rank.setdefault(r, []).append(y)
    for ys in by_rank.values():
        ys.sort()
        assert all(b - a >= 0.99 for a, b in zip(ys, ys[1:]))  # boxes never overlap
    assert min(y for _, y in pos.values()) >= 0


def test_builtin_layout_of_the_sigmoid_neuron():
    ids, edges = neuron_graph()
    result = layered_layout(ids, edges)
    check_rules(result, ids, edges)
    assert result.source == BUILTIN
    assert result.ranks == 8  # inputs, *, +, +w2, *-1, exp, +1, 1/x
    assert result.positions["n4"][0] == result.positions["n8"][0] - 1  # w2 sits next to its + gate


def test_builtin_layout_is_deterministic_and_handles_big_graphs():
    ids, edges = random_dag(5000)
    first = layered_layout(ids, edges)
    check_rules(first, ids, edges)
    assert layered_layout(ids, edges).positions == first.positions


def test_builtin_layout_of_an_mlp_keeps_every_edge_forward():
    out = MLP(3, [4, 4, 1], seed=1)([1.0, -2.0, 0.5])
    trace = build_trace(out)
    ids, edges = [n.id for n in trace.nodes], [(e.src, e.dst) for e in trace.edges]
    check_rules(layered_layout(ids, edges), ids, edges)


@pytest.mark.skipif(not dot_available(), reason="Graphviz's dot is not installed")
def test_graphviz_layout_follows_the_same_rules():
    ids, edges = neuron_graph()
    result = graphviz_layout(ids, edges)
    assert result.source == GRAPHVIZ
    check_rules(result, ids, edges)
    assert layout(ids, edges).source == GRAPHVIZ


def test_without_dot_the_builtin_layout_says_why(monkeypatch):
    monkeypatch.setattr(layout_module, "dot_available", lambda: False)
    ids, edges = neuron_graph()
    result = layout(ids, edges)
    assert result.source == BUILTIN
    assert result.note == "Graphviz's dot program is not installed; using the built-in layout"


def test_big_graphs_skip_graphviz(monkeypatch):
    monkeypatch.setattr(layout_module, "GRAPHVIZ_MAX_NODES", 10)
    ids, edges = neuron_graph()
    result = layout(ids, edges)
    assert result.source == BUILTIN and "13 nodes is too many" in result.note


def test_a_failing_or_slow_dot_falls_back(monkeypatch):
    def slow(*args, **kwargs):
        raise LayoutError("Graphviz took longer than 10 s")

    monkeypatch.setattr(layout_module, "run_dot", slow)
    monkeypatch.setattr(layout_module, "dot_available", lambda: True)
    ids, edges = neuron_graph()
    result = layout(ids, edges)
    assert result.source == BUILTIN
    assert result.note == "Graphviz took longer than 10 s; using the built-in layout"
    check_rules(result, ids, edges)


def test_for_trace_lays_out_the_boxes_of_a_level():
    from graphviz_nn.tui.picture.layout import for_trace
    trace = build_trace(MLP(2, [3, 1], seed=0)([1.0, -2.0]))
    gate = for_trace(trace, "gate", prefer_graphviz=False)
    assert set(gate.positions) == {info.id for info in trace.nodes}
    neuron = for_trace(trace, "neuron", prefer_graphviz=False)
    assert {"g:L1/N1", "g:L1/N2", "g:L1/N3", "g:L2/N1"} <= set(neuron.positions)
    assert neuron.positions["g:L1/N1"][0] < neuron.positions["g:L2/N1"][0]
    assert len(neuron.positions) < len(gate.positions)
