"""How the debugger writes numbers and node expressions in one readable line.

Two decimals by default, as the lecture does; tiny and huge numbers switch to scientific
notation so a vanishing gradient never reads as a misleading ``0.00``.
"""
from __future__ import annotations

import math

import numpy as np

from ..ops import INFIX, POSTFIX, SUFFIX, TEMPLATE


def number(x) -> str:
    """A number as the lecture writes it: ``-0.20``; ``1.27e-04`` when tiny; arrays summarised."""
    if type(x) is float and (0.005 <= abs(x) < 1e5 or x == 0):
        return f"{x:.2f}"  # the common case first: this runs for every number of every step
    if x is None:
        return "?"
    if isinstance(x, np.ndarray):
        return array(x)
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0 or 0.005 <= abs(x) < 1e5:
        return f"{x:.2f}"
    return f"{x:.2e}"


def array(a: np.ndarray) -> str:
    """Small arrays in full, larger ones as shape and norm."""
    if a.ndim == 0:
        return number(float(a))
    if a.size <= 6:
        return _nested(a.tolist())
    shape = "×".join(str(n) for n in a.shape)
    return f"{shape} array (‖·‖ = {number(float(np.linalg.norm(a)))})"


def _nested(x) -> str:
    return "[" + ", ".join(_nested(v) for v in x) + "]" if isinstance(x, list) else number(x)


def expression(op, const, names) -> str:
    """A gate as an expression of its inputs' names: ``n5 * n6``, ``n3 *-1``, ``1/n4``, ``exp(n2)``."""
    if op is None:
        return ""
    symbol = op.symbol(const)
    notation = op.notation  # how the rule table says this gate is written
    if notation == INFIX and len(names) == 2:
        return f"{names[0]} {symbol} {names[1]}"
    if notation == SUFFIX:
        return f"{names[0]}{symbol}"
    if symbol.endswith(")") and "(" in symbol:
        head, args = symbol[:-1].split("(", 1)  # sum(axis=0) → sum(n3, axis=0)
        return f"{head}({', '.join(list(names) + ([args] if args else []))})"
    if notation == POSTFIX:
        return f"{names[0]} {symbol}"
    if notation == TEMPLATE:
        return symbol.replace("x", names[0])
    return f"{symbol}({', '.join(names)})"
