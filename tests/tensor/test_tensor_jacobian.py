"""Jacobians for the views: explicit when small (diagonal for element-wise gates), only the size
when large — the lecture's 2048-input sigmoid and its batch of 100 are never built."""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from graphviz_nn import Tensor
from graphviz_nn.tensor import (JacobianTooLarge, is_diagonal, jacobian, jacobian_diagonal, jacobian_shape)
from tensor_fd_helpers import EPS


def numeric_jacobian(build, x):
    """d build(x) / d x by central differences, as an (outputs, inputs) matrix."""
    flat = x.data.reshape(-1)
    cols = []
    for j in range(flat.size):
        v = flat[j]
        flat[j] = v + EPS
        plus = build(x).data.reshape(-1).copy()
        flat[j] = v - EPS
        minus = build(x).data.reshape(-1).copy()
        flat[j] = v
        cols.append((plus - minus) / (2 * EPS))
    return np.stack(cols, axis=1)


def test_lecture_sigmoid_jacobian_sizes_without_building_them():
    tracemalloc.start()
    try:
        single = Tensor(np.zeros(2048)).sigmoid()
        batch = Tensor(np.zeros((100, 2048))).sigmoid()
        assert jacobian_shape(single) == (2048, 2048)
        assert jacobian_shape(batch) == (204_800, 204_800)
        assert is_diagonal(batch)
        with pytest.raises(JacobianTooLarge, match="204,800 × 204,800"):
            jacobian(batch)
        diag = jacobian_diagonal(batch)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert diag.shape == (100, 2048) and np.allclose(diag, 0.25)  # σ'(0) = 1/4
    assert peak < 50 * 2**20  # the dense matrix would need 335 GB


@pytest.mark.parametrize("build", [
    lambda x: x.sigmoid(), lambda x: x.tanh(), lambda x: x.relu(), lambda x: x.exp(), lambda x: x * 3,
    lambda x: x.leaky_relu(0.2), lambda x: x.elu(), lambda x: 1 / x,
], ids=["sigmoid", "tanh", "relu", "exp", "mul_const", "leaky_relu", "elu", "rdiv"])
def test_small_element_wise_jacobians_are_diagonal_and_match_finite_differences(build):
    x = Tensor(np.array([[-1.3, 0.4, 2.2], [0.7, -0.2, 1.1]]))
    node = build(x)
    J = jacobian(node)
    assert J.shape == (6, 6) and is_diagonal(node)
    assert np.count_nonzero(J - np.diag(np.diag(J))) == 0
    np.testing.assert_allclose(J, numeric_jacobian(build, x), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("build,shapes,input", [
    (lambda x, w: x.softmax(), ((2, 3), (3, 2)), 0),
    (lambda x, w: x @ w, ((2, 3), (3, 2)), 0),
    (lambda x, w: x @ w, ((2, 3), (3, 2)), 1),
    (lambda x, w: x.sum(axis=0), ((2, 3), (3, 2)), 0),
    (lambda x, b: x + b, ((2, 3), (3,)), 1),  # a bias: each of its elements reaches a column
    (lambda x, b: x * b, ((2, 3), (2, 3)), 1),  # same shapes: diagonal
], ids=["softmax", "matmul_X", "matmul_W", "sum_axis0", "bias", "mul"])
def test_dense_jacobians_from_the_vjp_match_finite_differences(build, shapes, input):
    rng = np.random.default_rng(3)
    x, w = Tensor(rng.normal(size=shapes[0])), Tensor(rng.normal(size=shapes[1]))
    node = build(x, w)
    J = jacobian(node, input)
    assert J.shape == jacobian_shape(node, input) == (node.size, (x, w)[input].size)
    if input == 0:
        expected = numeric_jacobian(lambda t: build(t, w), x)
    else:
        expected = numeric_jacobian(lambda t: build(x, t), w)
    np.testing.assert_allclose(J, expected, rtol=1e-6, atol=1e-8)
    assert is_diagonal(node, input) == (node.op.name == "mul")


def test_jacobian_requests_that_cannot_be_answered():
    x = Tensor(np.ones(3))
    with pytest.raises(ValueError, match="leaf"):
        jacobian(x)
    with pytest.raises(ValueError, match="input=1"):
        jacobian(x.exp(), 1)
    with pytest.raises(ValueError, match="not diagonal"):
        jacobian_diagonal(x.softmax())
    with pytest.raises(JacobianTooLarge, match="max_size=8"):
        jacobian(x.exp(), max_size=8)
