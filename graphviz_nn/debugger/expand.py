"""Step into a composite gate (its primitive expansion as a small trace of real engine nodes),
or replay a whole trace on fresh leaves (the gradient check nudges them).

The sigmoid gate of the CS231n neuron expands into ``*-1 exp +1 1/x``; the expansion is
rebuilt from fresh leaves holding the gate's input values and traced with the gate's own
upstream gradient as seed, so every number agrees with the collapsed gate.
"""
from __future__ import annotations

from ..ops import OPS, expand as expand_gate
from ..recording import group
from ..tensor import Tensor, apply as tensor_apply
from ..value import Value, apply as value_apply
from .trace import Trace, TraceError, build_trace


def expand(trace: Trace, node_id: str) -> Trace:
    """The trace of composite gate ``node_id``'s primitive gates, seeded with its upstream gradient."""
    info = trace.node(node_id)
    if not info.composite:
        *most, last = (name for name, op in OPS.items() if op.composite)
        raise TraceError(
            f"{node_id} ({info.label}) is not a composite gate; only {', '.join(most)} and {last} gates "
            f"can be stepped into"
        )
    # the same expansion on either engine: element-wise gates expand element-wise
    leaf, apply_op = (Tensor, tensor_apply) if info.is_tensor else (Value, value_apply)
    upstream = trace.grad_at(node_id, len(trace.steps))
    with group(*info.group):
        leaves = [leaf(trace.forward_value(i), label=trace.node(i).name, requires_grad=trace.node(i).requires_grad)
                  for i in info.inputs]
        gates = expand_gate(info.op, leaves, info.const, apply_op)
    # inner ids are qualified by the gate's name (n9.5, σ.5): they never clash with the outer graph's
    return build_trace(gates[-1], seed=upstream, id_prefix=f"{info.name}.", decimals=trace.decimals)


def replay(trace: Trace):
    """``(leaves, run)``: fresh leaves holding the trace's leaf values (by id), and ``run()``, which
    applies the trace's gates to them again through the rule table and returns the output node.

    The user's nodes are never touched; nudging a leaf's ``data`` and calling ``run()`` again
    evaluates the same graph there (what a finite-difference check needs).
    """
    tensor = trace.has_tensor
    leaf, apply_op = (Tensor, tensor_apply) if tensor else (Value, value_apply)
    leaves = {info.id: leaf(trace.forward_value(info.id), label=info.name, requires_grad=info.requires_grad)
              for info in trace.nodes if info.is_leaf}
    gates = [info for info in trace.nodes if not info.is_leaf]

    def run():
        values = dict(leaves)
        for info in gates:
            values[info.id] = apply_op(info.op, [values[i] for i in info.inputs], info.const)
        return values[trace.backward_from]

    return leaves, run
