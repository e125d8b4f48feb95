"""Evaluating a parsed expression into engine nodes by applying Python operators to ``Value``s.

Numbers stay numbers until they meet a node, so the engine folds them into lecture gates:
``1 + e`` is a ``+1`` gate, ``1 / e`` a ``1/x`` gate, ``-x`` a ``*-1`` gate.
"""
from __future__ import annotations

import math

from ..errors import UserError
from . import functions
from .errors import ExpressionError


def _finite(x: float, offset: int) -> float:
    if not math.isfinite(x):
        raise ExpressionError(f"a constant works out to {x}", offset, "constants that stay finite")
    return x


_BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


def _identity(op: str, x, y):
    """x + 0, x - 0, x * 1, x / 1 are x and 0 * x is 0: a constant target of 0 or a factor of 1
    adds no gate (``-(y*log(a) + (1-y)*log(1-a))`` with y = 0 is the lecture's ``-log(1-a)``)."""
    node_x = functions.is_node(x)
    node, const = (x, y) if node_x else (y, x)
    if isinstance(const, list) or functions.is_node(const):
        return None
    if const == 0 and (op == "+" or (op == "-" and node_x)):
        return node
    if op == "*" and const == 1 or (op == "/" and node_x and const == 1):
        return node
    if op == "*" and const == 0 and not functions.is_tensor(node):
        return 0.0
    return None


class NodeSemantics:
    """Names resolve to the given nodes; operators and functions record engine gates."""

    def __init__(self, names: dict, expand=frozenset()):
        self.names = names
        self.expand = frozenset(expand)

    def number(self, value, offset):
        return value

    def name(self, name, offset):
        try:
            return self.names[name]
        except KeyError:
            known = ", ".join(self.names) or "none"
            raise ExpressionError(f"unknown name {name!r}", offset, f"a leaf or earlier output ({known})") from None

    def unary(self, op, x, offset):
        return functions.elementwise(lambda v: -v, x) if op == "-" else x

    def binary(self, op, a, b, offset):
        fn = _BINARY[op]

        def one(x, y):
            if not functions.is_node(x) and not functions.is_node(y):
                if op == "/" and y == 0:
                    raise ExpressionError("division of a constant by zero", offset, "a non-zero divisor")
                try:
                    return _finite(fn(float(x), float(y)), offset)
                except OverflowError:
                    raise ExpressionError("a constant overflows", offset, "constants below 1.8e308") from None
            simpler = _identity(op, x, y)
            return fn(x, y) if simpler is None else simpler

        try:
            return functions.elementwise(one, a, b)
        except ExpressionError:  # already one located sentence (a constant overflows): never nest it
            raise
        except (UserError, ValueError, TypeError) as error:  # different lengths or shapes
            raise ExpressionError(f"cannot apply {op} here ({str(error)[:160]})", offset,
                                  "operands of the same length or shape") from None

    def power(self, x, exponent, offset):
        def one(v):
            if functions.is_node(v):
                return v if exponent == 1 else v ** exponent  # x ** 1 is x: no identity gate
            try:
                result = math.pow(v, exponent)
            except (OverflowError, ValueError):
                raise ExpressionError(f"{v:g} ** {exponent:g} is not a finite real number", offset,
                                      "a smaller constant or exponent") from None
            return _finite(result, offset)

        return functions.elementwise(one, x)

    def call(self, name, args, offset):
        return functions.call(name, args, offset, self.expand)
