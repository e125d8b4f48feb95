"""Issue 26's new slide topics, each pinned by a calculation written here in numpy: softmax with
cross-entropy, multi-label sigmoid + binary cross-entropy, MAPE and mean bias error, and a
train/test split where overfitting shows."""
import numpy as np
import pytest

from graphviz_nn import load_scenario

Z = np.array([3.2, -5.7, 0.6])


def _grads(built, name):
    return np.array([v.grad for v in built.leaves[name]])


def _values(built, name, n):
    return np.array([built[f"{name}[{i}]"].data for i in range(n)])


def test_softmax_cross_entropy_gradient_on_the_logits_is_p_minus_y():
    scenario = load_scenario("softmax-cross-entropy")
    y = np.array([0.0, 0.0, 1.0])
    p = np.exp(Z) / np.exp(Z).sum()
    built = scenario.build()
    np.testing.assert_allclose(_values(built, "p", 3), p, rtol=1e-12)
    assert built["loss"].data == pytest.approx(-np.log(p[2]), rel=1e-12)
    built.backward_from.backward()
    np.testing.assert_allclose(_grads(built, "z"), p - y, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(_values(built, "grad_formula", 3), p - y, rtol=1e-12)
    assert [round(v, 2) for v in p] == [0.93, 0.0, 0.07] and round(-np.log(p[2]), 2) == 2.67
    assert "[0.93, 0.00013, -0.93]" in scenario.explanation and round(p[1], 5) == 0.00013
    assert scenario.gradcheck().passed


def _bce(p, y):
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))


def test_multi_label_and_soft_targets_give_sigmoid_minus_y_per_output():
    scenario = load_scenario("multi-label-bce")
    s = 1 / (1 + np.exp(-Z))
    y, y_soft = np.array([1.0, 0.0, 1.0]), np.array([0.9, 0.1, 0.6])
    built = scenario.build()
    assert built["loss"].data == pytest.approx(_bce(s, y), rel=1e-12)
    assert built["loss_soft"].data == pytest.approx(_bce(s, y_soft), rel=1e-12)
    built.backward_from.backward()
    np.testing.assert_allclose(_grads(built, "z"), s - y, rtol=1e-9)
    np.testing.assert_allclose(_grads(built, "z_soft"), s - y_soft, rtol=1e-9)
    assert abs(s.sum() - 1) > 0.5  # independent outputs: no need to sum to 1
    text = scenario.explanation
    assert f"L = {_bce(s, y):.2f}" in text
    assert "[" + ", ".join(f"{v:.2g}" for v in s - y) + "]" in text
    assert "[" + ", ".join(f"{v:.2g}" for v in s - y_soft) + "]" in text
    assert scenario.gradcheck().passed


def test_mape_and_mean_bias_error_and_their_gradients():
    scenario = load_scenario("mape-and-mbe")
    p, y = np.array([2.5, 3.0, 5.5, 9.0]), np.array([2.0, 4.0, 5.0, 10.0])
    n = len(y)
    mape, mbe = 100 / n * np.sum(np.abs(p - y) / np.abs(y)), np.mean(p - y)
    built = scenario.build()
    assert built["mape"].data == pytest.approx(mape, rel=1e-12) and round(mape, 2) == 17.5
    assert built["mbe"].data == pytest.approx(mbe, rel=1e-12) and mbe == pytest.approx(-0.25)
    built.backward_from.backward()
    np.testing.assert_allclose(_grads(built, "p_mape"), 100 * np.sign(p - y) / (n * np.abs(y)), rtol=1e-12)
    np.testing.assert_allclose(_grads(built, "p_mbe"), np.full(n, 1 / n), rtol=1e-12)
    assert "17.5" in scenario.explanation and "12.5" in scenario.explanation and "-2.5" in scenario.explanation
    assert scenario.gradcheck().passed


# ---- overfitting: the whole training run again in numpy -------------------------------------

