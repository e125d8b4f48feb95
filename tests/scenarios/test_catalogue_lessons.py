"""Issue 15's scenarios pinned through the public entry points against independent numpy/math.

Each test computes the slide's numbers itself (numpy lstsq for the normal equation, a confusion
matrix counted by hand, gradient descent written out in numpy) and compares with what
``load_scenario`` and the ``graphviz-nn`` commands report.
"""
import json
import math

import numpy as np
import pytest

from graphviz_nn import load_scenario
from graphviz_nn.cli import main


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ---- metrics (seed 000) ---------------------------------------------------------------------

METRIC_X = np.array([-2.0, -1.5, -1.0, 0.2, 0.8, -0.5, 0.5, 1.0, 1.5, 2.0])
METRIC_Y = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])


def test_metrics_scenario_matches_a_hand_worked_confusion_matrix(capsys):
    # w = 1.5, b = 0: score ≥ 0.5 exactly when x ≥ 0. Positives at x = -0.5, 0.5, 1, 1.5, 2:
    # four have x ≥ 0 (TP 4), -0.5 is missed (FN 1); negatives 0.2 and 0.8 are accepted (FP 2),
    # -2, -1.5, -1 rejected (TN 3).
    status, out, _ = run(capsys, "show", "metrics")
    assert status == 0
    assert "actual P  4  1" in out and "actual N  2  3" in out
    for line in ("accuracy  0.7000", "precision 0.6667", "recall    0.8000", "F1        0.7273",
                 "FPR       0.4000", "ROC AUC   0.8800", "PR AUC    0.9029"):
        assert line in out
    # 22 of the 25 (positive, negative) pairs are ordered correctly; AP = (3·1 + 4/5 + 5/7) / 5
    assert 22 / 25 == 0.88 and round((3 + 4 / 5 + 5 / 7) / 5, 4) == 0.9029


def test_metrics_train_json_matches_numpy_logistic_regression(capsys):
    status, out, _ = run(capsys, "train", "metrics", "--format", "json")
    records = json.loads(out)
    w, b = 1.5, 0.0
    accuracies = []
    for _ in range(100):  # full-batch gradient descent on the mean cross-entropy, lr 0.5
        a = sigmoid(w * METRIC_X + b)
        accuracies.append(np.mean((a >= 0.5) == (METRIC_Y == 1)))
        w -= 0.5 * np.mean((a - METRIC_Y) * METRIC_X)
        b -= 0.5 * np.mean(a - METRIC_Y)
    assert [r["accuracy"] for r in records] == pytest.approx(accuracies)
    scores = sigmoid(w * METRIC_X + b)
    pred = scores >= 0.5
    tp = int(np.sum(pred & (METRIC_Y == 1)))
    fp = int(np.sum(pred & (METRIC_Y == 0)))
    fn = int(np.sum(~pred & (METRIC_Y == 1)))
    tn = int(np.sum(~pred & (METRIC_Y == 0)))
    final = records[-1]["metrics"]
    assert final["confusion_matrix"] == [[tp, fn], [fp, tn]]
    assert final["precision"] == pytest.approx(tp / (tp + fp))
    assert final["recall"] == pytest.approx(tp / (tp + fn))
    assert final["fpr"] == pytest.approx(fp / (fp + tn))
    assert "metrics" not in records[0]


def test_mlp_moons_json_has_accuracy_every_iteration_and_final_metrics(capsys):
    status, out, _ = run(capsys, "train", "mlp-moons", "--format", "json")
    records = json.loads(out)
    assert status == 0 and len(records) == 500
    assert all(0.0 <= r["accuracy"] <= 1.0 for r in records)
    assert records[0]["accuracy"] == 0.65 and records[-1]["accuracy"] == 1.0  # the explanation's numbers
    final = records[-1]["metrics"]
    for key in ("precision", "recall", "f1", "tpr", "fpr", "roc_auc", "pr_auc", "confusion_matrix"):
        assert key in final
    assert sum(map(sum, final["confusion_matrix"])) == 100


# ---- learning rate (seed 002) and mini-batch SGD (seed 003) --------------------------------

