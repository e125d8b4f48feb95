"""Losses and regularisers built from rule-table gates, so the debugger can step through them.

Always called ``loss(prediction, target, ...)``; ``prediction`` is a ``Value`` or a list of
``Value`` (one sample; plain numbers are accepted as constants), ``target`` a number, a list
of numbers, or for the classification losses a class index.

Conventions (following the slides, ``seeds/000`` and ``seeds/001``):

- ``mse``, ``mae``, ``huber``, ``hinge``, ``squared_hinge``: the per-element loss of the
  lecture (``(y - f(x))²``, ``|y - f(x)|``, ...), averaged over the elements of a list
  (``reduction="sum"`` adds them instead). On one Value both are the plain per-sample loss.
- ``bce(p, y)``: probabilities in, ``-(y ln p + (1 - y) ln(1 - p))`` *summed* over the
  components, as the slide's C_CE sums over k (the a^L example gives 1.0725).
- ``nll(p, y)``: probabilities in, ``-Σ y_k ln p_k`` (the log-likelihood cost; 0.5978).
- ``cce(logits, y)``: ``nll(softmax(logits), y)`` computed stably as
  ``Σ y_k (logsumexp(z) - z_k)``; ``y`` is a class index, a one-hot or a soft vector.
- ``softmax(logits)``: a list of Values (shifted by the largest logit, which changes nothing).
- ``hinge`` takes labels in {-1, 1}; its gradient at the kink is 0, as the slide decides.
- ``multiclass_hinge(scores, y)``: the slide's ``max(0, 1 + max_{t≠y} f_t - f_y)``.
- ``l1(weights) = Σ|w|`` and ``l2(weights) = Σ w²``: plain sums with no ½ and no λ;
  multiply by your λ (``loss + 1e-3 * l2(model.parameters())``).

Tensor predictions are handed to ``graphviz_nn.tensor_losses`` (same names, batch means)
by ``_tensor_rule`` at the top of each loss.
"""
from __future__ import annotations

import numbers

from .loss_checks import LossError, check_probabilities
from .value import Value, maximum

REDUCTIONS = ("mean", "sum")




def _is_tensor(x) -> bool:
    # a Tensor node implements a vector-Jacobian product; a Value does not
    return hasattr(x, "_vjp") or (isinstance(x, (list, tuple)) and bool(x) and hasattr(x[0], "_vjp"))


def _tensor_rule(name: str):
    """The Tensor version of a loss, from ``graphviz_nn.tensor_losses`` (imported only when needed)."""
    from . import tensor_losses
    rule = getattr(tensor_losses, name, None)
    if rule is None:
        raise LossError(f"{name} has no Tensor version yet; use graphviz_nn.tensor_losses or a list of Values")
    return rule


def _values(prediction, where: str) -> list:
    items = list(prediction) if isinstance(prediction, (list, tuple)) else [prediction]
    if not items:
        raise LossError(f"{where} got an empty prediction; pass a Value or a non-empty list of Values")
    out = []
    for p in items:
        if isinstance(p, Value):
            out.append(p)
        elif isinstance(p, numbers.Real):
            out.append(Value(float(p)))
        else:
            raise LossError(f"{where} needs Values or numbers as prediction, got {type(p).__name__}")
    return out


def _targets(target, n: int, where: str) -> list:
    items = list(target) if isinstance(target, (list, tuple)) else [target]
    if len(items) != n:
        raise LossError(f"{where} got {n} prediction(s) but {len(items)} target(s); give one target per prediction")
    for t in items:
        if not isinstance(t, (numbers.Real, Value)):
            raise LossError(f"{where} needs numbers as targets, got {type(t).__name__}")
    return [t if isinstance(t, Value) else float(t) for t in items]


def _minus(p, y):
    """p - y, with no identity gate for a constant target of 0 (the docs: identities add no gate)."""
    return p if not isinstance(y, Value) and y == 0 else p - y


def _scaled(x, c):
    """x · c, with no identity gate for a constant factor of 1."""
    return x if not isinstance(c, Value) and c == 1 else x * c


def _reduce(terms: list, reduction: str, where: str):
    if reduction not in REDUCTIONS:
        raise LossError(f"{where}: reduction={reduction!r} is not one of mean, sum")
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total if reduction == "sum" or len(terms) == 1 else total * (1.0 / len(terms))


