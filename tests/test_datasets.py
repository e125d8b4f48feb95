"""Generated datasets: shapes, labels, determinism under a seed, and the geometry each promises."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphviz_nn import datasets as D


@pytest.mark.parametrize("name", ["moons", "circles", "xor", "spirals"])
def test_classification_sets_have_shapes_labels_and_repeat_under_a_seed(name):
    X, y = D.load(name, 101, seed=3)
    assert X.shape == (101, 2) and y.shape == (101,) and X.dtype == np.float64
    assert y.dtype.kind == "i" and set(y.tolist()) == {0, 1}
    X2, y2 = D.load(name, 101, seed=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    X3, _ = D.load(name, 101, seed=4)
    assert not np.array_equal(X, X3)


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = D.make_moons(50, noise=0.0, seed=0)
    top, bottom = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(top[:, 0], top[:, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(bottom[:, 0] - 1, bottom[:, 1] - 0.5), 1.0)
    assert top[:, 1].min() >= -1e-12 and bottom[:, 1].max() <= 0.5 + 1e-12
    assert len(top) == 25 and len(bottom) == 25


def test_circles_radii():
    X, y = D.make_circles(40, noise=0.0, factor=0.3, seed=1)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)


def test_xor_labels_follow_the_signs():
    X, y = D.make_xor(200, seed=2)
    assert np.array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))
    assert np.abs(X).max() <= 1.0


def test_spirals_with_three_arms():
    X, y = D.make_spirals(90, classes=3, seed=0)
    assert np.bincount(y).tolist() == [30, 30, 30]
    assert np.hypot(X[:, 0], X[:, 1]).max() <= 1.0 + 1e-12


def test_noiseless_line_is_the_line():
    x, y = D.make_line(30, slope=-0.5, intercept=2.0, noise=0.0, seed=0)
    assert x.shape == (30, 1) and y.shape == (30, 1)
    np.testing.assert_allclose(y, -0.5 * x + 2.0)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 60), batch=st.integers(1, 20), seed=st.integers(0, 100))
def test_minibatches_cover_every_sample_once(n, batch, seed):
    X = np.arange(n * 2, dtype=float).reshape(n, 2)
    y = np.arange(n)
    batches = list(D.minibatches(X, y, batch, seed=seed))
    assert len(batches) == -(-n // batch)
    seen = np.concatenate([yb for _, yb in batches])
    assert sorted(seen.tolist()) == list(range(n))
    for Xb, yb in batches:
        assert np.array_equal(Xb[:, 0], 2 * yb)  # inputs stay paired with their targets


def test_signed_labels():
    assert D.signed([0, 1, 1]).tolist() == [-1.0, 1.0, 1.0]


@pytest.mark.parametrize("call,match", [
    (lambda: D.make_moons(0), "positive"),
    (lambda: D.make_moons(10, noise=-1), "noise"),
    (lambda: D.make_circles(10, factor=1.5), "factor"),
    (lambda: D.make_spirals(10, classes=1), "classes"),
    (lambda: D.load("mnist"), "unknown dataset"),
    (lambda: list(D.minibatches(np.zeros((3, 2)), np.zeros(2), 2)), "must match"),
    (lambda: list(D.minibatches(np.zeros((3, 2)), np.zeros(3), 0)), "batch_size"),
])
def test_bad_arguments_say_what_to_fix(call, match):
    with pytest.raises(ValueError, match=match):
        call()