def _line(n, noise, seed):
    """The line data set, y = 2x - 1 + noise, drawn as its documentation says."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 1))
    return x, 2 * x - 1 + rng.normal(scale=noise, size=(n, 1))


def _numpy_run(params, X, Y, Xt, Yt, lr, iterations):
    """Full-batch gradient descent on mean squared error for tanh → tanh → linear, by hand."""
    W1, b1, W2, b2, W3, b3 = (p.copy() for p in params)
    train, test = [], []
    for _ in range(iterations):
        h1t = np.tanh(Xt @ W1 + b1)
        test.append(np.mean((np.tanh(h1t @ W2 + b2) @ W3 + b3 - Yt) ** 2))
        h1 = np.tanh(X @ W1 + b1)
        h2 = np.tanh(h1 @ W2 + b2)
        out = h2 @ W3 + b3
        train.append(np.mean((out - Y) ** 2))
        d_out = 2 * (out - Y) / out.size
        dW3, db3 = h2.T @ d_out, d_out.sum(axis=0)
        d2 = (d_out @ W3.T) * (1 - h2 ** 2)
        dW2, db2 = h1.T @ d2, d2.sum(axis=0)
        d1 = (d2 @ W2.T) * (1 - h1 ** 2)
        dW1, db1 = X.T @ d1, d1.sum(axis=0)
        W1, b1, W2, b2, W3, b3 = (W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2,
                                  W3 - lr * dW3, b3 - lr * db3)
    return np.array(train), np.array(test)


@pytest.fixture(scope="module")
def overfitting_runs():
    scenario = load_scenario("overfitting")
    data = scenario.data
    x, y = _line(data.samples + data.test_samples, data.noise, data.seed)
    params = [np.array(p.data, dtype=np.float64) for p in scenario.build().parameters]
    expected = _numpy_run(params, x[:data.samples], y[:data.samples], x[data.samples:], y[data.samples:],
                          scenario.training.lr, scenario.training.iterations)
    return scenario, scenario.train(), expected


def test_overfitting_losses_match_numpy_and_the_test_loss_turns(overfitting_runs):
    scenario, records, (train, test) = overfitting_runs
    assert scenario.data.samples == 8 and scenario.data.test_samples == 200
    np.testing.assert_allclose([r["loss"] for r in records], train, rtol=1e-9)
    np.testing.assert_allclose([r["test_loss"] for r in records], test, rtol=1e-9)
    best = int(test.argmin())
    # the lesson: past the test loss's minimum the training loss keeps falling and the test loss rises
    assert 10 < best < 100 and np.all(np.diff(train[best:]) < 0) and np.all(np.diff(test[best + 5:]) > 0)
    assert test[-1] > 3 * test[best] and train[-1] < 0.6 * train[best]
    text = scenario.explanation
    assert f"iteration {best + 1} ({test[best]:.3f})" in text
    assert f"{test[-1]:.2f} by iteration {len(test)}" in text
    assert f"({train[best]:.3f} to {train[-1]:.3f})" in text


def test_overfitting_plot_draws_training_and_test_loss(overfitting_runs):
    from graphviz_nn.render import plots
    scenario, _, (train, test) = overfitting_runs
    panel = next(p for p in plots.panels_for(scenario) if p.ylabel == "loss")
    lines = {label: np.array(ys) for label, _, ys, _ in panel.lines}
    assert set(lines) == {"training", "test"} and panel.log_y and "test" in panel.title
    np.testing.assert_allclose(lines["training"], train, rtol=1e-9)
    np.testing.assert_allclose(lines["test"], test, rtol=1e-9)


def test_train_prints_the_test_loss_and_show_the_split(capsys, overfitting_runs):
    from graphviz_nn.cli import main
    _, _, (train, test) = overfitting_runs
    assert main(["train", "overfitting", "--iterations", "3"]) == 0
    out = capsys.readouterr().out
    assert "test_loss" in out
    first = next(line.split() for line in out.splitlines() if line.strip().startswith("1 "))
    assert [float(v) for v in first[1:3]] == pytest.approx([train[0], test[0]], rel=1e-5)
    assert main(["show", "overfitting"]) == 0
    out = capsys.readouterr().out
    assert f"Held-out test set: 200 samples" in out and f"test {test[0]:.4f}" in out
