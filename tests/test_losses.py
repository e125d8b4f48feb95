"""Losses on Values: the slides' numbers, derivatives against central differences, conventions."""

import pytest
from hypothesis import given, settings, strategies as st

from graphviz_nn import Value, bce, cce, hinge, huber, l1, l2, mae, mse, multiclass_hinge, nll, softmax, squared_hinge
from graphviz_nn.losses import LossError

A_L = [0.55, 0.02, 0.01, 0.03, 0.01, 0.05, 0.17, 0.01, 0.06, 0.09]
A_L2 = [0.55, 0.002, 0.001, 0.003, 0.001, 0.04, 0.37, 0.001, 0.012, 0.02]


def values(xs):
    return [Value(x) for x in xs]


def test_softmax_and_sigmoid_of_the_slide_scores():
    probs = [p.data for p in softmax(values([3.2, -5.7, 0.6]))]
    assert probs == pytest.approx([0.9307, 0.000127, 0.0691], abs=5e-5)
    assert probs[1] == pytest.approx(0.000127, rel=5e-3)
    assert sum(probs) == pytest.approx(1.0)
    sig = [Value(z).sigmoid().data for z in [3.2, -5.7, 0.6]]
    assert sig == pytest.approx([0.9608, 0.00333, 0.6457], abs=5e-5)


def test_cross_entropy_and_log_likelihood_of_the_slide():
    y = [1] + [0] * 9
    assert bce(values(A_L), y).data == pytest.approx(1.0725, abs=5e-5)
    assert nll(values(A_L), 0).data == pytest.approx(0.5978, abs=5e-5)
    assert nll(values(A_L), y).data == pytest.approx(0.5978, abs=5e-5)
    assert bce(values(A_L2), y).data == pytest.approx(1.1410, abs=5e-5)
    assert nll(values(A_L2), 0).data == pytest.approx(0.5978, abs=5e-5)


def test_cce_is_nll_of_softmax_and_stable_for_huge_logits():
    z = [3.2, -5.7, 0.6]
    assert cce(values(z), 2).data == pytest.approx(nll(softmax(values(z)), 2).data)
    assert cce(values([1000.0, -1000.0, 0.0]), 0).data == pytest.approx(0.0, abs=1e-12)
    assert cce(values([1000.0, -1000.0]), 1).data == pytest.approx(2000.0)
    soft = [0.2, 0.5, 0.3]
    expected = sum(w * nll(softmax(values(z)), [1.0 if k == i else 0.0 for k in range(3)]).data
                   for i, w in enumerate(soft))
    assert cce(values(z), soft).data == pytest.approx(expected)


def test_regression_losses_follow_the_slide_formulas_and_average_lists():
    assert mse(Value(3.0), 1.0).data == 4.0
    assert mse(values([3.0, 0.0]), [1.0, 0.0]).data == 2.0
    assert mse(values([3.0, 0.0]), [1.0, 0.0], reduction="sum").data == 4.0
    assert mae(values([3.0, -1.0]), [1.0, 0.0]).data == 1.5
    assert huber(Value(1.5), 1.0, delta=2.0).data == pytest.approx(0.125)
    assert huber(Value(5.0), 1.0, delta=1.0).data == pytest.approx(1.0 * 4.0 - 0.5)


def test_hinge_losses():
    assert hinge(Value(0.3), 1).data == pytest.approx(0.7)
    assert hinge(Value(2.0), 1).data == 0.0
    assert squared_hinge(Value(-0.5), 1).data == pytest.approx(2.25)
    assert multiclass_hinge(values([1.0, 3.0, 2.5]), 0).data == pytest.approx(3.0)
    assert multiclass_hinge(values([5.0, 3.0, 2.5]), [1, 0, 0]).data == 0.0


def test_hinge_gradient_is_zero_at_the_kink():
    f = Value(1.0)
    loss = hinge(f, 1)
    loss.backward()
    assert loss.data == 0.0 and f.grad == 0.0


def test_regularisers_are_plain_sums():
    ws = values([1.0, -2.0, 0.5])
    assert l1(ws).data == 3.5
    assert l2(ws).data == 5.25


