"""Tensor layers: same weights and gradients as the scalar MLP, dropout, batch norm, groups, training."""
from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphviz_nn import SGD, Tensor, Value
from graphviz_nn.datasets import make_moons, minibatches
from graphviz_nn.graph import reachable
from graphviz_nn.nn import (MLP, Activation, BatchNorm1d, Dropout, Linear, ScalarMLP, Sequential, TensorMLP,
                            uniform_weights)
from graphviz_nn.tensor import ShapeError
from graphviz_nn import tensor_losses as L

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tensor"))
from tensor_fd_helpers import check_vjp  # noqa: E402


def scalar_grads_as_matrices(model):
    """The scalar MLP's weight gradients arranged like the tensor layers' (W column j = neuron j)."""
    out = []
    for layer in model.layers:
        W = np.array([[w.grad for w in n.w] for n in layer.neurons]).T
        b = np.array([n.b.grad for n in layer.neurons])
        out += [W, b]
    return out


def scalar_weights_as_matrices(model):
    out = []
    for layer in model.layers:
        out += [np.array([[w.data for w in n.w] for n in layer.neurons]).T,
                np.array([n.b.data for n in layer.neurons])]
    return out


def assert_close_relative(a, b, rtol=1e-10):
    scale = max(np.abs(b).max(), 1e-300)
    assert np.abs(a - b).max() <= rtol * scale, (np.abs(a - b).max(), scale)


@pytest.mark.parametrize("seed", [0, 1, 42])
def test_same_seed_same_initial_weights_on_both_engines(seed):
    scalar = MLP(2, [8, 8, 1], activation="tanh", seed=seed)
    tensor = MLP(2, [8, 8, 1], activation="tanh", seed=seed, engine="tensor")
    # MLP is a plain factory (issue 10): the engine picks the class, no hidden subclass diamond
    assert type(tensor) is TensorMLP and type(scalar) is ScalarMLP
    for t, s in zip(tensor.parameters(), scalar_weights_as_matrices(scalar)):
        assert np.array_equal(t.data, s)


def test_mlp_2_8_8_1_tanh_gives_the_same_loss_and_gradients_on_both_engines():
    X, y = make_moons(16, noise=0.2, seed=3)
    target = y.astype(float) * 2 - 1
    scalar = MLP(2, [8, 8, 1], activation="tanh", seed=7)
    tensor = MLP(2, [8, 8, 1], activation="tanh", seed=7, engine="tensor")

    total = None
    for xi, ti in zip(X.tolist(), target.tolist()):
        term = (scalar(xi) - ti) ** 2
        total = term if total is None else total + term
    s_loss = total * (1.0 / len(X))
    s_loss.backward()

    t_loss = L.mse(tensor(X), target.reshape(-1, 1))
    t_loss.backward()

    assert float(t_loss.data) == pytest.approx(s_loss.data, rel=1e-10)
    for t, s in zip(tensor.parameters(), scalar_grads_as_matrices(scalar)):
        assert t.grad.shape == s.shape
        assert_close_relative(t.grad, s)


def scalar_cross_entropy(logits, label):
    lse = sum((z.exp() for z in logits[1:]), logits[0].exp()).log()
    return lse - logits[label]


def test_mlp_3_5_4_softmax_cross_entropy_agrees_between_engines():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(10, 3))
    labels = rng.integers(0, 4, size=10)
    scalar = MLP(3, [5, 4], activation="tanh", seed=11)
    tensor = MLP(3, [5, 4], activation="tanh", seed=11, engine="tensor")

    terms = [scalar_cross_entropy(scalar(x), int(c)) for x, c in zip(X.tolist(), labels)]
    s_loss = sum(terms[1:], terms[0]) * (1.0 / len(terms))
    s_loss.backward()
    t_loss = L.cce(tensor(X), labels)
    t_loss.backward()

    assert float(t_loss.data) == pytest.approx(s_loss.data, rel=1e-10)
    for t, s in zip(tensor.parameters(), scalar_grads_as_matrices(scalar)):
        assert_close_relative(t.grad, s)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), sizes=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       act=st.sampled_from(["tanh", "sigmoid", "relu", "elu"]))
def test_engines_agree_on_random_architectures(seed, sizes, act):
    nin = 3
    X = np.random.default_rng(seed).normal(size=(4, nin))
    scalar = MLP(nin, sizes, activation=act, seed=seed)
    tensor = MLP(nin, sizes, activation=act, seed=seed, engine="tensor")
    outs = [scalar(x) for x in X.tolist()]
    outs = [o if isinstance(o, list) else [o] for o in outs]
    s_loss = sum((v for row in outs for v in row), Value(0.0))
    s_loss.backward()
    t_out = tensor(X)
    np.testing.assert_allclose(t_out.data, [[v.data for v in row] for row in outs], rtol=1e-12, atol=1e-15)
    t_out.sum().backward()
    for t, s in zip(tensor.parameters(), scalar_grads_as_matrices(scalar)):
        np.testing.assert_allclose(t.grad, s, rtol=1e-10, atol=1e-12)


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="engine"):
        MLP(2, [1], engine="gpu")


