"""Scalar ``Neuron``, ``Layer``, ``MLP``: micrograd's parameter order and initial weights,
seeds, group paths, activations by name."""
import math
import random

import micrograd.nn
import pytest

from graphviz_nn import Value
from graphviz_nn.graph import reachable
from graphviz_nn.nn import ACTIVATIONS, MLP, Layer, Neuron


def test_parameter_count_and_micrograd_order():
    model = MLP(2, [16, 16, 1], seed=0)
    params = model.parameters()
    assert len(params) == 16 * (2 + 1) + 16 * (16 + 1) + 1 * (16 + 1) == 337
    expected = [f"L{layer}.N{n}.{p}"
                for layer, (nin, nout) in enumerate([(2, 16), (16, 16), (16, 1)], start=1)
                for n in range(1, nout + 1)
                for p in [f"w{i}" for i in range(nin)] + ["b"]]
    assert [p.label for p in params] == expected
    assert all(p.op is None for p in params)  # parameters are leaves
    assert all(p.data == 0.0 for p in params if p.label.endswith(".b"))


@pytest.mark.parametrize("seed", [0, 1, 1337])
def test_random_seed_gives_micrograd_s_initial_weights_and_output(seed):
    random.seed(seed)
    ours = MLP(2, [16, 16, 1])
    random.seed(seed)
    theirs = micrograd.nn.MLP(2, [16, 16, 1])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    x = [0.7, -1.3]
    out, ref = ours(x), theirs(x)
    assert out.data == ref.data
    out.backward()
    ref.backward()
    for p, q in zip(ours.parameters(), theirs.parameters()):
        assert p.grad == pytest.approx(q.grad, rel=1e-12, abs=1e-15)


def test_explicit_seed_is_micrograd_s_stream_too():
    random.seed(5)
    theirs = micrograd.nn.MLP(3, [4, 1])
    assert [p.data for p in MLP(3, [4, 1], seed=5).parameters()] == [p.data for p in theirs.parameters()]


def test_seed_makes_two_models_identical_whatever_the_global_state():
    random.seed(1)
    a = MLP(2, [4, 4, 1], seed=42)
    random.seed(2)
    b = MLP(2, [4, 4, 1], seed=42)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert a([1.0, 2.0]).data == b([1.0, 2.0]).data
    c = MLP(2, [4, 4, 1], seed=43)
    assert [p.data for p in a.parameters()] != [p.data for p in c.parameters()]


def test_seed_leaves_the_global_generator_alone():
    random.seed(9)
    expected = random.random()
    random.seed(9)
    MLP(2, [4, 1], seed=3)
    assert random.random() == expected


def test_initial_weights_are_uniform_in_minus_one_one():
    ws = [p.data for p in MLP(4, [8, 8], seed=7).parameters() if ".w" in p.label]
    assert all(-1.0 <= w < 1.0 for w in ws)
    assert min(ws) < -0.5 and max(ws) > 0.5


def test_every_node_created_in_a_neuron_carries_its_group_path():
    model = MLP(2, [3, 2], seed=0)
    out = model([1.0, -2.0])
    nodes = reachable(out)
    for node in nodes:
        if node.label in ("x0", "x1"):
            assert node.group == ()
        else:
            assert len(node.group) == 2 and node.group[0] in ("L1", "L2"), node
    # parameters sit in their neuron's group; labels say the same
    for p in model.parameters():
        assert ".".join(p.group) == p.label.rsplit(".", 1)[0]
    # L1.N3: 2 products, 2 sums, 1 relu; L2.N2: 3 products, 3 sums (linear output)
    gates = [n for n in nodes if n.op is not None]
    assert sorted(g.op.name for g in gates if g.group == ("L1", "N3")) == ["add", "add", "mul", "mul", "relu"]
    assert sorted(g.op.name for g in gates if g.group == ("L2", "N2")) == ["add"] * 3 + ["mul"] * 3


def test_zero_grad():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def _z():
    return 0.25 + 0.5 * 1.0 + -1.0 * 2.0  # b + w·x = -1.25