@pytest.mark.parametrize("lr", [0.01, 0.1, 0.85, 0.95, 1.05])
def test_learning_rate_losses_follow_the_closed_form(lr):
    # w_t = 3 - 3(1 - 2α)^t, so L_t = 9(1 - 2α)^(2t)
    records = load_scenario("learning-rate").train(lr=lr)
    assert [r["loss"] for r in records] == pytest.approx([9 * (1 - 2 * lr) ** (2 * t) for t in range(30)])


def test_learning_rate_summary_and_lr_option(capsys):
    status, out, _ = run(capsys, "train", "learning-rate")
    assert status == 0 and "lr 1.05" in out and "2264.74" in out and "2.7884" in out
    _, small, _ = run(capsys, "train", "learning-rate", "--lr", "0.01", "--format", "json")
    assert json.loads(small)[-1]["loss"] == pytest.approx(9 * 0.98 ** 58)


def test_learning_rate_comparison_reads_as_its_labels(capsys):
    """Too small is slow, too big overshoots and ends behind just right, the largest diverges
    (issue 26: α = 0.85 ended 2,300× closer to the minimum than α = 0.1)."""
    assert load_scenario("learning-rate").compare.lr == (0.01, 0.1, 0.95, 1.05)
    status, out, _ = run(capsys, "train", "learning-rate")
    assert status == 0
    table = out.split("Runs compared")[1].splitlines()[1:]
    final = {float(line.split()[1]): float(line.split("→")[1]) for line in table if line.strip()}
    # w_t - 3 = -3(1 - 2α)^t by hand; the last record is the loss after 29 updates
    expected = {lr: 9 * (1 - 2 * lr) ** 58 for lr in (0.01, 0.1, 0.95, 1.05)}
    assert final == pytest.approx(expected, rel=1e-5)
    too_small, right, too_big, diverging = (final[lr] for lr in (0.01, 0.1, 0.95, 1.05))
    assert right < too_big < too_small < 9 < diverging
    distances = [r["distance"] for r in load_scenario("learning-rate").train(lr=0.95)]
    assert all(a * b < 0 for a, b in zip(distances[1:], distances[2:]))  # across the minimum every step
    explanation = load_scenario("learning-rate").explanation
    assert f"{expected[0.95]:.4f}" in explanation and f"({expected[0.1]:.5f})" in explanation


def test_train_lr_changes_the_learning_slowdown_history(capsys):
    _, default, _ = run(capsys, "train", "learning-slowdown-quadratic", "--iterations", "5", "--format", "json")
    _, fast, _ = run(capsys, "train", "learning-slowdown-quadratic", "--lr", "10", "--iterations", "5",
                     "--format", "json")
    default, fast = json.loads(default), json.loads(fast)
    assert default[0] == fast[0] and default[-1]["loss"] != fast[-1]["loss"]
    # one step of the quadratic cost by hand at w = 2, b = 2, x = 1, y = 0, lr 10
    a = sigmoid(4.0)
    delta = a * a * (1 - a)  # (a - y)·σ'(z)
    assert fast[1]["output"] == pytest.approx(sigmoid(4.0 - 2 * 10 * delta))


