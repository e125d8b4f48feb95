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
from dataclasses import dataclass, field
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
    return f"{c:g}"


@dataclass(frozen=True)
class Op:
    """One operation, declared once.

    name: key in OPS; arity: number of inputs; symbol(c): the gate label in diagrams;
    formula(c): the output as math of its inputs a, b (``x`` for unary);
    local_formula(c): per input, the local gradient as math;
    scalar: (*input numbers, c) -> (value, local gradients);
    expansion(c): for a composite gate, its primitive gates as ``(op, const, input refs)``
    where refs 0..arity-1 are the composite's inputs and arity+j is expansion step j;
    vjp: (upstream, output array, input arrays, c) -> one array per input (tensor engine).
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

    @property
    def composite(self) -> bool:
        return self.expansion is not None


OPS: dict[str, Op] = {}


def _op(name, arity, symbol, formula, local_formula, expansion=None):
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

@_op("add", 2, "+", "a + b", ("1", "1"))
def _add(a, b, c):
    return a + b, ONES


@_op("sub", 2, "-", "a - b", ("1", "-1"))
def _sub(a, b, c):
    return a - b, ADD_SUB


@_op("mul", 2, "*", "a * b", ("b", "a"))
def _mul(a, b, c):
    return a * b, (b, a)


@_op("div", 2, "/", "a / b", ("1/b", "-a/b²"))
def _divide(a, b, c):
    return _div(a, b), (_div(1.0, b), -_div(a, b * b))


@_op("max", 2, "max", "max(a, b)", ("1 if a ≥ b else 0", "1 if b > a else 0"))
def _max(a, b, c):
    return (a, ONES_FIRST) if a >= b else (b, ONES_SECOND)


ONES_FIRST = (1.0, 0.0)
ONES_SECOND = (0.0, 1.0)


# ---- unary primitives (a constant folded into the gate, as the lecture draws it) ----

@_op("add_const", 1, lambda c: ("+" if c >= 0 else "") + fmt_const(c),
     lambda c: f"x + {fmt_const(c)}", ("1",))
def _add_const(x, c):
    return x + c, ONE


@_op("mul_const", 1, lambda c: "*" + fmt_const(c), lambda c: f"{fmt_const(c)}·x",
     lambda c: (fmt_const(c),))
def _mul_const(x, c):
    return x * c, (c,)


@_op("rsub_const", 1, lambda c: f"{fmt_const(c)}-x", lambda c: f"{fmt_const(c)} - x", ("-1",))
def _rsub_const(x, c):
    return c - x, (-1.0,)


@_op("rdiv_const", 1, lambda c: f"{fmt_const(c)}/x", lambda c: f"{fmt_const(c)}/x",
     lambda c: ("-1/x²",) if c == 1 else (f"-{fmt_const(c)}/x²",))
def _rdiv_const(x, c):
    return _div(c, x), (-_div(c, x * x),)


@_op("pow", 1, lambda c: f"x^{fmt_const(c)}", lambda c: f"x^{fmt_const(c)}",
     lambda c: (f"{fmt_const(c)}·x^{fmt_const(c - 1)}",))
def _pow(x, c):
    return _power(x, c), (c * _power(x, c - 1),)


def _power(x: float, n: float) -> float:
    try:
        r = x ** n
    except ZeroDivisionError:
        return INF
    except OverflowError:
        return INF
    return r if isinstance(r, float) else NAN  # a negative base to a fractional power


@_op("exp", 1, "exp", "e^x", ("e^x",))
def _exp(x, c):
    e = _safe_exp(x)
    return e, (e,)


@_op("log", 1, "log", "ln x", ("1/x",))
def _log(x, c):
    if x > 0:
        return math.log(x), (1.0 / x,)
    if x == 0:
        return -INF, (INF,)
    return NAN, (_div(1.0, x),)


@_op("sqrt", 1, "sqrt", "√x", ("1/(2√x)",))
def _sqrt(x, c):
    if x > 0:
        r = math.sqrt(x)
        return r, (0.5 / r,)
    if x == 0:
        return 0.0, (INF,)
    return NAN, (NAN,)


@_op("relu", 1, "relu", "max(0, x)", ("1 if x > 0 else 0",))
def _relu(x, c):
    return (x, ONE) if x > 0 else (0.0, ZERO)


@_op("abs", 1, "abs", "|x|", ("sign(x)",))
def _abs(x, c):
    return abs(x), ((1.0,) if x > 0 else (-1.0,) if x < 0 else ZERO)


# ---- composite gates: one node, but they know their primitive expansion -------------

@_op("sigmoid", 1, "sigmoid", "1/(1+e^-x)", ("σ(x)(1-σ(x))",),
     expansion=lambda c: (("mul_const", -1.0, (0,)), ("exp", None, (1,)),
                          ("add_const", 1.0, (2,)), ("rdiv_const", 1.0, (3,))))
def _sigmoid_rule(x, c):
    s = _sigmoid(x)
    return s, (s * (1.0 - s),)


@_op("tanh", 1, "tanh", "tanh x", ("1 - tanh²(x)",),
     # tanh x = 2/(1+e^(-2x)) - 1: a chain of lecture gates
     expansion=lambda c: (("mul_const", -2.0, (0,)), ("exp", None, (1,)),
                          ("add_const", 1.0, (2,)), ("rdiv_const", 2.0, (3,)),
                          ("add_const", -1.0, (4,))))
def _tanh(x, c):
    t = math.tanh(x)
    return t, (1.0 - t * t,)


@_op("leaky_relu", 1, lambda c: f"leaky_relu({fmt_const(c)})", lambda c: f"max({fmt_const(c)}·x, x)",
     lambda c: (f"1 if x > 0 else {fmt_const(c)}",),
     # for 0 ≤ α ≤ 1, leaky_relu(x) = max(x, α·x)
     expansion=lambda c: (("mul_const", c, (0,)), ("max", None, (0, 1))))
def _leaky_relu(x, c):
    return (x, ONE) if x > 0 else (x * c, (c,))


@_op("elu", 1, lambda c: f"elu({fmt_const(c)})", lambda c: f"x if x > 0 else {fmt_const(c)}·(e^x - 1)",
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


@_op("prelu", 2, "prelu", "x if x > 0 else α·x", ("1 if x > 0 else α", "0 if x > 0 else x"),
     # prelu(x, α) = relu(x) + α·(-relu(-x))
     expansion=lambda c: (("relu", None, (0,)), ("mul_const", -1.0, (0,)), ("relu", None, (3,)),
                          ("mul_const", -1.0, (4,)), ("mul", None, (5, 1)), ("add", None, (2, 6))))
def _prelu(x, a, c):
    return (x, ONES_FIRST) if x > 0 else (a * x, (a, x))


LEAF = "leaf"


def symbol(op: Optional[str], const: Optional[float]) -> str:
    """The gate label for an op name (a leaf has none)."""
    return "" if op is None or op == LEAF else OPS[op].symbol(const)
