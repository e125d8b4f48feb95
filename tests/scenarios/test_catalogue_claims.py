"""The catalogue's qualitative claims, each checked against an independent calculation.

`test_catalogue_explanations.py` checks that every number an explanation states is printed;
this module checks the words: "learns faster", "stalls", "diverges", "noisier", "no straight
line separates", "never dies". Each test is named after the claim, computes the claim's
quantity itself (numpy, written here) through the public entry points, and fails if the claim
became false.
"""
import itertools
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from graphviz_nn import Tensor, load_scenario
from graphviz_nn.cli import main
from graphviz_nn.nn import Dropout, Linear
from graphviz_nn.scenario_build.build import _leaf_nodes, evaluate_outputs


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _at(scenario_id, **leaves):
    """An expression scenario's outputs recorded at other leaf values (data leaves stay data)."""
    scenario = load_scenario(scenario_id)
    given = {k: tuple(v) if isinstance(v, list) else v for k, v in leaves.items()}
    nodes = _leaf_nodes(dict(scenario.leaves, **given), data=tuple(scenario.data_leaves))
    return evaluate_outputs(scenario, nodes), nodes


def _slowdown_run(w, b, dz, epochs, lr=0.15):
    """The slide's neuron (input 1, target 0) trained by hand; dz(a, z) is ∂C/∂z."""
    outputs = []
    for _ in range(epochs):
        z = w + b
        a = sigmoid(z)
        outputs.append(a)
        g = dz(a, z)
        w, b = w - lr * g, b - lr * g
    return np.array(outputs)


def _quadratic_dz(a, z):
    return a * sigmoid(z) * (1 - sigmoid(z))  # (a - y)σ'(z) with y = 0


def _cross_entropy_dz(a, z):
    return a  # a - y with y = 0: σ'(z) cancels


# ---- learning slowdown (seed 001) -------------------------------------------------------------

def test_quadratic_cost_nearer_start_learns_steadily_while_the_more_wrong_start_stalls():
    scenario = load_scenario("learning-slowdown-quadratic")
    near = np.array([r["output"] for r in scenario.train("w=0.6, b=0.9")])
    far = np.array([r["output"] for r in scenario.train("w=2, b=2")])
    np.testing.assert_allclose(near, _slowdown_run(0.6, 0.9, _quadratic_dz, 300), rtol=1e-9)
    np.testing.assert_allclose(far, _slowdown_run(2.0, 2.0, _quadratic_dz, 300), rtol=1e-9)
    assert far[0] > near[0]  # the stalling start is the more wrong one (target 0)
    assert np.all(np.diff(near) < 0)  # steadily: the output falls every epoch
    # over the first 100 epochs the nearer start falls more than ten times as far
    assert near[0] - near[99] > 0.5 > 0.05 > far[0] - far[99]


def test_quadratic_cost_gradient_is_smaller_at_the_more_wrong_start():
    """The slide: "learning slow = partial derivatives are small"; σ'(z) = 0.0177 makes them so."""
    scenario = load_scenario("learning-slowdown-quadratic")
    grads = {}
    for start, (w, b) in (("w=2, b=2", (2.0, 2.0)), ("w=0.6, b=0.9", (0.6, 0.9))):
        built = scenario.build(start)
        built.loss.backward()
        a = sigmoid(w + b)
        expected = a * a * (1 - a)  # ∂C/∂w = (a - y)σ'(z)x, x = 1, y = 0
        assert [p.grad for p in built.parameters] == pytest.approx([expected, expected], rel=1e-12)
        grads[start] = expected
    assert round(sigmoid(4.0) * (1 - sigmoid(4.0)), 4) == 0.0177
    assert grads["w=2, b=2"] < grads["w=0.6, b=0.9"] / 5


def test_cross_entropy_more_wrong_start_gets_the_larger_gradient():
    scenario = load_scenario("learning-slowdown-cross-entropy")
    grads = {}
    for start, (w, b) in (("w=2, b=2", (2.0, 2.0)), ("w=0.6, b=0.9", (0.6, 0.9))):
        built = scenario.build(start)
        built.loss.backward()
        error = sigmoid(w + b) - 0.0  # ∂C/∂w = (a - y)x, ∂C/∂b = a - y
        assert [p.grad for p in built.parameters] == pytest.approx([error, error], rel=1e-12)
        grads[start] = error
    assert grads["w=2, b=2"] > grads["w=0.6, b=0.9"]
    # and far larger than the quadratic cost's gradient from the same start
    quadratic = load_scenario("learning-slowdown-quadratic").build("w=2, b=2")
    quadratic.loss.backward()
    assert grads["w=2, b=2"] > 50 * quadratic.parameters[0].grad


