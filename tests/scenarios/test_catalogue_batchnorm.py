"""The `batchnorm` scenario at inference: running statistics move once per training step, and the
numbers `show` prints are recomputed in PyTorch (training) and numpy (inference), never from the trace."""
import re

import numpy as np
import pytest

from graphviz_nn import load_scenario
from graphviz_nn.nn.tensor import batchnorm_layers
from graphviz_nn.scenario_build.facts import INFERENCE_ITERATIONS, model_text

torch = pytest.importorskip("torch")

EPS, MOMENTUM = 1e-5, 0.1


def _initial(scenario):
    """The untrained model's parameters as numpy arrays: W1, b1, gamma, beta, W2, b2."""
    built = scenario.build()
    return [np.array(p.data, dtype=np.float64) for p in built.parameters], built.data


def _inference(params, mean, var, X):
    """y = σ(relu(γ (XW₁ + b₁ - mean) / √(var + ε) + β) W₂ + b₂), written out in numpy."""
    W1, b1, gamma, beta, W2, b2 = params
    h = np.maximum(gamma * (X @ W1 + b1 - mean) / np.sqrt(var + EPS) + beta, 0.0)
    return (1 / (1 + np.exp(-(h @ W2 + b2)))).reshape(-1)


def _roc_auc(labels, scores):
    """P(score of a positive > score of a negative), ties counting one half (Mann-Whitney)."""
    pos, neg = scores[labels == 1], scores[labels == 0]
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return wins / (len(pos) * len(neg))


def _torch_training(params, X, Y, steps):
    """The scenario trained in PyTorch: Linear → BatchNorm1d → ReLU → Linear → sigmoid, BCE, SGD."""
    W1, b1, gamma, beta, W2, b2 = (torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params)
    bn = torch.nn.BatchNorm1d(W1.shape[1], eps=EPS, momentum=MOMENTUM).double()
    with torch.no_grad():
        bn.weight.copy_(gamma)
        bn.bias.copy_(beta)
    X, Y = torch.tensor(X), torch.tensor(Y)
    weights = [W1, b1, bn.weight, bn.bias, W2, b2]
    optimiser = torch.optim.SGD(weights, lr=0.5)
    bn.train()
    for _ in range(steps):
        optimiser.zero_grad()
        out = torch.sigmoid(torch.relu(bn(X @ W1 + b1)) @ W2 + b2)
        loss = -(Y * torch.log(out) + (1 - Y) * torch.log(1 - out)).mean()
        loss.backward()
        optimiser.step()
    trained = [w.detach().numpy().copy() for w in weights]
    return trained, bn.running_mean.numpy().copy(), bn.running_var.numpy().copy()


def _printed(text, after):
    """The comma-separated numbers printed after ``after`` on their line."""
    line = re.search(re.escape(after) + r"([-0-9., ]+)", text).group(1)
    return [float(v) for v in line.strip(" ;,").split(",")]


def test_start_metrics_use_the_fresh_running_statistics():
    scenario = load_scenario("batchnorm")
    params, (X, target) = _initial(scenario)
    n = params[0].shape[1]
    scores = _inference(params, np.zeros(n), np.ones(n), X.data)
    auc = _roc_auc(target.data.reshape(-1), scores)
    text = model_text(scenario, scenario.build())
    assert f"ROC AUC   {auc:.4f}" in text
    assert round(auc, 4) == 0.1729  # the moved statistics gave 0.1689 (issue 26)


def test_showing_and_checking_leave_the_running_statistics_alone():
    scenario = load_scenario("batchnorm")
    built = scenario.build()
    bn = batchnorm_layers(built.model)[0]
    assert bn.training
    np.testing.assert_array_equal(bn.running_mean, np.zeros(6))
    np.testing.assert_array_equal(bn.running_var, np.ones(6))
    trainer = scenario.trainer()
    bn = batchnorm_layers(trainer.built.model)[0]
    trainer.trace_iteration()  # one training step with its trace: one update of the statistics
    after_one = bn.running_mean.copy()
    assert not np.array_equal(after_one, np.zeros(6))
    scenario.gradcheck()
    model_text(scenario, scenario.build())
    np.testing.assert_array_equal(bn.running_mean, after_one)
    trainer.run(3)
    trainer.goto_iteration(1)  # going back restores the statistics of that iteration's start, then traces it
    np.testing.assert_allclose(bn.running_mean, _torch_training(_initial(scenario)[0], *_data(scenario), 2)[1],
                               rtol=1e-9, atol=1e-12)


def _data(scenario):
    X, target = scenario.build().data
    return X.data, target.data


def test_inference_numbers_match_pytorch_and_recompute_from_the_statistics():
    scenario = load_scenario("batchnorm")
    params, _ = _initial(scenario)
    X, Y = _data(scenario)
    trained, mean, var = _torch_training(params, X, Y, INFERENCE_ITERATIONS)
    trainer = scenario.trainer(None, INFERENCE_ITERATIONS)
    trainer.train()
    bn = batchnorm_layers(trainer.built.model)[0]
    np.testing.assert_allclose(bn.running_mean, mean, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(bn.running_var, var, rtol=1e-9, atol=1e-12)

    text = model_text(scenario, scenario.build())
    assert _printed(text, "running mean of the first 3 features: ") == [round(v, 4) for v in mean[:3]]
    assert _printed(text, "running variance: ") == [round(v, 4) for v in var[:3]]
    expected = _inference(trained, mean, var, X)[:3]
    assert _printed(text, "running statistics (inference): ") == [round(v, 4) for v in expected]
    pre = X @ trained[0] + trained[1]  # training mode: the batch's own mean and biased variance
    batch = _inference(trained, pre.mean(axis=0), pre.var(axis=0), X)[:3]
    assert _printed(text, "batch statistics: ") == [round(v, 4) for v in batch]
    # the numbers issue 26 expected; the tool printed 0.6544, 0.4224, 0.0136 and 0.9329, 0.9442, 0.0509
    assert [round(v, 4) for v in var[:3]] == [0.6546, 0.4227, 0.0141]
    assert [round(v, 4) for v in expected] == [0.9309, 0.9438, 0.0488]
