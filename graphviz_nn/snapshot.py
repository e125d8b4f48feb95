"""The engine's snapshot of a recorded graph: a JSON-able dict, or a networkx MultiDiGraph.

Non-finite floats are written as the strings "nan", "inf", "-inf" so the file stays valid
JSON; tensor values and gradients become nested lists.
"""
from __future__ import annotations

import math

import numpy as np

from .graph import as_outputs, display_label, inputs, node_ids, reachable
from .node import RecordedNode


def json_number(x):
    """A float (or array) as JSON: finite numbers as they are, others as strings."""
    if isinstance(x, np.ndarray):
        return [json_number(v) for v in x.tolist()] if x.ndim else json_number(float(x))
    if isinstance(x, list):
        return [json_number(v) for v in x]
    if x is None:
        return None
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def _node_record(node, ids) -> dict:
    op = node._rule
    node_id = ids[node]
    record = {
        "id": node_id,
        "label": display_label(node, node_id),
        "op": op.name if op is not None else None,
        "symbol": op.symbol(node._const) if op is not None else "",
        "const": _const_json(node._const),
        "value": json_number(node.data),
        "grad": json_number(node.grad),
        "inputs": [ids[i] for i in inputs(node)],
        "local_grads": [json_number(g) for g in node.local_grads] if node._la is not None else None,
        "group": list(node.group),
    }
    if isinstance(node.data, np.ndarray):
        record["shape"] = list(node.data.shape)
    return record


def _const_json(c):
    if c is None or isinstance(c, (str, bool, int)):
        return c
    if isinstance(c, float):
        return json_number(c)
    if isinstance(c, np.ndarray):
        return json_number(c)
    if isinstance(c, tuple):
        return [_const_json(v) for v in c]
    return repr(c)


def to_json(outputs) -> dict:
    """The whole recorded graph as a JSON-able dict.

    ``{"nodes": [{id, label, op, symbol, const, value, grad, inputs, local_grads, group}, ...],
    "output": id}`` for one output, ``"outputs": [ids]`` for several.

    >>> from graphviz_nn import Value
    >>> snap = to_json(Value(2.0, label="x") * 3)
    >>> snap["output"], [n["label"] for n in snap["nodes"]]
    ('n1', ['x', '*3'])
    """
    outs = as_outputs(outputs, "to_json")
    nodes = reachable(outs)
    ids = node_ids(nodes)
    snap = {"nodes": [_node_record(n, ids) for n in nodes]}
    if len(outs) == 1 and isinstance(outputs, RecordedNode):
        snap["output"] = ids[outs[0]]
    else:
        snap["outputs"] = [ids[o] for o in outs]
    return snap


def trace_to_json(trace, k=None) -> dict:
    """``to_json``'s format, read from a debugger trace at state ``k`` (default: its end).

    Values and gradients are the trace's numbers at that state (a gradient not yet known is
    0, as on a fresh node); nothing is read from, or written into, the engine's nodes.
    """
    state = trace.state_at(len(trace.steps) if k is None else k)
    records = []
    for info in trace.nodes:
        value = state.value(info.id)
        if value is None:
            value = trace.forward_value(info.id)
        grad = state.grad(info.id)
        if grad is None:
            grad = np.zeros(info.shape) if info.is_tensor else 0.0
        record = {
            "id": info.id,
            "label": info.label,
            "op": info.op,
            "symbol": info.symbol,
            "const": _const_json(info.const),
            "value": json_number(value),
            "grad": json_number(grad),
            "inputs": list(info.inputs),
            "local_grads": [json_number(g) for g in info.local_grads] if info.local_grads is not None else None,
            "group": list(info.group),
        }
        if info.is_tensor:
            record["shape"] = list(info.shape)
        records.append(record)
    snap = {"nodes": records}
    if len(trace.outputs) == 1:
        snap["output"] = trace.outputs[0]
    else:
        snap["outputs"] = list(trace.outputs)
    return snap


def to_networkx(outputs) -> nx.MultiDiGraph:
    """The recorded graph as a MultiDiGraph: node attributes as in ``to_json``, one edge per
    input (key = input index; ``x * x`` has two edges), with its local gradient."""
    import networkx as nx  # imported on use: it adds 0.2 s to every start of the app

    snap = to_json(outputs)
    g = nx.MultiDiGraph(output=snap.get("output"), outputs=snap.get("outputs"))
    for record in snap["nodes"]:
        g.add_node(record["id"], **{k: v for k, v in record.items() if k != "id"})
    for record in snap["nodes"]:
        locals_ = record["local_grads"]
        for index, src in enumerate(record["inputs"]):
            g.add_edge(src, record["id"], key=index, index=index,
                       local_grad=None if locals_ is None else locals_[index])
    return g
