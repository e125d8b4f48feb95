"""The text view: a trace as a table, one readable line per step (the oracle for richer views).

    >>> from graphviz_nn import Value
    >>> print(explain(Value(2.0, label="a") * 3))
    step  phase     node  op         what happens
       1  forward   n0    leaf       n0 = a = 2.00
       2  forward   n1    *3         n1 = n0 *3 = 6.00
       3  backward  n1    *3         [1.00] × [3.00] = 3.00 → a.grad = 3.00
"""
from __future__ import annotations

from .. import graph
from .trace import Trace, build_trace


def table(trace: Trace, start: int = 0, stop=None) -> str:
    """Rows ``start`` to ``stop`` of the trace as text (step numbers count from 1)."""
    steps = trace.steps[start:stop]
    # columns as wide as their longest entry, so long op symbols (sum(axis=0)) stay aligned
    w_node = max([4] + [len(s.node) for s in steps])
    w_op = max([10] + [len(trace.node(s.node).symbol) for s in steps])
    rows = [f"step  phase     {'node':<{w_node}}  {'op':<{w_op}} what happens"]
    for step in steps:
        op = trace.node(step.node).symbol or "leaf"
        rows.append(f"{step.index + 1:>4}  {step.phase:<8}  {step.node:<{w_node}}  {op:<{w_op}} {step.text}")
    return "\n".join(rows)


def explain(outputs, backward_from=None) -> str:
    """The forward and backward steps of ``outputs`` as a table of one-line equations.

    Forward rows read ``n7 = n5 * n6 = -2.00``; backward rows read
    ``[upstream] × [local] = contribution → input.grad = running total``.
    """
    graph.as_outputs(outputs, "explain")  # a micrograd Value is named here, not as a TypeError deeper down
    return table(build_trace(outputs, backward_from))
