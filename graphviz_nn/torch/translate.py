"""PyTorch calls that map onto the rule table, so their gates show the lecture's formulas.

Each handler takes the recorder and the call's arguments and builds graphviz-nn nodes with the
project's own rules (a list of nodes for a call with several outputs, such as ``split``); it
returns ``None`` when the call uses an option the rules do not cover (it is then recorded as an
opaque gate with PyTorch's VJP). Calls with more than two tensor
inputs are written as the lecture writes them: ``linear(x, W, b)`` is ``x @ Wᵀ + b``,
``addmm(c, A, B)`` is ``A @ B + c``.
"""
from __future__ import annotations

import numbers

import numpy as np
import torch

from .. import ops, tensor_losses
from ..tensor import Tensor, apply

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
    if a.ndim == 0 or b.ndim == 0:
        return None
    return a @ b  # stacks of matrices (attention's 4-D products) are one batched_matmul gate


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


def _no_ignored(t, ignore_index) -> bool:
    return not (isinstance(t, np.ndarray) and t.dtype.kind in "iu" and np.any(t == ignore_index))


def _nll_loss(rec, args, kwargs):
    if not _only(kwargs, {"weight": None, "size_average": None, "reduce": None, "reduction": _MISSING,
                          "ignore_index": _MISSING}):
        return None
    logp, target = rec.node(args[0]), _arg(args, kwargs, 1, "target")
    reduction = kwargs.get("reduction", "mean")
    if logp.ndim < 1 or target.is_floating_point() or reduction not in ("mean", "sum", "none"):
        return None
    return _picked_loss(logp, target, kwargs.get("ignore_index", -100), 0.0, reduction)


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


# ---- the ops of transformers and CNNs (issue 27) ------------------------------------------

def _ints(x, n: int = 2) -> tuple:
    """An int or a sequence of ints as an n-tuple (kernel_size=3 is (3, 3))."""
    if isinstance(x, (list, tuple, torch.Size)):
        return tuple(int(v) for v in x) if len(x) == n else tuple(int(x[0]) for _ in range(n))
    return (int(x),) * n


def _embedding(rec, args, kwargs, out):
    """``embedding(ids, W)`` = W[ids]: a gather whose VJP scatter-adds rows back into W."""
    ids, w = args[0], _arg(args, kwargs, 1, "weight")
    if ids.is_floating_point() or _arg(args, kwargs, 3, "max_norm", None) is not None \
            or _arg(args, kwargs, 5, "scale_grad_by_freq", False):
        return None  # max_norm renormalises W in place; per-frequency scaling is not the lecture's lookup
    pad = _arg(args, kwargs, 2, "padding_idx", None)
    if pad is not None:
        pad = int(pad) % w.shape[0]
    return apply("embedding", [rec.node(w)], ops.Gather(ids.detach().cpu().numpy(), pad))


def _layer_norm(rec, args, kwargs, out):
    """``layer_norm(x, shape, γ, β, eps)`` = normalize(x over the last axes) * γ + β."""
    x = rec.node(args[0])
    shape = tuple(_arg(args, kwargs, 1, "normalized_shape"))
    weight, bias = _arg(args, kwargs, 2, "weight", None), _arg(args, kwargs, 3, "bias", None)
    eps = float(_arg(args, kwargs, 4, "eps", 1e-5))
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    y = apply("normalize", [x], ops.Norm("layer_norm", axes, eps))
    if weight is not None:
        y = y * rec.node(weight)
    return y if bias is None else y + rec.node(bias)


def _batch_norm(rec, args, kwargs, out):
    """Training: normalize over the batch (and pixels) per channel; eval: the running statistics, as constants."""
    x = rec.node(args[0])
    mean, var = _arg(args, kwargs, 1, "running_mean", None), _arg(args, kwargs, 2, "running_var", None)
    weight, bias = _arg(args, kwargs, 3, "weight", None), _arg(args, kwargs, 4, "bias", None)
    training = bool(_arg(args, kwargs, 5, "training", False))
    eps = float(_arg(args, kwargs, 7, "eps", 1e-5))
    if x.ndim < 2:
        return None
    per_channel = (1, x.shape[1]) + (1,) * (x.ndim - 2)  # (C,) broadcast over (N, C, H, W)
    if training or mean is None or var is None:
        y = apply("normalize", [x], ops.Norm("batch_norm", (0, *range(2, x.ndim)), eps))
    else:
        mu = mean.detach().to(torch.float64).numpy().reshape(per_channel)
        inv = 1.0 / np.sqrt(var.detach().to(torch.float64).numpy().reshape(per_channel) + eps)
        y = (x - mu) * inv
    if weight is not None:
        y = y * rec.node(weight).reshape(per_channel[1:])
    return y if bias is None else y + rec.node(bias).reshape(per_channel[1:])


