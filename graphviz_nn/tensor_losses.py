"""Losses and regularisers on Tensors, built from rule-table gates so every step is visible.

Each loss is ``loss(prediction, target, ...)`` and returns a one-element Tensor (the mean
over the batch unless ``reduction="sum"``); the names and meanings follow
``graphviz_nn.losses``, which hands Tensor predictions to this module. ``l1`` and ``l2``
are the regularisers Σ|w| and Σw² over weights. ``cce`` takes logits and is stable for any
finite logits (log-softmax shifts by the maximum)::

    >>> import numpy as np
    >>> from graphviz_nn import Tensor
    >>> from graphviz_nn.tensor_losses import cce
    >>> loss = cce(Tensor([[1000.0, -1000.0]]), np.array([1]))
    >>> float(loss.data)
    2000.0
"""
from __future__ import annotations

import numpy as np

from .loss_checks import check_probabilities
from .tensor import ShapeError, Tensor, as_array

REDUCTIONS = ("mean", "sum")


def _pred(x, where: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{where} needs the prediction as a Tensor, got {type(x).__name__}; "
                        f"wrap data with Tensor(...)")
    return x


def _target(target, pred: Tensor, where: str):
    """The target as a constant (array) or a Tensor, of exactly the prediction's shape."""
    t = target if isinstance(target, Tensor) else as_array(target, f"{where} target")
    shape = t.shape
    if shape != pred.shape:
        # (n, 1) against (n,) would broadcast to (n, n): a silent, classic bug
        raise ShapeError(f"{where} got prediction of shape {pred.shape} and target of shape {shape}; "
                         f"they must match (reshape the target, e.g. y.reshape(-1, 1))")
    return t


