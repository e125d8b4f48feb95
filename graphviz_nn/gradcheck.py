"""Gradient checking: each leaf's backprop gradient against a central finite difference.

The slides' "finite difference method for gradient checking". The default is the central
difference (f(x+ε) - f(x-ε)) / 2ε, whose error shrinks like ε²; the slide (seed 003) writes the
one-sided (forward) difference (f(x+ε) - f(x)) / ε, error like ε, offered as
``one_sided=True``::

    >>> from graphviz_nn import Value, gradcheck
    >>> x = Value(3.0, label="x")
    >>> report = gradcheck(lambda: x * x + x, [x])
    >>> report.passed, round(report.rows[0].analytic, 6)
    (True, 7.0)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .arguments import function, number, sequence, whole
from .graph import check_node, reachable

EPS = 1e-6
ATOL = 1e-5
RTOL = 1e-3


@dataclass(frozen=True)
class GradCheckRow:
    """One leaf (or one element of a tensor leaf): analytic vs numeric gradient."""

    label: str
    analytic: float
    numeric: float
    abs_error: float
    rel_error: float
    passed: bool


@dataclass(frozen=True)
class GradCheckReport:
    rows: tuple
    eps: float
    atol: float
    rtol: float
    one_sided: bool = False

    @property
    def formula(self) -> str:
        return "(f(x+eps) - f(x)) / eps (one-sided, as on the slide)" if self.one_sided \
            else "(f(x+eps) - f(x-eps)) / 2eps (central)"

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.rows)

    @property
    def failures(self) -> list:
        return [r for r in self.rows if not r.passed]

    def __str__(self) -> str:
        head = f"{'leaf':<16} {'analytic':>14} {'numeric':>14} {'rel. error':>11}  result"
        lines = [head, "-" * len(head)]
        for r in self.rows:
            lines.append(f"{r.label:<16.16} {r.analytic:>14.6g} {r.numeric:>14.6g} {r.rel_error:>11.2e}  "
                         f"{'ok' if r.passed else 'FAIL'}")
        lines.append(("numeric = " + self.formula + "; " if self.one_sided else "") + f"tolerance |a - n| <= {self.atol:g} + {self.rtol:g}·|n|, eps = {self.eps:g}: "
                     f"{'all passed' if self.passed else f'{len(self.failures)} failed'}")
        return "\n".join(lines)


def _scalar(out) -> float:
    data = out.data
    if isinstance(data, np.ndarray):
        if data.size != 1:
            raise ValueError(f"gradcheck needs a scalar output, got shape {data.shape}; reduce it with .sum()")
        return float(data.reshape(()))
    return float(data)


def gradcheck(output_fn: Callable, leaves: Sequence, eps: float = EPS, atol: float = ATOL,
              rtol: float = RTOL, max_elements: int = 20, progress: Callable | None = None,
              one_sided: bool = False) -> GradCheckReport:
    """Compare backprop with central differences ``(f(x+eps) - f(x-eps)) / 2eps`` per leaf
    (``one_sided=True``: the slide's ``(f(x+eps) - f(x)) / eps``).

    ``output_fn()`` must rebuild the graph from the leaves' current ``data`` and return the
    scalar output. Tensor leaves are checked element by element (at most ``max_elements``
    evenly spaced elements each). Leaves' data and grads are restored afterwards, and so are
    the grads of the other leaves the output reads (say, a model's parameters).
    ``progress(done, total)`` is called after each evaluation of ``output_fn`` (it may raise
    to stop the check; everything is restored all the same).
    """
    function(output_fn, "output_fn", "gradcheck", " that rebuilds the graph and returns its scalar output")
    if isinstance(leaves, (str, bytes)) or not hasattr(leaves, "__iter__"):
        sequence(leaves, "leaves", "gradcheck", " of the Values or Tensors to check")  # raises, in one sentence
    leaves = list(leaves)
    eps = number(eps, "eps", "gradcheck", positive=True)
    max_elements = whole(max_elements, "max_elements", "gradcheck", low=1)
    for leaf in leaves:
        check_node(leaf, "gradcheck's leaves")
    if progress is not None:
        output_fn = _counted(output_fn, progress, 1 + 2 * sum(
            min(max_elements, leaf.data.size) if isinstance(leaf.data, np.ndarray) else 1 for leaf in leaves))
    saved_grads = [leaf.grad for leaf in leaves]
    others = []  # leaves the output reads but nobody asked to check: backward must not touch them
    try:
        for leaf in leaves:
            leaf.grad = leaf._zero_grad() if isinstance(leaf.data, np.ndarray) else 0.0
        out = output_fn()
        check_node(out, "gradcheck's output_fn")
        checked = {id(leaf) for leaf in leaves}
        others = [(n, np.copy(n.grad) if isinstance(n.grad, np.ndarray) else n.grad)
                  for n in reachable(out) if n._a is None and id(n) not in checked]
        out.backward()
        analytic = [np.array(leaf.grad, dtype=float, copy=True) for leaf in leaves]
        rows = []
        for i, leaf in enumerate(leaves):
            name = leaf.label or f"leaf{i}"
            if isinstance(leaf.data, np.ndarray):
                flat = leaf.data.reshape(-1)
                picks = np.unique(np.linspace(0, flat.size - 1, min(max_elements, flat.size)).astype(int))
                for j in picks:
                    numeric = _central(output_fn, flat, int(j), eps, one_sided)
                    rows.append(_row(f"{name}[{j}]", float(analytic[i].reshape(-1)[j]), numeric, atol, rtol))
            else:
                numeric = _central_scalar(output_fn, leaf, eps, one_sided)
                rows.append(_row(name, float(analytic[i]), numeric, atol, rtol))
        return GradCheckReport(tuple(rows), eps, atol, rtol, one_sided)
    finally:
        for leaf, grad in zip(leaves, saved_grads):
            leaf.grad = grad
        for node, grad in others:
            node.grad = grad


def _counted(output_fn, progress, total: int):
    done = [0]

    def counted():
        out = output_fn()
        done[0] += 1
        progress(done[0], total)
        return out
    return counted


def _central_scalar(output_fn, leaf, eps, one_sided=False) -> float:
    x = leaf.data
    try:
        leaf.data = x + eps
        plus = _scalar(output_fn())
        leaf.data = x if one_sided else x - eps
        minus = _scalar(output_fn())
    finally:
        leaf.data = x
    return (plus - minus) / (eps if one_sided else 2 * eps)


def _central(output_fn, flat, j, eps, one_sided=False) -> float:
    x = flat[j]
    try:
        flat[j] = x + eps
        plus = _scalar(output_fn())
        flat[j] = x if one_sided else x - eps
        minus = _scalar(output_fn())
    finally:
        flat[j] = x
    return (plus - minus) / (eps if one_sided else 2 * eps)


def _row(label, analytic, numeric, atol, rtol) -> GradCheckRow:
    err = abs(analytic - numeric)
    rel = err / max(abs(numeric), abs(analytic), 1e-12)
    return GradCheckRow(label, analytic, numeric, err, rel, bool(err <= atol + rtol * abs(numeric)))