def _numpy_sgd(batch_size, iterations=60, lr=0.1):
    """Linear regression by (mini-batch) gradient descent written out in numpy."""
    scenario = load_scenario("mini-batch-sgd")
    built = scenario.build()
    X, Y = built.data[0].data, built.data[1].data
    W, b = built.model.parameters()[0].data.copy(), built.model.parameters()[1].data.copy()
    n = len(X)
    losses = []
    for t in range(iterations):
        if batch_size >= n:
            rows = np.arange(n)
        else:  # every epoch a fresh order from the model seed and the epoch number
            per_epoch = -(-n // batch_size)
            epoch, k = divmod(t, per_epoch)
            rows = np.random.default_rng([0, epoch]).permutation(n)[k * batch_size:(k + 1) * batch_size]
        Xb, Yb = X[rows], Y[rows]
        residual = Xb @ W + b - Yb
        losses.append(float(np.mean(residual ** 2)))
        W = W - lr * (2 / len(rows)) * Xb.T @ residual
        b = b - lr * (2 / len(rows)) * residual.sum(axis=0)
    return losses, W, b


@pytest.mark.parametrize("batch_size", [40, 8])
def test_mini_batch_sgd_matches_numpy_with_fixed_seeds(batch_size):
    trainer = load_scenario("mini-batch-sgd").trainer(batch_size=batch_size)
    records = trainer.train()
    losses, W, b = _numpy_sgd(batch_size)
    assert [r["loss"] for r in records] == pytest.approx(losses)
    assert trainer.built.model.parameters()[0].data == pytest.approx(W)
    assert trainer.built.model.parameters()[1].data == pytest.approx(b)


def test_train_batch_size_option(capsys):
    status, out, _ = run(capsys, "train", "mini-batch-sgd", "--batch-size", "4", "--iterations", "3",
                         "--format", "json")
    assert status == 0 and len(json.loads(out)) == 3
    status, out, err = run(capsys, "train", "mini-batch-sgd", "--batch-size", "41")
    assert status == 2 and out == "" and "batch size 41" in err and err.count("\n") == 1
    status, _, err = run(capsys, "train", "learning-rate", "--batch-size", "2")
    assert status == 2 and "data set" in err
    status, out, _ = run(capsys, "train", "mlp-moons", "--batch-size", "25", "--iterations", "8", "--format", "json")
    assert status == 0 and len(json.loads(out)) == 8


# ---- graphs: static vs dynamic, Keras Dense, stacked layers, tanh, maxout ------------------

def _ops(node):
    from graphviz_nn.graph import reachable
    return sorted(str(n.op) for n in reachable(node) if n._a is not None)


def test_dynamic_graph_records_only_the_branch_taken():
    scenario = load_scenario("static-vs-dynamic")
    pos, neg = scenario.build("x = 2"), scenario.build("x = -1")
    assert pos["dynamic"].data == 6.0 and neg["dynamic"].data == 3.0  # w·x at 2; w·x² at -1
    assert len(_ops(pos["dynamic"])) == 1 and len(_ops(neg["dynamic"])) == 2  # the graph changes
    assert _ops(pos["static"]) == _ops(neg["static"])  # the static graph is the same both times
    for built, slope in ((pos, 2.0), (neg, 1.0)):  # dy/dw = x, then x²
        built["dynamic"].backward()
        assert built.leaves["w"].grad == slope


def test_keras_dense_call_by_call():
    built = load_scenario("keras-dense").build()
    inputs, kernel, bias = np.array([1.0, -2.0, 0.5]), np.array([0.4, 0.3, -0.6]), 0.2
    dot = inputs @ kernel
    assert built["k_dot"].data == pytest.approx(dot) and built["bias_add"].data == pytest.approx(dot + bias)
    assert built["output"].data == pytest.approx(np.tanh(dot + bias))
    built.backward_from.backward()
    local = 1 - np.tanh(dot + bias) ** 2
    assert [k.grad for k in built.leaves["kernel"]] == pytest.approx(local * inputs)
    assert built.leaves["bias"].grad == pytest.approx(local) and round(local, 4) == 0.9151


def test_stacked_linear_layers_are_one_linear_map():
    built = load_scenario("stacked-linear").build()
    W1, b1 = np.array([[1.0], [-2.0]]), np.array([0.5, 1.0])
    W2, b2 = np.array([[3.0, 0.5]]), -1.0
    x = 2.0
    stacked = (W2 @ (W1[:, 0] * x + b1)) + b2
    assert built["stacked"].data == pytest.approx(stacked[0]) == built["collapsed"].data
    assert built["weight"].data == pytest.approx((W2 @ W1)[0, 0])
    assert built["bias"].data == pytest.approx((W2 @ b1)[0] + b2)
    assert built["with_relu"].data == pytest.approx((W2 @ np.maximum(W1[:, 0] * x + b1, 0))[0] + b2)
    built.backward_from.backward()
    assert built.leaves["x"].grad == pytest.approx((W2 @ W1)[0, 0])


def test_tanh_is_a_scaled_sigmoid():
    built = load_scenario("tanh-from-sigmoid").build()
    assert built["from_sigmoid"].data == pytest.approx(math.tanh(0.5)) == built["tanh_x"].data
    built.backward_from.backward()
    assert built.leaves["x"].grad == pytest.approx(1 - math.tanh(0.5) ** 2)
    s = sigmoid(1.0)
    assert built.leaves["x"].grad == pytest.approx(4 * s * (1 - s))


def test_maxout_matches_the_library_layer_and_doubles_the_parameters():
    import random

    from graphviz_nn.nn.tensor import Linear, Maxout
    from graphviz_nn.tensor import Tensor
    built = load_scenario("maxout").build()
    layer = Maxout(2, 1, pieces=2, rng=random.Random(0))
    layer.linear.W.data[...] = np.array([[0.5, -0.3], [0.2, 0.8]])
    layer.linear.b.data[...] = np.array([0.1, 0.4])
    out = layer(Tensor(np.array([[1.0, -1.0]]), requires_grad=False))
    assert built["maxout"].data == pytest.approx(float(out.data.reshape(-1)[0])) == pytest.approx(0.4)
    relu_neuron = Linear(2, 1, random.Random(0))
    assert sum(p.data.size for p in layer.parameters()) == 2 * sum(p.data.size for p in relu_neuron.parameters())
    built.backward_from.backward()
    assert [v.grad for v in built.leaves["w1"]] == [1.0, -1.0] and built.leaves["b1"].grad == 1.0
    assert [v.grad for v in built.leaves["w2"]] == [0.0, 0.0] and built.leaves["b2"].grad == 0.0


# ---- losses: MAE vs MSE, the cost examples --------------------------------------------------

def test_mae_mse_huber_on_an_outlier():
    built = load_scenario("mae-vs-mse-outliers").build()
    p, y = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.1, 1.9, 3.2, 10.0])
    r = p - y
    huber = np.where(np.abs(r) <= 1, 0.5 * r ** 2, np.abs(r) - 0.5)
    assert built["mse_loss"].data == pytest.approx(np.mean(r ** 2))
    assert built["mae_loss"].data == pytest.approx(np.mean(np.abs(r)))
    assert built["huber_loss"].data == pytest.approx(np.mean(huber))
    built.backward_from.backward()
    grads = {k: np.array([v.grad for v in built.leaves[k]]) for k in ("p_mse", "p_mae", "p_huber")}
    assert grads["p_mse"] == pytest.approx(2 * r / 4)
    assert grads["p_mae"] == pytest.approx(np.sign(r) / 4)
    assert grads["p_huber"] == pytest.approx(np.clip(r, -1, 1) / 4)  # the outlier takes the linear branch
    assert grads["p_mse"][3] == pytest.approx(-3.0) and grads["p_huber"][3] == pytest.approx(-0.25)


