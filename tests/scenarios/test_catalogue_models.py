"""Model and tensor scenarios of the catalogue, each checked through load_scenario."""
import math

import numpy as np
import pytest

from graphviz_nn import load_scenario
from graphviz_nn.nn import BatchNorm1d, Dropout, Linear
from graphviz_nn.tensor import JacobianTooLarge, jacobian, jacobian_diagonal, jacobian_shape


def test_sigmoid_jacobian_size_and_diagonal():
    built = load_scenario("sigmoid-jacobian").build()
    y, batch = built["y"], built["Y"]
    x = built.leaves["x"].data
    assert x.shape == (2048,)
    assert jacobian_shape(y) == (2048, 2048)
    assert jacobian_shape(batch) == (204_800, 204_800)  # the slide's mini-batch of 100
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(jacobian_diagonal(y), s * (1 - s), rtol=1e-12)
    small = jacobian(y, max_size=2048 * 2048)
    assert np.count_nonzero(small - np.diag(np.diag(small))) == 0  # zero off the diagonal
    with pytest.raises(JacobianTooLarge):
        jacobian(batch)
    built.backward_from.backward()
    S = 1 / (1 + np.exp(-built.leaves["X"].data))
    np.testing.assert_allclose(built.leaves["X"].grad, S * (1 - S), rtol=1e-12)


def test_dropout_masks_zero_half_the_neurons_and_their_gradients():
    scenario = load_scenario("dropout")
    assert scenario.model.dropout == 0.5 and scenario.model.engine == "tensor"
    built = scenario.build()
    (layer,) = [m for m in built.model.modules if isinstance(m, Dropout)]
    mask = layer.last_mask
    assert set(np.unique(mask)) <= {0.0, 2.0}  # kept outputs scaled by 1/(1 - p)
    built.backward_from.backward()
    (first,) = [m for m in built.model.modules if isinstance(m, Linear)][:1]
    dropped = (mask == 0).all(axis=0)  # hidden neurons silenced for every sample
    if dropped.any():
        assert np.all(first.b.grad[dropped] == 0)
    # over many masks the expected output of the dropout layer equals its input
    h = np.ones((200, 8))
    from graphviz_nn import Tensor
    total = sum(layer(Tensor(h)).data for _ in range(50)) / 50
    assert abs(total.mean() - 1.0) < 0.05
    assert abs((mask == 0).mean() - 0.5) < 0.25
    assert scenario.gradcheck().passed


def test_batchnorm_makes_pre_activations_unit_gaussian():
    scenario = load_scenario("batchnorm")
    built = scenario.build()
    linear, bn = built.model.modules[0], built.model.modules[1]
    assert isinstance(linear, Linear) and isinstance(bn, BatchNorm1d)
    X, _ = built.data
    pre = linear(X).data
    normalised = bn(linear(X)).data
    np.testing.assert_allclose(normalised.mean(axis=0), 0.0, atol=1e-12)
    # unit variance up to the eps under the square root: Var[x] / (Var[x] + eps)
    variance = pre.var(axis=0)
    np.testing.assert_allclose(normalised.var(axis=0), variance / (variance + bn.eps), rtol=1e-9)
    assert np.all(np.abs(normalised.var(axis=0) - 1.0) < 0.01)
    assert scenario.gradcheck().passed
    records = scenario.train()
    assert records[-1]["loss"] < 0.5 * records[0]["loss"]


def _accuracy_scalar(built):
    xs, ys = built.data
    return np.mean([(built.model(list(x)).data > 0.5) == (y[0] > 0.5) for x, y in zip(xs, ys)])


def test_mlp_moons_learns_the_moons():
    scenario = load_scenario("mlp-moons")
    trainer = scenario.trainer()
    records = trainer.train()
    assert len(records) == 500 and records[-1]["loss"] < 0.1 * records[0]["loss"]
    X, target = trainer.built.data
    predictions = trainer.built.model(X).data
    assert np.mean((predictions > 0.5) == (target.data > 0.5)) > 0.95


def test_mlp_xor_gets_every_point_right():
    scenario = load_scenario("mlp-xor")
    trainer = scenario.trainer()
    records = trainer.train()
    assert records[-1]["loss"] < 0.05
    assert _accuracy_scalar(trainer.built) == 1.0


def test_mlp_regression_fits_a_parabola():
    scenario = load_scenario("mlp-regression")
    assert scenario.model.output_activation == "linear"
    trainer = scenario.trainer()
    records = trainer.train()
    assert records[-1]["loss"] < 0.01 < records[0]["loss"]


def test_linear_regression_reaches_least_squares():
    scenario = load_scenario("linear-regression")
    trainer = scenario.trainer(iterations=2000)
    trainer.train()
    xs, ys = trainer.built.data
    x = np.array([r[0] for r in xs]); y = np.array([r[0] for r in ys])
    slope, intercept = np.polyfit(x, y, 1)  # the closed-form least squares line
    w, b = (p.data for p in trainer.built.parameters)
    assert w == pytest.approx(slope, abs=1e-4) and b == pytest.approx(intercept, abs=1e-4)
    assert slope == pytest.approx(2.0, abs=0.2) and intercept == pytest.approx(-1.0, abs=0.2)


def test_logistic_regression_gradient_is_error_times_input():
    scenario = load_scenario("logistic-regression")
    built = scenario.build()
    built.backward_from.backward()
    xs, ys = built.data
    X = np.array(xs); y = np.array([r[0] for r in ys])
    w1, w2, b = (p.data for p in built.parameters)
    f = 1 / (1 + np.exp(-(X @ np.array([w1, w2]) + b)))
    # the slide's derivative: (1/n) Σ (f(x) - y) x, and (1/n) Σ (f(x) - y) for the bias
    expected = list((f - y) @ X / len(y)) + [np.mean(f - y)]
    assert [p.grad for p in built.parameters] == pytest.approx(expected, rel=1e-9)
    loss = -np.mean(y * np.log(f) + (1 - y) * np.log(1 - f))
    assert built["loss"].data == pytest.approx(loss, rel=1e-12)
    records = scenario.train()
    assert records[-1]["loss"] < records[0]["loss"]


def test_gradient_check_scenario_passes_for_all_13_parameters():
    report = load_scenario("gradient-check").gradcheck()
    assert len(report.rows) == 13 and report.passed
    assert max(r.rel_error for r in report.rows) < 1e-6
