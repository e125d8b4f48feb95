"""What every recorded node offers, whichever engine made it.

``Value`` and ``Tensor`` record into one graph model; this base holds what reads the same on
both: the read-only views of the recording and the lecture's element-wise gates. Each engine
records a unary gate its own way, in ``_gate(op, const)``.
"""
from __future__ import annotations

import numbers

from .custom_gate import UserOp, micrograd_op
from .ops import OPS
from .recording import _current_group, creation_counter

_EXP, _LOG, _SQRT, _TANH, _SIGMOID = (OPS[n] for n in ("exp", "log", "sqrt", "tanh", "sigmoid"))
_RELU, _LEAKY, _ELU, _ABS = (OPS[n] for n in ("relu", "leaky_relu", "elu", "abs"))
_GELU, _SOFTPLUS, _SIN, _COS = (OPS[n] for n in ("gelu", "softplus", "sin", "cos"))


def real_number(x, where: str) -> float:
    """A plain number as float, or TypeError naming what was given instead."""
    if isinstance(x, numbers.Real):
        try:
            return float(x)
        except OverflowError:  # an int such as 10**400
            raise OverflowError(f"{where} got a number too large for a float ({str(x)[:20]}...); "
                                f"use a number below 1.8e308") from None
    raise TypeError(f"{where} needs a real number, got {type(x).__name__} ({x!r:.40}); "
                    f"convert it with float(...) first")


class RecordedNode:
    """Read-only views of what the engine recorded, and the element-wise gates."""

    __slots__ = ()

    def _gate(self, op, const):  # each engine records a unary gate its own way
        raise NotImplementedError

    def _record_leaf(self, label) -> None:
        """Stamp a new leaf: no inputs, no op, the current group, the next creation number."""
        self._a = self._b = self._la = self._lb = None
        self._rule = None
        self._const = None
        self.label = label or None
        self.group = _current_group[-1]
        self._order = next(creation_counter)

    @property
    def op(self):
        """The ``ops.Op`` that produced this node, ``None`` for a leaf."""
        return self._rule

    @property
    def const(self):
        """The constant folded into this gate (the 1 of ``+1``; an exponent, axis, mask...)."""
        return self._const

    # ---- micrograd's surface: _prev, _op, _backward ----
    @property
    def _prev(self) -> set:
        """The set of inputs (micrograd's name): a user gate's children, duplicates merged."""
        c = self._const
        if type(c) is UserOp:
            return set(c.children)
        a = self._a
        if a is None:
            return set()
        b = self._b
        return {a} if b is None else {a, b}

    @property
    def _op(self) -> str:
        """micrograd's op string ('+', '*', '**2', 'ReLU', 'exp', 'tanh'; '' for a leaf)."""
        return micrograd_op(self)

    @property
    def _backward(self):
        """This node's own chain-rule step: adds local × self.grad into each input's grad.

        Calling them by hand in reverse creation order reproduces backward(), as in micrograd.
        A closure assigned here (micrograd's way of writing a new op) is returned as given.
        """
        c = self._const
        if type(c) is UserOp:
            return c.closure if c.closure is not None else _nothing
        return _ChainStep(self)

    @_backward.setter
    def _backward(self, fn) -> None:
        self._attach_backward(fn)

    def _attach_backward(self, fn) -> None:  # each engine decides whether a user rule fits
        raise NotImplementedError

    @property
    def inputs(self) -> tuple:
        """Inputs in order, duplicates kept (``x * x`` has two edges to ``x``)."""
        a = self._a
        if a is None:
            return ()
        return (a,) if self._b is None else (a, self._b)

    # ---- functions (micrograd's names, plus the lecture's activation zoo) ----
    def exp(self):
        return self._gate(_EXP, None)

    def log(self):
        return self._gate(_LOG, None)

    def sqrt(self):
        return self._gate(_SQRT, None)

    def tanh(self):
        return self._gate(_TANH, None)

    def sigmoid(self):
        return self._gate(_SIGMOID, None)

    def relu(self):
        return self._gate(_RELU, None)

    def leaky_relu(self, alpha: float = _LEAKY.default):
        return self._gate(_LEAKY, real_number(alpha, "leaky_relu(alpha)"))

    def elu(self, alpha: float = _ELU.default):
        return self._gate(_ELU, real_number(alpha, "elu(alpha)"))

    def abs(self):
        return self._gate(_ABS, None)

    __abs__ = abs  # abs(x), as PyTorch records it

    # the activations and functions micrograd's forks and courses add
    def gelu(self):
        """GELU, the exact (erf) form PyTorch uses by default: x·Φ(x)."""
        return self._gate(_GELU, None)

    def softplus(self):
        """ln(1 + e^x), as PyTorch's softplus (beta 1: above 20 it is x itself)."""
        return self._gate(_SOFTPLUS, None)

    def sin(self):
        return self._gate(_SIN, None)

    def cos(self):
        return self._gate(_COS, None)


def _nothing() -> None:
    """micrograd's default _backward (a leaf, or a user gate given no rule yet)."""


class _ChainStep:
    """A node's ``_backward``: one chain-rule step, run when called (it reads grad then)."""

    __slots__ = ("node",)

    def __init__(self, node):
        self.node = node

    def __call__(self) -> None:
        node = self.node
        a = node._a
        if a is None:
            return
        g = node.grad
        if node._la is not None:
            a.grad += node._la * g
            b = node._b
            if b is not None:
                b.grad += node._lb * g
            return
        ga, gb = node._vjp(g)
        if ga is not None:
            a.grad = a.grad + ga
        if gb is not None:
            node._b.grad = node._b.grad + gb

    def __repr__(self):
        return f"<_backward of {self.node!r}>"