def test_cost_for_y_one_at_08_and_03():
    built = load_scenario("cost-examples").build()
    assert built["cost_right"].data == pytest.approx(-math.log(0.8))
    assert built["cost_wrong"].data == pytest.approx(-math.log(0.3))
    assert built["quadratic_right"].data == pytest.approx(0.02) and built["quadratic_wrong"].data == pytest.approx(0.245)
    built.backward_from.backward()
    assert built.leaves["a_wrong"].grad == pytest.approx(-1 / 0.3)


# ---- the normal equation (seed 003) ---------------------------------------------------------

def test_normal_equation_matches_lstsq_and_gradient_descent_reaches_it(capsys):
    scenario = load_scenario("normal-equation")
    X = np.hstack([np.array(scenario.data.x), np.ones((8, 1))])
    Y = np.array(scenario.data.y)
    W = np.linalg.lstsq(X, Y, rcond=None)[0].reshape(-1)
    status, out, _ = run(capsys, "show", "normal-equation")
    assert status == 0
    assert f"w1 = {W[0]:.4f}, w2 = {W[1]:.4f}, b = {W[2]:.4f}" in out
    trainer = scenario.trainer()
    trainer.train()
    learned = np.array([p.data for p in trainer.built.parameters])
    assert learned == pytest.approx(W, abs=1e-3)
    status, out, _ = run(capsys, "train", "normal-equation")
    assert status == 0 and "(XᵀX)⁻¹XᵀY" in out and f"{W[0]:.4f}" in out


