"""micrograd's picture of a graph: a record per value (``label | data 2.0000 | grad 0.0000``)
and an oval per operation, read from ``_prev`` and ``_op`` exactly as the lesson's own
``draw_dot`` does, with the nodes' ``data`` and ``grad`` as they are now (it never runs
backward: before ``backward()`` every grad reads 0.0000; a grad set by hand reads as set).

>>> from graphviz_nn import Value
>>> a = Value(2.0, label="a")
>>> print([l.strip() for l in micrograd_dot(a + a).source.splitlines() if "record" in l][0])
n0 [label="{ a | data 2.0000 | grad 0.0000 }" shape=record]
"""
from __future__ import annotations

import re

import numpy as np

from .. import graph
from . import labels
from .dot import DEFAULT_NODE_LIMIT, FONT, Diagram, GraphTooLargeError, RenderError

# characters a record label reads as structure: escaped so a user's label shows as written
_RECORD_SPECIAL = re.compile(r'([\\{}|<>"])')


def micrograd_view(outputs) -> tuple:
    """(nodes in creation order, edges (child, node) in order): micrograd's ``trace(root)``,
    walked without recursion so a deep chain needs no recursion limit."""
    outs = graph.as_outputs(outputs, "draw_dot")
    seen = set(outs)
    stack = list(outs)
    edges = set()
    while stack:
        node = stack.pop()
        for child in node._prev:
            edges.add((child, node))
            if child not in seen:
                seen.add(child)
                stack.append(child)
    order = graph._by_creation
    return sorted(seen, key=order), sorted(edges, key=lambda e: (e[1]._order, e[0]._order))


def micrograd_dot(outputs, format: str = "svg", rankdir: str = "LR", *, decimals: int = 4,
                  max_nodes: int | None = DEFAULT_NODE_LIMIT) -> Diagram:
    """micrograd's ``draw_dot`` picture of ``outputs`` as a ``graphviz.Digraph`` (``format`` is
    what ``.render()`` writes; Jupyter shows SVG). Refuses graphs above ``max_nodes`` values."""
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise RenderError(f"unknown direction {rankdir!r}; choose LR, RL, TB or BT")
    if not isinstance(decimals, int) or not 0 <= decimals <= 12:
        raise RenderError(f"decimals must be a whole number from 0 to 12, got {decimals!r}")
    outs = graph.as_outputs(outputs, "draw_dot")
    # counted by the engine's own walk first: refusing 65,000 values must not build 65,000 sets
    count = len(graph.reachable(outs)) if max_nodes is not None else 0
    if max_nodes is not None and count > max_nodes:
        raise GraphTooLargeError(
            f"the graph has {count:,} values, more than draw_dot's limit of {max_nodes:,}; pass "
            f'level="neuron" or level="layer" for a picture with one box per neuron or layer '
            f"(or max_nodes=None to draw every value)")
    nodes, edges = micrograd_view(outs)
    ids = graph.node_ids(nodes)
    lines = []
    for node in nodes:
        nid = ids[node]
        cells = [f"data {_number(node.data, decimals)}", f"grad {_number(node.grad, decimals)}"]
        if node.label:
            cells.insert(0, _RECORD_SPECIAL.sub(r"\\\1", _one_line(node.label)))
        lines.append(f'\t{nid} [label="{{ {" | ".join(cells)} }}" shape=record]')
        op = node._op
        if op:  # as micrograd: even a leaf given an op string gets its oval
            lines.append(f'\t{nid}_op [label="{_quoted(op)}"]')
            lines.append(f"\t{nid}_op -> {nid}")
    for child, node in edges:
        lines.append(f"\t{ids[child]} -> {ids[node]}_op")
    return Diagram(format=format, graph_attr={"rankdir": rankdir},
                   node_attr={"fontname": FONT}, body=[line + "\n" for line in lines])


def _number(x, decimals: int) -> str:
    """micrograd's ``%.4f``; an array (a Tensor node) as its shape and summary."""
    if isinstance(x, np.ndarray):
        return _RECORD_SPECIAL.sub(r"\\\1", labels.summary(x, decimals))
    return f"{float(x):.{decimals}f}"


def _quoted(text: str) -> str:
    return _one_line(text).replace("\\", "\\\\").replace('"', '\\"')


def _one_line(text) -> str:
    # a record cell is one line; control characters become \xNN (XML cannot hold them)
    return labels.plain(text).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