def test_cross_entropy_output_falls_at_once_from_the_saturated_start():
    ce = np.array([r["output"] for r in load_scenario("learning-slowdown-cross-entropy").train("w=2, b=2")])
    quad = np.array([r["output"] for r in load_scenario("learning-slowdown-quadratic").train("w=2, b=2")])
    np.testing.assert_allclose(ce, _slowdown_run(2.0, 2.0, _cross_entropy_dz, 300), rtol=1e-9)
    # within 10 epochs: the cross-entropy neuron's output has dropped twenty times as far
    assert ce[0] - ce[10] > 0.15 and quad[0] - quad[10] < 0.01
    assert ce[0] - ce[10] > 20 * (quad[0] - quad[10])


# ---- learning rate (seed 002) -----------------------------------------------------------------

def test_learning_rate_too_big_diverges_each_step_further_away():
    distances = np.array([r["distance"] for r in load_scenario("learning-rate").train(lr=1.05)])
    expected = -3 * (1 - 2 * 1.05) ** np.arange(30)  # w_t - 3 by hand
    np.testing.assert_allclose(distances, expected, rtol=1e-9)
    assert np.all(np.diff(np.abs(distances)) > 0)  # each step lands further from the minimum
    assert np.all(distances[1:] * distances[:-1] < 0)  # and on the other side of it


@pytest.mark.parametrize("lr", [0.01, 0.1])
def test_learning_rate_small_enough_never_overshoots(lr):
    distances = np.array([r["distance"] for r in load_scenario("learning-rate").train(lr=lr)])
    np.testing.assert_allclose(distances, -3 * (1 - 2 * lr) ** np.arange(30), rtol=1e-9)
    assert np.all(distances < 0) and np.all(np.diff(np.abs(distances)) < 0)  # smooth, from one side


# ---- mini-batch SGD (seed 003) ----------------------------------------------------------------

def test_mini_batch_loss_jumps_while_full_batch_loss_falls_every_step():
    scenario = load_scenario("mini-batch-sgd")
    full = np.array([r["loss"] for r in scenario.train(batch_size=40)])
    mini = np.array([r["loss"] for r in scenario.train(batch_size=8)])
    assert np.all(np.diff(full) < 0)
    rises = np.diff(mini) > 0
    assert rises.sum() >= 10  # noisier: the loss of one batch to the next goes up again and again


# ---- gradient checking (seed 003) -------------------------------------------------------------

def _finite_differences(built, eps, one_sided):
    xs, ys = built.data

    def loss():
        return np.mean([(built.model(list(x)).data - y[0]) ** 2 for x, y in zip(xs, ys)])

    base = loss()
    out = []
    for p in built.parameters:
        keep = p.data
        p.data = keep + eps
        up = loss()
        p.data = keep - eps
        down = loss()
        p.data = keep
        out.append((up - base) / eps if one_sided else (up - down) / (2 * eps))
    return np.array(out)


def test_gradient_check_one_sided_error_shrinks_like_eps_central_like_eps_squared():
    built = load_scenario("gradient-check").build()
    assert built.loss.data == pytest.approx(
        np.mean([(built.model(list(x)).data - y[0]) ** 2 for x, y in zip(*built.data)]), rel=1e-12)
    built.loss.backward()
    exact = np.array([p.grad for p in built.parameters])
    assert len(exact) == 13

    def error(eps, one_sided):
        return np.linalg.norm(_finite_differences(built, eps, one_sided) - exact)

    one_ratio = error(1e-2, True) / error(1e-3, True)
    central_ratio = error(1e-2, False) / error(1e-3, False)
    assert 7 < one_ratio < 14  # ε ten times smaller: the error ten times smaller
    assert 70 < central_ratio < 140  # ... a hundred times smaller
    assert error(1e-3, False) < error(1e-3, True) / 100


# ---- dropout (seed 004) -----------------------------------------------------------------------