# ---- prose made computation -----------------------------------------------------------------

def test_sigmoid_jacobian_sizes_and_diagonal_come_out_of_show(capsys):
    status, out, _ = run(capsys, "show", "sigmoid-jacobian")
    assert status == 0
    assert "Jacobian ∂y/∂x: 2,048 × 2,048" in out and "Jacobian ∂Y/∂X: 204,800 × 204,800" in out
    assert out.count("the Jacobian is diagonal") == 2
    x = np.random.default_rng(0).uniform(-4, 4, 2048)
    s = sigmoid(x[:4])
    first_row = out.split("∂y/∂x")[1].splitlines()[2]
    assert first_row.split()[1] == f"{s[0] * (1 - s[0]):.4f}"


def test_cross_entropy_vs_log_likelihood_table_and_one_sample_graph(capsys):
    status, out, _ = run(capsys, "show", "cross-entropy-vs-log-likelihood")
    assert status == 0
    for name, value in (("ce_1", "1.07246"), ("ll_1", "0.597837"), ("ce_2", "1.14098"), ("ll_2", "0.597837")):
        assert any(line.split() == [name, value] for line in out.splitlines())
    steps = out.split("step  phase")[1]
    assert "a2[" not in steps and "ll_1 =" not in steps  # the graph is the first sample's cross-entropy
    assert "ce_1 =" in steps


def test_every_activation_gets_a_backward_step(capsys):
    status, out, _ = run(capsys, "show", "activations")
    backward = [line for line in out.splitlines() if " backward " in line]
    for op in ("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "max"):
        assert any(f" {op}" in line for line in backward), op


def test_every_primitive_gate_gets_a_backward_step():
    scenario = load_scenario("primitive-gates")
    trace = scenario.trace()
    stepped = {trace.node(s.node).op for s in trace.steps if s.phase == "backward"}
    assert {"exp", "rdiv_const", "mul_const", "add_const"} <= stepped  # e^x, 1/x, ax, c + x


def test_saturated_sigmoid_both_sides(capsys):
    for start, x, value in (("x = 2", 2.0, 1 - 4.5398e-05), ("x = -2", -2.0, 4.5398e-05), ("x = 0.1", 0.1, sigmoid(0.5))):
        built = load_scenario("saturated-sigmoid").build(start)
        assert built["f"].data == pytest.approx(value, rel=1e-4)
        built["f"].backward()
        s = sigmoid(5 * x)
        assert built.leaves["w"].grad == pytest.approx(s * (1 - s) * x)  # σ'(wx)·x: 0.25·0 at x = 0
        assert built.leaves["b"].grad == pytest.approx(s * (1 - s))


def test_slow_start_is_flagged_saturated(capsys):
    status, out, _ = run(capsys, "check", "learning-slowdown-quadratic")
    assert status == 0 and "saturated" in out  # σ′(4) = 0.0177 < 0.25 / 10
    s = sigmoid(4.0)
    assert round(s * (1 - s), 4) == 0.0177


def test_dropout_and_batchnorm_show_inference(capsys):
    _, out, _ = run(capsys, "show", "dropout")
    assert "Dropout at inference" in out and "1/(1 - p) = 2" in out
    _, out, _ = run(capsys, "show", "batchnorm")
    assert "running mean" in out and "running statistics (inference)" in out


@pytest.mark.parametrize("batch_size", [1, 3, 7, 8, 39])
def test_every_epoch_visits_every_sample_once(batch_size):
    trainer = load_scenario("mini-batch-sgd").trainer(batch_size=batch_size)
    per_epoch = -(-40 // batch_size)
    for epoch in range(3):
        rows = [i for k in range(per_epoch) for i in trainer.batch_rows(epoch * per_epoch + k)]
        assert sorted(rows) == list(range(40))
    assert trainer.batch_rows(0) != trainer.batch_rows(per_epoch)  # a fresh order every epoch
    assert load_scenario("mini-batch-sgd").trainer(batch_size=40).batch_rows(5) is None  # full batch