def _gelu(rec, args, kwargs, out):
    approximate = _arg(args, kwargs, 1, "approximate", "none")
    if approximate not in ("none", "tanh"):
        return None
    return apply("gelu" if approximate == "none" else "gelu_tanh", [rec.node(args[0])])


def _pieces(rec, args, kwargs, out):
    """split, chunk, unbind: each output is a slice of the input (an index gate), so its gradient flows back."""
    x = rec.node(args[0])
    dim = _arg(args, kwargs, 2, "dim", 0) if not isinstance(out, torch.Tensor) else None
    if not isinstance(out, (list, tuple)) or dim is None:
        return None
    dim = int(dim) % x.ndim
    nodes, start = [], 0
    unbind = all(o.ndim == x.ndim - 1 for o in out)
    for o in out:
        size = 1 if unbind else o.shape[dim]
        piece = start if unbind else slice(start, start + size)
        nodes.append(x[(slice(None),) * dim + (piece,)])
        start += size
    return nodes


def _unbind(rec, args, kwargs, out):
    dim = _arg(args, kwargs, 1, "dim", 0)
    return _pieces(rec, (args[0], None, dim), {}, out)


def _masked_fill(rec, args, kwargs, out):
    mask, value = _arg(args, kwargs, 1, "mask"), _arg(args, kwargs, 2, "value")
    if isinstance(value, torch.Tensor):
        if value.requires_grad or rec.known(value) or value.numel() != 1:
            return None  # a value that learns is two inputs: PyTorch's own gate
        value = value.item()
    if not _number(value) or mask.dtype != torch.bool:
        return None
    return apply("masked_fill", [rec.node(args[0])], ops.Mask(mask.detach().cpu().numpy(), float(value)))


def _attention(rec, args, kwargs, out):
    """``scaled_dot_product_attention(q, k, v)`` = softmax(mask(q·kᵀ·s)) · v: a composite gate, then the weighted sum."""
    q, k, v = (_arg(args, kwargs, i, n) for i, n in enumerate(("query", "key", "value")))
    mask = _arg(args, kwargs, 3, "attn_mask", None)
    dropout_p = float(_arg(args, kwargs, 4, "dropout_p", 0.0))
    causal = bool(_arg(args, kwargs, 5, "is_causal", False))
    scale = kwargs.get("scale", args[6] if len(args) > 6 else None)
    if dropout_p or kwargs.get("enable_gqa") or q.ndim < 2 or q.ndim != k.ndim:
        return None  # attention dropout draws inside the fused kernel; grouped queries repeat heads
    if mask is not None and mask.dtype != torch.bool:
        return None  # an additive float mask is a third tensor input: PyTorch's own gate
    keep = None if mask is None else np.broadcast_to(mask.detach().cpu().numpy(), (q.shape[-2], k.shape[-2])
                                                     if mask.ndim <= 2 else mask.shape)
    if causal:
        keep = np.tril(np.ones((q.shape[-2], k.shape[-2]), dtype=bool))
    scale = 1.0 / float(np.sqrt(q.shape[-1])) if scale is None else float(scale)
    weights = apply("attention", [rec.node(q), rec.node(k)], ops.Attention(scale, keep, q.ndim))
    return weights @ rec.node(v)


def _conv2d(rec, args, kwargs, out):
    """``conv2d(x, W, b)`` as the lecture writes it: im2col columns, one matrix product with W, + b."""
    x, w = rec.node(args[0]), rec.node(_arg(args, kwargs, 1, "weight"))
    bias = _arg(args, kwargs, 2, "bias", None)
    padding = _arg(args, kwargs, 4, "padding", 0)
    if int(_arg(args, kwargs, 6, "groups", 1)) != 1 or x.ndim != 4 or w.ndim != 4:
        return None  # grouped (depth-wise) convolutions and unbatched images stay PyTorch's
    if isinstance(padding, str):
        if padding != "valid":
            return None
        padding = 0
    window = ops.Window(tuple(w.shape[2:]), _ints(_arg(args, kwargs, 3, "stride", 1)), _ints(padding),
                        _ints(_arg(args, kwargs, 5, "dilation", 1)))
    cols = apply("im2col", [x], window)
    y = w.reshape(w.shape[0], -1) @ cols  # (O, C·k·k) @ (N, C·k·k, windows) -> (N, O, windows)
    y = y.reshape(tuple(out.shape))
    return y if bias is None else y + rec.node(bias).reshape(w.shape[0], 1, 1)


