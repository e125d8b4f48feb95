"""How a step reads: one line per step, in the user's names, with arithmetic that checks out.

Forward:   ``w0 = 2.00``, ``x0 = -1.00  (data)``, ``n5 = w0 * x0 = -2.00``
Seed:      ``seed: f.grad = 1.00  (df/df = 1)``
Backward:  ``[0.1966] × [-1.00] = -0.1966 → w0.grad = -0.1966``; at fan-out
           ``[1.00] × [1.00] = 1.00 → x.grad = -4.00 + 1.00 = -3.00 (2 of 2)``
Update:    ``w ← w − lr·grad = 1.00 − 0.50 × 2.00 = 0.00``
Local gradient (``local_text``): ``σ(x)(1-σ(x)) = 0.73 × 0.27 = 0.20``, ``-1/x² = -1/1.37² = -0.53``

Texts are made on first use (building a 50,000-node trace formats nothing), at the trace's
number of decimals; ``Trace.set_decimals`` makes them again at another precision.
"""
from __future__ import annotations

import numpy as np

from ..ops import OPS
from . import format as fmt


class StepWords:
    """Writes the steps of one trace: it knows the nodes' names, values and the decimals."""

    __slots__ = ("infos", "values", "decimals", "backward_from")

    def __init__(self, infos: dict, values: dict, backward_from: str, decimals: int = fmt.DECIMALS):
        self.infos = infos  # id -> NodeInfo
        self.values = values  # id -> forward value
        self.backward_from = backward_from
        self.decimals = decimals

    def number(self, x) -> str:
        return fmt.number(x, self.decimals)

    # ---- one line per step ----
    def text(self, step) -> str:
        if step.phase == "forward":
            return self.forward(step)
        if step.phase == "backward":
            return self.seed(step) if step.input_index is None else self.backward(step)
        return self.update(step)

    def forward(self, step) -> str:
        info = self.infos[step.node]
        value = self.number(step.value)
        if info.is_leaf:
            return f"{info.name} = {value}" + ("" if info.requires_grad else "  (data)")
        return f"{info.name} = {info.formula} = {value}"

    def seed(self, step) -> str:
        name = self.infos[step.node].name
        if np.all(np.asarray(step.grad_after) == 1.0):
            why = f"d{name}/d{name} = 1"
        else:
            why = "the gradient arriving from outside"
        return f"seed: {name}.grad = {self.number(step.grad_after)}  ({why})"

    def backward(self, step) -> str:
        target = self.infos[step.input].name
        if step.local is not None:
            head = fmt.product(step.upstream, step.local, step.contribution, self.decimals)
        else:
            formula = self.infos[step.node].local_formulas
            formula = formula[step.input_index] if step.input_index < len(formula) else "vjp"
            head = f"{formula} = {self.number(step.contribution)}"
        if step.fan[0] == 1 and step.local is not None and step.grad_after == step.contribution:
            # the first arrival: the gradient is the contribution, written with the same digits
            return f"{head} → {target}.grad = {head.rsplit(' ', 1)[1]}" + (
                f" (1 of {step.fan[1]})" if step.fan[1] > 1 else "")
        shown = fmt.digits_of(head.rsplit(" ", 1)[1]) if step.local is not None else None
        return f"{head} → {target}.grad = {self.running_total(step, shown)}"

    def running_total(self, step, shown_digits=None) -> str:
        """``-3.00``, or at fan-out ``-4.00 + 1.00 = -3.00 (2 of 2)`` (``-4.00 (1 of 2)`` first)."""
        i, n = step.fan
        if n == 1:
            return self.number(step.grad_after)
        if i == 1 or step.grad_before is None:
            return f"{self.number(step.grad_after)} ({i} of {n})"
        if isinstance(step.grad_after, np.ndarray):
            return f"{self.number(step.grad_after)} ({i} of {n})"
        return (f"{fmt.running_sum(step.grad_before, step.contribution, step.grad_after, self.decimals, shown_digits)}"
                f" ({i} of {n})")

    def update(self, step) -> str:
        name = self.infos[step.node].name
        n = self.number
        moved = step.grad if step.moved is None else step.moved
        if all(isinstance(v, float) for v in (step.old_value, step.lr, moved, step.new_value)):
            # a scalar update checks out as displayed, like a product
            arithmetic = fmt.descent(step.old_value, step.lr, moved, step.new_value, self.decimals)
        else:
            arithmetic = f"{n(step.old_value)} − {n(step.lr)} × {n(moved)} = {n(step.new_value)}"
        if step.moved is None:
            return f"{name} ← {name} − lr·grad = {arithmetic}"
        return f"{name} ← {name} − lr·v = {arithmetic}  (v: momentum velocity; grad {n(step.grad)})"

    # ---- the local gradient of a backward step, with the numbers filled in ----
    def local_text(self, step, decimals=None) -> str:
        """``formula = formula with numbers = value`` for a scalar edge; the VJP formula on a tensor."""
        if decimals is not None and decimals != self.decimals:
            other = StepWords(self.infos, self.values, self.backward_from, decimals)
            return other.local_text(step)
        if step.phase != "backward" or step.input_index is None:
            return ""
        info = self.infos[step.node]
        formulas = info.local_formulas
        formula = formulas[step.input_index] if step.input_index < len(formulas) else ""
        if step.local is None:
            return formula
        if formula in ("a", "b") and len(info.inputs) == 2:  # a product's local gradient is the other input
            formula = self.infos[info.inputs["ab".index(formula)]].name
        value = self.number(step.local)
        op = OPS.get(info.op)  # a user's own gate (micrograd's _backward) is not in the table
        filled = None
        if op is not None and op.local_numbers is not None:
            xs = [self.values[i] for i in info.inputs]
            filled = op.local_numbers(self.number, xs, self.values[step.node], info.const)[step.input_index]
        parts = [formula]
        if filled is not None and filled.startswith("("):  # a branch: where the formula is evaluated
            parts[0] = f"{formula} {filled}"
        elif filled is not None and filled != formula:
            parts.append(filled)
        if value not in parts and not _is_number_text(formula, step.local):
            parts.append(value)
        return " = ".join(parts)


def _is_number_text(text: str, value) -> bool:
    """True when a formula is already just the number (the 1 of an add, the 3 of a ``*3``)."""
    try:
        return float(text) == value
    except ValueError:
        return False