def test_layer_nodes_carry_group_paths_and_parameters_are_labelled():
    model = MLP(2, [3, 1], activation="tanh", seed=0, engine="tensor")
    out = model(np.ones((5, 2)))
    groups = {n.op.name: n.group for n in reachable(out) if n.op is not None}
    assert [n.op.name for n in reachable(out) if n.op is not None] == ["matmul", "add", "tanh", "matmul", "add"]
    assert all(g in (("L1",), ("L2",)) for g in groups.values())
    assert [p.label for p in model.parameters()] == ["L1.W", "L1.b", "L2.W", "L2.b"]
    assert model.parameters()[0].group == ("L1",)
    assert out.shape == (5, 1) and model(np.ones(2)).shape == (1,)


def test_linear_checks_shapes_and_accepts_given_weights():
    layer = Linear(3, 2, weight=np.arange(6.0).reshape(3, 2), bias=[1.0, -1.0], name="L9")
    out = layer(np.ones((1, 3)))
    assert out.data.tolist() == [[7.0, 8.0]] and out.group == ("L9",)
    with pytest.raises(ShapeError, match="3 features"):
        layer(np.ones((4, 2)))
    with pytest.raises(ShapeError, match=r"\(3, 2\)"):
        Linear(3, 2, weight=np.ones((2, 3)))
    scaled = Linear(100, 4, rng=__import__("random").Random(0), init="scaled")
    assert np.allclose(scaled.W.data * 10, uniform_weights(100, 4, __import__("random").Random(0)))


def test_linear_gradients_match_finite_differences():
    layer = Linear(3, 4, rng=__import__("random").Random(1))
    x = Tensor(np.random.default_rng(0).normal(size=(5, 3)))
    check_vjp(lambda x, W, b: layer(x), [x, layer.W, layer.b])


# ---- dropout ----

def test_dropout_is_inverted_deterministic_and_identity_in_eval():
    x = Tensor(np.ones((200, 50)))
    a, b = Dropout(0.3, seed=9), Dropout(0.3, seed=9)
    ya, yb = a(x), b(x)
    assert np.array_equal(ya.data, yb.data)
    kept = ya.data != 0
    assert set(np.unique(ya.data).tolist()) == {0.0, 1 / 0.7}
    assert abs(1 - kept.mean() - 0.3) < 0.02  # about p of the elements dropped
    assert abs(ya.data.mean() - 1.0) < 0.03  # inverted: the expected value is kept
    assert not np.array_equal(a(x).data, ya.data)  # a new mask per call
    assert a.eval()(x) is x and Dropout(0.0)(x) is x
    assert ya.op.name == "dropout" and ya.group == ("Dropout",)
    with pytest.raises(ValueError, match="0 <= p < 1"):
        Dropout(1.0)


def test_dropout_gradient_matches_finite_differences_with_a_fixed_mask():
    x = Tensor(np.random.default_rng(1).normal(size=(4, 6)))
    check_vjp(lambda x: Dropout(0.5, seed=3)(x), [x])  # a fresh seeded layer: the same mask each call
    layer = Dropout(0.5, seed=3)
    out = layer(x)
    x.zero_grad()
    out.backward()
    assert np.array_equal(x.grad, layer.last_mask)


# ---- batch normalisation ----

def test_batchnorm_training_normalises_each_feature_and_tracks_running_stats():
    rng = np.random.default_rng(2)
    data = rng.normal(loc=3.0, scale=2.0, size=(64, 4))
    bn = BatchNorm1d(4, momentum=0.1)
    out = bn(data)
    np.testing.assert_allclose(out.data.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.data.var(axis=0), data.var(axis=0) / (data.var(axis=0) + 1e-5), rtol=1e-12)
    np.testing.assert_allclose(bn.running_mean, 0.1 * data.mean(axis=0))
    np.testing.assert_allclose(bn.running_var, 0.9 + 0.1 * data.var(axis=0, ddof=1))
    assert all(n.group == ("BN",) for n in reachable(out) if n.op is not None)


def test_batchnorm_eval_uses_running_statistics():
    bn = BatchNorm1d(3)
    bn.running_mean = np.array([1.0, 2.0, 3.0])
    bn.running_var = np.array([4.0, 1.0, 0.25])
    bn.gamma.data[:] = [2.0, 1.0, 1.0]
    bn.beta.data[:] = [0.0, 0.5, 0.0]
    out = bn.eval()(np.array([[3.0, 2.0, 3.5]]))  # one sample is fine in eval mode
    eps = 1e-5
    expected = [2.0 * 2.0 / math.sqrt(4 + eps), 0.5, 0.5 / math.sqrt(0.25 + eps)]
    np.testing.assert_allclose(out.data[0], expected)
    before = bn.running_mean.copy()
    bn(np.ones((5, 3)))
    assert np.array_equal(bn.running_mean, before)  # eval never updates the statistics


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_gradients_match_finite_differences(training):
    rng = np.random.default_rng(4)
    bn = BatchNorm1d(3)
    bn.gamma.data[:] = rng.normal(size=3)
    bn.beta.data[:] = rng.normal(size=3)
    bn.running_mean = rng.normal(size=3)
    bn.running_var = rng.uniform(0.5, 2.0, size=3)
    bn.train(training)
    x = Tensor(rng.normal(size=(6, 3)))
    check_vjp(lambda x, g, b: bn(x), [x, bn.gamma, bn.beta], rtol=1e-5, atol=1e-6)