def _class_weights(target, n: int, where: str) -> list:
    """A class index as one-hot, or a one-hot/soft vector as floats."""
    if isinstance(target, numbers.Integral) and not isinstance(target, bool):
        if not 0 <= target < n:
            raise LossError(f"{where}: class index {target} is out of range for {n} classes (0 to {n - 1})")
        return [1.0 if k == target else 0.0 for k in range(n)]
    if isinstance(target, (list, tuple)) and len(target) == n:
        return [float(t) for t in target]
    raise LossError(f"{where} needs a class index 0..{n - 1} or a vector of {n} class weights as target")


def mse(prediction, target, reduction: str = "mean"):
    """Mean squared error (L2 loss): (y - f(x))², averaged over the elements of a list."""
    if _is_tensor(prediction):
        return _tensor_rule("mse")(prediction, target, reduction=reduction)
    ps = _values(prediction, "mse")
    ys = _targets(target, len(ps), "mse")
    return _reduce([_minus(p, y) ** 2 for p, y in zip(ps, ys)], reduction, "mse")


def mae(prediction, target, reduction: str = "mean"):
    """Mean absolute error (L1 loss): |y - f(x)|, averaged over the elements of a list."""
    if _is_tensor(prediction):
        return _tensor_rule("mae")(prediction, target, reduction=reduction)
    ps = _values(prediction, "mae")
    ys = _targets(target, len(ps), "mae")
    return _reduce([_minus(p, y).abs() for p, y in zip(ps, ys)], reduction, "mae")


def huber(prediction, target, delta: float = 1.0, reduction: str = "mean"):
    """Huber loss: ½r² where |r| ≤ δ, δ|r| - ½δ² beyond (r = y - f(x)); the branch is chosen per element."""
    if _is_tensor(prediction):
        return _tensor_rule("huber")(prediction, target, delta=delta, reduction=reduction)
    if not delta > 0:
        raise LossError(f"huber needs delta > 0, got {delta}")
    ps = _values(prediction, "huber")
    ys = _targets(target, len(ps), "huber")
    terms = []
    for p, y in zip(ps, ys):
        r = _minus(p, y)
        terms.append(0.5 * r ** 2 if abs(r.data) <= delta else _scaled(r.abs(), delta) + (-0.5 * delta * delta))
    return _reduce(terms, reduction, "huber")


def _signs(target, n: int, where: str) -> list:
    ys = _targets(target, n, where)
    for y in ys:
        v = y.data if isinstance(y, Value) else y
        if v not in (-1.0, 1.0):
            raise LossError(f"{where} needs labels -1 or 1, got {v:g}; map class 0 to -1 (y = 2*y - 1)")
    return [y.data if isinstance(y, Value) else y for y in ys]


def hinge(prediction, target, reduction: str = "mean"):
    """Hinge loss max(0, 1 - y·f(x)) with y in {-1, 1}; the gradient at the kink is 0."""
    if _is_tensor(prediction):
        return _tensor_rule("hinge")(prediction, target, reduction=reduction)
    ps = _values(prediction, "hinge")
    ys = _signs(target, len(ps), "hinge")
    # relu(x) passes no gradient at x = 0: exactly the slide's choice at the kink
    return _reduce([(_scaled(p, -y) + 1.0).relu() for p, y in zip(ps, ys)], reduction, "hinge")


def squared_hinge(prediction, target, reduction: str = "mean"):
    """Squared hinge loss max(0, 1 - y·f(x))² with y in {-1, 1}."""
    if _is_tensor(prediction):
        return _tensor_rule("squared_hinge")(prediction, target, reduction=reduction)
    ps = _values(prediction, "squared_hinge")
    ys = _signs(target, len(ps), "squared_hinge")
    return _reduce([(_scaled(p, -y) + 1.0).relu() ** 2 for p, y in zip(ps, ys)], reduction, "squared_hinge")


def multiclass_hinge(prediction, target):
    """The slide's multiclass hinge: max(0, 1 + max_{t≠y} f_t - f_y) for class index (or one-hot) y."""
    if _is_tensor(prediction):
        return _tensor_rule("multiclass_hinge")(prediction, target)
    ps = _values(prediction, "multiclass_hinge")
    if len(ps) < 2:
        raise LossError("multiclass_hinge needs at least two class scores")
    weights = _class_weights(target, len(ps), "multiclass_hinge")
    y = max(range(len(ps)), key=lambda k: weights[k])  # argmax(y), as the slide writes it
    others = [p for k, p in enumerate(ps) if k != y]
    best = others[0]
    for p in others[1:]:
        best = maximum(best, p)
    return (best - ps[y] + 1.0).relu()