def test_dropout_keeps_each_hidden_outputs_expected_value():
    built = load_scenario("dropout").build()
    (layer,) = [m for m in built.model.modules if isinstance(m, Dropout)]
    first, _ = [m for m in built.model.modules if isinstance(m, Linear)]
    X, _ = built.data
    h = np.maximum(X.data @ first.W.data + first.b.data, 0.0)
    draws = np.array([layer(Tensor(h)).data for _ in range(4000)])
    kept = draws != 0
    assert abs(kept[:, h > 0].mean() - (1 - layer.p)) < 0.02  # each unit dropped with probability p
    np.testing.assert_allclose(np.unique(draws[kept] / np.broadcast_to(h, draws.shape)[kept]), 1 / (1 - layer.p))
    # so the mean over masks comes to h itself, unit by unit
    np.testing.assert_allclose(draws.mean(axis=0), h, atol=0.06 * h.max())


def test_dropout_network_output_mean_over_masks_only_comes_close_to_inference(capsys):
    built = load_scenario("dropout").build()
    first, second = [m for m in built.model.modules if isinstance(m, Linear)]
    (layer,) = [m for m in built.model.modules if isinstance(m, Dropout)]
    x = built.data[0].data[0]
    h = np.maximum(x @ first.W.data + first.b.data, 0.0)
    inference = sigmoid(h @ second.W.data + second.b.data)[0]
    # the exact mean over all 2⁸ masks, each unit kept with probability 1 - p and scaled by 1/(1 - p)
    keep = 1 - layer.p
    exact = 0.0
    for mask in itertools.product((0.0, 1.0), repeat=h.size):
        m = np.array(mask)
        weight = np.prod(np.where(m == 1, keep, 1 - keep))
        exact += weight * sigmoid((h * m / keep) @ second.W.data + second.b.data)[0]
    assert 1e-6 < abs(exact - inference) < 1e-4  # not equal (the sigmoid is not linear), but close
    assert main(["show", "dropout"]) == 0
    out = capsys.readouterr().out
    shown = re.search(r"over ([\d,]+) training-mode masks: ([\d.]+); inference mode \(no mask\): ([\d.]+)", out)
    assert shown.group(1) == "2,000" and float(shown.group(3)) == round(inference, 4)
    # the gap show prints is mostly the sampling noise of its 2,000 masks, not the sigmoid's bend
    assert abs(exact - inference) < abs(float(shown.group(2)) - exact) < 0.01
    assert "only comes close" in load_scenario("dropout").explanation


# ---- tanh from sigmoid (seed 004) -------------------------------------------------------------

def test_tanh_is_steeper_than_sigmoid_not_only_zero_centred():
    built = load_scenario("tanh-from-sigmoid").build()
    built.backward_from.backward()
    slope = built.leaves["x"].grad
    x = 0.5
    assert slope == pytest.approx(1 - np.tanh(x) ** 2, rel=1e-12)
    assert slope == pytest.approx(4 * sigmoid(2 * x) * (1 - sigmoid(2 * x)), rel=1e-12)
    assert slope > 3 * sigmoid(x) * (1 - sigmoid(x))  # more than three times σ's slope at 0.5
    assert "only difference" not in load_scenario("tanh-from-sigmoid").explanation


# ---- MLPs: what a single neuron or a straight line cannot do ----------------------------------

@settings(max_examples=300, deadline=None)
@given(st.floats(-50, 50), st.floats(-50, 50), st.floats(-50, 50))
def test_mlp_xor_no_single_neuron_gets_all_four_points_right(w1, w2, b):
    data = load_scenario("mlp-xor").data
    X, y = np.array(data.x, dtype=float), np.array(data.y, dtype=float).ravel()
    predicted = sigmoid(X @ np.array([w1, w2]) + b) > 0.5
    assert not np.all(predicted == (y == 1))


def _segments_cross(p, q, r, s):
    """Whether segment p-q properly crosses segment r-s, for every pair (broadcast)."""
    def orient(a, b, c):
        return np.sign((b[..., 0] - a[..., 0]) * (c[..., 1] - a[..., 1])
                       - (b[..., 1] - a[..., 1]) * (c[..., 0] - a[..., 0]))
    return (orient(p, q, r) * orient(p, q, s) < 0) & (orient(r, s, p) * orient(r, s, q) < 0)


