"""Small generated datasets for training demos: seeded numpy, nothing downloaded.

Classification sets return ``(X, y)`` with X of shape (n, 2) and integer labels y of shape
(n,); ``make_line`` returns y of shape (n, 1) for regression. The same seed gives the same
numbers::

    >>> from graphviz_nn.datasets import make_moons
    >>> X, y = make_moons(100, noise=0.1, seed=0)
    >>> X.shape, y.shape, sorted(set(y.tolist()))
    ((100, 2), (100,), [0, 1])
"""
from __future__ import annotations

import math

import numpy as np

DATASETS = ("moons", "circles", "xor", "spirals", "line")


def _check(n: int, noise: float, where: str) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{where}(n={n!r}) needs a positive whole number of samples")
    if not noise >= 0:
        raise ValueError(f"{where}(noise={noise!r}) needs a noise level >= 0")


def _shuffled(rng, X, y):
    order = rng.permutation(len(X))
    return X[order], y[order]


def make_moons(n: int = 100, noise: float = 0.1, seed: int | None = 0):
    """Two interleaving half circles (label 0 on top, 1 below), with Gaussian noise."""
    _check(n, noise, "make_moons")
    rng = np.random.default_rng(seed)
    n_top = n // 2 + n % 2
    t_top = np.linspace(0, math.pi, n_top)
    t_bottom = np.linspace(0, math.pi, n - n_top)
    top = np.column_stack([np.cos(t_top), np.sin(t_top)])
    bottom = np.column_stack([1 - np.cos(t_bottom), 0.5 - np.sin(t_bottom)])
    X = np.vstack([top, bottom]) + rng.normal(scale=noise, size=(n, 2))
    y = np.concatenate([np.zeros(n_top, dtype=np.int64), np.ones(n - n_top, dtype=np.int64)])
    return _shuffled(rng, X, y)


def make_circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int | None = 0):
    """A circle of radius 1 (label 0) around one of radius ``factor`` (label 1)."""
    _check(n, noise, "make_circles")
    if not 0 < factor < 1:
        raise ValueError(f"make_circles(factor={factor!r}) needs 0 < factor < 1 (the inner radius)")
    rng = np.random.default_rng(seed)
    n_out = n // 2 + n % 2
    t_out = np.linspace(0, 2 * math.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * math.pi, n - n_out, endpoint=False)
    outer = np.column_stack([np.cos(t_out), np.sin(t_out)])
    inner = factor * np.column_stack([np.cos(t_in), np.sin(t_in)])
    X = np.vstack([outer, inner]) + rng.normal(scale=noise, size=(n, 2))
    y = np.concatenate([np.zeros(n_out, dtype=np.int64), np.ones(n - n_out, dtype=np.int64)])
    return _shuffled(rng, X, y)


def make_xor(n: int = 100, noise: float = 0.0, seed: int | None = 0):
    """Points uniform in the square [-1, 1]²; label 1 where the two coordinates differ in sign.

    ``noise`` jitters the points after labelling, so some cross the axes.
    """
    _check(n, noise, "make_xor")
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(np.int64)
    return X + rng.normal(scale=noise, size=(n, 2)) if noise else X, y


def make_spirals(n: int = 100, classes: int = 2, noise: float = 0.2, seed: int | None = 0):
    """``classes`` spiral arms from the origin (the CS231n spiral), labels 0..classes-1."""
    _check(n, noise, "make_spirals")
    if isinstance(classes, bool) or not isinstance(classes, (int, np.integer)) or classes < 2:
        raise ValueError(f"make_spirals(classes={classes!r}) needs at least 2 classes")
    rng = np.random.default_rng(seed)
    sizes = [n // classes + (1 if j < n % classes else 0) for j in range(classes)]
    parts, labels = [], []
    for j, m in enumerate(sizes):
        r = np.linspace(0.0, 1.0, m)
        t = np.linspace(j * 4.0, (j + 1) * 4.0, m) + rng.normal(scale=noise, size=m)
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        labels.append(np.full(m, j, dtype=np.int64))
    return _shuffled(rng, np.vstack(parts), np.concatenate(labels))


def make_line(n: int = 100, slope: float = 2.0, intercept: float = -1.0, noise: float = 0.1,
              seed: int | None = 0):
    """Regression: x uniform in [-1, 1], y = slope·x + intercept + Gaussian noise; shapes (n, 1)."""
    _check(n, noise, "make_line")
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 1))
    return x, slope * x + intercept + rng.normal(scale=noise, size=(n, 1))


def signed(y) -> np.ndarray:
    """Labels 0/1 as -1/+1 (for the hinge loss)."""
    return 2.0 * np.asarray(y, dtype=np.float64) - 1.0


def minibatches(X, y, batch_size: int, seed: int | None = None, shuffle: bool = True):
    """Yield ``(X_batch, y_batch)`` covering every sample once; shuffled by ``seed`` if asked."""
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"minibatches got {len(X)} inputs but {len(y)} targets; they must match")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"minibatches(batch_size={batch_size!r}) needs a positive whole number")
    order = np.random.default_rng(seed).permutation(len(X)) if shuffle else np.arange(len(X))
    for start in range(0, len(X), batch_size):
        pick = order[start:start + batch_size]
        yield X[pick], y[pick]


def load(name: str, n: int = 100, seed: int | None = 0, **options):
    """A dataset by name (``moons``, ``circles``, ``xor``, ``spirals``, ``line``)."""
    makers = {"moons": make_moons, "circles": make_circles, "xor": make_xor, "spirals": make_spirals,
              "line": make_line}
    if name not in makers:
        raise ValueError(f"unknown dataset {name!r}; expected one of {', '.join(DATASETS)}")
    return makers[name](n, seed=seed, **options)