def test_batchnorm_input_errors():
    bn = BatchNorm1d(3)
    with pytest.raises(ShapeError, match=r"\(batch, 3\)"):
        bn(np.ones((4, 2)))
    with pytest.raises(ValueError, match="at least 2"):
        bn(np.ones((1, 3)))


def test_sequential_modes_reach_every_layer():
    net = Sequential(Linear(2, 4, name="L1"), BatchNorm1d(4), Activation("relu", "L1"), Dropout(0.5, seed=0),
                     Linear(4, 1, name="L2"))
    assert [p.label for p in net.parameters()] == ["L1.W", "L1.b", "BN.gamma", "BN.beta", "L2.W", "L2.b"]
    net.eval()
    assert not net.modules[1].training and not net.modules[3].training
    x = np.random.default_rng(0).normal(size=(3, 2))
    assert np.array_equal(net(x).data, net(x).data)  # eval mode is deterministic
    net.train()
    assert net.modules[3].training
    with pytest.raises(ValueError, match="unknown activation"):
        Activation("swish")


# ---- training with the debugger core's SGD ----

def test_sgd_trains_a_tensor_mlp_on_two_moons():
    X, y = make_moons(100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 2], activation="relu", seed=1, engine="tensor")
    opt = SGD(model.parameters(), lr=0.1)
    first = None
    for epoch in range(30):
        for xb, yb in minibatches(X, y, 25, seed=epoch):
            opt.zero_grad()
            loss = L.cce(model(xb), yb)
            loss.backward()
            opt.step()
            first = float(loss.data) if first is None else first
    accuracy = (model(X).data.argmax(axis=1) == y).mean()
    assert accuracy >= 0.9, accuracy
    assert float(L.cce(model(X), y).data) < first / 2
    p, old, grad, new = opt.last_updates[0]
    assert p is model.parameters()[0]
    np.testing.assert_allclose(new, old - 0.1 * grad)


def test_module_zero_grad_gives_zeros_of_each_shape():
    model = MLP(2, [3, 1], seed=0, engine="tensor")
    model(np.ones((4, 2))).sum().backward()
    assert model.parameters()[0].grad.any()
    model.zero_grad()
    assert all(p.grad.shape == p.shape and not p.grad.any() for p in model.parameters())


def test_trainer_history_and_rewind_work_on_a_tensor_mlp():
    from graphviz_nn.debugger.training import Trainer

    X, y = make_moons(40, noise=0.1, seed=2)
    model = MLP(2, [8, 2], activation="tanh", seed=3, engine="tensor")
    trainer = Trainer(lambda: L.cce(model(X), y), model.parameters(), SGD(model.parameters(), lr=0.5))
    trace = trainer.trace_iteration()
    updates = [s for s in trace.steps if s.phase == "update"]
    assert len(updates) == len(model.parameters())
    losses = trainer.run(5)
    assert losses[-1] < trainer.history[0].loss
    trainer.goto_iteration(2)  # rewind: the parameters go back, iteration 2 replays exactly
    assert trainer.history[2].loss == pytest.approx(losses[1], rel=1e-12)
    assert all(isinstance(p.data, np.ndarray) and p.data.shape == p.grad.shape for p in model.parameters())


def test_prelu_and_maxout_layers_match_finite_differences():
    from graphviz_nn.nn import Maxout, PReLU

    rng = np.random.default_rng(6)
    act = PReLU(4, alpha=0.2)
    act.alpha.data[:] = rng.uniform(0.05, 0.5, size=4)
    x = Tensor(rng.normal(size=(5, 4)))
    x.data[np.abs(x.data) < 0.1] = 0.3  # away from the kink
    check_vjp(lambda x, a: act(x), [x, act.alpha])
    out = act(x)
    np.testing.assert_allclose(out.data, np.where(x.data > 0, x.data, act.alpha.data * x.data))
    assert act.parameters()[0].label == "PReLU.alpha"

    maxout = Maxout(3, 2, pieces=3, rng=__import__("random").Random(0))
    z = Tensor(rng.normal(size=(4, 3)))
    y = maxout(z)
    pieces = (z.data @ maxout.linear.W.data).reshape(4, 2, 3)
    np.testing.assert_allclose(y.data, pieces.max(axis=-1))
    check_vjp(lambda z, W, b: maxout(z), [z, maxout.linear.W, maxout.linear.b])
