"""PyTorch calls that map onto the rule table, so their gates show the lecture's formulas.

Each handler takes the recorder and the call's arguments and builds graphviz-nn nodes with the
project's own rules; it returns ``None`` when the call uses an option the rules do not cover
(it is then recorded as an opaque gate with PyTorch's VJP). Calls with more than two tensor
inputs are written as the lecture writes them: ``linear(x, W, b)`` is ``x @ Wᵀ + b``,
``addmm(c, A, B)`` is ``A @ B + c``.
"""
from __future__ import annotations

import numbers

import numpy as np
import torch

from .. import tensor_losses
from ..tensor import Tensor

_MISSING = object()


def _arg(args, kwargs, i: int, name: str, default=_MISSING):
    if len(args) > i:
        return args[i]
    return kwargs.get(name, default)


def _only(kwargs, allowed: dict) -> bool:
    """True when every keyword is known and every option outside ``allowed`` is at its default."""
    return all(k in allowed and (allowed[k] is _MISSING or v == allowed[k] or v is allowed[k])
               for k, v in kwargs.items())


def _number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _operand(rec, x):
    """A number stays a number (a constant folded into the gate); a tensor becomes its node."""
    if _number(x):
        return float(x)
    if isinstance(x, torch.Tensor):
        return rec.node(x)
    return _MISSING


# ---- arithmetic --------------------------------------------------------------------

def _binary(fn, swap=False):
    def handler(rec, args, kwargs):
        alpha = kwargs.get("alpha", 1)
        if not _only(kwargs, {"alpha": _MISSING, "other": _MISSING}) or not _number(alpha):
            return None
        a = _operand(rec, args[0])
        b = _operand(rec, _arg(args, kwargs, 1, "other"))
        if a is _MISSING or b is _MISSING or not (isinstance(a, Tensor) or isinstance(b, Tensor)):
            return None
        if alpha != 1:
            b = b * float(alpha)
        return fn(b, a) if swap else fn(a, b)
    return handler


def _div(swap=False):
    inner = _binary(lambda a, b: a / b, swap)

    def handler(rec, args, kwargs):
        if kwargs.get("rounding_mode") is not None:
            return None  # floor/trunc division has no gradient worth stepping
        return inner(rec, args, {k: v for k, v in kwargs.items() if k != "rounding_mode"})
    return handler


def _neg(rec, args, kwargs):
    return -rec.node(args[0]) if not kwargs else None


def _pow(rec, args, kwargs):
    exponent = _arg(args, kwargs, 1, "exponent")
    if not _only(kwargs, {"exponent": _MISSING}) or not _number(exponent):
        return None  # a tensor exponent stays PyTorch's (opaque)
    return rec.node(args[0]) ** float(exponent)


# ---- matrix products -----------------------------------------------------------------

def _matmul_nodes(a: Tensor, b: Tensor):
    if not (1 <= a.ndim <= 2 and 1 <= b.ndim <= 2):
        return None  # batched products stay one opaque gate
    return a @ b


def _matmul(swap=False):
    def handler(rec, args, kwargs):
        if not _only(kwargs, {"other": _MISSING}):
            return None
        a, b = rec.node(args[0]), rec.node(_arg(args, kwargs, 1, "other"))
        return _matmul_nodes(b, a) if swap else _matmul_nodes(a, b)
    return handler


def _linear(rec, args, kwargs):
    """``linear(x, W, b)`` = x @ Wᵀ + b: three gates, the lecture's layer formula."""
    x, w = rec.node(args[0]), rec.node(_arg(args, kwargs, 1, "weight"))
    bias = _arg(args, kwargs, 2, "bias", None)
    if w.ndim != 2 or x.ndim < 1:
        return None
    flat = x if x.ndim <= 2 else x.reshape(-1, x.shape[-1])  # (batch, seq, in) as rows of inputs
    y = flat @ w.T
    if x.ndim > 2:
        y = y.reshape(*x.shape[:-1], w.shape[0])
    return y if bias is None else y + rec.node(bias)


