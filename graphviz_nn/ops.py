"""The one rule table: every op declared once, in one entry.

An entry (``Op``) holds everything the project knows about an operation: its scalar forward
with local gradients, its array forward with vector-Jacobian product, the formulas the views
show, the primitive expansion of a composite gate, the constant it takes when none is given,
and how it is written (symbol, notation, element-wise or not). No other module knows a
derivative.

A scalar rule maps input numbers (and the op's constant) to ``(value, local_gradients)``,
one local gradient per input, computed in the forward pass so views can show
"upstream × local = contribution" without recomputing. Forward rules never raise on
overflow or a bad domain: they return inf/nan, so the debugger can point at the node where a
non-finite number first appears.

Example::

    >>> OPS["mul"].scalar(2.0, -1.0, None)
    (-2.0, (-1.0, 2.0))
    >>> OPS["leaky_relu"].default
    0.01
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, NamedTuple, Optional

import numpy as np

INF = math.inf
NAN = math.nan
LEAF = "leaf"

# Shared tuples, so the common local gradients cost no memory per node.
ONE = (1.0,)
ZERO = (0.0,)
ONES_FIRST = (1.0, 0.0)
ONES_SECOND = (0.0, 1.0)

# How a gate is written as an expression of its inputs' names (``debugger.format``):
INFIX = "infix"        # between its two inputs: ``a * b``, ``X @ W``
POSTFIX = "postfix"    # after its input, spaced: ``x +1``, ``x *-1``
SUFFIX = "suffix"      # glued to its input: ``Xᵀ``, ``x[·]``
TEMPLATE = "template"  # the symbol with x replaced by the input: ``1-x``, ``1/x``, ``x^2``
CALL = "call"          # a function call: ``exp(x)``, ``sum(x, axis=0)``
NOTATIONS = (INFIX, POSTFIX, SUFFIX, TEMPLATE, CALL)


def fmt_const(c: float) -> str:
    """A constant as the lecture writes it in a gate: 1, -1, 0.5, 1e-05."""
    return f"{c + 0.0:g}"  # + 0.0 turns -0.0 into 0, so x - 0 is a "+0" gate, not "+-0"


@dataclass(frozen=True)
class Op:
    """One operation, declared once.

    Identity: ``name`` (key in OPS) and ``arity`` (number of inputs).
    Scalar engine: ``scalar(*input numbers, c) -> (value, local gradients)``; ``None`` for an
    op only the tensor engine has.
    Tensor engine: ``array(*input arrays, c) -> output array``; ``vjp(upstream, output,
    input arrays, c, needs) -> one array (or None) per input``, summed back to each input's
    shape when numpy broadcast it (``needs[i]`` false: input i wants no gradient, None is fine).
    Formulas (functions of the constant c): ``formula(c)`` the output as math of its inputs
    a, b (``x`` for unary); ``local_formula(c)`` per input, the local gradient;
    ``vjp_formula(c)`` per input, the VJP as the inspector shows it;
    ``vjp_factors(c, output shape, input shapes)`` per input, that VJP with each factor's
    shape where shapes make it clearer (a matrix product, a broadcast bias), else "".
    Composite gates: ``expansion(c)`` its primitive gates as ``(op, const, input refs)``
    where refs 0..arity-1 are the composite's inputs and arity+j is expansion step j.
    ``default``: the constant when the caller gives none (leaky_relu's α = 0.01).
    Presentation: ``symbol(c)`` the gate label in diagrams; ``notation`` one of
    ``NOTATIONS``; ``elementwise``: output element i depends on input element i alone (for
    a binary op: when neither input was broadcast); ``local_numbers`` the local gradient with
    the numbers filled in; ``operator`` the scenario language's operator for the gate.
    micrograd: ``micrograd_op(c)`` the ``_op`` string micrograd gives the same node.
    Diagnostics: ``saturating``: the slope tends to 0 for large |x|.
    """

    name: str
    arity: int
    symbol: Callable[[Optional[float]], str]
    formula: Callable[[Optional[float]], str]
    local_formula: Callable[[Optional[float]], tuple]
    scalar: Optional[Callable]
    array: Callable
    vjp: Callable
    vjp_formula: Callable[[Optional[float]], tuple]
    vjp_factors: Callable[[Optional[float], tuple, tuple], tuple]
    expansion: Optional[Callable[[Optional[float]], tuple]] = None
    default: Optional[float] = None
    notation: str = CALL
    elementwise: bool = False
    # (number formatter, input values, output value, c) -> per input, the local gradient's
    # formula with the numbers filled in ("0.73 × 0.27"), or None where there is nothing to fill
    local_numbers: Optional[Callable] = None
    # micrograd's ``_op`` string for the node it would build (a function of c); None: the symbol
    micrograd_op: Optional[Callable[[Optional[float]], str]] = None
    # an activation whose slope tends to 0 for large |x| (the debugger's "saturated" watch)
    saturating: bool = False
    # the operator the scenario language writes this gate with ("+" for add and add_const), if any
    operator: Optional[str] = None
    # the scalar rule as one flat tuple, for the engine's hot path: (a, b) -> (value, d/da, d/db)
    # for a binary op, (x, c) -> (value, d/dx) for a unary one; the same numbers as ``scalar``
    # (which is made from it), without the nested tuple. None: only ``scalar``.
    flat: Optional[Callable] = None

    @property
    def composite(self) -> bool:
        return self.expansion is not None


OPS: dict[str, Op] = {}


def _text(x) -> Callable:
    """A formula or symbol given as fixed text (or a tuple of texts) as a function of c."""
    return x if callable(x) else (lambda c, t=x: t)


def _no_factors(c, out: tuple, shapes: tuple) -> tuple:
    return ("",) * len(shapes)


def _declare(name: str, arity: int, *, symbol, formula, scalar, array, vjp, vjp_formula, vjp_factors=None,
             local_formula=None, expansion=None, default=None, notation=CALL, elementwise=False,
             local_numbers=None, micrograd_op=None, saturating=False, operator=None, flat=None) -> None:
    """Enter one op into OPS; texts may be given fixed or as functions of the constant."""
    assert notation in NOTATIONS, notation
    assert name not in OPS, f"{name} is declared twice"  # one entry per op, never patched later
    if vjp_factors is None:
        # a binary element-wise gate names the axes a broadcast input (a bias) is summed over
        vjp_factors = _broadcast_factors if elementwise and arity == 2 else _no_factors
    OPS[name] = Op(name, arity, _text(symbol), _text(formula),
                   # a tensor-only op's local gradient is its VJP
                   _text(local_formula if local_formula is not None else vjp_formula),
                   scalar, array, vjp, _text(vjp_formula), vjp_factors, expansion, default, notation,
                   elementwise, local_numbers, None if micrograd_op is None else _text(micrograd_op),
                   saturating, operator, flat)


def symbol(op: Optional[str], const: Optional[float]) -> str:
    """The gate label for an op name (a leaf has none)."""
    return "" if op is None or op == LEAF else OPS[op].symbol(const)


# ---- shared numerics -------------------------------------------------------------------
# Array forwards that can overflow or leave their domain run under errstate(all="ignore"):
# they return inf/nan like the scalar rules and never raise.

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


def _power(x: float, n: float) -> float:
    try:
        r = x ** n
    except (ZeroDivisionError, OverflowError):
        if x < 0 and n != int(n):
            return NAN  # a negative base to a fractional power ("complex exponentiation")
        # IEEE pow: an odd integer exponent keeps the sign ((-0.0) ** -1 = -inf, (-1e200) ** 3 = -inf)
        return math.copysign(INF, x) if n % 2 == 1 else INF
    return r if isinstance(r, float) else NAN  # a negative base to a fractional power


def unbroadcast(g, shape: tuple):
    """Sum a broadcast gradient back to ``shape`` (the input's shape before broadcasting)."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def _unb2(ga, gb, xs, needs):
    return (unbroadcast(ga, xs[0].shape) if needs[0] else None,
            unbroadcast(gb, xs[1].shape) if needs[1] else None)


def _broadcast_axes(shape: tuple, out: tuple) -> tuple:
    """The axes of ``out`` along which an input of ``shape`` was copied by broadcasting."""
    extra = len(out) - len(shape)
    return tuple(i for i in range(len(out)) if i < extra or (shape[i - extra] == 1 and out[i] != 1))


def _broadcast_factors(c, out: tuple, shapes: tuple) -> tuple:
    """A broadcast input collects its gradient by summing over the axes it was copied along."""
    factors = []
    for shape in shapes:
        axes = _broadcast_axes(shape, out)
        factors.append(f"dL/dy {out} summed over axis {axes[0] if len(axes) == 1 else axes} → {shape}"
                       if axes else "")
    return tuple(factors)


def _expand(g, axis, keepdims: bool):
    """Put back the axes a reduction removed, so ``g`` broadcasts against the input."""
    if axis is None or keepdims:
        return g
    return np.expand_dims(g, axis)


# ---- local gradients with the numbers filled in (the lecture's -1/x² = -1/1.37² = -0.53) ----
# Each entry's ``local_numbers`` maps (n: number formatter, xs: input values, y: output value,
# c: constant) to one text per input: the local-gradient formula of the scalar rule with the
# numbers substituted, or None where the formula has no number to fill in (the 1 of an add).
# A branch's text in parentheses says where the formula is evaluated, and is written after it:
# "1 if x > 0 else 0 (x = -2.50) = 0.00" (the value once).

def _const_local(*texts):
    return lambda n, xs, y, c: texts


def _paren(n, v) -> str:
    """A number ready for a power: (-0.96)², not -0.96²."""
    text = n(v)
    return f"({text})" if text.startswith("-") else text


# ==== binary element-wise gates (numpy broadcasts; the VJP sums back) ====================

def _binary_scalar(flat: Callable) -> Callable:
    """The scalar rule ``(a, b, c) -> (value, (d/da, d/db))`` of a flat binary rule."""
    def scalar(a, b, c):
        value, la, lb = flat(a, b)
        return value, (la, lb)
    return scalar


def _unary_scalar(flat: Callable) -> Callable:
    """The scalar rule ``(x, c) -> (value, (d/dx,))`` of a flat unary rule."""
    def scalar(x, c):
        value, la = flat(x, c)
        return value, (la,)
    return scalar


def _add_flat(a, b):
    return a + b, 1.0, 1.0


_add = _binary_scalar(_add_flat)


_declare("add", 2, symbol="+", formula="a + b", local_formula=("1", "1"), scalar=_add, flat=_add_flat,
         array=lambda a, b, c: a + b,
         vjp=lambda g, y, xs, c, needs=(True, True): _unb2(g, g, xs, needs),
         vjp_formula=("dL/da = dL/dy (summed over broadcast axes)", "dL/db = dL/dy (summed over broadcast axes)"),
         notation=INFIX, elementwise=True,
         local_numbers=_const_local(None, None),
         micrograd_op="+",
         operator="+")


def _sub_flat(a, b):
    return a - b, 1.0, -1.0


_sub = _binary_scalar(_sub_flat)


_declare("sub", 2, symbol="-", formula="a - b", local_formula=("1", "-1"), scalar=_sub, flat=_sub_flat,
         array=lambda a, b, c: a - b,
         vjp=lambda g, y, xs, c, needs=(True, True): _unb2(g, -g if needs[1] else None, xs, needs),
         vjp_formula=("dL/da = dL/dy (summed over broadcast axes)", "dL/db = -dL/dy (summed over broadcast axes)"),
         notation=INFIX, elementwise=True,
         local_numbers=_const_local(None, None),
         micrograd_op="+",
         operator="-")


def _mul_flat(a, b):
    return a * b, b, a  # the local gradients are the inputs' own numbers: no new float


_mul = _binary_scalar(_mul_flat)


_declare("mul", 2, symbol="*", formula="a * b", local_formula=("b", "a"), scalar=_mul, flat=_mul_flat,
         array=lambda a, b, c: a * b,
         vjp=lambda g, y, xs, c, needs=(True, True): _unb2(g * xs[1] if needs[0] else None,
                                                           g * xs[0] if needs[1] else None, xs, needs),
         vjp_formula=("dL/da = dL/dy ⊙ b", "dL/db = dL/dy ⊙ a"),
         notation=INFIX, elementwise=True,
         local_numbers=lambda n, xs, y, c: (n(xs[1]), n(xs[0])),
         micrograd_op="*",
         operator="*")


def _divide(a, b, c):
    return _div(a, b), (_div(1.0, b), -_div(a, b * b))


def _div_array(a, b, c):
    with np.errstate(all="ignore"):
        return a / b


def _div_vjp(g, y, xs, c, needs=(True, True)):
    with np.errstate(all="ignore"):
        ga = g / xs[1] if needs[0] else None
        gb = -g * y / xs[1] if needs[1] else None
    return _unb2(ga, gb, xs, needs)


_declare("div", 2, symbol="/", formula="a / b", local_formula=("1/b", "-a/b²"), scalar=_divide,
         array=_div_array, vjp=_div_vjp, vjp_formula=("dL/da = dL/dy ⊙ 1/b", "dL/db = -dL/dy ⊙ a/b²"),
         notation=INFIX, elementwise=True,
         local_numbers=lambda n, xs, y, c: (f"1/{_paren(n, xs[1])}", f"-{_paren(n, xs[0])}/{_paren(n, xs[1])}²"),
         micrograd_op="*",
         operator="/")


def _max(a, b, c):
    return (a, ONES_FIRST) if a >= b else (b, ONES_SECOND)


def _max_vjp(g, y, xs, c, needs=(True, True)):
    first = xs[0] >= xs[1]  # ties go to the first input, as in the scalar rule
    return _unb2(g * first if needs[0] else None, g * ~first if needs[1] else None, xs, needs)


_declare("max", 2, symbol="max", formula="max(a, b)", local_formula=("1 if a ≥ b else 0", "1 if b > a else 0"),
         scalar=_max, array=lambda a, b, c: np.maximum(a, b), vjp=_max_vjp,
         vjp_formula=("dL/da = dL/dy ⊙ [a ≥ b]", "dL/db = dL/dy ⊙ [b > a]"), elementwise=True,
         local_numbers=lambda n, xs, y, c: ((f"(a = {n(xs[0])} ≥ b = {n(xs[1])})", f"(b = {n(xs[1])} ≤ a)")
                                       if xs[0] >= xs[1] else
                                       (f"(a = {n(xs[0])} < b = {n(xs[1])})", f"(b = {n(xs[1])} > a)")))


# ==== unary gates with a constant folded in, as the lecture draws them ====================
# (one input; ``needs`` is always true when a unary VJP is called)

def _add_const_flat(x, c):
    return x + c, 1.0


_add_const = _unary_scalar(_add_const_flat)


_declare("add_const", 1, symbol=lambda c: ("+" if c >= 0 else "") + fmt_const(c),
         formula=lambda c: f"x + {fmt_const(c)}", local_formula=("1",), scalar=_add_const, flat=_add_const_flat,
         array=lambda x, c: x + c, vjp=lambda g, y, xs, c, needs=(True,): (g,),
         vjp_formula=("dL/dx = dL/dy",), notation=POSTFIX, elementwise=True,
         local_numbers=_const_local(None),
         micrograd_op="+",
         operator="+")


def _mul_const_flat(x, c):
    return x * c, c


_mul_const = _unary_scalar(_mul_const_flat)


_declare("mul_const", 1, symbol=lambda c: "*" + fmt_const(c), formula=lambda c: f"{fmt_const(c)}·x",
         local_formula=lambda c: (fmt_const(c),), scalar=_mul_const, flat=_mul_const_flat,
         array=lambda x, c: x * c, vjp=lambda g, y, xs, c, needs=(True,): (g * c,),
         vjp_formula=lambda c: (f"dL/dx = {fmt_const(c)}·dL/dy",), notation=POSTFIX, elementwise=True,
         local_numbers=_const_local(None),
         micrograd_op="*",
         operator="*")


def _rsub_const(x, c):
    return c - x, (-1.0,)


_declare("rsub_const", 1, symbol=lambda c: f"{fmt_const(c)}-x", formula=lambda c: f"{fmt_const(c)} - x",
         local_formula=("-1",), scalar=_rsub_const,
         array=lambda x, c: c - x, vjp=lambda g, y, xs, c, needs=(True,): (-g,),
         vjp_formula=("dL/dx = -dL/dy",), notation=TEMPLATE, elementwise=True,
         local_numbers=_const_local(None),
         micrograd_op="+",
         operator="-")


def _rdiv_const(x, c):
    return _div(c, x), (-_div(c, x * x),)


def _rdiv_array(x, c):
    with np.errstate(all="ignore"):
        return c / x


def _rdiv_vjp(g, y, xs, c, needs=(True,)):
    with np.errstate(all="ignore"):
        return (-g * y / xs[0],)


_declare("rdiv_const", 1, symbol=lambda c: f"{fmt_const(c)}/x", formula=lambda c: f"{fmt_const(c)}/x",
         local_formula=lambda c: ("-1/x²",) if c == 1 else (f"-{fmt_const(c)}/x²",), scalar=_rdiv_const,
         array=_rdiv_array, vjp=_rdiv_vjp, vjp_formula=lambda c: (f"dL/dx = -dL/dy ⊙ {fmt_const(c)}/x²",),
         notation=TEMPLATE, elementwise=True,
         local_numbers=lambda n, xs, y, c: (f"-{fmt_const(c)}/{_paren(n, xs[0])}²",),
         micrograd_op="*",
         operator="/")


def _pow(x, c):
    # x^0 is the constant 1: its slope is 0 even at x = 0, where 0 * 0^-1 would give nan
    return _power(x, c), ((c * _power(x, c - 1)) if c else 0.0,)


def _pow_array(x, c):
    with np.errstate(all="ignore"):
        return x ** c


def _pow_vjp(g, y, xs, c, needs=(True,)):
    if not c:  # x^0 is the constant 1: slope 0 even at x = 0 (as the scalar rule)
        return (np.zeros_like(g),)
    with np.errstate(all="ignore"):
        return (g * (c * xs[0] ** (c - 1)),)


_declare("pow", 1, symbol=lambda c: f"x^{fmt_const(c)}", formula=lambda c: f"x^{fmt_const(c)}",
         local_formula=lambda c: (f"{fmt_const(c)}·x^{fmt_const(c - 1)}",), scalar=_pow,
         array=_pow_array, vjp=_pow_vjp,
         vjp_formula=lambda c: (f"dL/dx = dL/dy ⊙ {fmt_const(c)}·x^{fmt_const(c - 1)}",),
         notation=TEMPLATE, elementwise=True,
         local_numbers=lambda n, xs, y, c: (f"{fmt_const(c)}·{_paren(n, xs[0])}^{fmt_const(c - 1)}",),
         micrograd_op=lambda c: f"**{c}")


# ==== unary primitive functions ===========================================================

def _exp(x, c):
    e = _safe_exp(x)
    return e, (e,)


def _exp_array(x, c):
    with np.errstate(all="ignore"):
        return np.exp(x)


_declare("exp", 1, symbol="exp", formula="e^x", local_formula=("e^x",), scalar=_exp,
         array=_exp_array, vjp=lambda g, y, xs, c, needs=(True,): (g * y,),
         vjp_formula=("dL/dx = dL/dy ⊙ e^x",), elementwise=True,
         local_numbers=lambda n, xs, y, c: (f"e^{n(xs[0])}",))


def _log(x, c):
    if x > 0:
        return math.log(x), (1.0 / x,)
    if x == 0:
        return -INF, (INF,)
    return NAN, (_div(1.0, x),)


def _log_array(x, c):
    with np.errstate(all="ignore"):
        return np.log(x)


def _log_vjp(g, y, xs, c, needs=(True,)):
    with np.errstate(all="ignore"):
        return (g / xs[0],)


_declare("log", 1, symbol="log", formula="ln x", local_formula=("1/x",), scalar=_log,
         array=_log_array, vjp=_log_vjp, vjp_formula=("dL/dx = dL/dy ⊙ 1/x",), elementwise=True,
         local_numbers=lambda n, xs, y, c: (f"1/{_paren(n, xs[0])}",))


def _sqrt(x, c):
    if x > 0:
        r = math.sqrt(x)
        return r, (0.5 / r,)
    if x == 0:
        return 0.0, (INF,)
    return NAN, (NAN,)


def _sqrt_array(x, c):
    with np.errstate(all="ignore"):
        return np.sqrt(x)


def _sqrt_vjp(g, y, xs, c, needs=(True,)):
    with np.errstate(all="ignore"):
        return (g * 0.5 / y,)


_declare("sqrt", 1, symbol="sqrt", formula="√x", local_formula=("1/(2√x)",), scalar=_sqrt,
         array=_sqrt_array, vjp=_sqrt_vjp, vjp_formula=("dL/dx = dL/dy ⊙ 1/(2√x)",), elementwise=True,
         local_numbers=lambda n, xs, y, c: (f"1/(2√{n(xs[0])})",))


def _relu(x, c):
    return (x, ONE) if x > 0 else (0.0, ZERO)


_declare("relu", 1, symbol="relu", formula="max(0, x)", local_formula=("1 if x > 0 else 0",), scalar=_relu,
         array=lambda x, c: np.maximum(x, 0.0), vjp=lambda g, y, xs, c, needs=(True,): (g * (xs[0] > 0),),
         vjp_formula=("dL/dx = dL/dy ⊙ [x > 0]",), elementwise=True,
         local_numbers=lambda n, xs, y, c: (f"(x = {n(xs[0])})",),
         micrograd_op="ReLU")


def _abs(x, c):
    return abs(x), ((1.0,) if x > 0 else (-1.0,) if x < 0 else ZERO)


_declare("abs", 1, symbol="abs", formula="|x|", local_formula=("sign(x)",), scalar=_abs,
         array=lambda x, c: np.abs(x), vjp=lambda g, y, xs, c, needs=(True,): (g * np.sign(xs[0]),),
         vjp_formula=("dL/dx = dL/dy ⊙ sign(x)",), elementwise=True,
         local_numbers=lambda n, xs, y, c: (f"sign({n(xs[0])})",))


# ==== composite gates: one node, but they know their primitive expansion =================

def _sigmoid_rule(x, c):
    s = _sigmoid(x)
    return s, (s * (1.0 - s),)


def _sigmoid_array(x, c):
    # exp of -|x| never overflows; the two branches of the scalar rule, vectorised
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


_declare("sigmoid", 1, symbol="sigmoid", formula="1/(1+e^-x)", local_formula=("σ(x)(1-σ(x))",),
         scalar=_sigmoid_rule, array=_sigmoid_array,
         vjp=lambda g, y, xs, c, needs=(True,): (g * (y * (1.0 - y)),),
         vjp_formula=("dL/dx = dL/dy ⊙ σ(x)(1 - σ(x))",), elementwise=True,
         expansion=lambda c: (("mul_const", -1.0, (0,)), ("exp", None, (1,)),
                              ("add_const", 1.0, (2,)), ("rdiv_const", 1.0, (3,))),
         local_numbers=lambda n, xs, y, c: (f"{n(y)} × {n(1.0 - y)}",),
         saturating=True)


def _tanh(x, c):
    t = math.tanh(x)
    return t, (1.0 - t * t,)


_declare("tanh", 1, symbol="tanh", formula="tanh x", local_formula=("1 - tanh²(x)",), scalar=_tanh,
         array=lambda x, c: np.tanh(x), vjp=lambda g, y, xs, c, needs=(True,): (g * (1.0 - y * y),),
         vjp_formula=("dL/dx = dL/dy ⊙ (1 - tanh²x)",), elementwise=True,
         # tanh x = 2/(1+e^(-2x)) - 1: a chain of lecture gates
         expansion=lambda c: (("mul_const", -2.0, (0,)), ("exp", None, (1,)),
                              ("add_const", 1.0, (2,)), ("rdiv_const", 2.0, (3,)),
                              ("add_const", -1.0, (4,))),
         local_numbers=lambda n, xs, y, c: (f"1 - {_paren(n, y)}²",),
         saturating=True)


def _leaky_relu(x, c):
    return (x, ONE) if x > 0 else (x * c, (c,))


_declare("leaky_relu", 1, default=0.01, symbol=lambda c: f"leaky_relu({fmt_const(c)})",
         formula=lambda c: f"max({fmt_const(c)}·x, x)" if 0 <= c <= 1 else f"x if x > 0 else {fmt_const(c)}·x",
         local_formula=lambda c: (f"1 if x > 0 else {fmt_const(c)}",), scalar=_leaky_relu,
         array=lambda x, c: np.where(x > 0, x, c * x),
         vjp=lambda g, y, xs, c, needs=(True,): (g * np.where(xs[0] > 0, 1.0, c),),
         vjp_formula=lambda c: (f"dL/dx = dL/dy ⊙ (1 if x > 0 else {fmt_const(c)})",), elementwise=True,
         # for 0 ≤ α ≤ 1, leaky_relu(x) = max(x, α·x) as the lecture draws it; any other α
         # (where that max picks the wrong branch) expands like prelu: relu(x) - α·relu(-x)
         expansion=lambda c: (("mul_const", c, (0,)), ("max", None, (0, 1))) if 0 <= c <= 1 else (
             ("relu", None, (0,)), ("mul_const", -1.0, (0,)), ("relu", None, (2,)),
             ("mul_const", -c, (3,)), ("add", None, (1, 4))),
         local_numbers=lambda n, xs, y, c: (f"(x = {n(xs[0])})",))


def _elu(x, c):
    if x > 0:
        return x, ONE
    e = _safe_exp(x)
    return c * (e - 1.0), (c * e,)


def _elu_array(x, c):
    with np.errstate(all="ignore"):
        return np.where(x > 0, x, c * np.expm1(np.minimum(x, 0.0)))


_declare("elu", 1, default=1.0, symbol=lambda c: f"elu({fmt_const(c)})",
         formula=lambda c: f"x if x > 0 else {fmt_const(c)}·(e^x - 1)",
         local_formula=lambda c: (f"1 if x > 0 else {fmt_const(c)}·e^x",), scalar=_elu, array=_elu_array,
         # below zero, elu'(x) = α·e^x = y + α, so the output alone gives the local gradient
         vjp=lambda g, y, xs, c, needs=(True,): (g * np.where(xs[0] > 0, 1.0, y + c),),
         vjp_formula=lambda c: (f"dL/dx = dL/dy ⊙ (1 if x > 0 else {fmt_const(c)}·e^x)",), elementwise=True,
         # elu(x) = relu(x) + α·(e^(-relu(-x)) - 1), branch-free in primitive gates
         expansion=lambda c: (("relu", None, (0,)), ("mul_const", -1.0, (0,)), ("relu", None, (2,)),
                              ("mul_const", -1.0, (3,)), ("exp", None, (4,)), ("add_const", -1.0, (5,)),
                              ("mul_const", c, (6,)), ("add", None, (1, 7))),
         local_numbers=lambda n, xs, y, c: ((f"(x = {n(xs[0])})",) if xs[0] > 0 else
                                            (f"{fmt_const(c)}·e^{n(xs[0])}",)),
         saturating=True)


def _prelu(x, a, c):
    return (x, ONES_FIRST) if x > 0 else (a * x, (a, x))


def _prelu_vjp(g, y, xs, c, needs=(True, True)):
    x, alpha = xs
    pos = x > 0
    return _unb2(g * np.where(pos, 1.0, alpha) if needs[0] else None,
                 g * np.where(pos, 0.0, x) if needs[1] else None, xs, needs)


_declare("prelu", 2, symbol="prelu", formula="x if x > 0 else α·x",
         local_formula=("1 if x > 0 else α", "0 if x > 0 else x"), scalar=_prelu,
         array=lambda x, a, c: np.where(x > 0, x, a * x), vjp=_prelu_vjp,
         vjp_formula=("dL/dx = dL/dy ⊙ (1 if x > 0 else α)", "dL/dα = dL/dy ⊙ (0 if x > 0 else x)"),
         elementwise=True,
         # prelu(x, α) = relu(x) + α·(-relu(-x))
         expansion=lambda c: (("relu", None, (0,)), ("mul_const", -1.0, (0,)), ("relu", None, (3,)),
                              ("mul_const", -1.0, (4,)), ("mul", None, (5, 1)), ("add", None, (2, 6))),
         local_numbers=lambda n, xs, y, c: ((f"(x = {n(xs[0])})",) * 2 if xs[0] > 0 else
                                           (f"(x = {n(xs[0])}, α = {n(xs[1])})", f"(x = {n(xs[0])})")))


# ==== ops that micrograd's forks add (issue 28): a Value exponent, a number base, smooth activations

def _pow_value(a, b, c):
    # PyTorch's rule: no slope through a zero exponent (even at a = 0), none into the exponent
    # at a zero base with b ≥ 0; a negative base's exponent slope is nan (its log is complex)
    y = _power(a, b)
    da = b * _power(a, b - 1.0) if b else 0.0
    if a > 0:
        db = y * math.log(a)
    elif a == 0:
        db = 0.0 if b >= 0 else -INF
    else:
        db = NAN
    return y, (da, db)


def _pow_value_vjp(g, y, xs, c, needs=(True, True)):
    a, b = xs
    with np.errstate(all="ignore"):
        ga = g * np.where(b == 0, 0.0, b * a ** (b - 1.0)) if needs[0] else None
        gb = g * np.where((a == 0) & (b >= 0), 0.0, y * np.log(a)) if needs[1] else None
    return _unb2(ga, gb, xs, needs)


def _pow_value_array(a, b, c):
    with np.errstate(all="ignore"):
        return np.power(a, b)


_declare("pow_value", 2, symbol="^", formula="a^b", local_formula=("b·a^(b-1)", "a^b·ln a"),
         scalar=_pow_value, array=_pow_value_array, vjp=_pow_value_vjp,
         vjp_formula=("dL/da = dL/dy ⊙ b·a^(b-1)", "dL/db = dL/dy ⊙ a^b·ln a"),
         notation=INFIX, elementwise=True,
         micrograd_op="**",  # forks that take a Value exponent write its op as '**'
         local_numbers=lambda n, xs, y, c: (f"{n(xs[1])}·{_paren(n, xs[0])}^{_paren(n, xs[1] - 1.0)}",
                                            f"{_paren(n, xs[0])}^{_paren(n, xs[1])}·ln {_paren(n, xs[0])}"))


def _rpow_const(x, c):
    y = _power(c, x)
    if c > 0:
        return y, (y * math.log(c),)
    if c == 0:
        return y, (0.0 if x >= 0 else -INF,)
    return y, (NAN,)


def _rpow_const_vjp(g, y, xs, c, needs=(True,)):
    with np.errstate(all="ignore"):
        local = np.where(xs[0] >= 0, 0.0, -INF) if c == 0 else y * np.log(c)
        return (g * local,)


def _rpow_const_array(x, c):
    with np.errstate(all="ignore"):
        return np.power(c, x)


_declare("rpow_const", 1, symbol=lambda c: f"{fmt_const(c)}^x", formula=lambda c: f"{fmt_const(c)}^x",
         local_formula=lambda c: (f"{fmt_const(c)}^x·ln {fmt_const(c)}",), scalar=_rpow_const,
         array=_rpow_const_array, vjp=_rpow_const_vjp,
         vjp_formula=lambda c: (f"dL/dx = dL/dy ⊙ {fmt_const(c)}^x·ln {fmt_const(c)}",),
         notation=TEMPLATE, elementwise=True,
         local_numbers=lambda n, xs, y, c: (f"{fmt_const(c)}^{_paren(n, xs[0])}·ln {fmt_const(c)}",))

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_erf_array = np.frompyfunc(math.erf, 1, 1)  # numpy has no erf; math's, element by element


def _gelu(x, c):
    cdf = 0.5 * (1.0 + math.erf(x * _SQRT_HALF))
    return x * cdf, (cdf + x * _INV_SQRT_2PI * _safe_exp(-0.5 * x * x),)


def _gelu_cdf(x):
    return 0.5 * (1.0 + _erf_array(x * _SQRT_HALF).astype(float))


def _gelu_vjp(g, y, xs, c, needs=(True,)):
    x = xs[0]
    with np.errstate(all="ignore"):
        return (g * (_gelu_cdf(x) + x * _INV_SQRT_2PI * np.exp(-0.5 * x * x)),)


_declare("gelu", 1, symbol="gelu", formula="x·Φ(x)", local_formula=("Φ(x) + x·φ(x)",), scalar=_gelu,
         array=lambda x, c: x * _gelu_cdf(x), vjp=_gelu_vjp,
         vjp_formula=("dL/dx = dL/dy ⊙ (Φ(x) + x·φ(x))",), elementwise=True,
         local_numbers=lambda n, xs, y, c: (f"Φ({n(xs[0])}) + {n(xs[0])}·φ({n(xs[0])})",))

_SOFTPLUS_THRESHOLD = 20.0  # PyTorch's: above it softplus(x) is x (log1p(e^x) - x < 2.1e-9)


def _softplus(x, c):
    if x > _SOFTPLUS_THRESHOLD:
        return x, ONE
    return math.log1p(_safe_exp(x)), (_sigmoid(x),)


def _softplus_array(x, c):
    with np.errstate(all="ignore"):
        return np.where(x > _SOFTPLUS_THRESHOLD, x, np.log1p(np.exp(np.minimum(x, _SOFTPLUS_THRESHOLD))))


def _softplus_vjp(g, y, xs, c, needs=(True,)):
    x = xs[0]
    return (g * np.where(x > _SOFTPLUS_THRESHOLD, 1.0, _sigmoid_array(x, None)),)


_declare("softplus", 1, symbol="softplus", formula="ln(1 + e^x)", local_formula=("1/(1+e^-x)",),
         scalar=_softplus, array=_softplus_array, vjp=_softplus_vjp,
         vjp_formula=("dL/dx = dL/dy ⊙ 1/(1+e^-x)",), elementwise=True,
         local_numbers=lambda n, xs, y, c: (f"1/(1+e^-{_paren(n, xs[0])})",))


def _sin(x, c):
    if not math.isfinite(x):
        return NAN, (NAN,)  # math.sin raises on ±inf; the rules return nan instead
    return math.sin(x), (math.cos(x),)


def _cos(x, c):
    if not math.isfinite(x):
        return NAN, (NAN,)
    return math.cos(x), (-math.sin(x),)


_declare("sin", 1, symbol="sin", formula="sin x", local_formula=("cos x",), scalar=_sin,
         array=lambda x, c: _quiet(np.sin, x), vjp=lambda g, y, xs, c, needs=(True,): (g * _quiet(np.cos, xs[0]),),
         vjp_formula=("dL/dx = dL/dy ⊙ cos x",), elementwise=True,
         local_numbers=lambda n, xs, y, c: (f"cos {n(xs[0])}",))
_declare("cos", 1, symbol="cos", formula="cos x", local_formula=("-sin x",), scalar=_cos,
         array=lambda x, c: _quiet(np.cos, x), vjp=lambda g, y, xs, c, needs=(True,): (-g * _quiet(np.sin, xs[0]),),
         vjp_formula=("dL/dx = dL/dy ⊙ -sin x",), elementwise=True,
         local_numbers=lambda n, xs, y, c: (f"-sin {n(xs[0])}",))


def _quiet(f, x):
    with np.errstate(all="ignore"):  # sin(inf) is nan, as the scalar rule says
        return f(x)


# ==== tensor-only ops: matrix product, reductions, shapes, softmax, indexing ==============
# (``scalar`` is None: the scalar engine has no such gate)

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


def _matmul_factors(c, out: tuple, shapes: tuple) -> tuple:
    x, w = shapes
    if len(x) != 2 or len(w) != 2:
        return ("", "")
    return (f"dL/dY {out} · Wᵀ {w[::-1]}", f"Xᵀ {x[::-1]} · dL/dY {out}")


_declare("matmul", 2, symbol="@", formula="X · W", scalar=None, array=lambda a, b, c: a @ b, vjp=_matmul_vjp,
         vjp_formula=("dL/dX = dL/dY · Wᵀ", "dL/dW = Xᵀ · dL/dY"), vjp_factors=_matmul_factors, notation=INFIX)


def _sum_vjp(g, y, xs, c, needs=(True,)):
    return (np.broadcast_to(_expand(g, c[0], c[1]), xs[0].shape),)


def _copied_back(divide: str):
    """A reduction's gradient is copied back to the input's shape (and divided by n for a mean)."""
    def factors(c, out: tuple, shapes: tuple) -> tuple:
        return ("",) if out == shapes[0] else (f"dL/dy {out} copied back to {shapes[0]}{divide}",)
    return factors


_declare("sum", 1, symbol=lambda c: f"sum({_axis_text(c)})", formula=lambda c: f"Σ x ({_axis_text(c) or 'all'})",
         scalar=None, array=lambda x, c: x.sum(axis=c[0], keepdims=c[1]), vjp=_sum_vjp,
         vjp_formula=("dL/dx = dL/dy broadcast back over the summed axes",), vjp_factors=_copied_back(""))


def _mean_vjp(g, y, xs, c, needs=(True,)):
    x = xs[0]
    count = x.size if c[0] is None else math.prod(x.shape[i] for i in c[0])
    return (np.broadcast_to(_expand(g, c[0], c[1]) / count, x.shape),)


_declare("mean", 1, symbol=lambda c: f"mean({_axis_text(c)})", formula=lambda c: f"mean x ({_axis_text(c) or 'all'})",
         scalar=None, array=lambda x, c: x.mean(axis=c[0], keepdims=c[1]), vjp=_mean_vjp,
         vjp_formula=("dL/dx = dL/dy / n broadcast back over the averaged axes",), vjp_factors=_copied_back(" / n"))


def _max_axis_vjp(g, y, xs, c, needs=(True,)):
    x = xs[0]
    hit = x == _expand(y, c[0], c[1])
    # ties share the gradient equally, so the rule is symmetric in the tied inputs
    share = hit / hit.sum(axis=c[0], keepdims=True)
    return (share * _expand(g, c[0], c[1]),)


_declare("max_axis", 1, symbol=lambda c: f"max({_axis_text(c)})",
         formula=lambda c: f"max x ({_axis_text(c) or 'all'})",
         scalar=None, array=lambda x, c: x.max(axis=c[0], keepdims=c[1]), vjp=_max_axis_vjp,
         vjp_formula=("dL/dx = dL/dy where x is the maximum, 0 elsewhere (ties share)",))

_declare("reshape", 1, symbol=lambda c: f"reshape{c}", formula=lambda c: f"x reshaped to {c}",
         scalar=None, array=lambda x, c: x.reshape(c),
         vjp=lambda g, y, xs, c, needs=(True,): (g.reshape(xs[0].shape),),
         vjp_formula=("dL/dx = dL/dy reshaped back to x's shape",))


def _inverse_axes(axes):
    return None if axes is None else tuple(np.argsort(axes))


_declare("transpose", 1, symbol=lambda c: "ᵀ" if c is None else f"transpose{c}", formula="xᵀ",
         scalar=None, array=lambda x, c: np.transpose(x, c),
         vjp=lambda g, y, xs, c, needs=(True,): (np.transpose(g, _inverse_axes(c)),),
         vjp_formula=("dL/dx = (dL/dy)ᵀ",), notation=SUFFIX)


def _softmax_array(x, axis):
    z = x - x.max(axis=axis, keepdims=True)  # the shift keeps exp in range at logits of ±1000
    with np.errstate(under="ignore"):
        e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


_declare("softmax", 1, symbol="softmax", formula=lambda c: f"e^x / Σ e^x (axis={c})",
         scalar=None, array=_softmax_array,
         vjp=lambda g, y, xs, c, needs=(True,): (y * (g - (g * y).sum(axis=c, keepdims=True)),),
         vjp_formula=("dL/dx = y ⊙ (dL/dy - Σ dL/dy ⊙ y)",))


def _log_softmax_array(x, axis):
    z = x - x.max(axis=axis, keepdims=True)
    with np.errstate(under="ignore"):
        return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def _log_softmax_vjp(g, y, xs, c, needs=(True,)):
    with np.errstate(under="ignore"):
        return (g - np.exp(y) * g.sum(axis=c, keepdims=True),)


_declare("log_softmax", 1, symbol="log_softmax", formula=lambda c: f"x - log Σ e^x (axis={c})",
         scalar=None, array=_log_softmax_array, vjp=_log_softmax_vjp,
         vjp_formula=("dL/dx = dL/dy - softmax(x) ⊙ Σ dL/dy",))


def _index_vjp(g, y, xs, c, needs=(True,)):
    gx = np.zeros_like(xs[0])
    np.add.at(gx, c, g)  # add, not assign: an index picked twice gets both gradients
    return (gx,)


_declare("index", 1, symbol="[·]", formula="x[index]", scalar=None, array=lambda x, c: x[c], vjp=_index_vjp,
         vjp_formula=("dL/dx = dL/dy scattered back to the picked positions, 0 elsewhere",), notation=SUFFIX)

_declare("dropout", 1, symbol="dropout", formula="x ⊙ m / (1 - p)", scalar=None,
         array=lambda x, c: x * c, vjp=lambda g, y, xs, c, needs=(True,): (g * c,),
         vjp_formula=("dL/dx = dL/dy ⊙ m / (1 - p)",), elementwise=True)


# ==== the ops of the models people teach (transformers, CNNs): issue 27 ====================
# Recorded from real PyTorch models by graphviz_nn.torch; each keeps the node contract (at most
# two inputs): a call with more (layer_norm's x, γ, β) is written as this gate plus the
# lecture's ``* γ + β`` gates.

_SQRT_2_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715


def _batched(a, b):
    """Operands as matrices (a 1-D input is a row on the left, a column on the right)."""
    return (a[None, :] if a.ndim == 1 else a), (b[:, None] if b.ndim == 1 else b)


def _batched_matmul_vjp(g, y, xs, c, needs=(True, True)):
    a, b = xs
    A, B = _batched(a, b)
    if a.ndim == 1:
        g = np.expand_dims(g, -2)
    if b.ndim == 1:
        g = np.expand_dims(g, -1)
    # each batch is a matrix product; a batch axis one operand shares is summed back
    ga = unbroadcast(g @ np.swapaxes(B, -1, -2), A.shape).reshape(a.shape) if needs[0] else None
    gb = unbroadcast(np.swapaxes(A, -1, -2) @ g, B.shape).reshape(b.shape) if needs[1] else None
    return ga, gb


def _batched_matmul_factors(c, out: tuple, shapes: tuple) -> tuple:
    a, b = shapes
    if len(a) < 2 or len(b) < 2:
        return ("", "")
    bt, at = (*b[:-2], b[-1], b[-2]), (*a[:-2], a[-1], a[-2])
    return (f"dL/dY {out} · Bᵀ {bt} per batch", f"Aᵀ {at} · dL/dY {out} per batch")


_declare("batched_matmul", 2, symbol="@", formula="A · B (a matrix product per batch)", scalar=None,
         array=lambda a, b, c: np.matmul(a, b), vjp=_batched_matmul_vjp,
         vjp_formula=("dL/dA = dL/dY · Bᵀ per batch (summed over batch axes A shares)",
                      "dL/dB = Aᵀ · dL/dY per batch (summed over batch axes B shares)"),
         vjp_factors=_batched_matmul_factors, notation=INFIX)


class Gather(NamedTuple):
    """An embedding's constant: the token ids it looks up, and the row that learns nothing."""

    ids: np.ndarray
    padding_idx: Optional[int] = None

    def __repr__(self):
        return f"ids{self.ids.shape}" + ("" if self.padding_idx is None else f", padding_idx={self.padding_idx}")


def _embedding_vjp(g, y, xs, c, needs=(True,)):
    gw = np.zeros_like(xs[0])
    np.add.at(gw, c.ids, g)  # a token that appears twice adds both gradients to its row
    if c.padding_idx is not None:
        gw[c.padding_idx] = 0.0
    return (gw,)


_declare("embedding", 1, symbol="embedding", formula="W[ids] (one row of W per token)", scalar=None,
         array=lambda w, c: w[c.ids], vjp=_embedding_vjp,
         vjp_formula=("dL/dW = dL/dy rows scatter-added into the tokens' rows of W (0 for unused rows)",))


# gelu (the erf form, x·Φ(x)) is declared with the forks' ops above; its tanh form expands:

def _gelu_tanh(x, c):
    u = _SQRT_2_PI * (x + _GELU_CUBIC * x ** 3)
    t = math.tanh(u)
    return 0.5 * x * (1.0 + t), (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * _SQRT_2_PI * (1.0 + 3 * _GELU_CUBIC * x * x),)


def _gelu_tanh_array(x, c):
    return 0.5 * x * (1.0 + np.tanh(_SQRT_2_PI * (x + _GELU_CUBIC * x ** 3)))


def _gelu_tanh_vjp(g, y, xs, c, needs=(True,)):
    x = xs[0]
    t = np.tanh(_SQRT_2_PI * (x + _GELU_CUBIC * x ** 3))
    return (g * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * _SQRT_2_PI * (1.0 + 3 * _GELU_CUBIC * x * x)),)


_declare("gelu_tanh", 1, symbol="gelu(tanh)", formula="½x(1 + tanh(√(2/π)(x + 0.044715x³)))",
         local_formula=("½(1 + tanh u) + ½x(1 - tanh²u)·√(2/π)(1 + 3·0.044715x²)",), scalar=_gelu_tanh,
         array=_gelu_tanh_array, vjp=_gelu_tanh_vjp,
         vjp_formula=("dL/dx = dL/dy ⊙ (½(1 + tanh u) + ½x(1 - tanh²u)·u'(x))",), elementwise=True,
         local_numbers=lambda n, xs, y, c: (f"½(1 + tanh u) + ½·{_paren(n, xs[0])}·(1 - tanh²u)·u' at x = {n(xs[0])}",),
         # ½x(1 + tanh u) = x·σ(2u) = x / (1 + e^(-2u)), u = √(2/π)(x + 0.044715x³): lecture gates only
         expansion=lambda c: (("pow", 3.0, (0,)), ("mul_const", _GELU_CUBIC, (1,)), ("add", None, (0, 2)),
                              ("mul_const", -2.0 * _SQRT_2_PI, (3,)), ("exp", None, (4,)),
                              ("add_const", 1.0, (5,)), ("rdiv_const", 1.0, (6,)), ("mul", None, (0, 7))))


class Norm(NamedTuple):
    """A normalisation's constant: which layer asked (layer_norm, batch_norm), its axes, and ε."""

    kind: str
    axes: tuple
    eps: float

    def __repr__(self):
        return f"{self.kind}(axis={self.axes[0] if len(self.axes) == 1 else self.axes}, eps={fmt_const(self.eps)})"


def _normalize_array(x, c):
    mu = x.mean(axis=c.axes, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=c.axes, keepdims=True)  # biased, as layer and batch norm use it
    with np.errstate(all="ignore"):
        return (x - mu) / np.sqrt(var + c.eps)


def _normalize_vjp(g, y, xs, c, needs=(True,)):
    x = xs[0]
    var = ((x - x.mean(axis=c.axes, keepdims=True)) ** 2).mean(axis=c.axes, keepdims=True)
    with np.errstate(all="ignore"):
        inv = 1.0 / np.sqrt(var + c.eps)
    # the mean and the variance both depend on every x, hence the two subtracted means
    return (inv * (g - g.mean(axis=c.axes, keepdims=True) - y * (g * y).mean(axis=c.axes, keepdims=True)),)


_declare("normalize", 1, symbol=lambda c: c.kind if c is not None else "normalize",
         formula=lambda c: f"(x - μ) / √(σ² + {fmt_const(c.eps) if c is not None else 'ε'})",
         scalar=None, array=_normalize_array, vjp=_normalize_vjp,
         vjp_formula=("dL/dx = (dL/dy - mean(dL/dy) - x̂ ⊙ mean(dL/dy ⊙ x̂)) / √(σ² + ε)",),
         # μ, x - μ, (x - μ)², σ², σ² + ε, 1/√(σ² + ε), x̂: the chain the lecture writes out
         expansion=lambda c: (("mean", (c.axes, True), (0,)), ("sub", None, (0, 1)), ("pow", 2.0, (2,)),
                              ("mean", (c.axes, True), (3,)), ("add_const", c.eps, (4,)), ("pow", -0.5, (5,)),
                              ("mul", None, (2, 6))))


class Mask(NamedTuple):
    """masked_fill's constant: where to write (True) and what."""

    where: np.ndarray
    value: float

    def __repr__(self):
        return f"mask{self.where.shape} → {fmt_const(self.value)}"


_declare("masked_fill", 1, symbol=lambda c: f"masked_fill({fmt_const(c.value)})" if c is not None else "masked_fill",
         formula=lambda c: f"{fmt_const(c.value) if c is not None else 'v'} where mask, else x", scalar=None,
         array=lambda x, c: np.where(c.where, c.value, x),
         vjp=lambda g, y, xs, c, needs=(True,): (np.where(c.where, 0.0, g),),
         vjp_formula=("dL/dx = dL/dy where the mask is off, 0 where it wrote",), elementwise=True)


class Attention(NamedTuple):
    """Attention weights' constant: the scale, where a query may look (None: everywhere), the rank."""

    scale: float
    keep: Optional[np.ndarray]
    ndim: int

    def __repr__(self):
        return f"scale={fmt_const(self.scale)}" + ("" if self.keep is None else f", mask{self.keep.shape}")


def _swap_last(ndim: int) -> tuple:
    return (*range(ndim - 2), ndim - 1, ndim - 2)


def _attention_array(q, k, c):
    scores = np.matmul(q, np.swapaxes(k, -1, -2)) * c.scale
    if c.keep is not None:
        scores = np.where(c.keep, scores, -INF)
    return _softmax_array(scores, -1)


def _attention_vjp(g, y, xs, c, needs=(True, True)):
    q, k = xs
    ds = y * (g - (g * y).sum(axis=-1, keepdims=True)) * c.scale  # softmax's VJP, then the scale
    return (unbroadcast(np.matmul(ds, k), q.shape) if needs[0] else None,
            unbroadcast(np.matmul(np.swapaxes(ds, -1, -2), q), k.shape) if needs[1] else None)


_declare("attention", 2, symbol="attention", formula="softmax(mask(Q · Kᵀ · s)) along the keys", scalar=None,
         array=_attention_array, vjp=_attention_vjp,
         vjp_formula=("dL/dQ = dS · K, dS = s · P ⊙ (dL/dP - Σ dL/dP ⊙ P)",
                      "dL/dK = dSᵀ · Q, dS = s · P ⊙ (dL/dP - Σ dL/dP ⊙ P)"),
         # scores, scale, causal mask, softmax: the weighted sum (P · V) is the gate after it
         expansion=lambda c: (("transpose", _swap_last(c.ndim), (1,)), ("batched_matmul", None, (0, 2)),
                              ("mul_const", c.scale, (3,)),
                              *((("masked_fill", Mask(~c.keep, -INF), (4,)),) if c.keep is not None else ()),
                              ("softmax", c.ndim - 1, (5 if c.keep is not None else 4,))))


class Window(NamedTuple):
    """A sliding window over the last two axes (N, C, H, W): kernel, stride, padding, dilation."""

    kernel: tuple
    stride: tuple
    padding: tuple
    dilation: tuple = (1, 1)

    def __repr__(self):
        k, s, p, d = self
        return f"{k[0]}×{k[1]}" + (f", stride {s[0]}" if s == (s[0], s[0]) else f", stride {s}") * (s != (1, 1)) + \
            (f", pad {p[0]}" if p == (p[0], p[0]) else f", pad {p}") * (p != (0, 0)) + \
            f", dilation {d}" * (d != (1, 1))


def _out_size(x_shape: tuple, c: Window) -> tuple:
    return tuple((x_shape[2 + i] + 2 * c.padding[i] - c.dilation[i] * (c.kernel[i] - 1) - 1) // c.stride[i] + 1
                 for i in range(2))


def _windows(x, c: Window, fill: float):
    """Every window of x as (N, C, H_out, W_out, kh, kw), padded with ``fill``."""
    (ph, pw), (kh, kw), (dh, dw), (sh, sw) = c.padding, c.kernel, c.dilation, c.stride
    if ph or pw:
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    span = np.lib.stride_tricks.sliding_window_view(x, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(2, 3))
    return span[:, :, ::sh, ::sw, ::dh, ::dw]


def _scatter_windows(gw, x_shape: tuple, c: Window):
    """The VJP of ``_windows``: each window's gradient added back where the window read it."""
    (ph, pw), (kh, kw), (dh, dw), (sh, sw) = c.padding, c.kernel, c.dilation, c.stride
    n, ch, h, w = x_shape
    ho, wo = gw.shape[2], gw.shape[3]
    gx = np.zeros((n, ch, h + 2 * ph, w + 2 * pw))
    for i in range(kh):
        for j in range(kw):
            gx[:, :, i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw] += gw[..., i, j]
    return gx[:, :, ph:ph + h, pw:pw + w]


def _im2col_array(x, c):
    n, ch = x.shape[:2]
    win = _windows(x, c, 0.0)  # (N, C, Ho, Wo, kh, kw) -> columns (N, C·kh·kw, Ho·Wo), PyTorch's unfold order
    return np.ascontiguousarray(win.transpose(0, 1, 4, 5, 2, 3)).reshape(n, ch * c.kernel[0] * c.kernel[1], -1)


def _im2col_vjp(g, y, xs, c, needs=(True,)):
    x = xs[0]
    ho, wo = _out_size(x.shape, c)
    gw = g.reshape(x.shape[0], x.shape[1], c.kernel[0], c.kernel[1], ho, wo).transpose(0, 1, 4, 5, 2, 3)
    return (_scatter_windows(gw, x.shape, c),)


_declare("im2col", 1, symbol=lambda c: f"im2col({c!r})" if c is not None else "im2col",
         formula="every k×k window of x as one column (N, C·k·k, windows)", scalar=None,
         array=_im2col_array, vjp=_im2col_vjp,
         vjp_formula=("dL/dx = each column's dL/dy added back to the pixels its window read",))


def _max_pool_array(x, c):
    return _windows(x, c, -INF).max(axis=(-2, -1))


def _max_pool_vjp(g, y, xs, c, needs=(True,)):
    x = xs[0]
    win = _windows(x, c, -INF)
    flat = win.reshape(*win.shape[:4], -1)
    first = flat.argmax(axis=-1)  # one winner per window (the first maximum), as PyTorch picks
    hit = (np.arange(flat.shape[-1]) == first[..., None]) * g[..., None]
    return (_scatter_windows(hit.reshape(win.shape), x.shape, c),)


_declare("max_pool2d", 1, symbol=lambda c: f"max_pool({c!r})" if c is not None else "max_pool",
         formula="max of each window", scalar=None, array=_max_pool_array, vjp=_max_pool_vjp,
         vjp_formula=("dL/dx = dL/dy at each window's maximum (the first one on ties), 0 elsewhere",))


def _avg_pool_array(x, c):
    return _windows(x, c, 0.0).mean(axis=(-2, -1))  # padding counts as zeros (count_include_pad)


def _avg_pool_vjp(g, y, xs, c, needs=(True,)):
    x = xs[0]
    share = g[..., None, None] / (c.kernel[0] * c.kernel[1])
    return (_scatter_windows(np.broadcast_to(share, (*g.shape, *c.kernel)), x.shape, c),)


_declare("avg_pool2d", 1, symbol=lambda c: f"avg_pool({c!r})" if c is not None else "avg_pool",
         formula="mean of each window (padding counts as 0)", scalar=None, array=_avg_pool_array,
         vjp=_avg_pool_vjp, vjp_formula=("dL/dx = dL/dy / (k·k) added to every pixel of its window",))


# ==== using the table ======================================================================

def expand(op_name: str, inputs: list, const, apply: Callable) -> list:
    """The nodes of composite gate ``op_name``'s primitive expansion, built on ``inputs``.

    ``apply(op_name, input nodes, const)`` records one gate on whichever engine the inputs
    belong to; the last node returned is the expansion's output. A missing constant takes
    the op's default (leaky_relu's 0.01).
    """
    op = OPS[op_name]
    if const is None:
        const = op.default
    refs = list(inputs)
    for step_op, step_const, args in op.expansion(const):
        refs.append(apply(step_op, [refs[i] for i in args], step_const))
    return refs[len(inputs):]


_missing = [name for name, op in OPS.items() if op.scalar is not None and op.local_numbers is None]
assert not _missing, f"ops without local-gradient numbers: {_missing}"  # every scalar rule has them
