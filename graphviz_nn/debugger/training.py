"""Training as steps: forward → backward → update, iteration after iteration, with history.

``Trainer`` calls ``forward_fn()`` (which builds the graph from the current parameters and
returns the loss, or ``(loss, outputs)``), traces it, lets the optimiser step, and appends
the updates to the trace as update steps. ``run(n)`` is the fast path: no trace, no steps.
Parameters are snapshotted at the start of every iteration, so ``goto_iteration`` can go back.

    >>> from graphviz_nn import Value, SGD
    >>> w = Value(0.6, label="w"); b = Value(0.9, label="b")
    >>> trainer = Trainer(lambda: ((w * 1.0 + b).sigmoid() - 0.0) ** 2, [w, b], SGD([w, b], lr=0.15))
    >>> trace = trainer.trace_iteration(); [s.phase for s in trace.steps].count("update")
    2
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from .. import graph
from ..errors import UserError
from ..node import RecordedNode
from .session import Session
from .trace import Trace, build_trace


class TrainingError(UserError):
    """A training set-up the trainer cannot run."""


@dataclass(frozen=True)
class Iteration:
    """What one iteration produced: the loss and chosen outputs before the update, and norms."""

    index: int
    loss: float
    outputs: tuple = ()
    param_norm: float = 0.0  # √(Σ p²) over all parameters, before the update
    grad_norm: float = 0.0

    @property
    def number(self) -> int:
        """How every view numbers it (``graphviz-nn train``, the app): 1 for the first iteration."""
        return self.index + 1


def _copy(x):
    return x.copy() if isinstance(x, np.ndarray) else x


def _value(x):
    return _copy(x.data) if hasattr(x, "data") else x


def _norm(xs) -> float:
    total = 0.0
    for x in xs:
        # plain floats skip numpy: this runs for every parameter of every fast iteration
        total += x * x if type(x) is float else float(np.sum(np.square(x)))
    return math.sqrt(total)


class Trainer:
    """Walk a training loop step by step, or run it fast; keep a per-iteration history."""

    def __init__(self, forward_fn: Callable, params, optimizer):
        self.forward_fn = forward_fn
        self.params = list(params)
        self.optimizer = optimizer
        self.history: list = []
        self._snapshots: list = []  # parameter data (and momentum) at the start of each iteration
        self.trace: Optional[Trace] = None
        self.session: Optional[Session] = None

    @property
    def iteration(self) -> int:
        """How many iterations have been completed."""
        return len(self.history)

    def _forward(self):
        result = self.forward_fn()
        loss, outputs = (result if isinstance(result, tuple) else (result, ()))
        outputs = graph.as_outputs(outputs) if outputs != () else []
        if not isinstance(loss, RecordedNode):
            raise TrainingError("forward_fn must return the loss node (or (loss, outputs)), built from the parameters")
        return loss, outputs

    def _begin(self):
        self._snapshots.append(([_copy(p.data) for p in self.params],
                                [_copy(v) for v in self.optimizer._velocity] if getattr(self.optimizer, "momentum", 0) else []))
        self.optimizer.zero_grad()

    def _finish(self, loss, outputs):
        entry = Iteration(len(self.history), float(np.sum(loss.data)), tuple(_value(o) for o in outputs),
                          _norm(p.data for p in self.params), _norm(p.grad for p in self.params))
        self.optimizer.step()
        self.history.append(entry)
        return entry

    def trace_iteration(self) -> Trace:
        """Run one iteration with a full trace (forward, backward, update steps); open a session on it."""
        self._begin()
        loss, outputs = self._forward()
        trace = build_trace([loss] + [o for o in outputs if o is not loss])
        record = getattr(self.optimizer, "record", True)
        self.optimizer.record = True
        self._finish(loss, outputs)
        self.optimizer.record = record
        trace.add_updates(self.optimizer.last_updates, self.optimizer.lr)
        previous = self.session
        self.trace = trace
        self.session = Session(trace)
        if previous is not None:
            # every iteration builds the same graph, so ids, groups and watches carry over
            self.session.set_level(previous.level if previous.depth == 0 else "gate")
            self.session.watches = dict(previous.watches)
            self.session.breakpoints = {b for b in previous.breakpoints if b in trace._by_id}
            self.session.group_breakpoints = set(previous.group_breakpoints)
        return trace

    def run(self, n: int) -> list:
        """The fast path: ``n`` iterations with no trace and no update records; returns their losses."""
        record = getattr(self.optimizer, "record", True)
        self.optimizer.record = False
        losses = []
        try:
            for _ in range(n):
                self._begin()
                loss, outputs = self._forward()
                graph.backward(loss)
                losses.append(self._finish(loss, outputs).loss)
        finally:
            self.optimizer.record = record
        return losses

    def goto_iteration(self, n: int) -> Trace:
        """Show the iteration of index ``n`` (0-based: iteration ``n + 1`` as every view numbers it);
        rewind the parameters or run forward fast, then trace it."""
        if n < 0:
            raise TrainingError(f"iteration index {n} does not exist; indexes count from 0 "
                                f"(index 0 is iteration 1, as train numbers it)")
        if n < len(self._snapshots):
            data, velocity = self._snapshots[n]
            for p, d in zip(self.params, data):
                if isinstance(p.data, np.ndarray):
                    p.data[...] = d
                else:
                    p.data = d
            if hasattr(self.optimizer, "_velocity"):
                self.optimizer._velocity = [_copy(v) for v in velocity] or [None] * len(self.params)
            del self._snapshots[n:]
            del self.history[n:]
        else:
            self.run(n - len(self.history))
        return self.trace_iteration()

    def next(self):
        """One step of the walk; past the last update step, the next iteration begins."""
        if self.session is None or (self.session.at_end and not self.session.depth):
            self.trace_iteration()
            return self.session.next()
        return self.session.next()
