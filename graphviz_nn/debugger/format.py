"""How every view writes numbers and node expressions: the one number formatter.

Two decimals by default, as the lecture does; tiny and huge numbers switch to scientific
notation so a vanishing gradient never reads as a misleading ``0.00``; ``-0.00`` is never
written. Arithmetic on a step (``[a] × [b] = c``, ``p + c = s``) is written with as many
digits as it takes for the numbers *as displayed* to check out, or with ``≈`` where no
precision up to four extra digits does.

    >>> number(-0.0001), number(0.0), number(-1e-9)
    ('-1.00e-04', '0.00', '-1.00e-09')
    >>> product(0.19661193324148185, 2.0, 0.3932238664829637)
    '[0.1966] × [2.00] = 0.3932'
"""
from __future__ import annotations

import math

import numpy as np

from ..ops import INFIX, POSTFIX, SUFFIX, TEMPLATE

DECIMALS = 2
EXTRA_DIGITS = 4  # how far an equation may widen its numbers before it writes ≈


def number(x, decimals: int = DECIMALS) -> str:
    """A number as the lecture writes it: ``-0.20``; ``1.27e-04`` when tiny; arrays summarised."""
    if type(x) is float and (0.5 * 10.0 ** -decimals < abs(x) < 1e5):
        return f"{x:.{decimals}f}"  # the common case first: this runs for every number of every step
    if x is None:
        return "?"
    if isinstance(x, np.ndarray):
        return array(x, decimals)
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return f"{0.0:.{decimals}f}"  # -0.0 too: never "-0.00"
    if 0.5 * 10.0 ** -decimals <= abs(x) < 1e5:
        text = f"{x:.{decimals}f}"
        # an exact half rounds to even: -0.5 at 0 decimals is "0", never "-0"
        return text[1:] if text.startswith("-") and float(text) == 0 else text
    return f"{x:.{max(decimals, 1)}e}"


def array(a: np.ndarray, decimals: int = DECIMALS) -> str:
    """Small arrays in full, larger ones as shape and norm."""
    if a.ndim == 0:
        return number(float(a), decimals)
    if a.size <= 6:
        return _nested(a.tolist(), decimals)
    shape = "×".join(str(n) for n in a.shape)
    return f"{shape} array (‖·‖ = {number(float(np.linalg.norm(a)), decimals)})"


def _nested(x, decimals) -> str:
    return "[" + ", ".join(_nested(v, decimals) for v in x) + "]" if isinstance(x, list) else number(x, decimals)


def trimmed(x: float, digits: int, decimals: int) -> str:
    """``x`` to ``digits`` decimals, trailing zeros dropped down to ``decimals`` (2.0000 → 2.00)."""
    text = number(x, digits)
    if "e" in text or "." not in text or digits <= decimals:
        return text
    head, tail = text.split(".")
    tail = tail.rstrip("0")
    return f"{head}.{tail.ljust(decimals, '0')}"


def half_unit(shown: str) -> float:
    """Half a unit in the last place of a number as written: ``-0.20`` → 0.005, ``1.27e-04`` → 5e-07."""
    if "e" in shown:
        mantissa, exp = shown.split("e")
        places = len(mantissa.split(".")[1]) if "." in mantissa else 0
        return 0.5 * 10.0 ** (int(exp) - places)
    places = len(shown.split(".")[1]) if "." in shown else 0
    return 0.5 * 10.0 ** -places


def _shown_ok(value: float, shown: str) -> bool:
    """True when ``value`` rounds to the text ``shown`` (the precision the text has)."""
    try:
        s = float(shown)
    except ValueError:
        return False
    return abs(value - s) <= half_unit(shown) * (1 + 1e-9)


def checks_out(parts: list, combine, result: str) -> bool:
    """Do the displayed ``parts`` combined (``combine`` of their floats) round to ``result``?"""
    try:
        values = [float(p) for p in parts]
    except ValueError:
        return False
    return _shown_ok(combine(values), result)


def _equation(values, combine, result, decimals, layout, start=None) -> str:
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (*values, result)):
        return layout([number(v, decimals) for v in values], "=", number(result, decimals))
    start = decimals if start is None else max(decimals, min(start, decimals + EXTRA_DIGITS))
    # a small nonzero number widens the digits rather than switching to 1.23e-03 mid-equation
    small = [abs(v) for v in (*values, result) if 0 < abs(v) < 0.5 * 10.0 ** -start]
    if small:
        start = min(decimals + EXTRA_DIGITS, max(start, math.ceil(math.log10(0.5 / min(small)))))
    for digits in range(start, decimals + EXTRA_DIGITS + 1):
        shown = [trimmed(v, digits, decimals) for v in values]
        res = trimmed(result, digits, decimals)
        if checks_out(shown, combine, res):
            return layout(shown, "=", res)
    return layout([number(v, decimals) for v in values], "≈", number(result, decimals))


def product(a, b, c, decimals: int = DECIMALS) -> str:
    """``[a] × [b] = c`` with digits chosen so the displayed numbers multiply to the displayed c."""
    return _equation((a, b), lambda v: v[0] * v[1], c, decimals,
                     lambda s, rel, r: f"[{s[0]}] × [{s[1]}] {rel} {r}")


def running_sum(before, contribution, after, decimals: int = DECIMALS, start=None) -> str:
    """``before + contribution = after`` (a fan-out's partial sum) that adds up as displayed.

    ``start``: the digits the contribution was just shown with, so the sum repeats it as written.
    """
    def layout(s, rel, r):
        right = s[1][1:] if s[1].startswith("-") else s[1]
        sign = "-" if s[1].startswith("-") else "+"
        return f"{s[0]} {sign} {right} {rel} {r}"
    return _equation((before, contribution), lambda v: v[0] + v[1], after, decimals, layout, start)


def total(parts, result, decimals: int = DECIMALS) -> str:
    """``a + b - c = result`` (every contribution a gradient has received) that adds up as displayed."""
    def layout(s, rel, r):
        text = s[0]
        for part in s[1:]:
            text += f" - {part[1:]}" if part.startswith("-") else f" + {part}"
        return f"{text} {rel} {r}"
    return _equation(tuple(parts), sum, result, decimals, layout)


def digits_of(shown: str) -> int:
    """How many decimals a number was written with (``-0.0254`` → 4; ``1.27e-04`` → 0)."""
    return 0 if "e" in shown or "." not in shown else len(shown.split(".")[1])


def expression(op, const, names) -> str:
    """A gate as an expression of its inputs' names: ``w0 * x0``, ``n3 *-1``, ``1/n4``, ``exp(n2)``."""
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
