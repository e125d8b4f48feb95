"""Each expression scenario of the catalogue reproduces its slide's numbers, through load_scenario."""
import math

import pytest

from graphviz_nn import graph, load_scenario
from graphviz_nn.scenario_format.catalogue import catalogue_ids


def _built(scenario_id):
    built = load_scenario(scenario_id).build()
    built.backward_from.backward()
    return built


def _gates(output):
    return [n for n in graph.reachable(output) if n.op is not None]


def test_sigmoid_neuron_is_the_slide_neuron():
    built = _built("sigmoid-neuron")
    f = built["f"]
    assert round(f.data, 2) == 0.73
    grads = {name: round(leaf.grad, 2) for name, leaf in built.leaves.items()}
    assert grads == {"w0": -0.20, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.20}
    nodes = graph.reachable(f)
    assert sum(1 for n in nodes if n.op is None) == 5
    gates = _gates(f)
    assert [g.op.symbol(g.const) for g in gates] == ["*", "*", "+", "+", "*-1", "exp", "+1", "1/x"]
    # gradients on the gate outputs, from the output back: 1.00, -0.53, -0.53, -0.20, 0.20
    assert [round(g.grad, 2) for g in reversed(gates[3:])] == [1.00, -0.53, -0.53, -0.20, 0.20]


def test_sigmoid_gate_has_local_gradient_020():
    built = _built("sigmoid-gate")
    f = built["f"]
    assert f.op.name == "sigmoid" and round(f.data, 2) == 0.73
    assert round(f.local_grads[0], 2) == 0.20
    assert math.isclose(f.local_grads[0], f.data * (1 - f.data))
    assert {k: round(v.grad, 2) for k, v in built.leaves.items()} == {
        "w0": -0.20, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.20}


def test_primitive_gates_table():
    built = load_scenario("primitive-gates").build()
    e, inv, scale, shift = (built[k] for k in ("exp_gate", "reciprocal_gate", "scale_gate", "shift_gate"))
    assert [g.op.symbol(g.const) for g in (e, inv, scale, shift)] == ["exp", "1/x", "*-1", "+1"]
    assert math.isclose(e.local_grads[0], math.exp(-1.0))  # e^x
    x = built.leaves["x_inv"].data
    assert math.isclose(inv.local_grads[0], -1 / x ** 2)  # -1/x²
    assert round(inv.local_grads[0], 2) == -0.53
    assert scale.local_grads == (-1.0,)  # a
    assert shift.local_grads == (1.0,)  # 1


def test_add_mul():
    built = _built("add-mul")
    assert built["f"].data == -12.0
    assert {k: v.grad for k, v in built.leaves.items()} == {"x": -4.0, "y": -4.0, "z": 3.0}


def test_framework_graph_has_two_outputs():
    scenario = load_scenario("framework-graph")
    assert scenario.output_names == ("output_1", "output_2")
    built = _built("framework-graph")
    o1, o2 = built["output_1"], built["output_2"]
    i1, i2, i3 = (built.leaves[k].data for k in ("input_1", "input_2", "input_3"))
    assert math.isclose(o1.data, math.exp(i3 * (i1 + i2)))
    assert math.isclose(o2.data, math.sqrt(o1.data))
    assert o2.inputs == (o1,) and built.backward_from is o2
    # d sqrt(exp(u)) / du = sqrt(exp(u)) / 2
    du = o2.data / 2
    assert math.isclose(built.leaves["input_1"].grad, du * i3)
    assert math.isclose(built.leaves["input_3"].grad, du * (i1 + i2))
    trace = scenario.trace()
    assert len(trace.outputs) == 2


def test_saturated_sigmoid_gradient_vanishes():
    built = _built("saturated-sigmoid")
    f = built["f"]
    s = 1 / (1 + math.exp(-10))
    assert math.isclose(f.local_grads[0], s * (1 - s))
    assert f.local_grads[0] < 1e-4 < 0.25
    assert math.isclose(built.leaves["w"].grad, s * (1 - s) * 2.0)


def test_non_zero_centred_weight_gradients_share_a_sign():
    built = _built("non-zero-centred")
    ws = [built.leaves[k].grad for k in ("w1", "w2", "w3")]
    assert all(w > 0 for w in ws)
    for k, a in zip(("w1", "w2", "w3"), ("a1", "a2", "a3")):
        assert math.isclose(built.leaves[k].grad, 1 / (1 + math.exp(-built.leaves[a].data)))


def test_dead_relu_passes_no_gradient():
    built = _built("dead-relu")
    assert built["f"].data == 0.0
    assert all(leaf.grad == 0.0 for leaf in built.leaves.values())


def test_activation_zoo_values_at_minus_two():
    built = load_scenario("activations").build()
    got = {k: v.data for k, v in built.items()}
    expected = {
        "sigmoid_x": 1 / (1 + math.exp(2)), "tanh_x": math.tanh(-2), "relu_x": 0.0,
        "leaky_relu_001": -0.02, "leaky_relu_01": -0.2, "prelu_x": -0.5, "elu_x": math.exp(-2) - 1,
        "maxout_x": 1.5, "piecewise_x": -1.25,
    }
    expected["all"] = sum(expected.values())  # backward runs from the sum: every derivative is a step
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert math.isclose(got[key], value, abs_tol=1e-12), key
    built.backward_from.backward()
    assert built.leaves["alpha"].grad == -2.0  # backprop into α: d prelu / dα = x