def _addmm(rec, args, kwargs):
    """``addmm(c, A, B, beta, alpha)`` = alpha·(A @ B) + beta·c."""
    if not _only(kwargs, {"beta": _MISSING, "alpha": _MISSING, "mat1": _MISSING, "mat2": _MISSING}):
        return None
    beta, alpha = kwargs.get("beta", 1), kwargs.get("alpha", 1)
    c = rec.node(args[0])
    y = _matmul_nodes(rec.node(_arg(args, kwargs, 1, "mat1")), rec.node(_arg(args, kwargs, 2, "mat2")))
    if y is None or not (_number(alpha) and _number(beta)):
        return None
    if alpha != 1:
        y = y * float(alpha)
    if beta == 0:
        return y
    return y + (c if beta == 1 else c * float(beta))


# ---- element-wise gates ---------------------------------------------------------------

def _unary(method):
    def handler(rec, args, kwargs):
        if not _only(kwargs, {"inplace": _MISSING}):
            return None
        return getattr(rec.node(args[0]), method)()
    return handler


def _leaky_relu(rec, args, kwargs):
    slope = _arg(args, kwargs, 1, "negative_slope", 0.01)
    return rec.node(args[0]).leaky_relu(float(slope)) if _number(slope) else None


def _elu(rec, args, kwargs):
    alpha = _arg(args, kwargs, 1, "alpha", 1.0)
    return rec.node(args[0]).elu(float(alpha)) if _number(alpha) else None


def _softmax(method):
    def handler(rec, args, kwargs):
        dim = _arg(args, kwargs, 1, "dim", None)
        dtypes = [a for a in (*args[2:], kwargs.get("dtype")) if isinstance(a, torch.dtype)]
        if dim is None or any(d not in (torch.float64, torch.float32) for d in dtypes):
            return None  # an implicit dim is PyTorch's legacy guess; leave it to PyTorch
        return getattr(rec.node(args[0]), method)(axis=int(dim))
    return handler


# ---- reductions and shapes -------------------------------------------------------------

def _dims(dim):
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        return tuple(int(d) for d in dim) or None
    return int(dim)


def _reduce(method):
    def handler(rec, args, kwargs):
        if not _only(kwargs, {"dim": _MISSING, "keepdim": _MISSING, "dtype": None, "axis": _MISSING}):
            return None
        x = rec.node(args[0])
        dim = _arg(args, kwargs, 1, "dim", kwargs.get("axis"))
        keepdim = bool(_arg(args, kwargs, 2, "keepdim", False))
        if isinstance(dim, torch.dtype):
            return None
        return getattr(x, method)(axis=_dims(dim), keepdims=keepdim)
    return handler


def _max(rec, args, kwargs):
    """``x.max()`` and ``amax`` share the gradient between ties, like the rule; ``max(x, dim)`` does not."""
    if len(args) > 1 or kwargs:
        return None
    return rec.node(args[0]).max()


def _amax(rec, args, kwargs):
    dim = _arg(args, kwargs, 1, "dim", ())
    keepdim = bool(_arg(args, kwargs, 2, "keepdim", False))
    return rec.node(args[0]).max(axis=_dims(dim), keepdims=keepdim)


def _reshape_to_output(rec, args, kwargs, out):
    """Every view that keeps the row-major order (view, reshape, flatten, squeeze...) is a reshape."""
    return rec.node(args[0]).reshape(tuple(out.shape))


def _transpose_2d(rec, args, kwargs, out):
    x = rec.node(args[0])
    return x.T if x.ndim == 2 else x.transpose(tuple(reversed(range(x.ndim))))


def _transpose(rec, args, kwargs, out):
    x = rec.node(args[0])
    d0, d1 = _arg(args, kwargs, 1, "dim0"), _arg(args, kwargs, 2, "dim1")
    axes = list(range(x.ndim))
    axes[int(d0)], axes[int(d1)] = axes[int(d1)], axes[int(d0)]
    return x.transpose(tuple(axes)) if x.ndim != 2 or axes != [1, 0] else x.T


