"""Stochastic gradient descent with PyTorch's surface, whose updates the debugger can show.

    >>> from graphviz_nn import Value
    >>> w = Value(2.0, label="w"); loss = w * w; loss.backward()
    >>> opt = SGD([w], lr=0.1); opt.step(); w.data
    1.6
    >>> opt.last_updates[0][1:]   # (param, old, grad, new)
    (2.0, 4.0, 1.6)
"""
from __future__ import annotations

import numbers

import numpy as np

from .arguments import ArgumentTypeError
from .errors import UserError
from .graph import check_node


class OptimizerError(UserError):
    """An optimiser set up with values it cannot use."""


class SGD:
    """w ← w − lr·v with v = momentum·v + grad (plain SGD when momentum is 0).

    ``step()`` updates ``p.data`` in place (a Tensor's array with ``-=``) and keeps
    ``last_updates``: one ``(param, old value, gradient, new value)`` per parameter, which
    the debugger turns into update steps. ``record=False`` skips that bookkeeping.
    """

    def __init__(self, params, lr: float, momentum: float = 0.0, record: bool = True):
        if params is None or isinstance(params, (str, bytes, numbers.Number)) or not hasattr(params, "__iter__"):
            raise ArgumentTypeError(f"SGD: params must be a list of parameters, got {type(params).__name__}; "
                                    f"pass model.parameters()")
        self.params = list(params)
        for p in self.params:
            check_node(p, "SGD's params")
        if not self.params:
            raise OptimizerError("SGD got no parameters; pass model.parameters()")
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < lr < float("inf"):
            raise OptimizerError(f"SGD needs a learning rate > 0, got {lr!r}")
        if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real) or not 0.0 <= momentum < 1.0:
            raise OptimizerError(f"SGD needs momentum in [0, 1), got {momentum!r}")
        self.lr = float(lr)
        self.momentum = float(momentum)
        self.record = record
        self._velocity = [None] * len(self.params)
        self.last_updates: list = []

    def zero_grad(self) -> None:
        """Reset every parameter's gradient to zero (a Tensor's to zeros of its shape)."""
        for p in self.params:
            p.grad = np.zeros_like(p.data) if isinstance(p.data, np.ndarray) else 0.0

    def step(self) -> None:
        """Move every parameter against its gradient."""
        lr, mu = self.lr, self.momentum
        updates = []
        for i, p in enumerate(self.params):
            g = p.grad
            v = g
            if mu:
                prev = self._velocity[i]
                v = g if prev is None else mu * prev + g
                self._velocity[i] = v
            if isinstance(p.data, np.ndarray):
                old = p.data.copy() if self.record else None
                p.data -= lr * np.asarray(v)
                new = p.data.copy() if self.record else None
                g = np.array(g, dtype=float, copy=True) if self.record else None
            else:
                old = p.data
                p.data = old - lr * v
                new = p.data
            if self.record:
                updates.append((p, old, g, new))
        self.last_updates = updates
