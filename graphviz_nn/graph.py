"""Walking a recorded graph: reachable nodes in creation order, ids, and the backward loop.

Every node (``Value`` or ``Tensor``) records the same fields: ``data``, ``grad``, its inputs
``_a`` and ``_b`` (``None`` when absent; every op has at most two), the local gradients
``_la`` and ``_lb`` (numbers for a scalar node; ``None`` on a tensor node, whose rule is a
vector-Jacobian product ``_vjp``), ``_rule`` (an ``ops.Op``, ``None`` for a leaf), ``_const``,
``label``, ``group`` and ``_order`` (creation number). Nothing here recurses, so a
200,000-deep chain needs no recursion limit.
"""
from __future__ import annotations

from operator import attrgetter
from typing import Sequence

from .errors import UserError

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


class ForeignNodeError(UserError, TypeError):
    """Something that is not a graphviz_nn node (a micrograd Value, a lesson's own class) was given."""


def check_node(x, where: str = "") -> None:
    """Raise ForeignNodeError naming ``x``'s class unless it is a recorded Value or Tensor.

    The one check where graphs enter (tracing, drawing, exporting, debugging, gradcheck).
    """
    if hasattr(x, "_order") and hasattr(x, "_rule"):
        return
    cls = type(x)
    name = cls.__name__ if cls.__module__ in ("builtins", "__main__") else f"{cls.__module__}.{cls.__name__}"
    who = f"{where} expected" if where else "expected"
    if hasattr(x, "data") and hasattr(x, "grad"):  # micrograd's Value or a lesson's copy of it
        raise ForeignNodeError(
            f"{who} a graphviz_nn Value, got a {name}: build the graph with "
            f"`from graphviz_nn import Value` in place of your own or micrograd's Value "
            f"(the same code runs unchanged)")
    raise ForeignNodeError(
        f"{who} a Value or Tensor (or a list of them), got {name} ({x!r:.40}); "
        f"build the graph with `from graphviz_nn import Value` and pass its output")


def as_outputs(outputs, where: str = "") -> list:
    """One node or an iterable of nodes, as a list (anything else: one sentence naming it)."""
    if hasattr(outputs, "_order"):
        return [outputs]
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
    outs = as_outputs(outputs)
    seen = set(outs)
    stack = list(seen)
    nodes = list(seen)
    add, push, keep = seen.add, stack.append, nodes.append
    while stack:
        node = stack.pop()
        a = node._a
        if a is None:
            continue
        if a not in seen:
            add(a), push(a), keep(a)
        b = node._b
        if b is not None and b not in seen:
            add(b), push(b), keep(b)
    nodes.sort(key=_by_creation)
    return nodes


def node_ids(nodes: Sequence) -> dict:
    """Deterministic ids n0, n1, ... by creation rank within this graph (never ``id()``)."""
    return {node: f"n{i}" for i, node in enumerate(nodes)}


def backward(output, nodes: Sequence | None = None, seed=None) -> list:
    """Fill ``grad`` on every node ``output`` depends on; returns the nodes in creation order.

    ``seed`` is the upstream gradient given to ``output`` (default 1, or ones for a tensor);
    the debugger seeds a composite gate's expansion with the gate's own upstream gradient.

    Interior gradients are recomputed on every call; leaf gradients accumulate across calls
    until zeroed, as in PyTorch. Non-finite numbers propagate and never raise.
    """
    nodes = reachable(output) if nodes is None else nodes
    for node in nodes:
        if node._a is not None:
            # a scalar node restarts from 0.0; a tensor node from zeros of its shape
            node.grad = 0.0 if node._la is not None else node._zero_grad()
    seed = output._seed_grad() if seed is None else seed
    output.grad = seed if output._a is not None else output.grad + seed
    for node in reversed(nodes):
        a = node._a
        if a is None:
            continue
        g = node.grad
        la = node._la
        if la is not None:
            a.grad += g * la
            b = node._b
            if b is not None:
                b.grad += g * node._lb
        else:
            ga, gb = node._vjp(g)
            if ga is not None:
                a.grad = a.grad + ga
            if gb is not None:
                node._b.grad = node._b.grad + gb
    return nodes


def display_label(node, node_id: str) -> str:
    """The name views show: the user's label, else a gate's symbol, else the leaf's id."""
    if node.label:
        return node.label
    op = node._rule
    return op.symbol(node._const) if op is not None else node_id
