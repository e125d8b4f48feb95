"""Snapshot export: ``to_json`` (valid JSON even with nan/inf) and ``to_networkx``."""
import json
import math

import networkx as nx
import pytest

from graphviz_nn import Value, group, to_json, to_networkx

FIELDS = {"id", "label", "op", "value", "grad", "inputs", "local_grads", "group"}


def _neuron():
    w0, x0, w1, x1, w2 = (Value(v, label=n) for v, n in
                          ((2.0, "w0"), (-1.0, "x0"), (-3.0, "w1"), (-2.0, "x1"), (-3.0, "w2")))
    f = 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())
    f.backward()
    return f


def test_to_json_fields_for_the_sigmoid_neuron():
    snap = to_json(_neuron())
    assert snap["output"] == "n12"
    assert "outputs" not in snap
    nodes = snap["nodes"]
    assert [n["id"] for n in nodes] == [f"n{i}" for i in range(13)]
    for n in nodes:
        assert FIELDS <= set(n)
    assert [n["label"] for n in nodes] == ["w0", "x0", "w1", "x1", "w2",
                                           "*", "*", "+", "+", "*-1", "exp", "+1", "1/x"]
    assert [n["op"] for n in nodes[5:]] == ["mul", "mul", "add", "add", "mul_const", "exp",
                                            "add_const", "rdiv_const"]
    assert all(n["op"] is None and n["inputs"] == [] for n in nodes[:5])
    assert nodes[5]["inputs"] == ["n0", "n1"]        # w0 * x0, in order
    assert nodes[5]["local_grads"] == [-1.0, 2.0]     # d/dw0 = x0, d/dx0 = w0
    assert nodes[5]["value"] == -2.0
    out = nodes[-1]
    assert out["value"] == pytest.approx(0.7310585786300049, abs=1e-15) and out["grad"] == 1.0
    assert [round(n["grad"], 2) for n in nodes[:5]] == [-0.2, 0.39, -0.39, -0.59, 0.2]
    assert all(n["group"] == [] for n in nodes)
    json.dumps(snap, allow_nan=False)


def test_x_times_x_lists_its_input_twice():
    x = Value(3.0, label="x")
    snap = to_json(x * x)
    assert snap["nodes"][1]["inputs"] == ["n0", "n0"]
    assert snap["nodes"][1]["local_grads"] == [3.0, 3.0]


def test_group_paths_are_exported():
    x = Value(1.0, label="x")
    with group("L1", "N3"):
        y = x * 2
    assert to_json(y)["nodes"][1]["group"] == ["L1", "N3"]


def test_non_finite_numbers_are_strings_and_the_snapshot_is_strict_json():
    x = Value(0.0, label="x")
    y = x.log()              # -inf, local gradient inf
    z = y * 0.0              # nan
    z.backward()             # x.grad: 0 * inf = nan
    big = Value(1000.0, label="big").exp()  # inf
    snap = to_json([z, big])
    by_label = {n["label"]: n for n in snap["nodes"]}
    assert by_label["log"]["value"] == "-inf"
    assert by_label["log"]["local_grads"] == ["inf"]
    assert by_label["*0"]["value"] == "nan"
    assert by_label["x"]["grad"] == "nan"
    assert by_label["exp"]["value"] == "inf"
    text = json.dumps(snap, allow_nan=False)
    assert json.loads(text)["nodes"][1]["value"] == "-inf"


def test_multiple_outputs_give_outputs():
    x = Value(2.0, label="x")
    a = x * 3
    snap = to_json([a + 1, a * x])
    assert "output" not in snap
    assert snap["outputs"] == ["n2", "n3"]
    assert [n["label"] for n in snap["nodes"]] == ["x", "*3", "+1", "*"]


def test_to_networkx_is_a_multidigraph_with_parallel_edges():
    x = Value(3.0, label="x")
    y = x * x
    y.backward()
    g = to_networkx(y)
    assert isinstance(g, nx.MultiDiGraph)
    assert set(g.nodes) == {"n0", "n1"}
    assert g.number_of_edges("n0", "n1") == 2
    edges = sorted(g.edges(keys=True, data=True))
    assert [(u, v, k, d["local_grad"]) for u, v, k, d in edges] == [("n0", "n1", 0, 3.0), ("n0", "n1", 1, 3.0)]
    assert g.graph["output"] == "n1"
    assert g.nodes["n0"]["grad"] == 6.0 and g.nodes["n1"]["value"] == 9.0


def test_to_networkx_has_the_same_attributes_as_to_json():
    f = _neuron()
    snap = to_json(f)
    g = to_networkx(f)
    assert list(g.nodes) == [n["id"] for n in snap["nodes"]]
    for record in snap["nodes"]:
        attrs = g.nodes[record["id"]]
        assert attrs == {k: v for k, v in record.items() if k != "id"}
        assert [u for u, _, _ in sorted(g.in_edges(record["id"], keys=True), key=lambda e: e[2])] == record["inputs"]
    assert g.number_of_edges() == sum(len(n["inputs"]) for n in snap["nodes"]) == 4 * 2 + 4 * 1
    assert nx.is_directed_acyclic_graph(g)
    assert list(nx.topological_sort(g))[-1] == "n12"


def test_networkx_keeps_non_finite_strings():
    x = Value(-1.0, label="x")
    y = x.sqrt()
    g = to_networkx(y)
    assert g.nodes["n1"]["value"] == "nan"
    assert math.isnan(y.data)  # the graph itself still holds the float
