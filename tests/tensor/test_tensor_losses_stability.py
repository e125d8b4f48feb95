"""Tensor losses: values against the formulas, gradients against finite differences,
softmax / log-softmax / cross-entropy stable at logits of ±1000."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from graphviz_nn import Tensor
from graphviz_nn.tensor import ShapeError
from graphviz_nn import tensor_losses as L
from tensor_fd_helpers import numeric_grad

RNG = np.random.default_rng(7)


def strict():
    """Any floating-point warning or error fails the test."""
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("error")
    return ctx


@pytest.mark.parametrize("logits", [
    [[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0]],
    [[-1000.0, -1000.0, -1000.0], [1000.0, 1000.0, 1000.0]],
    [[3.2, -5.7, 0.6], [0.0, 0.0, 0.0]],
])
def test_softmax_family_is_stable_at_extreme_logits(logits):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            z = Tensor(logits)
            sm, lsm = z.softmax(), z.log_softmax()
            loss = L.cce(z, np.array([0, 2]))
            loss.backward()
    for arr in (sm.data, lsm.data, loss.data, z.grad):
        assert np.all(np.isfinite(arr))
    np.testing.assert_allclose(sm.data.sum(axis=-1), 1.0)
    np.testing.assert_allclose(np.exp(lsm.data), sm.data, atol=1e-300)
    # the gradient of mean CE w.r.t. logits is (softmax - onehot) / n
    onehot = np.eye(3)[[0, 2]]
    np.testing.assert_allclose(z.grad, (sm.data - onehot) / 2, atol=1e-12)


def test_cross_entropy_at_confident_logits_is_exact():
    z = Tensor([[1000.0, -1000.0]])
    assert float(L.cce(z, np.array([0])).data) == 0.0
    assert float(L.cce(z, np.array([1])).data) == 2000.0


def test_lecture_softmax_of_3_2_minus_5_7_0_6():
    # lecture "Neural network: learning": softmax of [3.2, -5.7, 0.6]
    sm = Tensor([3.2, -5.7, 0.6]).softmax().data
    e = np.exp([3.2, -5.7, 0.6])
    np.testing.assert_allclose(sm, e / e.sum())
    assert [float(f"{v:.2g}") for v in sm] == [0.93, 0.00013, 0.069]  # the slide's numbers
    sig = Tensor([3.2, -5.7, 0.6]).sigmoid().data
    assert [float(f"{v:.2g}") for v in sig] == [0.96, 0.0033, 0.65]


def _loss_cases():
    z = RNG.normal(size=(4, 3))
    labels = np.array([2, 0, 1, 1])
    probs = RNG.dirichlet(np.ones(3), size=4)
    y = RNG.normal(size=(4, 3))
    pm = np.sign(RNG.normal(size=(4, 3)))
    t01 = (RNG.random(size=(4, 3)) > 0.5).astype(float)
    p01 = RNG.uniform(0.1, 0.9, size=(4, 3))
    sm = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return [
        ("mse", L.mse, z, y, np.mean((z - y) ** 2)),
        ("mae", L.mae, z, y, np.mean(np.abs(z - y))),
        ("huber", L.huber, 2 * z, y, np.mean(np.where(np.abs(2 * z - y) <= 1, 0.5 * (2 * z - y) ** 2,
                                                      np.abs(2 * z - y) - 0.5))),
        ("bce", L.bce, p01, t01, -np.mean(t01 * np.log(p01) + (1 - t01) * np.log(1 - p01))),
        ("bce_with_logits", L.bce_with_logits, z, t01,
         -np.mean(t01 * np.log(1 / (1 + np.exp(-z))) + (1 - t01) * np.log(1 - 1 / (1 + np.exp(-z))))),
        ("cce_labels", L.cce, z, labels, -np.mean(np.log(sm[np.arange(4), labels]))),
        ("cce_probs", L.cce, z, probs, -np.mean(np.sum(probs * np.log(sm), axis=1))),
        ("nll", lambda p, t: L.nll(p.softmax(), t), z, labels, -np.mean(np.log(sm[np.arange(4), labels]))),
        ("nll_probs", L.nll, p01, probs, -np.mean(np.sum(probs * np.log(p01), axis=1))),
        ("squared_hinge", L.squared_hinge, z, pm, np.mean(np.maximum(0, 1 - pm * z) ** 2)),
        ("hinge", L.hinge, z, pm, np.mean(np.maximum(0, 1 - pm * z))),
        ("multiclass_hinge", L.multiclass_hinge, z, labels,
         np.mean([max(0.0, 1 + max(z[i, j] for j in range(3) if j != labels[i]) - z[i, labels[i]])
                  for i in range(4)])),
    ]


@pytest.mark.parametrize("name,loss,pred,target,expected", _loss_cases(), ids=[c[0] for c in _loss_cases()])
def test_loss_value_and_gradient(name, loss, pred, target, expected):
    p = Tensor(pred)
    out = loss(p, target)
    assert out.shape == ()
    assert float(out.data) == pytest.approx(expected, rel=1e-12)
    out.backward()
    np.testing.assert_allclose(p.grad, numeric_grad(lambda: loss(p, target), p), rtol=1e-5, atol=1e-7)


def test_single_vector_cross_entropy_and_sum_reduction():
    z = Tensor([2.0, 1.0, 0.1])
    expected = -math.log(math.exp(2.0) / sum(math.exp(v) for v in (2.0, 1.0, 0.1)))
    assert float(L.cce(z, 0).data) == pytest.approx(expected)
    zz = Tensor(np.array([[2.0, 1.0, 0.1]] * 3))
    assert float(L.cce(zz, [0, 0, 0], reduction="sum").data) == pytest.approx(3 * expected)


def test_regularisers():
    w1, w2 = Tensor([[1.0, -2.0]]), Tensor([3.0])
    r1 = L.l1([w1, w2]) * 0.5
    r2 = L.l2([w1, w2]) * 0.1
    assert float(r1.data) == pytest.approx(3.0) and float(r2.data) == pytest.approx(1.4)
    assert float(L.l2(w2).data) == 9.0
    (r1 + r2).backward()
    np.testing.assert_allclose(w1.grad, [[0.5 + 0.2, -0.5 - 0.4]])
    np.testing.assert_allclose(w2.grad, [0.5 + 0.6])


def test_loss_input_errors_are_clear():
    p = Tensor(np.zeros((4, 1)))
    with pytest.raises(ShapeError, match=r"\(4, 1\).*\(4,\)"):
        L.mse(p, np.zeros(4))  # would silently broadcast to (4, 4)
    with pytest.raises(ShapeError, match="labels of shape"):
        L.cce(Tensor(np.zeros((4, 3))), np.array([0, 1]))
    with pytest.raises(ValueError, match="outside 0..2"):
        L.cce(Tensor(np.zeros((2, 3))), np.array([0, 3]))
    with pytest.raises(TypeError, match="Tensor"):
        L.mse(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="reduction"):
        L.mse(Tensor([1.0]), [1.0], reduction="max")


def test_labels_and_probabilities_may_come_as_tensors():
    z = Tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3]])
    by_array = float(L.cce(z, np.array([0, 2])).data)
    assert float(L.cce(z, Tensor([0, 2])).data) == by_array
    assert float(L.cce(z, Tensor(np.eye(3)[[0, 2]], requires_grad=False)).data) == pytest.approx(by_array)
    assert float(L.nll(z.softmax(), Tensor([0, 2])).data) == pytest.approx(by_array)