def softmax(logits) -> list:
    """softmax(z)_k = e^(z_k - m) / Σ_j e^(z_j - m), m = max z (a constant shift: no overflow)."""
    zs = _values(logits, "softmax")
    m = max(z.data for z in zs)
    exps = [(z - m).exp() for z in zs]
    total = exps[0]
    for e in exps[1:]:
        total = total + e
    return [e / total for e in exps]


def bce(prediction, target):
    """Binary cross-entropy of probabilities, summed over components: -Σ (y ln p + (1 - y) ln(1 - p))."""
    if _is_tensor(prediction):
        return _tensor_rule("bce")(prediction, target, reduction="sum")
    ps = _values(prediction, "bce")
    ys = _targets(target, len(ps), "bce")
    terms = []
    for p, y in zip(ps, ys):
        yv = y.data if isinstance(y, Value) else y
        if not 0.0 <= yv <= 1.0:
            raise LossError(f"bce needs targets between 0 and 1, got {yv:g}")
        # a zero coefficient adds no gate: 0·ln(0) would otherwise be nan
        if yv != 0.0:
            terms.append(y * p.log() if isinstance(y, Value) else _scaled(p.log(), y))
        if yv != 1.0:
            terms.append((1.0 - y) * (1.0 - p).log() if isinstance(y, Value) else _scaled((1.0 - p).log(), 1.0 - y))
    return -_reduce(terms, "sum", "bce")


def nll(prediction, target):
    """Log-likelihood cost of probabilities: -Σ y_k ln p_k (y a class index, one-hot or soft)."""
    if _is_tensor(prediction):
        return _tensor_rule("nll")(prediction, target)
    ps = _values(prediction, "nll")
    finite = [p.data for p in ps if p.data == p.data]  # nan passes on: the debugger finds where it began
    if finite:
        check_probabilities(min(finite), max(finite))
    weights = _class_weights(target, len(ps), "nll")
    terms = [_scaled(p.log(), w) for p, w in zip(ps, weights) if w != 0.0]
    if not terms:
        raise LossError("nll needs a target with at least one non-zero class weight")
    return -_reduce(terms, "sum", "nll")


def cce(prediction, target):
    """Categorical cross-entropy of logits: nll(softmax(z), y), as Σ y_k (logsumexp(z) - z_k), stably."""
    if _is_tensor(prediction):
        return _tensor_rule("cce")(prediction, target)  # sums over classes; mean over a batch
    zs = _values(prediction, "cce")
    weights = _class_weights(target, len(zs), "cce")
    m = max(z.data for z in zs)
    total = (zs[0] - m).exp()
    for z in zs[1:]:
        total = total + (z - m).exp()
    lse = total.log() + m  # log Σ e^z without overflow
    terms = [(lse - z) * w for z, w in zip(zs, weights) if w != 0.0]
    if not terms:
        raise LossError("cce needs a target with at least one non-zero class weight")
    return _reduce(terms, "sum", "cce")


def _weights(weights, where: str) -> list:
    if isinstance(weights, Value):
        return [weights]
    items = list(weights)
    if not items:
        raise LossError(f"{where} needs at least one weight, e.g. {where}(model.parameters())")
    return _values(items, where)


def l1(weights):
    """L1 regulariser Σ |w| (no λ: multiply it yourself). Pushes weights to exactly zero."""
    if _is_tensor(weights):
        return _tensor_rule("l1")(weights)
    return _reduce([w.abs() for w in _weights(weights, "l1")], "sum", "l1")


def l2(weights):
    """L2 regulariser Σ w² (no ½, no λ: multiply it yourself). Shrinks every weight."""
    if _is_tensor(weights):
        return _tensor_rule("l2")(weights)
    return _reduce([w ** 2 for w in _weights(weights, "l2")], "sum", "l2")


__all__ = ["mse", "mae", "huber", "hinge", "squared_hinge", "multiclass_hinge", "bce", "softmax",
           "cce", "nll", "l1", "l2", "LossError"]
