"""Checks at the top of public functions: what a caller handed over, in one sentence.

Each check returns the value (made a plain ``int``/``float``) or raises ``ArgumentTypeError``
(a ``TypeError``) or ``ArgumentValueError`` (a ``ValueError``), both ``UserError``s, naming the
function, the argument, what it got and what would do. Cheap by design: for entry points, never
for the engine's per-operation paths.

    >>> whole(3, "k", "goto")
    3
    >>> whole(2.5, "k", "goto")
    Traceback (most recent call last):
    ...
    graphviz_nn.arguments.ArgumentTypeError: goto: k must be a whole number, got 2.5 (float)
"""
from __future__ import annotations

import math
import numbers
import os

from .errors import UserError


class ArgumentTypeError(UserError, TypeError):
    """An argument of the wrong kind (``except TypeError`` still catches it)."""


class ArgumentValueError(UserError, ValueError):
    """An argument of the right kind but out of range (``except ValueError`` still catches it)."""


def _shown(value) -> str:
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{text} ({type(value).__name__})"


def whole(value, name: str, where: str, *, low=None, high=None, hint: str = "") -> int:
    """``value`` as an int when it is a whole number (not a bool) within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
            value = int(value)
        else:
            raise ArgumentTypeError(f"{where}: {name} must be a whole number{hint}, got {_shown(value)}")
    value = int(value)
    _in_range(value, name, where, low, high, hint)
    return value


def number(value, name: str, where: str, *, low=None, high=None, positive: bool = False, hint: str = "") -> float:
    """``value`` as a finite float (not a bool, not a string) within [low, high]; ``positive``: > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(f"{where}: {name} must be a number{hint}, got {_shown(value)}")
    try:
        given, value = value, float(value)
    except OverflowError:
        raise ArgumentValueError(f"{where}: {name} is too large for a float{hint}") from None
    if isinstance(given, numbers.Integral) and value.is_integer() and int(value) != given:
        # 2**53 + 1 would silently become 2**53: the tool would then show a number nobody gave it
        raise ArgumentValueError(f"{where}: {name} = {given} has more digits than a float holds{hint}; "
                                 f"give it as {value:.17g} or round it")
    if not math.isfinite(value):
        raise ArgumentValueError(f"{where}: {name} must be a finite number{hint}, got {value}")
    if positive and value <= 0:
        raise ArgumentValueError(f"{where}: {name} must be greater than 0{hint}, got {value:g}")
    _in_range(value, name, where, low, high, hint)
    return value


def path(value, name: str, where: str) -> str:
    """``value`` as a file name (a str or os.PathLike, not empty, no NUL)."""
    if not isinstance(value, (str, os.PathLike)):
        raise ArgumentTypeError(f"{where}: {name} must be a file name (a str or pathlib.Path), got {_shown(value)}")
    text = os.fspath(value)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if not text or "\x00" in text:
        raise ArgumentValueError(f"{where}: {name} must be a file name, got {value!r:.40}")
    return text


def function(value, name: str, where: str, hint: str = "") -> object:
    if not callable(value):
        raise ArgumentTypeError(f"{where}: {name} must be a function{hint}, got {_shown(value)}")
    return value


def sequence(value, name: str, where: str, hint: str = "") -> list:
    """``value`` as a list when it is a list or tuple (a string or a number is not one)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise ArgumentTypeError(f"{where}: {name} must be a list{hint}, got {_shown(value)}")
    return list(value)


def _in_range(value, name, where, low, high, hint) -> None:
    if (low is not None and value < low) or (high is not None and value > high):
        span = (f"from {low} to {high}" if low is not None and high is not None
                else f"at least {low}" if low is not None else f"at most {high}")
        raise ArgumentValueError(f"{where}: {name} must be {span}{hint}, got {value}")


def layer_sizes(nin, nouts, where: str, max_parameters: int) -> list:
    """``[nin, *nouts]`` of an MLP: whole numbers ≥ 1, and at most ``max_parameters`` weights and biases."""
    nin = whole(nin, "nin", where, low=1, hint=" (the number of inputs)")
    if isinstance(nouts, numbers.Number):
        raise ArgumentTypeError(f"{where}: nouts must be a list of layer widths such as [4, 4, 1], "
                                f"got {_shown(nouts)}; write [{nouts!r:.20}] for one layer")
    nouts = sequence(nouts, "nouts", where, " of layer widths such as [4, 4, 1]")
    if not nouts:
        raise ArgumentValueError(f"{where}: nouts must list at least one layer width, such as [4, 1]")
    sizes = [nin] + [whole(n, f"nouts[{i}]", where, low=1, hint=" (a layer needs at least one neuron)")
                     for i, n in enumerate(nouts)]
    total = sum((sizes[i] + 1) * sizes[i + 1] for i in range(len(nouts)))
    if total > max_parameters:
        raise ArgumentValueError(f"{where}: layers {sizes} would have {total:,} weights and biases, more than "
                                 f"{max_parameters:,}; use narrower layers")
    return sizes
