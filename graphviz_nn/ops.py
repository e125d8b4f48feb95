"""The one rule table: every op's symbol, forward, local gradient, formula and expansion.

No other module knows a derivative. A scalar rule maps input numbers (and the op's
constant) to ``(value, local_gradients)``, one local gradient per input, computed in the
forward pass so views can show "upstream × local = contribution" without recomputing.
Forward rules never raise on overflow or a bad domain: they return inf/nan, so the
debugger can point at the node where a non-finite number first appears.

Example::

    >>> OPS["mul"].scalar(2.0, -1.0, None)
    (-2.0, (-1.0, 2.0))
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Callable, Optional

INF = math.inf
NAN = math.nan

# Shared tuples, so the common local gradients cost no memory per node.
ONE = (1.0,)
ONES = (1.0, 1.0)
ADD_SUB = (1.0, -1.0)
ZERO = (0.0,)


def fmt_const(c: float) -> str:
    """A constant as the lecture writes it in a gate: 1, -1, 0.5, 1e-05."""
    return f"{c + 0.0:g}"  # + 0.0 turns -0.0 into 0, so x - 0 is a "+0" gate, not "+-0"


@dataclass(frozen=True)
class Op:
    """One operation, declared once.

    name: key in OPS; arity: number of inputs; symbol(c): the gate label in diagrams;
    formula(c): the output as math of its inputs a, b (``x`` for unary);
    local_formula(c): per input, the local gradient as math;
    scalar: (*input numbers, c) -> (value, local gradients);
    expansion(c): for a composite gate, its primitive gates as ``(op, const, input refs)``
    where refs 0..arity-1 are the composite's inputs and arity+j is expansion step j;
    vjp: (upstream, output array, input arrays, c, needs) -> one array (or None) per input
    (tensor engine; ``needs[i]`` false means input i wants no gradient, so None is fine);
    vjp_formula(c): per input, the VJP as math for the inspector;
    array: (*input arrays, c) -> output array, the tensor engine's forward.
    """

    name: str
    arity: int
    symbol: Callable[[Optional[float]], str]
    formula: Callable[[Optional[float]], str]
    local_formula: Callable[[Optional[float]], tuple]
    scalar: Callable
    expansion: Optional[Callable[[Optional[float]], tuple]] = None
    vjp: Optional[Callable] = None
    vjp_formula: Callable[[Optional[float]], tuple] = field(default=lambda c: ())
    array: Optional[Callable] = None
    # (number formatter, input values, output value, c) -> per input, the local gradient's
    # formula with the numbers filled in ("0.73 × 0.27"), or None where there is nothing to fill
    local_numbers: Optional[Callable] = None

    @property
    def composite(self) -> bool:
        return self.expansion is not None


OPS: dict[str, Op] = {}


def _declare(name, arity, symbol, formula, local_formula, expansion=None):
    """Register a scalar rule; the decorated function is its forward + local gradient."""

    def register(fn):
        OPS[name] = Op(
            name, arity,
            symbol if callable(symbol) else (lambda c, s=symbol: s),
            formula if callable(formula) else (lambda c, f=formula: f),
            local_formula if callable(local_formula) else (lambda c, f=local_formula: f),
            fn, expansion,
        )
        return fn

    return register


def _safe_exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def _sigmoid(x: float) -> float:
    # Two branches keep exp's argument non-positive, so no overflow for large |x|.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _div(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or a != a:
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


# ---- binary primitives ------------------------------------------------------------

@_declare("add", 2, "+", "a + b", ("1", "1"))
def _add(a, b, c):
    return a + b, ONES


@_declare("sub", 2, "-", "a - b", ("1", "-1"))
def _sub(a, b, c):
    return a - b, ADD_SUB


@_declare("mul", 2, "*", "a * b", ("b", "a"))
def _mul(a, b, c):
    return a * b, (b, a)


@_declare("div", 2, "/", "a / b", ("1/b", "-a/b²"))
def _divide(a, b, c):
    return _div(a, b), (_div(1.0, b), -_div(a, b * b))


@_declare("max", 2, "max", "max(a, b)", ("1 if a ≥ b else 0", "1 if b > a else 0"))
def _max(a, b, c):
    return (a, ONES_FIRST) if a >= b else (b, ONES_SECOND)


ONES_FIRST = (1.0, 0.0)
ONES_SECOND = (0.0, 1.0)


# ---- unary primitives (a constant folded into the gate, as the lecture draws it) ----

@_declare("add_const", 1, lambda c: ("+" if c >= 0 else "") + fmt_const(c),
     lambda c: f"x + {fmt_const(c)}", ("1",))
def _add_const(x, c):
    return x + c, ONE


@_declare("mul_const", 1, lambda c: "*" + fmt_const(c), lambda c: f"{fmt_const(c)}·x",
     lambda c: (fmt_const(c),))
def _mul_const(x, c):
    return x * c, (c,)


@_declare("rsub_const", 1, lambda c: f"{fmt_const(c)}-x", lambda c: f"{fmt_const(c)} - x", ("-1",))
def _rsub_const(x, c):
    return c - x, (-1.0,)


@_declare("rdiv_const", 1, lambda c: f"{fmt_const(c)}/x", lambda c: f"{fmt_const(c)}/x",
     lambda c: ("-1/x²",) if c == 1 else (f"-{fmt_const(c)}/x²",))
def _rdiv_const(x, c):
    return _div(c, x), (-_div(c, x * x),)


@_declare("pow", 1, lambda c: f"x^{fmt_const(c)}", lambda c: f"x^{fmt_const(c)}",
     lambda c: (f"{fmt_const(c)}·x^{fmt_const(c - 1)}",))
def _pow(x, c):
    # x^0 is the constant 1: its slope is 0 even at x = 0, where 0 * 0^-1 would give nan
    return _power(x, c), ((c * _power(x, c - 1)) if c else 0.0,)


def _power(x: float, n: float) -> float:
    try:
        r = x ** n
    except (ZeroDivisionError, OverflowError):
        if x < 0 and n != int(n):
            return NAN  # a negative base to a fractional power ("complex exponentiation")
        # IEEE pow: an odd integer exponent keeps the sign ((-0.0) ** -1 = -inf, (-1e200) ** 3 = -inf)
        return math.copysign(INF, x) if n % 2 == 1 else INF
    return r if isinstance(r, float) else NAN  # a negative base to a fractional power


@_declare("exp", 1, "exp", "e^x", ("e^x",))
def _exp(x, c):
    e = _safe_exp(x)
    return e, (e,)


@_declare("log", 1, "log", "ln x", ("1/x",))
def _log(x, c):
    if x > 0:
        return math.log(x), (1.0 / x,)
    if x == 0:
        return -INF, (INF,)
    return NAN, (_div(1.0, x),)


@_declare("sqrt", 1, "sqrt", "√x", ("1/(2√x)",))
def _sqrt(x, c):
    if x > 0:
        r = math.sqrt(x)
        return r, (0.5 / r,)
    if x == 0:
        return 0.0, (INF,)
    return NAN, (NAN,)


@_declare("relu", 1, "relu", "max(0, x)", ("1 if x > 0 else 0",))
def _relu(x, c):
    return (x, ONE) if x > 0 else (0.0, ZERO)


@_declare("abs", 1, "abs", "|x|", ("sign(x)",))
def _abs(x, c):
    return abs(x), ((1.0,) if x > 0 else (-1.0,) if x < 0 else ZERO)


# ---- composite gates: one node, but they know their primitive expansion -------------

@_declare("sigmoid", 1, "sigmoid", "1/(1+e^-x)", ("σ(x)(1-σ(x))",),
     expansion=lambda c: (("mul_const", -1.0, (0,)), ("exp", None, (1,)),
                          ("add_const", 1.0, (2,)), ("rdiv_const", 1.0, (3,))))
def _sigmoid_rule(x, c):
    s = _sigmoid(x)
    return s, (s * (1.0 - s),)


@_declare("tanh", 1, "tanh", "tanh x", ("1 - tanh²(x)",),
     # tanh x = 2/(1+e^(-2x)) - 1: a chain of lecture gates
     expansion=lambda c: (("mul_const", -2.0, (0,)), ("exp", None, (1,)),
                          ("add_const", 1.0, (2,)), ("rdiv_const", 2.0, (3,)),
                          ("add_const", -1.0, (4,))))
def _tanh(x, c):
    t = math.tanh(x)
    return t, (1.0 - t * t,)


@_declare("leaky_relu", 1, lambda c: f"leaky_relu({fmt_const(c)})",
     lambda c: f"max({fmt_const(c)}·x, x)" if 0 <= c <= 1 else f"x if x > 0 else {fmt_const(c)}·x",
     lambda c: (f"1 if x > 0 else {fmt_const(c)}",),
     # for 0 ≤ α ≤ 1, leaky_relu(x) = max(x, α·x) as the lecture draws it; any other α
     # (where that max picks the wrong branch) expands like prelu: relu(x) - α·relu(-x)
     expansion=lambda c: (("mul_const", c, (0,)), ("max", None, (0, 1))) if 0 <= c <= 1 else (
         ("relu", None, (0,)), ("mul_const", -1.0, (0,)), ("relu", None, (2,)),
         ("mul_const", -c, (3,)), ("add", None, (1, 4))))
def _leaky_relu(x, c):
    return (x, ONE) if x > 0 else (x * c, (c,))


@_declare("elu", 1, lambda c: f"elu({fmt_const(c)})", lambda c: f"x if x > 0 else {fmt_const(c)}·(e^x - 1)",
     lambda c: (f"1 if x > 0 else {fmt_const(c)}·e^x",),
     # elu(x) = relu(x) + α·(e^(-relu(-x)) - 1), branch-free in primitive gates
     expansion=lambda c: (("relu", None, (0,)), ("mul_const", -1.0, (0,)), ("relu", None, (2,)),
                          ("mul_const", -1.0, (3,)), ("exp", None, (4,)), ("add_const", -1.0, (5,)),
                          ("mul_const", c, (6,)), ("add", None, (1, 7))))
def _elu(x, c):
    if x > 0:
        return x, ONE
    e = _safe_exp(x)
    return c * (e - 1.0), (c * e,)


@_declare("prelu", 2, "prelu", "x if x > 0 else α·x", ("1 if x > 0 else α", "0 if x > 0 else x"),
     # prelu(x, α) = relu(x) + α·(-relu(-x))
     expansion=lambda c: (("relu", None, (0,)), ("mul_const", -1.0, (0,)), ("relu", None, (3,)),
                          ("mul_const", -1.0, (4,)), ("mul", None, (5, 1)), ("add", None, (2, 6))))
def _prelu(x, a, c):
    return (x, ONES_FIRST) if x > 0 else (a * x, (a, x))


LEAF = "leaf"


def symbol(op: Optional[str], const: Optional[float]) -> str:
    """The gate label for an op name (a leaf has none)."""
    return "" if op is None or op == LEAF else OPS[op].symbol(const)


# ==== tensor engine: array forwards and vector-Jacobian products ======================
# Each rule below sits beside its scalar twin in OPS: ``array`` is the forward on float64
# arrays, ``vjp`` maps the upstream gradient to one gradient per input (summed back to the
# input's shape when numpy broadcast it), ``vjp_formula`` is the math the inspector shows.

import numpy as np  # noqa: E402  (only the tensor rules need it)

# Forwards that can overflow or leave their domain run under errstate(all="ignore"): they
# return inf/nan like the scalar rules and never raise, so the debugger can find the node.


def unbroadcast(g, shape: tuple):
    """Sum a broadcast gradient back to ``shape`` (the input's shape before broadcasting)."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def _expand(g, axis, keepdims: bool):
    """Put back the axes a reduction removed, so ``g`` broadcasts against the input."""
    if axis is None or keepdims:
        return g
    return np.expand_dims(g, axis)


def _tensor(name, array, vjp, vjp_formula):
    OPS[name] = replace(OPS[name], array=array, vjp=vjp, vjp_formula=vjp_formula)


def _unb2(ga, gb, xs, needs):
    return (unbroadcast(ga, xs[0].shape) if needs[0] else None,
            unbroadcast(gb, xs[1].shape) if needs[1] else None)


_tensor("add", lambda a, b, c: a + b,
        lambda g, y, xs, c, needs=(True, True): _unb2(g, g, xs, needs),
        lambda c: ("dL/da = dL/dy (summed over broadcast axes)", "dL/db = dL/dy (summed over broadcast axes)"))
_tensor("sub", lambda a, b, c: a - b,
        lambda g, y, xs, c, needs=(True, True): _unb2(g, -g if needs[1] else None, xs, needs),
        lambda c: ("dL/da = dL/dy (summed over broadcast axes)", "dL/db = -dL/dy (summed over broadcast axes)"))
_tensor("mul", lambda a, b, c: a * b,
        lambda g, y, xs, c, needs=(True, True): _unb2(g * xs[1] if needs[0] else None,
                                                      g * xs[0] if needs[1] else None, xs, needs),
        lambda c: ("dL/da = dL/dy ⊙ b", "dL/db = dL/dy ⊙ a"))


def _div_array(a, b, c):
    with np.errstate(all="ignore"):
        return a / b


def _div_vjp(g, y, xs, c, needs=(True, True)):
    with np.errstate(all="ignore"):
        ga = g / xs[1] if needs[0] else None
        gb = -g * y / xs[1] if needs[1] else None
    return _unb2(ga, gb, xs, needs)


_tensor("div", _div_array, _div_vjp, lambda c: ("dL/da = dL/dy ⊙ 1/b", "dL/db = -dL/dy ⊙ a/b²"))


def _max_vjp(g, y, xs, c, needs=(True, True)):
    first = xs[0] >= xs[1]  # ties go to the first input, as in the scalar rule
    return _unb2(g * first if needs[0] else None, g * ~first if needs[1] else None, xs, needs)


_tensor("max", lambda a, b, c: np.maximum(a, b), _max_vjp,
        lambda c: ("dL/da = dL/dy ⊙ [a ≥ b]", "dL/db = dL/dy ⊙ [b > a]"))


def _prelu_vjp(g, y, xs, c, needs=(True, True)):
    x, alpha = xs
    pos = x > 0
    return _unb2(g * np.where(pos, 1.0, alpha) if needs[0] else None,
                 g * np.where(pos, 0.0, x) if needs[1] else None, xs, needs)


_tensor("prelu", lambda x, a, c: np.where(x > 0, x, a * x), _prelu_vjp,
        lambda c: ("dL/dx = dL/dy ⊙ (1 if x > 0 else α)", "dL/dα = dL/dy ⊙ (0 if x > 0 else x)"))

# ---- unary gates (one input; ``needs`` is always true when the rule is called) ----
_tensor("add_const", lambda x, c: x + c, lambda g, y, xs, c, needs=(True,): (g,),
        lambda c: ("dL/dx = dL/dy",))
_tensor("mul_const", lambda x, c: x * c, lambda g, y, xs, c, needs=(True,): (g * c,),
        lambda c: (f"dL/dx = {fmt_const(c)}·dL/dy",))
_tensor("rsub_const", lambda x, c: c - x, lambda g, y, xs, c, needs=(True,): (-g,),
        lambda c: ("dL/dx = -dL/dy",))


def _rdiv_array(x, c):
    with np.errstate(all="ignore"):
        return c / x


def _rdiv_vjp(g, y, xs, c, needs=(True,)):
    with np.errstate(all="ignore"):
        return (-g * y / xs[0],)


_tensor("rdiv_const", _rdiv_array, _rdiv_vjp, lambda c: (f"dL/dx = -dL/dy ⊙ {fmt_const(c)}/x²",))


def _pow_array(x, c):
    with np.errstate(all="ignore"):
        return x ** c


def _pow_vjp(g, y, xs, c, needs=(True,)):
    if not c:  # x^0 is the constant 1: slope 0 even at x = 0 (as the scalar rule)
        return (np.zeros_like(g),)
    with np.errstate(all="ignore"):
        return (g * (c * xs[0] ** (c - 1)),)


_tensor("pow", _pow_array, _pow_vjp, lambda c: (f"dL/dx = dL/dy ⊙ {fmt_const(c)}·x^{fmt_const(c - 1)}",))


def _exp_array(x, c):
    with np.errstate(all="ignore"):
        return np.exp(x)


_tensor("exp", _exp_array, lambda g, y, xs, c, needs=(True,): (g * y,), lambda c: ("dL/dx = dL/dy ⊙ e^x",))


def _log_array(x, c):
    with np.errstate(all="ignore"):
        return np.log(x)


def _log_vjp(g, y, xs, c, needs=(True,)):
    with np.errstate(all="ignore"):
        return (g / xs[0],)


_tensor("log", _log_array, _log_vjp, lambda c: ("dL/dx = dL/dy ⊙ 1/x",))


def _sqrt_array(x, c):
    with np.errstate(all="ignore"):
        return np.sqrt(x)


def _sqrt_vjp(g, y, xs, c, needs=(True,)):
    with np.errstate(all="ignore"):
        return (g * 0.5 / y,)


_tensor("sqrt", _sqrt_array, _sqrt_vjp, lambda c: ("dL/dx = dL/dy ⊙ 1/(2√x)",))
_tensor("relu", lambda x, c: np.maximum(x, 0.0), lambda g, y, xs, c, needs=(True,): (g * (xs[0] > 0),),
        lambda c: ("dL/dx = dL/dy ⊙ [x > 0]",))
_tensor("abs", lambda x, c: np.abs(x), lambda g, y, xs, c, needs=(True,): (g * np.sign(xs[0]),),
        lambda c: ("dL/dx = dL/dy ⊙ sign(x)",))


def _sigmoid_array(x, c):
    # exp of -|x| never overflows; the two branches of the scalar rule, vectorised
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


_tensor("sigmoid", _sigmoid_array, lambda g, y, xs, c, needs=(True,): (g * (y * (1.0 - y)),),
        lambda c: ("dL/dx = dL/dy ⊙ σ(x)(1 - σ(x))",))
_tensor("tanh", lambda x, c: np.tanh(x), lambda g, y, xs, c, needs=(True,): (g * (1.0 - y * y),),
        lambda c: ("dL/dx = dL/dy ⊙ (1 - tanh²x)",))
_tensor("leaky_relu", lambda x, c: np.where(x > 0, x, c * x),
        lambda g, y, xs, c, needs=(True,): (g * np.where(xs[0] > 0, 1.0, c),),
        lambda c: (f"dL/dx = dL/dy ⊙ (1 if x > 0 else {fmt_const(c)})",))


def _elu_array(x, c):
    with np.errstate(all="ignore"):
        return np.where(x > 0, x, c * np.expm1(np.minimum(x, 0.0)))


# below zero, elu'(x) = α·e^x = y + α, so the output alone gives the local gradient
_tensor("elu", _elu_array, lambda g, y, xs, c, needs=(True,): (g * np.where(xs[0] > 0, 1.0, y + c),),
        lambda c: (f"dL/dx = dL/dy ⊙ (1 if x > 0 else {fmt_const(c)}·e^x)",))


# ---- tensor-only ops: reductions, shapes, matrix product, softmax, indexing ----------

def _tensor_op(name, arity, symbol, formula, array, vjp, vjp_formula):
    """Register an op that only the tensor engine has (its scalar rule is ``None``)."""
    OPS[name] = Op(name, arity,
                   symbol if callable(symbol) else (lambda c, s=symbol: s),
                   formula if callable(formula) else (lambda c, f=formula: f),
                   vjp_formula, None, None, vjp, vjp_formula, array)


def _axis_text(c) -> str:
    axis, keepdims = c
    a = "" if axis is None else f"axis={axis[0] if len(axis) == 1 else axis}"
    return ", ".join(t for t in (a, "keepdims" if keepdims else "") if t)


def _matmul_vjp(g, y, xs, c, needs=(True, True)):
    a, b = xs
    if a.ndim == 2 and b.ndim == 2:  # the layer case first: X (n, k) @ W (k, m)
        return (g @ b.T if needs[0] else None, a.T @ g if needs[1] else None)
    if a.ndim == 1 and b.ndim == 1:
        return (g * b if needs[0] else None, g * a if needs[1] else None)
    if a.ndim == 1:  # x (k,) @ W (k, m) -> (m,)
        return (b @ g if needs[0] else None, np.outer(a, g) if needs[1] else None)
    return (np.outer(g, b) if needs[0] else None, a.T @ g if needs[1] else None)  # X (n, k) @ w (k,)


_tensor_op("matmul", 2, "@", "X · W", lambda a, b, c: a @ b, _matmul_vjp,
           lambda c: ("dL/dX = dL/dY · Wᵀ", "dL/dW = Xᵀ · dL/dY"))


def _sum_vjp(g, y, xs, c, needs=(True,)):
    return (np.broadcast_to(_expand(g, c[0], c[1]), xs[0].shape),)


def _mean_vjp(g, y, xs, c, needs=(True,)):
    x = xs[0]
    count = x.size if c[0] is None else math.prod(x.shape[i] for i in c[0])
    return (np.broadcast_to(_expand(g, c[0], c[1]) / count, x.shape),)


def _max_axis_vjp(g, y, xs, c, needs=(True,)):
    x = xs[0]
    hit = x == _expand(y, c[0], c[1])
    # ties share the gradient equally, so the rule is symmetric in the tied inputs
    share = hit / hit.sum(axis=c[0], keepdims=True)
    return (share * _expand(g, c[0], c[1]),)


_tensor_op("sum", 1, lambda c: f"sum({_axis_text(c)})", lambda c: f"Σ x ({_axis_text(c) or 'all'})",
           lambda x, c: x.sum(axis=c[0], keepdims=c[1]), _sum_vjp,
           lambda c: ("dL/dx = dL/dy broadcast back over the summed axes",))
_tensor_op("mean", 1, lambda c: f"mean({_axis_text(c)})", lambda c: f"mean x ({_axis_text(c) or 'all'})",
           lambda x, c: x.mean(axis=c[0], keepdims=c[1]), _mean_vjp,
           lambda c: ("dL/dx = dL/dy / n broadcast back over the averaged axes",))
_tensor_op("max_axis", 1, lambda c: f"max({_axis_text(c)})", lambda c: f"max x ({_axis_text(c) or 'all'})",
           lambda x, c: x.max(axis=c[0], keepdims=c[1]), _max_axis_vjp,
           lambda c: ("dL/dx = dL/dy where x is the maximum, 0 elsewhere (ties share)",))
_tensor_op("reshape", 1, lambda c: f"reshape{c}", lambda c: f"x reshaped to {c}",
           lambda x, c: x.reshape(c), lambda g, y, xs, c, needs=(True,): (g.reshape(xs[0].shape),),
           lambda c: ("dL/dx = dL/dy reshaped back to x's shape",))


def _inverse_axes(axes):
    return None if axes is None else tuple(np.argsort(axes))


_tensor_op("transpose", 1, lambda c: "ᵀ" if c is None else f"transpose{c}", "xᵀ",
           lambda x, c: np.transpose(x, c),
           lambda g, y, xs, c, needs=(True,): (np.transpose(g, _inverse_axes(c)),),
           lambda c: ("dL/dx = (dL/dy)ᵀ",))


def _softmax_array(x, axis):
    z = x - x.max(axis=axis, keepdims=True)  # the shift keeps exp in range at logits of ±1000
    with np.errstate(under="ignore"):
        e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def _log_softmax_array(x, axis):
    z = x - x.max(axis=axis, keepdims=True)
    with np.errstate(under="ignore"):
        return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def _log_softmax_vjp(g, y, xs, c, needs=(True,)):
    with np.errstate(under="ignore"):
        return (g - np.exp(y) * g.sum(axis=c, keepdims=True),)


_tensor_op("softmax", 1, lambda c: "softmax", lambda c: f"e^x / Σ e^x (axis={c})", _softmax_array,
           lambda g, y, xs, c, needs=(True,): (y * (g - (g * y).sum(axis=c, keepdims=True)),),
           lambda c: ("dL/dx = y ⊙ (dL/dy - Σ dL/dy ⊙ y)",))
_tensor_op("log_softmax", 1, lambda c: "log_softmax", lambda c: f"x - log Σ e^x (axis={c})",
           _log_softmax_array, _log_softmax_vjp,
           lambda c: ("dL/dx = dL/dy - softmax(x) ⊙ Σ dL/dy",))


def _index_vjp(g, y, xs, c, needs=(True,)):
    gx = np.zeros_like(xs[0])
    np.add.at(gx, c, g)  # add, not assign: an index picked twice gets both gradients
    return (gx,)


_tensor_op("index", 1, lambda c: "[·]", "x[index]", lambda x, c: x[c], _index_vjp,
           lambda c: ("dL/dx = dL/dy scattered back to the picked positions, 0 elsewhere",))
_tensor_op("dropout", 1, "dropout", "x ⊙ m / (1 - p)", lambda x, c: x * c,
           lambda g, y, xs, c, needs=(True,): (g * c,),
           lambda c: ("dL/dx = dL/dy ⊙ m / (1 - p)",))


# ---- local gradients with the numbers filled in (the lecture's -1/x² = -1/1.37² = -0.53) ----
# Each entry maps (n: number formatter, xs: input values, y: output value, c: constant) to one
# text per input: the local-gradient formula of the scalar rule with the numbers substituted,
# or None where the formula has no number to fill in (the 1 of an add).

def _const_local(*texts):
    return lambda n, xs, y, c: texts


def _paren(n, v) -> str:
    """A number ready for a power: (-0.96)², not -0.96²."""
    text = n(v)
    return f"({text})" if text.startswith("-") else text


def _branch(xs, then, otherwise):
    return then if xs[0] > 0 else otherwise


_LOCAL_NUMBERS = {
    "add": _const_local(None, None),
    "sub": _const_local(None, None),
    "mul": lambda n, xs, y, c: (n(xs[1]), n(xs[0])),
    "div": lambda n, xs, y, c: (f"1/{_paren(n, xs[1])}", f"-{_paren(n, xs[0])}/{_paren(n, xs[1])}²"),
    "max": lambda n, xs, y, c: ((f"1 (a = {n(xs[0])} ≥ b = {n(xs[1])})", f"0 (b = {n(xs[1])} ≤ a)")
                                if xs[0] >= xs[1] else
                                (f"0 (a = {n(xs[0])} < b = {n(xs[1])})", f"1 (b = {n(xs[1])} > a)")),
    "add_const": _const_local(None),
    "mul_const": _const_local(None),
    "rsub_const": _const_local(None),
    "rdiv_const": lambda n, xs, y, c: (f"-{fmt_const(c)}/{_paren(n, xs[0])}²",),
    "pow": lambda n, xs, y, c: (f"{fmt_const(c)}·{_paren(n, xs[0])}^{fmt_const(c - 1)}",),
    "exp": lambda n, xs, y, c: (f"e^{n(xs[0])}",),
    "log": lambda n, xs, y, c: (f"1/{_paren(n, xs[0])}",),
    "sqrt": lambda n, xs, y, c: (f"1/(2√{n(xs[0])})",),
    "relu": lambda n, xs, y, c: (f"{_branch(xs, 1, 0)} (x = {n(xs[0])})",),
    "abs": lambda n, xs, y, c: (f"sign({n(xs[0])})",),
    "sigmoid": lambda n, xs, y, c: (f"{n(y)} × {n(1.0 - y)}",),
    "tanh": lambda n, xs, y, c: (f"1 - {_paren(n, y)}²",),
    "leaky_relu": lambda n, xs, y, c: (f"{_branch(xs, 1, fmt_const(c))} (x = {n(xs[0])})",),
    "elu": lambda n, xs, y, c: ((f"1 (x = {n(xs[0])})",) if xs[0] > 0 else (f"{fmt_const(c)}·e^{n(xs[0])}",)),
    "prelu": lambda n, xs, y, c: ((f"1 (x = {n(xs[0])})", f"0 (x = {n(xs[0])})") if xs[0] > 0 else
                                  (f"α = {n(xs[1])}", f"x = {n(xs[0])}")),
}
for _name, _fill in _LOCAL_NUMBERS.items():
    OPS[_name] = replace(OPS[_name], local_numbers=_fill)