def _pool(op_name: str):
    def handler(rec, args, kwargs, out):
        x = rec.node(args[0])
        kernel = _ints(_arg(args, kwargs, 1, "kernel_size"))
        stride = _arg(args, kwargs, 2, "stride", None)
        stride = kernel if stride is None or (isinstance(stride, (list, tuple)) and not stride) else _ints(stride)
        padding = _ints(_arg(args, kwargs, 3, "padding", 0))
        if op_name == "max_pool2d":
            dilation = _ints(_arg(args, kwargs, 4, "dilation", 1))
            odd = _arg(args, kwargs, 5, "ceil_mode", False) or _arg(args, kwargs, 6, "return_indices", False)
        else:
            dilation = (1, 1)
            odd = (_arg(args, kwargs, 4, "ceil_mode", False) or not _arg(args, kwargs, 5, "count_include_pad", True)
                   or _arg(args, kwargs, 6, "divisor_override", None) is not None)
        if odd or x.ndim not in (3, 4):
            return None  # ceil_mode's partial windows, pooling indices, other divisors: PyTorch's
        batched = x if x.ndim == 4 else x.reshape(1, *x.shape)
        y = apply(op_name, [batched], ops.Window(kernel, stride, padding, dilation))
        return y if x.ndim == 4 else y.reshape(tuple(out.shape))
    return handler


def _picked_loss(logp: Tensor, target, ignore_index: int, smoothing: float, reduction: str):
    """-log p[label] per row (with label smoothing), ignored rows 0, then the reduction PyTorch's losses use.

    ``logp`` is (N, C) or (N, C, d1, ...) log-probabilities; ``target`` integer labels of the other axes.
    """
    labels = target.detach().cpu().numpy()
    if logp.ndim == 1:
        logp, labels = logp.reshape(1, -1), labels.reshape(1)
    if logp.ndim > 2:  # classes on axis 1: move them last, one row per position
        logp = logp.transpose((0, *range(2, logp.ndim), 1)).reshape(-1, logp.shape[1])
    flat = labels.reshape(-1)
    keep = flat != ignore_index
    rows = np.arange(flat.size)
    per = -logp[rows, np.where(keep, flat, 0)]  # an ignored row picks class 0, then counts 0
    if smoothing:
        per = per * (1.0 - smoothing) + logp.mean(axis=1) * -smoothing
    if not keep.all():  # a named constant, so the picture says what the 0s and 1s are
        per = per * Tensor(keep.astype(np.float64), label=f"not ignored (≠ {ignore_index})", requires_grad=False)
    if reduction == "none":
        return per.reshape(labels.shape)
    if reduction == "sum":
        return per.sum()
    kept = int(keep.sum())
    return per.sum() * (1.0 / kept if kept else np.nan)  # all ignored: 0/0, nan as in PyTorch


def _cross_entropy(rec, args, kwargs):
    """``cross_entropy`` = -log softmax(z)[label], averaged: the lecture's log_softmax, pick, mean."""
    if not _only(kwargs, {"weight": None, "size_average": None, "reduce": None, "reduction": _MISSING,
                          "ignore_index": _MISSING, "label_smoothing": _MISSING}):
        return None
    logits, target = rec.node(args[0]), _arg(args, kwargs, 1, "target")
    reduction = kwargs.get("reduction", "mean")
    smoothing = float(kwargs.get("label_smoothing", 0.0))
    ignore_index = kwargs.get("ignore_index", -100)
    t = _labels_or_probs(rec, logits, target)
    if t is None or reduction not in ("mean", "sum", "none"):
        return None
    labels = isinstance(t, np.ndarray) and t.dtype.kind in "iu"
    if not smoothing and logits.ndim in (1, 2) and reduction in ("mean", "sum") and (
            not labels or _no_ignored(t, ignore_index)):
        return tensor_losses.cce(logits, t, reduction=reduction)  # the lecture's graph, unchanged
    if not labels:
        return None  # probabilities with label smoothing or reduction="none": PyTorch's own gate
    return _picked_loss(logits.log_softmax(axis=1 if logits.ndim > 1 else 0), target, ignore_index, smoothing,
                        reduction)


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
    (("matmul", "mm", "bmm", "__matmul__"), _matmul()),
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
                 "permute": _permute, "__getitem__": _getitem, "dropout": _dropout,
                 "embedding": _embedding, "layer_norm": _layer_norm, "batch_norm": _batch_norm, "gelu": _gelu,
                 "split": _pieces, "chunk": _pieces, "split_with_sizes": _pieces, "unbind": _unbind,
                 "masked_fill": _masked_fill, "masked_fill_": _masked_fill,
                 "scaled_dot_product_attention": _attention, "conv2d": _conv2d,
                 "max_pool2d": _pool("max_pool2d"), "avg_pool2d": _pool("avg_pool2d")})

# Calls that draw random numbers: the recorder keeps the random state from before them.
RANDOM = frozenset(("dropout", "alpha_dropout", "feature_alpha_dropout", "dropout1d", "dropout2d", "dropout3d",
                    "rrelu", "rrelu_", "bernoulli", "bernoulli_", "native_dropout"))
