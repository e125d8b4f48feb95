"""An MLP's trace read as the textbook network: each input once, each neuron once, one edge per weight."""
from __future__ import annotations

import numpy as np
import pytest

from graphviz_nn.debugger.network import network
from graphviz_nn.scenario_format.loader import load_scenario


def _end(trace):
    return trace.state_at(len(trace.steps))


def test_mlp_xor_has_two_inputs_five_neurons_and_one_edge_per_weight():
    trace = load_scenario("mlp-xor").trace()
    net = network(trace)
    kinds = [n.kind for n in net.nodes]
    assert kinds.count("input") == 2 and kinds.count("neuron") == 5 and kinds.count("loss") == 1
    assert len({n.label for n in net.nodes}) == len(net.nodes)  # each drawn once
    weights = [e for e in net.edges if e.weight is not None]
    assert len(weights) == 2 * 4 + 4 * 1  # 2→4 and 4→1, no bias edges
    assert len({e.weight for e in weights}) == len(weights)  # one edge per weight leaf
    assert net.samples == 4


def test_mlp_xor_numbers_are_the_traces_own_for_each_sample():
    trace = load_scenario("mlp-xor").trace()
    net = network(trace)
    state = _end(trace)
    xs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    for s, x in enumerate(xs):
        assert [net.value(f"in{k}", state, s) for k in range(2)] == x
    # a hidden neuron's value is tanh(w·x + b) with the weights on its edges
    n1 = "neuron:L1.N1"
    incoming = [e for e in net.edges if e.dst == n1]
    w = [net.weight(e, trace.state_at(trace.n_forward))[0] for e in incoming]
    b = trace.forward_value(trace.find("L1.N1.b"))
    for s, x in enumerate(xs):
        assert net.value(n1, state, s) == pytest.approx(np.tanh(w[0] * x[0] + w[1] * x[1] + b))


def test_weight_gradient_on_an_edge_is_the_sum_over_the_batch():
    trace = load_scenario("mlp-xor").trace()
    net = network(trace)
    state = _end(trace)
    edge = next(e for e in net.edges if e.weight is not None)
    _, grad = net.weight(edge, state)
    contributions = [trace.steps[i].contribution for i in trace.grad_steps(edge.weight)]
    assert grad == pytest.approx(sum(contributions))
    assert len(contributions) == net.samples


def test_tensor_mlp_moons_splits_matrices_into_neurons_and_weights():
    trace = load_scenario("mlp-moons").trace()
    net = network(trace)
    state = _end(trace)
    neurons = [n for n in net.nodes if n.kind == "neuron"]
    assert len(neurons) == 16 + 16 + 1
    assert sum(1 for n in net.nodes if n.kind == "input") == 2
    assert sum(1 for e in net.edges if e.weight is not None) == 2 * 16 + 16 * 16 + 16
    assert net.samples == 100
    w = trace.node(trace.find("L1.W"))
    edge = next(e for e in net.edges if e.weight == w.id and e.entry == (1, 3))
    assert net.weight(edge, state) == (pytest.approx(float(state.value(w.id)[1, 3])),
                                       pytest.approx(float(state.grad(w.id)[1, 3])))
    act = trace.node(trace.find("L1.W")).id
    assert act  # the matrix is found by its label
    assert net.value("neuron:L1.N4", state, 7) == pytest.approx(
        float(np.tanh(state.value(trace.find("X"))[7] @ state.value(w.id)[:, 3]
                      + state.value(trace.find("L1.b"))[3])))


def test_a_graph_that_is_no_network_has_no_network_view():
    assert network(load_scenario("sigmoid-neuron").trace()) is None


def test_every_catalogue_model_scenario_reads_as_a_network_or_none():
    from graphviz_nn.scenario_format.loader import catalogue_ids

    for sid in catalogue_ids():
        scenario = load_scenario(sid)
        net = network(scenario.trace())
        if net is None:
            continue
        ids = [n.id for n in net.nodes]
        assert len(ids) == len(set(ids)), sid
        assert all(e.src in ids and e.dst in ids for e in net.edges), sid
