"""Walking a recorded graph: reachable nodes in creation order, ids, and the backward loop.

Every node (``Value`` or ``Tensor``) records the same fields: ``data``, ``grad``, its inputs
``_a`` and ``_b`` (``None`` when absent; every op has at most two), the local gradients
``_la`` and ``_lb`` (numbers for a scalar node; ``None`` on a tensor node, whose rule is a
vector-Jacobian product ``_vjp``), ``_rule`` (an ``ops.Op``, ``None`` for a leaf), ``_const``,
``label``, ``group`` and ``_order`` (creation number; a scalar node reads both from its shared
``recording.Stamp``). Nothing here recurses, so a
200,000-deep chain needs no recursion limit.
"""
from __future__ import annotations

from operator import attrgetter
from typing import Sequence

from .chain_rule import run_gates
from .errors import ForeignNodeError, foreign_node_error
from .node import RecordedNode

__all__ = ["ForeignNodeError", "check_node", "as_outputs", "reachable", "node_ids", "backward", "backward_events"]

_by_creation = attrgetter("_order")


def inputs(node) -> tuple:
    """A node's inputs in order, duplicates kept."""
    a = node._a
    if a is None:
        return ()
    b = node._b
    return (a,) if b is None else (a, b)


def is_leaf(node) -> bool:
    return node._a is None


def check_node(x, where: str = "") -> None:
    """Raise ForeignNodeError naming ``x``'s class unless it is a recorded Value or Tensor.

    The one check where graphs enter (tracing, drawing, exporting, debugging, gradcheck).
    """
    if not isinstance(x, RecordedNode):
        raise foreign_node_error(x, where)


def as_outputs(outputs, where: str = "") -> list:
    """One node or an iterable of nodes, as a list (anything else: one sentence naming it)."""
    if isinstance(outputs, RecordedNode):
        return [outputs]
    if isinstance(outputs, (str, bytes)):  # iterating would name its first character
        who = f"{where} expected" if where else "expected"
        raise ForeignNodeError(f"{who} a Value or Tensor (or a list of them), got the text {outputs!r:.60}; "
                               f"pass a graph's output (for a lecture scenario, load_scenario(id) or "
                               f"'graphviz-nn show ID')")
    if hasattr(outputs, "data") and hasattr(outputs, "grad"):
        check_node(outputs, where)  # a foreign Value: name it before trying to iterate it
    try:
        outs = list(outputs)
    except TypeError:
        check_node(outputs, where)
        raise
    for o in outs:
        check_node(o, where)
    return outs


def reachable(outputs) -> list:
    """Every node the outputs depend on (themselves included), in creation order.

    Creation order is topological, so reversing this list is a valid backward order.
    """
    return _collect(as_outputs(outputs), False)


def _collect(outs: list, zero: bool) -> list:
    """``reachable``'s walk; with ``zero``, each gate's grad is reset on the way (backward's
    start), so backward makes one pass over the graph before its walk instead of two."""
    if zero:
        return _collect_zeroing(outs)
    seen = set(outs)
    stack = list(seen)
    add, push, pop = seen.add, stack.append, stack.pop
    while stack:
        node = pop()
        a = node._a
        if a is None:
            continue
        if a not in seen:
            add(a)
            push(a)
        b = node._b
        if b is not None and b not in seen:
            add(b)
            push(b)
    return sorted(seen, key=_by_creation)