def test_mlp_moons_no_straight_line_separates_the_moons():
    """A segment between two points of one moon crossing one between two points of the other
    means their convex hulls meet: no line can put the moons on its two sides."""
    X, target = load_scenario("mlp-moons").build().data
    points, labels = X.data, target.data.ravel()
    a, b = points[labels == 0], points[labels == 1]
    ia, ja = np.triu_indices(len(a), 1)
    ib, jb = np.triu_indices(len(b), 1)
    p, q = a[ia][:, None, :], a[ja][:, None, :]
    r, s = b[ib][None, :, :], b[jb][None, :, :]
    crossing = np.argwhere(_segments_cross(p, q, r, s))
    assert len(crossing) > 0
    i, j = crossing[0]
    # the certificate, recomputed by solving for the crossing point
    P, Q, R, S = a[ia[i]], a[ja[i]], b[ib[j]], b[jb[j]]
    t, u = np.linalg.solve(np.column_stack([Q - P, R - S]), R - P)
    assert 0 < t < 1 and 0 < u < 1


def test_mlp_regression_beats_every_straight_line():
    scenario = load_scenario("mlp-regression")
    x = np.array(scenario.data.x, dtype=float).ravel()
    y = np.array(scenario.data.y, dtype=float).ravel()
    slope, intercept = np.polyfit(x, y, 1)  # the best straight line, least squares
    line_mse = np.mean((slope * x + intercept - y) ** 2)
    trainer = scenario.trainer()
    records = trainer.train()
    fitted = np.array([trainer.built.model([v]).data for v in x])
    mlp_mse = np.mean((fitted - y) ** 2)
    assert records[-1]["loss"] == pytest.approx(mlp_mse, rel=0.5)  # the last record is before the last step
    assert mlp_mse < line_mse / 10


# ---- PReLU learns its slope (seed 004) --------------------------------------------------------

def test_prelu_learns_its_own_slope():
    scenario = load_scenario("prelu-regularised")
    w1, w2, alpha, lr = 0.5, 0.75, 0.1, 0.1
    x1, x2, y, lam = 1.0, -2.0, 1.0, 0.01
    for _ in range(50):  # gradient descent on (w1, w2, α) by hand
        h = w1 * x1 + w2 * x2
        a = h if h > 0 else alpha * h
        da = 2 * (a - y)
        dh = da * (1.0 if h > 0 else alpha)
        d_alpha = da * h if h <= 0 else 0.0
        w1, w2, alpha = w1 - lr * (dh * x1 + 2 * lam * w1), w2 - lr * (dh * x2 + 2 * lam * w2), alpha - lr * d_alpha
    trainer = scenario.trainer()
    trainer.train()
    got = trainer.built.leaves
    assert [got["w1"].data, got["w2"].data, got["alpha"].data] == pytest.approx([w1, w2, alpha], rel=1e-9)
    assert abs(alpha - 0.1) > 0.5  # α moved: the slope was learned, not fixed


# ---- maxout (seeds 001, 004) ------------------------------------------------------------------

finite = st.floats(-5, 5)


@settings(max_examples=100, deadline=None)
@given(finite, finite, finite, finite, finite, finite, finite, finite)
def test_maxout_never_dies(x1, x2, a1, a2, b1, c1, c2, b2):
    outputs, leaves = _at("maxout", x=[x1, x2], w1=[a1, a2], b1=b1, w2=[c1, c2], b2=b2)
    outputs["maxout"].backward()
    # whatever the input and weights, one piece wins and its bias gets the whole gradient
    assert leaves["b1"].grad + leaves["b2"].grad == 1.0
    assert max(leaves["b1"].grad, leaves["b2"].grad) == 1.0


@settings(max_examples=100, deadline=None)
@given(finite, finite, finite, finite, finite)
def test_maxout_with_a_zero_second_piece_is_relu(x1, x2, a1, a2, b1):
    outputs, _ = _at("maxout", x=[x1, x2], w1=[a1, a2], b1=b1, w2=[0.0, 0.0], b2=0.0)
    assert outputs["maxout"].data == pytest.approx(max(0.0, a1 * x1 + a2 * x2 + b1), abs=1e-12)


# ---- L1 vs L2 (seed 004) ----------------------------------------------------------------------

def test_l1_pulls_a_small_weight_as_hard_as_a_large_one_l2_in_proportion():
    small, large = 0.01, 0.9
    outputs, leaves = _at("l1-vs-l2", W2=[small, large, -small, -large])
    outputs["l1_2"].backward()
    l1 = [w.grad for w in leaves["W2"]]
    assert l1 == [1.0, 1.0, -1.0, -1.0]  # sign(w): the same pull whatever the size
    outputs, leaves = _at("l1-vs-l2", W2=[small, large, -small, -large])
    outputs["l2_2"].backward()
    l2 = [w.grad for w in leaves["W2"]]
    assert l2 == pytest.approx([2 * small, 2 * large, -2 * small, -2 * large])  # 2w: a small weight barely