def _permute(rec, args, kwargs, out):
    dims = args[1:] if len(args) > 2 or (len(args) == 2 and not isinstance(args[1], (tuple, list))) else \
        (args[1] if len(args) == 2 else kwargs["dims"])
    return rec.node(args[0]).transpose(tuple(int(d) for d in dims))


def _getitem(rec, args, kwargs, out):
    key = args[1]
    parts = key if isinstance(key, tuple) else (key,)
    if any(isinstance(p, torch.Tensor) and p.is_floating_point() for p in parts):
        return None
    plain = tuple(p.detach().cpu().numpy() if isinstance(p, torch.Tensor) else p for p in parts)
    return rec.node(args[0])[plain if isinstance(key, tuple) else plain[0]]


# ---- dropout ------------------------------------------------------------------------

def _dropout(rec, args, kwargs, out):
    """A dropout gate whose mask is the one PyTorch drew (replayed from the same random state)."""
    p = float(_arg(args, kwargs, 1, "p", 0.5))
    training = bool(_arg(args, kwargs, 2, "training", True))
    x = args[0]
    if not training or p == 0.0:
        return rec.node(x)  # the identity: no gate
    mask = rec.replay_random(lambda: torch.nn.functional.dropout(torch.ones_like(x), p, True))
    if mask is None:
        return None
    return rec.node(x).dropout_mask(mask.detach().to(torch.float64).numpy())


# ---- losses ------------------------------------------------------------------------

def _labels_or_probs(rec, logits: Tensor, target):
    if target.is_floating_point() and target.shape == logits.shape:
        return rec.node(target) if rec.known(target) else target.detach().to(torch.float64).numpy()
    if target.dtype in (torch.int64, torch.int32, torch.int16, torch.uint8):
        return target.detach().cpu().numpy()
    return None


def _cross_entropy(rec, args, kwargs):
    """``cross_entropy`` = -log softmax(z)[label], averaged: the lecture's log_softmax, pick, mean."""
    if not _only(kwargs, {"weight": None, "size_average": None, "reduce": None, "reduction": _MISSING,
                          "ignore_index": _MISSING, "label_smoothing": 0.0}):
        return None
    logits, target = rec.node(args[0]), _arg(args, kwargs, 1, "target")
    reduction = kwargs.get("reduction", "mean")
    t = _labels_or_probs(rec, logits, target)
    if t is None or logits.ndim not in (1, 2) or not _no_ignored(t, kwargs.get("ignore_index", -100)):
        return None
    if reduction in ("mean", "sum"):
        return tensor_losses.cce(logits, t, reduction=reduction)
    if reduction == "none" and logits.ndim == 2 and isinstance(t, np.ndarray) and t.ndim == 1:
        return -logits.log_softmax(axis=1)[np.arange(logits.shape[0]), t]
    return None


def _no_ignored(t, ignore_index) -> bool:
    return not (isinstance(t, np.ndarray) and t.dtype.kind in "iu" and np.any(t == ignore_index))


def _nll_loss(rec, args, kwargs):
    if not _only(kwargs, {"weight": None, "size_average": None, "reduce": None, "reduction": _MISSING,
                          "ignore_index": _MISSING}):
        return None
    logp, target = rec.node(args[0]), _arg(args, kwargs, 1, "target")
    reduction = kwargs.get("reduction", "mean")
    if logp.ndim != 2 or target.is_floating_point() or not _no_ignored(target.numpy(), kwargs.get("ignore_index", -100)):
        return None
    picked = -logp[np.arange(logp.shape[0]), target.detach().cpu().numpy()]
    return {"mean": picked.mean, "sum": picked.sum}.get(reduction, lambda: picked if reduction == "none" else None)()


def _regression_loss(square: bool):
    def handler(rec, args, kwargs):
        if not _only(kwargs, {"size_average": None, "reduce": None, "reduction": _MISSING, "weight": None,
                              "target": _MISSING}):
            return None
        a, b = args[0], _arg(args, kwargs, 1, "target")
        if not isinstance(b, torch.Tensor) or a.shape != b.shape:
            return None  # a broadcast target is a classic bug: let PyTorch's own gate (and warning) show it
        diff = rec.node(a) - rec.node(b)
        r = diff ** 2 if square else diff.abs()
        reduction = kwargs.get("reduction", "mean")
        return {"mean": r.mean, "sum": r.sum}.get(reduction, lambda: r if reduction == "none" else None)()
    return handler