def _reduce(x: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return x.mean()
    if reduction == "sum":
        return x.sum()
    raise ValueError(f"reduction={reduction!r} is not one of {', '.join(REDUCTIONS)}")


def mse(prediction, target, reduction: str = "mean") -> Tensor:
    """Mean squared error: mean (p - t)²."""
    p = _pred(prediction, "mse")
    return _reduce((p - _target(target, p, "mse")) ** 2, reduction)


def mae(prediction, target, reduction: str = "mean") -> Tensor:
    """Mean absolute error: mean |p - t| (the L1 loss)."""
    p = _pred(prediction, "mae")
    return _reduce((p - _target(target, p, "mae")).abs(), reduction)


def huber(prediction, target, delta: float = 1.0, reduction: str = "mean") -> Tensor:
    """Huber loss: ½r² for |r| ≤ δ, δ(|r| - ½δ) beyond, written as ½q² + δ(|r| - q), q = min(|r|, δ)."""
    p = _pred(prediction, "huber")
    r = (p - _target(target, p, "huber")).abs()
    q = -((-r).maximum(-float(delta)))  # min(|r|, δ) with the one max gate
    return _reduce(q * q * 0.5 + (r - q) * float(delta), reduction)


def bce(prediction, target, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy from probabilities: mean -(t log p + (1 - t) log(1 - p)).

    A probability of exactly 0 or 1 on the wrong side gives inf (shown, not hidden); from
    raw scores use ``bce_with_logits``, which is stable.
    """
    p = _pred(prediction, "bce")
    t = _target(target, p, "bce")
    return _reduce(-(p.log() * t + (1 - p).log() * (1 - t)), reduction)


def bce_with_logits(logits, target, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy from scores z: max(z, 0) - z·t + log(1 + e^-|z|), stable for any z."""
    z = _pred(logits, "bce_with_logits")
    t = _target(target, z, "bce_with_logits")
    return _reduce(z.relu() - z * t + ((-z.abs()).exp() + 1).log(), reduction)


def cce(logits, target, reduction: str = "mean") -> Tensor:
    """Categorical cross-entropy from logits: mean -log softmax(z)[label].

    ``target`` is class labels (integers, shape ``(n,)`` for logits ``(n, classes)``, or one
    integer for a single vector of logits) or probabilities of the logits' shape.
    """
    z = _pred(logits, "cce")
    return _log_likelihood_loss(z.log_softmax(axis=-1), target, reduction, "cce")


def nll(probabilities, target, reduction: str = "mean") -> Tensor:
    """Log-likelihood cost of probabilities (e.g. a softmax output): mean over the batch of
    -Σ y_k ln p_k, with ``target`` class labels or one-hot / soft vectors of the same shape."""
    p = _pred(probabilities, "nll")
    finite = p.data[~np.isnan(p.data)]
    if finite.size:
        check_probabilities(float(finite.min()), float(finite.max()))
    return _log_likelihood_loss(p.log(), target, reduction, "nll")


def _log_likelihood_loss(logp: Tensor, target, reduction: str, name: str) -> Tensor:
    """-Σ y_k log p_k for soft or one-hot targets of logp's shape, else -log p[label]."""
    if _ndim(target) == logp.ndim:  # probabilities (or one-hot) like the predictions; else class labels
        t = _target(target, logp, name)
        return _reduce(-(logp * t).sum(axis=-1) if logp.ndim > 1 else -(logp * t).sum(), reduction)
    labels = _labels(target, logp, name)
    picked = logp[np.arange(logp.shape[0]), labels] if logp.ndim == 2 else logp[int(labels)]
    return -_reduce(picked, reduction)


def hinge(scores, target, reduction: str = "mean") -> Tensor:
    """Binary hinge loss with labels ±1: mean max(0, 1 - t·s)."""
    s = _pred(scores, "hinge")
    t = _target(target, s, "hinge")
    return _reduce((1 - s * t).relu(), reduction)


def squared_hinge(scores, target, reduction: str = "mean") -> Tensor:
    """Squared hinge loss with labels ±1: mean max(0, 1 - t·s)²."""
    s = _pred(scores, "squared_hinge")
    t = _target(target, s, "squared_hinge")
    return _reduce((1 - s * t).relu() ** 2, reduction)


def multiclass_hinge(scores, target, reduction: str = "mean") -> Tensor:
    """The slide's multiclass hinge, max(0, 1 + max_{t≠y} s_t - s_y), per sample; integer labels."""
    s = _pred(scores, "multiclass_hinge")
    if s.ndim != 2 or s.shape[1] < 2:
        raise ShapeError(f"multiclass_hinge needs scores of shape (n, classes ≥ 2), got {s.shape}")
    labels = _labels(target, s, "multiclass_hinge")
    rows = np.arange(s.shape[0])
    hide = np.zeros(s.shape)
    hide[rows, labels] = -np.inf  # the correct class drops out of the max over t ≠ y
    best_other = (s + hide).max(axis=1)
    return _reduce((best_other - s[rows, labels] + 1.0).relu(), reduction)


def l1(weights) -> Tensor:
    """The L1 regulariser Σ |w| over a Tensor or a list of them (no λ: multiply it yourself)."""
    return _penalty(weights, lambda w: w.abs().sum(), "l1")


def l2(weights) -> Tensor:
    """The L2 regulariser Σ w² over a Tensor or a list of them (no ½, no λ: multiply it yourself)."""
    return _penalty(weights, lambda w: (w * w).sum(), "l2")


def _penalty(weights, term, where: str) -> Tensor:
    params = [weights] if isinstance(weights, Tensor) else list(weights)
    if not params:
        raise ValueError(f"{where} needs at least one weight, e.g. {where}(model.parameters())")
    total = None
    for w in params:
        t = term(_pred(w, where))
        total = t if total is None else total + t  # a chain: every op has at most two inputs
    return total


def _labels(target, pred: Tensor, where: str) -> np.ndarray:
    labels = target.data if isinstance(target, Tensor) else np.asarray(target)
    if labels.dtype.kind == "f" and np.all(labels == np.round(labels)):
        labels = labels.astype(np.intp)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{where} needs integer class labels, got dtype {labels.dtype}")
    rows = pred.shape[0] if pred.ndim == 2 else None
    if pred.ndim not in (1, 2):
        raise ShapeError(f"{where} needs logits of shape (classes,) or (n, classes), got {pred.shape}")
    if (rows is None and labels.ndim != 0) or (rows is not None and labels.shape != (rows,)):
        want = "one integer" if rows is None else f"shape ({rows},)"
        raise ShapeError(f"{where} got labels of shape {labels.shape} for logits of shape {pred.shape}; "
                         f"it needs {want}")
    classes = pred.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"{where} got a label outside 0..{classes - 1} (the logits have {classes} classes)")
    return labels


def _ndim(target) -> int:
    return target.ndim if isinstance(target, Tensor) else np.ndim(target)