# ---- batch norm (seed 004) --------------------------------------------------------------------

def _first_sample_input_gradient(X, with_batchnorm=True):
    """d(sum of sample 0's normalised pre-activations)/dX through the scenario's own layers."""
    built = load_scenario("batchnorm").build()
    linear, bn = built.model.modules[0], built.model.modules[1]
    x = Tensor(X.copy(), label="X")
    out = bn(linear(x)) if with_batchnorm else linear(x)
    row0 = np.zeros(out.data.shape)
    row0[0] = 1.0
    (out * Tensor(row0, requires_grad=False)).sum().backward()
    return x.grad, linear, bn


def test_batchnorm_sample_gradient_depends_on_the_others_in_its_batch():
    torch = pytest.importorskip("torch")
    X = load_scenario("batchnorm").build().data[0].data
    grad, linear, bn = _first_sample_input_gradient(X)
    # the same derivative by PyTorch, the batch statistics written out by hand
    xt = torch.tensor(X, requires_grad=True)
    pre = xt @ torch.tensor(linear.W.data) + torch.tensor(linear.b.data)
    mean, var = pre.mean(0, keepdim=True), pre.var(0, unbiased=False, keepdim=True)
    out = (pre - mean) / torch.sqrt(var + bn.eps) * torch.tensor(bn.gamma.data) + torch.tensor(bn.beta.data)
    out[0].sum().backward()
    np.testing.assert_allclose(grad, xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    assert np.abs(grad[1:]).max() > 1e-3  # sample 0's output reaches back into the other samples
    plain, _, _ = _first_sample_input_gradient(X, with_batchnorm=False)
    assert np.all(plain[1:] == 0)  # without batch norm it does not
    moved = X.copy()
    moved[5] += 1.0  # another sample changes: sample 0's gradient changes with it
    assert not np.allclose(_first_sample_input_gradient(moved)[0][0], grad[0])


# ---- stacked linear layers (seed 003) ---------------------------------------------------------

@settings(max_examples=50, deadline=None)
@given(st.floats(-10, 10))
def test_stacked_linear_layers_are_the_single_layer_at_every_x(x):
    outputs, _ = _at("stacked-linear", x=x)
    assert outputs["stacked"].data == pytest.approx(outputs["collapsed"].data, abs=1e-9)
    assert outputs["stacked"].data == pytest.approx(2 * x + 1, abs=1e-9)  # W₂W₁ = 2, W₂b₁ + b₂ = 1 by hand


def test_a_relu_between_the_layers_breaks_the_collapse():
    xs = np.array([-2.0, 0.0, 2.0])
    ys = np.array([_at("stacked-linear", x=x)[0]["with_relu"].data for x in xs])
    h = np.maximum(np.outer(xs, [1.0, -2.0]) + [0.5, 1.0], 0.0)
    np.testing.assert_allclose(ys, h @ [3.0, 0.5] - 1.0, rtol=1e-12)
    slopes = np.diff(ys) / np.diff(xs)
    assert abs(slopes[0] - slopes[1]) > 1  # three points off one line: no single layer fits them all


# ---- losses: robustness, cost without bound, the sigmoid gate (seeds 000, 001, 003) -----------

@settings(max_examples=50, deadline=None)
@given(st.floats(5.0, 1000.0))
def test_mae_pulls_on_an_outlier_as_hard_whatever_the_distance_mse_in_proportion(outlier):
    y = [1.1, 1.9, 3.2, outlier]
    outputs, leaves = _at("mae-vs-mse-outliers", y=y)
    outputs["total"].backward()
    r = 4.0 - outlier  # the last prediction minus its target
    assert leaves["p_mae"][3].grad == -0.25  # sign(r)/n: the same pull at any distance
    assert leaves["p_huber"][3].grad == pytest.approx(-0.25)  # beyond δ Huber pulls like MAE
    assert leaves["p_mse"][3].grad == pytest.approx(2 * r / 4)  # MSE pulls in proportion to r


def test_cross_entropy_for_y_one_grows_without_bound_as_a_goes_to_zero():
    costs = [_at("cost-examples", a_wrong=10.0 ** -k)[0]["cost_wrong"].data for k in range(1, 9)]
    np.testing.assert_allclose(costs, [k * math.log(10) for k in range(1, 9)], rtol=1e-12)  # -ln a
    assert np.all(np.diff(costs) > 2) and costs[-1] > 18
    # the quadratic cost never charges more than 1/2 however wrong a is
    assert _at("cost-examples", a_wrong=1e-8)[0]["quadratic_wrong"].data < 0.5


def test_cross_entropy_charges_a_concentrated_wrong_guess_more_than_a_spread_one():
    scenario = load_scenario("cross-entropy-vs-log-likelihood")
    a1, a2 = np.array(scenario.leaves["a1"]), np.array(scenario.leaves["a2"])
    assert a1[1:].sum() == pytest.approx(a2[1:].sum()) == pytest.approx(0.45)  # the same wrong mass
    assert a2[1:].max() == 0.37 > a1[1:].max()
    built = scenario.build()
    ce = [-(np.log(a[0]) + np.log(1 - a[1:]).sum()) for a in (a1, a2)]  # by hand
    assert [built["ce_1"].data, built["ce_2"].data] == pytest.approx(ce, rel=1e-12)
    assert built["ll_1"].data == pytest.approx(built["ll_2"].data, rel=1e-12)  # blind to the wrong classes
    assert ce[1] > ce[0]
    # the one 0.37 class carries most of the second prediction's charge for wrong classes
    assert -np.log(1 - 0.37) > 0.8 * -np.log(1 - a2[1:]).sum()


def test_sigmoid_gate_is_one_step_where_the_neuron_takes_four():
    def backward_steps(scenario_id):
        trace = load_scenario(scenario_id).trace()
        return [s for s in trace.steps if s.phase == "backward" and not s.is_seed]

    gate, neuron = backward_steps("sigmoid-gate"), backward_steps("sigmoid-neuron")
    assert len(neuron) - len(gate) == 3  # *-1, exp, +1, 1/x: four steps become one
    g = load_scenario("sigmoid-gate").build()
    n = load_scenario("sigmoid-neuron").build()
    g["f"].backward()
    n["f"].backward()
    z = 2.0 * -1.0 + -3.0 * -2.0 + -3.0
    local = sigmoid(z) * (1 - sigmoid(z))
    expected = {"w0": local * -1.0, "x0": local * 2.0, "w1": local * -2.0, "x1": local * -3.0, "w2": local}
    for built in (g, n):
        assert {k: v.grad for k, v in built.leaves.items()} == pytest.approx(expected, rel=1e-12)


# ---- what `check` says about these claims -----------------------------------------------------

def _diagnostics(capsys, scenario_id):
    assert main(["check", scenario_id]) == 0
    return capsys.readouterr().out.split("Diagnostics")[1]


def test_check_says_the_quadratic_cost_saturated_sigmoid_kills_the_gradient(capsys):
    a = sigmoid(4.0)  # w = 2, b = 2, x = 1
    assert a * (1 - a) < 0.025 and a * a * (1 - a) < 0.025  # σ' and what reaches z: (a - y)σ'
    out = _diagnostics(capsys, "learning-slowdown-quadratic")
    assert "saturated" in out and "it kills the gradient flowing back through it" in out


def test_check_says_the_cross_entropy_cost_makes_up_for_the_saturated_sigmoid(capsys):
    """The scenario's lesson: with cross-entropy σ'(z) cancels; check must not say it kills."""
    a = sigmoid(4.0)
    upstream = 1 / (1 - a)  # dC/da for y = 0
    out = _diagnostics(capsys, "learning-slowdown-cross-entropy")
    assert "saturated" in out and "it kills the gradient" not in out
    assert "large enough to make up for it" in out and "does not kill" in out
    assert upstream * a * (1 - a) == pytest.approx(a) and a > 0.025  # dC/dz = a - y: σ' cancelled


def test_check_says_the_bias_before_batch_norm_cancels_rather_than_vanishes(capsys):
    torch = pytest.importorskip("torch")
    built = load_scenario("batchnorm").build()
    linear, bn = built.model.modules[0], built.model.modules[1]
    X = torch.tensor(built.data[0].data)
    b = torch.tensor(linear.b.data, requires_grad=True)
    pre = X @ torch.tensor(linear.W.data) + b
    out = (pre - pre.mean(0)) / torch.sqrt(pre.var(0, unbiased=False) + bn.eps)
    weights = torch.tensor(np.random.default_rng(0).normal(size=out.shape))
    (out * weights).sum().backward()
    assert b.grad.abs().max() < 1e-12  # the batch mean subtracts the bias out: no gradient at all
    text = _diagnostics(capsys, "batchnorm")
    assert "L1.b.grad" in text and "they cancel" in text and "multiplied it away" not in text


# ---- overfitting (seed 002) -------------------------------------------------------------------

def test_overfitting_network_fits_the_noise_not_the_line():
    scenario = load_scenario("overfitting")
    data = scenario.data
    rng = np.random.default_rng(data.seed)  # the line data set, drawn by hand: y = 2x - 1 + noise
    x = rng.uniform(-1, 1, size=(data.samples + data.test_samples, 1))
    y = 2 * x - 1 + rng.normal(scale=data.noise, size=x.shape)
    X_train, Y_train = x[:data.samples], y[:data.samples]
    X_test, Y_test = x[data.samples:], y[data.samples:]
    np.testing.assert_allclose(scenario.build().data[0].data, X_train, rtol=1e-12)
    line_train = np.mean((2 * X_train - 1 - Y_train) ** 2)  # the true line's own error: the noise
    line_test = np.mean((2 * X_test - 1 - Y_test) ** 2)
    records = scenario.train()
    # at the end the network is closer to the eight training targets than the true line is ...
    assert records[-1]["loss"] < 0.6 * line_train
    # ... and further from new points of the same line than the line itself is
    assert records[-1]["test_loss"] > 3 * line_test


def test_check_does_not_call_a_relu_dead_that_another_input_turns_on(capsys):
    # stacked-linear's ReLU on the second hidden unit: off at x = 2 (-2x + 1 = -3), on at x = -2
    assert -2 * 2.0 + 1 < 0 < -2 * -2.0 + 1
    assert _at("stacked-linear", x=-2.0)[0]["with_relu"].data == pytest.approx(3 * 0 + 0.5 * 5 - 1)
    text = _diagnostics(capsys, "stacked-linear")
    assert "input -3.00 ≤ 0" in text and "unless another input turns it on" in text


# ---- MAPE and MBE (seed 003) ------------------------------------------------------------------

@settings(max_examples=50, deadline=None)
@given(st.floats(0.1, 5.0))
def test_mean_bias_error_lets_opposite_errors_cancel_and_measures_bias_not_accuracy(e):
    y = [2.0, 4.0, 5.0, 10.0]
    outputs, _ = _at("mape-and-mbe", p_mbe=[2.0 + e, 4.0 - e, 5.0 + e, 10.0 - e], p_mape=[2.0 + e, 4.0 - e, 5.0 + e, 10.0 - e])
    assert outputs["mbe"].data == pytest.approx(0.0, abs=1e-12)  # errors of any size cancel
    expected_mape = 100 * np.mean(e / np.array(y))
    assert outputs["mape"].data == pytest.approx(expected_mape, rel=1e-12) and expected_mape > 0
    biased, _ = _at("mape-and-mbe", p_mbe=[v + e for v in y])  # every prediction too high by e
    assert biased["mbe"].data == pytest.approx(e, rel=1e-12)


def test_mini_batch_comparison_sets_one_batchs_loss_beside_the_whole_sets(capsys):
    """The last record of a mini-batch run is one batch's loss: 0.0686 beside full batch's 0.1038
    read as if SGD had fitted better; on all 40 samples the two runs end level."""
    scenario = load_scenario("mini-batch-sgd")
    X, Y = (t.data for t in scenario.build().data)
    finals = {}
    for size in (40, 8):
        trainer = scenario.trainer(batch_size=size)
        records = trainer.train()
        W, b = (p.data for p in trainer.built.parameters)
        finals[size] = (records[-1]["loss"], float(np.mean((X @ W + b - Y) ** 2)))  # whole set, by hand
    assert main(["train", "mini-batch-sgd"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip().startswith(("batch 8", "full batch"))}
    assert f"→ {finals[8][0]:.6g} (one batch of 8); after training, on all 40 samples {finals[8][1]:.6g}" \
        in lines["batch"]
    assert f"→ {finals[40][0]:.6g}; after training, on all 40 samples {finals[40][1]:.6g}" in lines["full"]
    assert finals[8][0] < 0.7 * finals[40][0]  # the batch figure alone would mislead ...
    assert finals[8][1] == pytest.approx(finals[40][1], rel=0.01)  # ... the whole set's does not
