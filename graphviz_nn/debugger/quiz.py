"""Quiz mode: what a view may show at step k (the app, the player and ``frames`` read it).

A number appears only once the step that computes it has been reached. The leaves' forward
values (inputs, weights, targets) are the question's data: ``given_state`` shows them from
the start, while every gate's value, every gradient and every update waits for its step.

    >>> from graphviz_nn import Value
    >>> from graphviz_nn.debugger import build_trace
    >>> x = Value(3.0, label="x")
    >>> trace = build_trace(x * x)
    >>> start = given_state(trace.state_at(0))
    >>> start.value("n0"), start.value("n1")      # x is given; x * x is still the question
    (3.0, None)
    >>> hide_numbers("x * x = 9.00", secret_numbers("x * x = 9.00", trace), 0)
    'x * x = ?'
"""
from __future__ import annotations

import re

START_TEXT = "start: the leaves (inputs and weights) are given; what does each step compute?"

_DECIMAL = re.compile(r"(?<![\w.])-?\d+\.\d+(?![\w.])")  # 0.73, -0.20: numbers a slide quotes
# any number standing alone (0.73, -2, 0): not part of a name (x0, L1), a shape (2-16-16-1, 16×16) or a gate (*-1, 1/x)
_STANDALONE = re.compile(r"(?<![\w.×*+^-])-?\d+(?:\.\d+)?(?!(?![²³])[\w×/-]|\.\d)")


class GivenState:
    """``trace.state_at(k)`` with every leaf's forward value known from step 0."""

    __slots__ = ("_state",)

    def __init__(self, state) -> None:
        self._state = state

    def value(self, node_id: str):
        value = self._state.value(node_id)
        if value is None and self._state.trace.node(node_id).is_leaf:
            return self._state.trace.forward_value(node_id)  # the question's data
        return value

    def __getattr__(self, name):  # grad, step, phase, current, ...: as the state has them
        return getattr(self._state, name)


def given_state(state) -> GivenState:
    """The state a quiz view draws: the leaves given, nothing else before its step."""
    return state if isinstance(state, GivenState) else GivenState(state)


def secret_numbers(text: str, trace, leaves_given: bool = True) -> list[tuple[int, int, int]]:
    """``(start, end, step number)`` of each number in ``text`` that the trace computes, with the
    first step that computes it (a value, a contribution, a gradient, an update), written with
    as many decimals as the text has. A leaf's value counts as step 0 when ``leaves_given``."""
    found = []
    for match in _DECIMAL.finditer(text):
        token = match.group()
        places = len(token.split(".")[1])
        for step in trace.steps:
            numbers = (_scalar(x) for x in (step.value, step.contribution, step.grad_after, step.new_value))
            if any(x is not None and f"{x:.{places}f}" == token for x in numbers):
                given = leaves_given and step.phase == "forward" and trace.node(step.node).is_leaf
                found.append((match.start(), match.end(), 0 if given else step.number))
                break
    return found


def _scalar(x):
    """A number as a float (a one-element array too: a tensor loss), else None."""
    if isinstance(x, float):
        return x
    return float(x.item()) if getattr(x, "size", None) == 1 and hasattr(x, "item") else None


def hide_numbers(text: str, numbers: list, k: int) -> str:
    """``text`` with every number a later step than ``k`` computes written ``?``."""
    for start, end, number in sorted(numbers, reverse=True):
        if number > k:
            text = text[:start] + "?" + text[end:]
    return text


def hide_all_numbers(text: str) -> str:
    """Every number standing alone written ``?`` (``ReLU 0`` may be the answer too): for text
    about a graph not traced yet (the picker's explanations)."""
    return _STANDALONE.sub("?", text)


def quiz_title(title: str, trace) -> str:
    """A title with the numbers the trace computes written ``?`` (the leaves' values stay)."""
    return hide_numbers(title, secret_numbers(title, trace), 0)