def test_bad_inputs_raise_one_sentence_user_errors():
    with pytest.raises(LossError, match="labels -1 or 1"):
        hinge(Value(0.2), 0)
    with pytest.raises(LossError, match="2 target"):
        mse(values([1.0]), [1.0, 2.0])
    with pytest.raises(LossError, match="out of range"):
        nll(values([0.5, 0.5]), 2)
    with pytest.raises(LossError, match="between 0 and 1"):
        bce(Value(0.5), 2.0)


def _fd_check(loss_fn, xs, eps=1e-6):
    vs = values(xs)
    loss = loss_fn(vs)
    loss.backward()
    for i, v in enumerate(vs):
        up = list(xs); up[i] += eps
        dn = list(xs); dn[i] -= eps
        numeric = (loss_fn(values(up)).data - loss_fn(values(dn)).data) / (2 * eps)
        assert v.grad == pytest.approx(numeric, rel=1e-4, abs=1e-6)


probs = st.lists(st.floats(0.05, 0.95), min_size=2, max_size=5)
reals = st.lists(st.floats(-3, 3), min_size=2, max_size=5)


@settings(max_examples=25, deadline=None)
@given(reals, st.integers(0, 10))
def test_gradients_of_every_loss_against_central_differences(zs, cls):
    target = [0.5 * k for k in range(len(zs))]
    cls = cls % len(zs)
    _fd_check(lambda v: mse(v, target), zs)
    _fd_check(lambda v: cce(v, cls), zs)
    _fd_check(lambda v: l2(v), zs)
    _fd_check(lambda v: nll(softmax(v), cls), zs)
    # keep the kinks of |r|, relu and max away from the points we difference at
    if all(abs(z - t) > 1e-3 for z, t in zip(zs, target)):
        _fd_check(lambda v: mae(v, target), zs)
        _fd_check(lambda v: huber(v, target, delta=1.0), zs)
        if all(abs(z) > 1e-3 for z in zs):
            _fd_check(lambda v: l1(v), zs)
    signs = [1 if k % 2 else -1 for k in range(len(zs))]
    if all(abs(1 - y * z) > 1e-3 for y, z in zip(signs, zs)):
        _fd_check(lambda v: hinge(v, signs), zs)
        _fd_check(lambda v: squared_hinge(v, signs), zs)
    others = sorted(zs[k] for k in range(len(zs)) if k != cls)
    if len(others) < 2 or others[-1] - others[-2] > 1e-3:
        if abs(1 + others[-1] - zs[cls]) > 1e-3:
            _fd_check(lambda v: multiclass_hinge(v, cls), zs)


@settings(max_examples=25, deadline=None)
@given(probs)
def test_probability_losses_against_central_differences(ps):
    ys = [1.0 if k == 0 else 0.0 for k in range(len(ps))]
    _fd_check(lambda v: bce(v, ys), ps)
    _fd_check(lambda v: nll(v, ys), ps)


@settings(max_examples=30, deadline=None)
@given(reals)
def test_softmax_is_a_distribution_and_shift_invariant(zs):
    p = [v.data for v in softmax(values(zs))]
    q = [v.data for v in softmax(values([z + 100.0 for z in zs]))]
    assert sum(p) == pytest.approx(1.0) and all(x > 0 for x in p)
    assert p == pytest.approx(q)


def test_nll_of_log_probabilities_is_refused_and_points_to_cce():
    z = values([1.0, 2.0, -1.0])
    log_p = [p.log() for p in softmax(z)]
    with pytest.raises(LossError, match=r"nll expects probabilities in \[0, 1\] but a prediction is -3.349 .*cce\(logits, y\)"):
        nll(log_p, 1)
    with pytest.raises(LossError, match=r"probabilities in \[0, 1\] but a prediction is 2"):
        nll(values([2.0, 0.5]), 0)
    # a softmax that overshoots 1 by a rounding error is still a probability
    assert nll(values([1.0 + 1e-15, 0.0]), 0).data == pytest.approx(0.0, abs=1e-12)


def test_tensor_nll_of_log_softmax_is_refused_too():
    import numpy as np
    from graphviz_nn import Tensor
    z = Tensor(np.array([[1.0, 2.0, -1.0]]))
    with pytest.raises(LossError, match=r"probabilities in \[0, 1\].*cce\(logits, y\)"):
        nll(z.log_softmax(axis=-1), np.array([1]))
    assert nll(z.softmax(axis=-1), np.array([1])).data == pytest.approx(cce(z, np.array([1])).data, rel=1e-12)
