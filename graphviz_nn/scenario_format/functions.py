"""The allow-listed functions of the expression language, applied to engine nodes.

Values in an expression are plain numbers (constants), engine nodes (``Value``) or vectors
(Python lists of those, from list-valued leaves). Functions go through ``Value`` methods and
the rule table, so ``exp(x)`` is an ``exp`` gate and ``1 / x`` a ``1/x`` gate; a function of
constants only is folded with the rule table's forward (no gate is recorded).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from .. import value as engine
from ..errors import UserError
from ..node import RecordedNode
from ..ops import OPS, expand, fmt_const
from ..value import Value
from .errors import ExpressionError


@dataclass(frozen=True)
class Function:
    """One allow-listed function: its arity range, which arguments must be plain numbers."""

    name: str
    min_args: int
    max_args: int
    apply: Callable
    signature: str
    number_args: tuple = ()  # indexes of arguments that must be constants (alpha, delta)


def is_vector(x) -> bool:
    return isinstance(x, list)


def is_node(x) -> bool:
    """An engine node (``Value`` or ``Tensor``), as opposed to a plain constant."""
    return isinstance(x, RecordedNode)


def is_tensor(x) -> bool:
    return is_node(x) and not isinstance(x, Value)


def elementwise(fn, *args):
    """Apply ``fn`` element by element when any argument is a vector (scalars broadcast)."""
    sizes = {len(a) for a in args if is_vector(a)}
    if not sizes:
        return fn(*args)
    if len(sizes) > 1:
        raise ValueError(f"vectors of different lengths ({', '.join(map(str, sorted(sizes)))})")
    (n,) = sizes
    return [fn(*(a[i] if is_vector(a) else a for a in args)) for i in range(n)]


def _unary(op_name: str, method: str):
    def apply(x, *consts):
        def one(v):
            if is_node(v):
                return getattr(v, method)(*consts)
            return _fold(op_name, float(v), consts[0] if consts else None)
        return elementwise(one, x)
    return apply


def _fold(op_name: str, x: float, const=None) -> float:
    """A function of a constant: the rule table's forward, no gate recorded."""
    op = OPS[op_name]
    return op.scalar(x, const if const is not None else op.default)[0]


def _max2(a, b):
    if is_tensor(a) or is_tensor(b):
        return a.maximum(b) if is_tensor(a) else b.maximum(a)
    if isinstance(a, Value) or isinstance(b, Value):
        return engine.maximum(a, b)
    return max(float(a), float(b))


def _pairwise_chain(pairwise, args):
    """max(a, b, c, ...) as a chain of two-input gates, element-wise over vectors."""
    out = args[0]
    for b in args[1:]:
        out = elementwise(pairwise, out, b)
    return out


def _maximum(*args):
    return _pairwise_chain(_max2, args)


def _min2(a, b):
    # min(a, b) = -max(-a, -b): the engine has a max gate, not a min gate
    if is_node(a) or is_node(b):
        return -_max2(-a, -b)
    return min(float(a), float(b))


def _minimum(*args):
    return _pairwise_chain(_min2, args)


def _prelu(x, alpha):
    def one(v, a):
        if isinstance(v, Value) or isinstance(a, Value):
            return engine.prelu(v, a)
        return _fold_binary("prelu", float(v), float(a))
    return elementwise(one, x, alpha)


def _fold_binary(op_name: str, a: float, b: float) -> float:
    return OPS[op_name].scalar(a, b, None)[0]


def _add(a, b):
    return elementwise(lambda x, y: x + y, a, b)


def _mul(a, b):
    return elementwise(lambda x, y: x * y, a, b)


def _sum(*args):
    if len(args) == 1 and is_tensor(args[0]):
        return args[0].sum()
    items = [x for a in args for x in (a if is_vector(a) else [a])]
    out = items[0]
    for x in items[1:]:
        out = out + x
    return out


def _mean(*args):
    if len(args) == 1 and is_tensor(args[0]):
        return args[0].mean()
    items = [x for a in args for x in (a if is_vector(a) else [a])]
    return _sum(items) * (1.0 / len(items))


def _softmax(z):
    """e^z_i / Σ e^z_k as lecture gates (exp, +, /); the slides' softmax has no max shift."""
    if is_tensor(z):
        return z.softmax()
    z = z if is_vector(z) else [z]
    exps = _unary("exp", "exp")(z)
    total = _sum(exps)
    return [e / total for e in exps]


def _branch(condition, if_positive, otherwise):
    """The dynamic graph's data-dependent branch: the condition's value picks one expression
    and only that one joins the graph (the other is never reached from the output)."""
    if is_vector(condition) or is_tensor(condition):
        raise ValueError("the condition must be one number")
    value = condition.data if is_node(condition) else float(condition)
    return if_positive if value > 0 else otherwise


def _constant(x):
    """A target as plain numbers: targets are data, not something to differentiate."""
    if isinstance(x, Value):
        return x.data
    if is_vector(x):
        return [v.data if isinstance(v, Value) else v for v in x]
    return x


def _loss(name: str):
    def apply(*args):
        from .. import losses  # the debugger core's loss table; imported when first used
        fn = getattr(losses, name)
        if len(args) > 1:
            args = (args[0], _constant(args[1])) + tuple(args[2:])
        return fn(*args)
    return apply


FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    Function("exp", 1, 1, _unary("exp", "exp"), "exp(x)"),
    Function("log", 1, 1, _unary("log", "log"), "log(x)"),
    Function("sqrt", 1, 1, _unary("sqrt", "sqrt"), "sqrt(x)"),
    Function("root", 1, 1, _unary("sqrt", "sqrt"), "root(x) (square root, as on the frameworks slide)"),
    Function("tanh", 1, 1, _unary("tanh", "tanh"), "tanh(x)"),
    Function("sigmoid", 1, 1, _unary("sigmoid", "sigmoid"), "sigmoid(x)"),
    Function("relu", 1, 1, _unary("relu", "relu"), "relu(x)"),
    Function("leaky_relu", 1, 2, _unary("leaky_relu", "leaky_relu"),
             f"leaky_relu(x, alpha={fmt_const(OPS['leaky_relu'].default)})", (1,)),
    Function("elu", 1, 2, _unary("elu", "elu"), f"elu(x, alpha={fmt_const(OPS['elu'].default)})", (1,)),
    Function("abs", 1, 1, _unary("abs", "abs"), "abs(x)"),
    Function("prelu", 2, 2, _prelu, "prelu(x, alpha) with alpha a leaf that learns"),
    Function("max", 2, 16, _maximum, "max(a, b, ...)"),
    Function("min", 2, 16, _minimum, "min(a, b, ...)"),
    Function("add", 2, 2, _add, "add(a, b)"),
    Function("mul", 2, 2, _mul, "mul(a, b)"),
    Function("sum", 1, 16, _sum, "sum(v) (adds a vector's elements)"),
    Function("mean", 1, 16, _mean, "mean(v)"),
    Function("softmax", 1, 1, _softmax, "softmax(z) (a vector)"),
    Function("branch", 3, 3, _branch, "branch(c, a, b): a when c > 0, else b (only the branch taken is recorded)"),
    Function("mse", 2, 2, _loss("mse"), "mse(prediction, target)"),
    Function("mae", 2, 2, _loss("mae"), "mae(prediction, target)"),
    Function("huber", 2, 3, _loss("huber"), "huber(prediction, target, delta=1)", (2,)),
    Function("hinge", 2, 2, _loss("hinge"), "hinge(prediction, target) with target ±1"),
    Function("squared_hinge", 2, 2, _loss("squared_hinge"), "squared_hinge(prediction, target)"),
    Function("multiclass_hinge", 2, 2, _loss("multiclass_hinge"), "multiclass_hinge(scores, one_hot)"),
    Function("bce", 2, 2, _loss("bce"), "bce(probability, target)"),
    Function("cce", 2, 2, _loss("cce"), "cce(probabilities, one_hot)"),
    Function("nll", 2, 2, _loss("nll"), "nll(probabilities, one_hot)"),
    Function("l1", 1, 1, _loss("l1"), "l1(weights)"),
    Function("l2", 1, 1, _loss("l2"), "l2(weights)"),
)}

COMPOSITE_FUNCTIONS = tuple(sorted(n for n, op in OPS.items() if op.composite and n in FUNCTIONS))


def expanded(op_name: str, args: list, const=None):
    """A composite gate built from its primitive gates (the rule table's expansion)."""
    return expand(op_name, args, const, engine.apply)[-1]


def call(name: str, args: list, offset: int, expand: frozenset = frozenset()):
    """Apply the allow-listed function ``name``; errors carry the call's character offset."""
    fn = FUNCTIONS.get(name)
    if fn is None:
        raise ExpressionError(f"unknown function {name!r}", offset,
                              "one of " + ", ".join(sorted(FUNCTIONS)))
    if not fn.min_args <= len(args) <= fn.max_args:
        count = str(fn.min_args) if fn.min_args == fn.max_args else f"{fn.min_args} to {fn.max_args}"
        raise ExpressionError(f"{name} takes {count} argument(s), got {len(args)}", offset, fn.signature)
    for i in fn.number_args:
        if i < len(args) and (is_node(args[i]) or isinstance(args[i], list) or not math.isfinite(args[i])):
            raise ExpressionError(f"argument {i + 1} of {name} must be a plain number", offset, fn.signature)
    if name in expand and name in OPS and OPS[name].composite and not any(is_tensor(a) for a in args):
        arity = OPS[name].arity
        const = args[arity] if len(args) > arity else None  # None: the rule table's default
        operands = args[:arity]
        return elementwise(lambda *xs: expanded(name, [x if isinstance(x, Value) else Value(x) for x in xs],
                                                const), *operands)
    try:
        result = fn.apply(*args)
    except (UserError, ValueError, TypeError, ArithmeticError) as error:
        raise ExpressionError(f"{name} cannot be applied here ({error})", offset, fn.signature) from None
    _check_folded(name, args, result, offset)
    return result


def _check_folded(name: str, args: list, result, offset: int) -> None:
    """Constants are finite: a function of constants that is not (log(-1), exp(1000)) is an
    error at the call, not a gate labelled ``*nan`` or a leaf equal to inf."""
    for value in (result if is_vector(result) else [result]):
        if not is_node(value) and not math.isfinite(float(value)):
            shown = ", ".join(f"{a:g}" if isinstance(a, (int, float)) else "..." for a in args)
            raise ExpressionError(f"{name}({shown}) of constants works out to {float(value)}, not a finite number",
                                  offset, "a function of constants that stays finite (log and sqrt of positive "
                                  "numbers, exp of at most 709)")