def _collect_zeroing(outs: list) -> list:
    """backward's walk: every node once, in creation order, each gate's grad reset to 0.

    A scalar gate is marked as seen by the zero it is given: one float object made for this
    walk, so ``grad is zero`` means "reset in this walk" (no set of a million nodes to hash).
    Leaves keep their grad (it accumulates) and tensor gates get zeros of their shape, so
    those two are remembered in a set. The nodes are found in depth-first order, which is
    nearly reverse creation order, so the sort finds long runs and is close to one pass.
    """
    zero = float("0")  # a new object, not the shared constant 0.0: its identity is the mark
    seen = set()
    found = []
    stack = []
    for node in outs:  # the outputs, as any node below
        if node._a is None or node._la is None:
            if node in seen:
                continue
            seen.add(node)
            if node._a is not None:
                node.grad = node._zero_grad()
        elif node.grad is zero:
            continue
        else:
            node.grad = zero
        found.append(node)
        stack.append(node)
    add, keep, push, pop = seen.add, found.append, stack.append, stack.pop
    while stack:
        node = pop()
        a = node._a
        if a is None:
            continue
        b = node._b
        if a._la is not None:  # a scalar gate: the zero marks it
            if a.grad is not zero:
                a.grad = zero
                keep(a)
                push(a)
        elif a not in seen:  # a leaf, or a tensor gate
            add(a)
            keep(a)
            if a._a is not None:
                a.grad = a._zero_grad()
                push(a)
        if b is None:
            continue
        if b._la is not None:
            if b.grad is not zero:
                b.grad = zero
                keep(b)
                push(b)
        elif b not in seen:
            add(b)
            keep(b)
            if b._a is not None:
                b.grad = b._zero_grad()
                push(b)
    found.sort(key=_by_creation)
    return found


def node_ids(nodes: Sequence) -> dict:
    """Deterministic ids n0, n1, ... by creation rank within this graph (never ``id()``)."""
    return {node: f"n{i}" for i, node in enumerate(nodes)}


# The backward-event contract: one event per edge that carries a gradient, as a plain tuple
# (fast to make) whose fields are, in order:
EVENT_FIELDS = ("gate", "index", "input", "upstream", "local", "contribution", "grad_after")
# gate: the node sending the gradient; index: which of its inputs (0 or 1); input: that node;
# upstream: dL/d gate (complete); local: d gate/d input as a number (scalar node) or None
# (tensor node: its VJP made the contribution); contribution: what this edge adds into
# ``input.grad``; grad_after: ``input.grad`` right after the addition (the running fan-out sum).


def backward(output, nodes: Sequence | None = None, seed=None, emit=None) -> list:
    """The one backward walk: fill ``grad`` on every node ``output`` depends on; returns the nodes.

    ``seed`` is the upstream gradient given to ``output`` (default 1, or ones for a tensor);
    the debugger seeds a composite gate's expansion with the gate's own upstream gradient.

    Gates are visited in reverse creation order (a reverse topological order), so a gate's
    gradient is complete when it is visited; its edges follow in input order, one after the
    other. With ``emit`` (a callable), every edge that carries a gradient is reported as
    ``emit((gate, index, input, upstream, local, contribution, grad_after))`` (see
    ``EVENT_FIELDS``) right after its contribution was added: the debugger's trace records
    these events instead of walking the graph again. Each node's rule (local gradients or
    VJP) runs exactly once. An input that wants no gradient (``requires_grad=False``: data)
    gets no contribution and no event, and neither does a gate computed only from data.

    Interior gradients are recomputed on every call; leaf gradients accumulate across calls
    until zeroed, as in PyTorch. Non-finite numbers propagate and never raise.
    """
    if nodes is None:
        nodes = _collect(as_outputs(output), True)
    else:
        for node in nodes:
            if node._a is not None:
                # a scalar node restarts from 0.0; a tensor node from zeros of its shape
                node.grad = 0.0 if node._la is not None else node._zero_grad()
    seed = output._seed_grad() if seed is None else seed
    output.grad = seed if output._a is not None else output.grad + seed
    run_gates(reversed(nodes), emit)
    return nodes


def backward_events(output, nodes: Sequence | None = None, seed=None) -> list:
    """Run the backward walk and return its edge events in order (tuples of ``EVENT_FIELDS``)."""
    events: list = []
    backward(output, nodes, seed, events.append)
    return events


def display_label(node, node_id: str) -> str:
    """The name views show: the user's label, else a gate's symbol, else the leaf's id."""
    if node.label:
        return node.label
    op = node._rule
    return op.symbol(node._const) if op is not None else node_id