def _bce_with_logits(rec, args, kwargs):
    if not _only(kwargs, {"weight": None, "size_average": None, "reduce": None, "reduction": _MISSING,
                          "pos_weight": None, "target": _MISSING}):
        return None
    z, target = rec.node(args[0]), _arg(args, kwargs, 1, "target")
    if target.shape != args[0].shape or kwargs.get("reduction", "mean") not in ("mean", "sum"):
        return None
    t = rec.node(target) if rec.known(target) else target.detach().to(torch.float64).numpy()
    return tensor_losses.bce_with_logits(z, t, reduction=kwargs.get("reduction", "mean"))


def _with_out(handler):
    """Adapt a handler that does not need the call's output."""
    return lambda rec, args, kwargs, out: handler(rec, args, kwargs)


_ADD = _binary(lambda a, b: a + b)
_SUB = _binary(lambda a, b: a - b)
_MUL = _binary(lambda a, b: a * b)

HANDLERS = {name: _with_out(h) for names, h in (
    (("add", "__add__", "__iadd__", "add_"), _ADD),
    (("__radd__",), _binary(lambda a, b: a + b, swap=True)),
    (("sub", "subtract", "__sub__", "__isub__", "sub_"), _SUB),
    (("__rsub__", "rsub"), _binary(lambda a, b: a - b, swap=True)),
    (("mul", "multiply", "__mul__", "__imul__", "mul_"), _MUL),
    (("__rmul__",), _binary(lambda a, b: a * b, swap=True)),
    (("div", "divide", "true_divide", "__truediv__", "__itruediv__", "div_"), _div()),
    (("__rtruediv__", "__rdiv__"), _div(swap=True)),
    (("neg", "negative", "__neg__", "neg_"), _neg),
    (("pow", "__pow__", "pow_", "__ipow__"), _pow),
    (("matmul", "mm", "__matmul__"), _matmul()),
    (("__rmatmul__",), _matmul(swap=True)),
    (("linear",), _linear),
    (("addmm",), _addmm),
    (("relu", "relu_"), _unary("relu")),
    (("tanh", "tanh_"), _unary("tanh")),
    (("sigmoid", "sigmoid_"), _unary("sigmoid")),
    (("exp", "exp_"), _unary("exp")),
    (("log", "log_"), _unary("log")),
    (("sqrt", "sqrt_"), _unary("sqrt")),
    (("abs", "absolute", "abs_"), _unary("abs")),
    (("leaky_relu", "leaky_relu_"), _leaky_relu),
    (("elu", "elu_"), _elu),
    (("softmax",), _softmax("softmax")),
    (("log_softmax",), _softmax("log_softmax")),
    (("sum",), _reduce("sum")),
    (("mean",), _reduce("mean")),
    (("max",), _max),
    (("amax",), _amax),
    (("cross_entropy",), _cross_entropy),
    (("nll_loss",), _nll_loss),
    (("mse_loss",), _regression_loss(square=True)),
    (("l1_loss",), _regression_loss(square=False)),
    (("binary_cross_entropy_with_logits",), _bce_with_logits),
) for name in names}

HANDLERS.update({name: _reshape_to_output for name in (
    "view", "reshape", "flatten", "ravel", "squeeze", "unsqueeze", "view_as", "reshape_as", "squeeze_",
    "unsqueeze_")})
HANDLERS.update({"t": _transpose_2d, "T": _transpose_2d, "transpose": _transpose, "swapaxes": _transpose,
                 "permute": _permute, "__getitem__": _getitem, "dropout": _dropout})

# Calls that draw random numbers: the recorder keeps the random state from before them.
RANDOM = frozenset(("dropout", "alpha_dropout", "feature_alpha_dropout", "dropout1d", "dropout2d", "dropout3d",
                    "rrelu", "rrelu_", "bernoulli", "bernoulli_", "native_dropout"))