@pytest.mark.parametrize("x", [-3.0, -1.0, 0.0, 0.5, 1.0, 2.5])
def test_piecewise_linear_activation_matches_its_cases(x):
    from graphviz_nn.scenario_build.build import evaluate_outputs, _leaf_nodes
    scenario = load_scenario("activations")
    leaves = dict(scenario.leaves, x=x)
    out = evaluate_outputs(scenario, _leaf_nodes(leaves))["piecewise_x"].data
    br, ar, bl, al = 1.0, 0.5, -1.0, 0.25
    expected = br + ar * (x - br) if x >= br else (x if x >= bl else bl + al * (x - bl))
    assert math.isclose(out, expected)


def test_prelu_regularised_gradients():
    built = _built("prelu-regularised")
    assert math.isclose(built["loss"].data, 1.21 + 0.01 * (0.25 + 0.5625))
    got = {k: built.leaves[k].grad for k in ("w1", "w2", "alpha")}
    assert got == pytest.approx({"w1": -0.21, "w2": 0.455, "alpha": 2.2})


def test_softmax_vs_sigmoid():
    built = load_scenario("softmax-vs-sigmoid").build()
    sig = [built[f"sigmoid_z[{i}]"].data for i in range(3)]
    soft = [built[f"softmax_z[{i}]"].data for i in range(3)]
    assert [round(sig[0], 2), round(sig[1], 4), round(sig[2], 2)] == [0.96, 0.0033, 0.65]
    assert [round(soft[0], 2), round(soft[1], 5), round(soft[2], 3)] == [0.93, 0.00013, 0.069]
    assert round(built["sigmoid_sum"].data, 2) == 1.61
    assert math.isclose(built["softmax_sum"].data, 1.0)


def test_cross_entropy_vs_log_likelihood():
    built = load_scenario("cross-entropy-vs-log-likelihood").build()
    got = {k: round(v.data, 4) for k, v in built.items()}
    assert got == {"ce_1": 1.0725, "ll_1": 0.5978, "ce_2": 1.1410, "ll_2": 0.5978}


def test_l1_vs_l2():
    built = load_scenario("l1-vs-l2").build()
    got = {k: v.data for k, v in built.items()}
    assert got == {"output_1": 1.0, "output_2": 1.0, "l2_1": 1.0, "l2_2": 0.25, "l1_1": 1.0, "l1_2": 1.0,
                   "penalty_2": 1.25}
    built.backward_from.backward()  # L2 + L1 of W2: 2w + sign(w) = 0.5 + 1 per weight
    assert [w.grad for w in built.leaves["W2"]] == [1.5, 1.5, 1.5, 1.5]


def test_losses_on_the_same_predictions():
    built = load_scenario("losses").build()
    got = {k: v.data for k, v in built.items()}
    d = [0.3, 0.2, 0.1]  # |y - p|
    expected = {
        "loss_mse": sum(x * x for x in d) / 3,
        "loss_mae": sum(d) / 3,
        "loss_huber": sum(0.5 * x * x for x in d) / 3,  # every |r| <= δ = 1
        "loss_hinge": (0.3 + 1.2 + 1.1) / 3,  # max(0, 1 - y·p) with y in ±1
        "loss_squared_hinge": (0.3 ** 2 + 1.2 ** 2 + 1.1 ** 2) / 3,
        "loss_multiclass_hinge": 1 + 0.2 - 0.7,
        "loss_bce": -(math.log(0.7) + math.log(0.8) + math.log(0.9)),
        "loss_cce": -math.log(0.7),
        "loss_bce_keras": -(math.log(0.7) + math.log(0.8) + math.log(0.9)) / 3,  # Keras averages
    }
    assert got == pytest.approx(expected, rel=1e-12)
    built.backward_from.backward()
    assert [x.grad for x in built.leaves["p"]] == pytest.approx([-1 / 0.7, 0.0, 0.0])


# drawn: whether the data leaves are nodes of the drawn graph at all (cross-entropy's one-hot y is
# bce's target, folded into its gates as coefficients, so no y node exists to send a gradient to)
@pytest.mark.parametrize("scenario, data, drawn", [("prelu-regularised", ["x1", "x2", "y"], True),
                                                   ("cross-entropy-vs-log-likelihood", ["y"], False)])
def test_data_leaves_get_no_gradient_step_and_say_they_are_data(scenario, data, drawn):
    from graphviz_nn.debugger import build_trace
    s = load_scenario(scenario)
    outputs, backward_from = s.outputs_for_view(None)
    trace = build_trace(outputs, backward_from)
    data_ids = {info.id for info in trace.nodes if info.is_leaf and info.label.split("[")[0] in data}
    assert bool(data_ids) == drawn and all(not trace.node(i).requires_grad for i in data_ids)
    assert any(st.phase == "backward" and not st.is_seed for st in trace.steps)  # gradients do flow
    assert not [st for st in trace.steps if st.phase == "backward" and st.input in data_ids]
    assert all(trace.steps[trace.rank(i)].text.endswith("(data)") for i in data_ids)


def test_prelu_regularised_still_sends_its_gradients_to_the_weights_and_alpha():
    from graphviz_nn.debugger import build_trace
    s = load_scenario("prelu-regularised")
    trace = s.trace()
    end = trace.state_at(len(trace.steps))
    assert round(end.grad(trace.find("alpha")), 1) == 2.2


def test_the_losses_graph_records_no_identity_gates():
    trace = load_scenario("losses").trace()
    symbols = [info.symbol for info in trace.nodes]
    assert not {"+0", "*1", "x^1", "-0"} & set(symbols), symbols


@pytest.mark.parametrize("scenario", [s for s in catalogue_ids() if load_scenario(s).kind == "expression"])
def test_no_expression_scenario_records_an_identity_gate(scenario):
    # a coefficient of 1 inside a library loss (huber's δ = 1 on mae-vs-mse-outliers) adds no *1 gate
    trace = load_scenario(scenario).trace()
    symbols = [info.symbol for info in trace.nodes]
    assert not {"+0", "*1", "x^1", "-0"} & set(symbols), symbols
