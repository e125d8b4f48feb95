"""The text view: a trace as a table, one readable line per step (the oracle for richer views).

    >>> from graphviz_nn import Value
    >>> print(explain(Value(2.0, label="a") * 3))
    step  phase     node  op         what happens
       1  forward   n0    leaf       a = 2.00
       2  forward   n1    *3         n1 = a *3 = 6.00
       3  backward  n1    *3         seed: n1.grad = 1.00  (dn1/dn1 = 1)
       4  backward  n1    *3         [1.00] × [3.00] = 3.00 → a.grad = 3.00    local: 3
"""
from __future__ import annotations

from .. import graph
from .trace import Trace, build_trace


WIDTH = 150  # a backward line gets its local gradient appended when it still fits, else below it


def table(trace: Trace, start: int = 0, stop=None, width: int = WIDTH) -> str:
    """Rows ``start`` to ``stop`` of the trace as text (step numbers count from 1).

    A backward row ends with its local gradient, numbers filled in (``local: σ(x)(1-σ(x)) =
    0.73 × 0.27 = 0.20``) where the line stays within ``width`` characters, else on the line below.
    """
    steps = trace.steps[start:stop]
    # columns as wide as their longest entry, so long op symbols (sum(axis=0)) stay aligned
    w_node = max([4] + [len(s.node) for s in steps])
    w_op = max([10] + [len(trace.node(s.node).symbol) for s in steps])
    rows = [f"step  phase     {'node':<{w_node}}  {'op':<{w_op}} what happens"]
    for step in steps:
        op = trace.node(step.node).symbol or "leaf"
        row = f"{step.number:>4}  {step.phase:<8}  {step.node:<{w_node}}  {op:<{w_op}} {step.text}"
        local = step.local_text if step.phase == "backward" and step.local is not None else ""
        if local and len(row) + 9 + len(local) <= width:
            row += f"    local: {local}"
        elif local:  # every gate's local gradient is shown: a long row gets it on the next line
            row += "\n" + " " * (len(row) - len(step.text)) + f"local: {local}"
        rows.append(row)
    return "\n".join(rows)


def explain(outputs, backward_from=None, *, decimals: int = 2) -> str:
    """The forward and backward steps of ``outputs`` as a table of one-line equations.

    Forward rows read ``n7 = n5 * n6 = -2.00``; the backward pass starts with the seed
    (``seed: f.grad = 1.00``), then rows read ``[upstream] × [local] = contribution →
    input.grad = running total``. ``decimals``: digits after the point (more digits are used
    where the shown product would not otherwise check out).
    """
    graph.as_outputs(outputs, "explain")  # a micrograd Value is named here, not as a TypeError deeper down
    return table(build_trace(outputs, backward_from, fill_grads=False, decimals=decimals))
