"""A held-out test set (``[data] test_samples``): drawn with the training samples, never trained on."""
import numpy as np
import pytest

from graphviz_nn import load_scenario
from graphviz_nn.datasets import load
from graphviz_nn.scenario_build.build import held_out_loss, held_out_samples, samples


def test_a_test_split_is_held_out_of_training():
    scenario = load_scenario("overfitting")
    xs, ys = samples(scenario)
    test_xs, test_ys = held_out_samples(scenario)
    assert len(xs) == 8 and len(test_xs) == 200 and not set(xs) & set(test_xs)
    x, y = load("line", n=208, seed=0, noise=0.3)
    np.testing.assert_array_equal(np.array(xs + test_xs), x)
    assert scenario.build().data[0].shape == (8, 1)  # the graph holds the training samples only
    assert held_out_samples(load_scenario("mlp-moons")) == ((), ())


def test_the_held_out_loss_is_the_mean_squared_error_on_the_test_points():
    scenario = load_scenario("overfitting")
    built = scenario.build()
    W1, b1, W2, b2, W3, b3 = (np.array(p.data) for p in built.parameters)
    X, Y = (np.array(v) for v in held_out_samples(scenario))
    out = np.tanh(np.tanh(X @ W1 + b1) @ W2 + b2) @ W3 + b3
    assert held_out_loss(scenario, built) == pytest.approx(np.mean((out - Y) ** 2), rel=1e-12)
    assert held_out_loss(load_scenario("mlp-moons"), load_scenario("mlp-moons").build()) is None
