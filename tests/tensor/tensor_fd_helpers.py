"""Central finite differences for tensor graphs (helpers for tests/tensor; no tests here)."""
from __future__ import annotations

import numpy as np

from graphviz_nn.graph import reachable

EPS = 1e-6


def weighted_loss(out, weights):
    """Σ out ⊙ weights: a scalar whose upstream gradient is ``weights`` (not all ones)."""
    return (out * weights).sum()


def numeric_grad(fn, leaf, eps: float = EPS) -> np.ndarray:
    """d fn() / d leaf.data, one element at a time, by central differences."""
    grad = np.zeros(leaf.data.shape)
    flat = leaf.data.reshape(-1)  # a view: nudging it nudges the leaf
    for j in range(flat.size):
        x = flat[j]
        flat[j] = x + eps
        plus = float(fn().data)
        flat[j] = x - eps
        minus = float(fn().data)
        flat[j] = x
        grad.reshape(-1)[j] = (plus - minus) / (2 * eps)
    return grad


def check_vjp(build, leaves, seed: int = 0, rtol: float = 1e-5, atol: float = 1e-7):
    """Backprop through ``build(*leaves)`` against finite differences for every leaf element.

    Also asserts the contract every node keeps: its gradient has its value's shape.
    """
    probe = build(*leaves)
    weights = np.random.default_rng(seed).normal(size=probe.shape)

    def loss():
        return weighted_loss(build(*leaves), weights)

    for leaf in leaves:
        leaf.zero_grad()
    out = loss()
    out.backward()
    for node in reachable(out):
        assert node.grad.shape == node.data.shape, f"{node.op and node.op.name}: grad {node.grad.shape} vs value {node.data.shape}"
    for leaf in leaves:
        expected = numeric_grad(loss, leaf)
        np.testing.assert_allclose(leaf.grad, expected, rtol=rtol, atol=atol)
    return out