@pytest.mark.parametrize("name, expected, op", [
    ("linear", _z(), "add"),
    ("sigmoid", 1 / (1 + math.exp(-_z())), "sigmoid"),
    ("tanh", math.tanh(_z()), "tanh"),
    ("relu", 0.0, "relu"),
    ("leaky_relu", 0.01 * _z(), "leaky_relu"),
    ("elu", math.exp(_z()) - 1, "elu"),
])
def test_activations_by_name(name, expected, op):
    neuron = Neuron(2, activation=name, weights=[0.5, -1.0], bias=0.25)
    out = neuron([1.0, 2.0])
    assert out.data == pytest.approx(expected, rel=1e-15)
    assert out.op.name == op


def test_activations_list_is_the_issue_s():
    assert set(ACTIVATIONS) == {"linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu"}


def test_hidden_and_output_activations():
    model = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=0)
    out = model([0.5, -0.5])
    assert out.op.name == "sigmoid"
    hidden = [n for n in reachable(out) if n.group and n.group[0] == "L1" and n.op is not None]
    assert sum(n.op.name == "tanh" for n in hidden) == 3
    assert 0.0 < out.data < 1.0


@pytest.mark.parametrize("build", [
    lambda: MLP(2, [3, 1], activation="swish"),
    lambda: MLP(2, [3, 1], output_activation="softplus"),
    lambda: Neuron(2, activation="gelu"),
])
def test_unknown_activation_names_the_choices(build):
    with pytest.raises(ValueError) as info:
        build()
    for name in ACTIVATIONS:
        assert name in str(info.value)


def test_mlp_on_plain_numbers_and_on_values():
    model = MLP(2, [3, 1], seed=0)
    out = model([1.0, 2])
    assert isinstance(out, Value)
    leaves = [n for n in reachable(out) if n.op is None and n.label in ("x0", "x1")]
    assert [(n.label, n.data) for n in leaves] == [("x0", 1.0), ("x1", 2.0)]
    x = [Value(1.0, label="a"), Value(2.0, label="b")]
    again = model(x)
    assert again.data == out.data
    again.backward()
    assert x[0].grad != 0.0 or x[1].grad != 0.0


def test_layers_return_a_list_unless_one_neuron():
    layer = Layer(2, 3, rng=random.Random(0))
    assert isinstance(layer([1.0, 2.0]), list) and len(layer([1.0, 2.0])) == 3
    assert isinstance(Layer(2, 1, rng=random.Random(0))([1.0, 2.0]), Value)
    assert len(MLP(2, [3, 2], seed=0)([1.0, 2.0])) == 2


def test_wrong_input_length_is_a_clear_error():
    with pytest.raises(ValueError, match="takes 2 inputs, got 3"):
        MLP(2, [3, 1], seed=0)([1.0, 2.0, 3.0])


# ---- micrograd's own forms: Neuron(nin, nonlin), Layer(nin, nout, **kwargs), its reprs ----

def test_micrograd_forms_and_reprs_match_micrograd():
    assert repr(Neuron(2)) == repr(micrograd.nn.Neuron(2)) == "ReLUNeuron(2)"
    assert repr(Neuron(2, nonlin=False)) == repr(micrograd.nn.Neuron(2, nonlin=False)) == "LinearNeuron(2)"
    assert repr(Neuron(2, False)) == "LinearNeuron(2)"  # micrograd's positional flag
    assert repr(Layer(2, 3, nonlin=False)) == repr(micrograd.nn.Layer(2, 3, nonlin=False))
    assert repr(MLP(2, [16, 16, 1])) == repr(micrograd.nn.MLP(2, [16, 16, 1]))
    assert Neuron(2, nonlin=False).activation == "linear" and Neuron(2).nonlin
    assert repr(Neuron(3, activation="tanh")) == "TanhNeuron(3)"


def test_nonlin_false_neuron_is_linear_and_matches_micrograd():
    random.seed(3)
    theirs = micrograd.nn.Layer(2, 2, nonlin=False)
    random.seed(3)
    ours = Layer(2, 2, nonlin=False)
    x = [0.7, -1.3]
    assert [o.data for o in ours(x)] == pytest.approx([o.data for o in theirs(x)], rel=1e-15)
    assert all(o._op == "+" for o in ours(x))  # no ReLU at the end


def test_nonlin_and_activation_that_disagree_are_refused():
    with pytest.raises(ValueError, match="pass only one of them"):
        Neuron(2, activation="tanh", nonlin=False)
    with pytest.raises(ValueError, match="nonlin must be True"):
        Neuron(2, nonlin="yes")
