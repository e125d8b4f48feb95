"""Opaque gates: a PyTorch call the rule table has no rule for, stepped with PyTorch's own VJP.

The call is replayed once in float64 on fresh leaves holding the recorded inputs' values
(with the random-number state it ran with, so dropout-like ops draw the same numbers); the
replay's autograd graph is kept, and the gate's vector-Jacobian product is
``torch.autograd.grad`` on it. A node has at most two inputs (the node contract), so a call
with more recorded inputs takes them through ``pack`` gates (one flat vector), and a call
with several floating-point outputs gives one flat vector that ``part`` gates cut apart.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch

from ..ops import Op
from ..tensor import Tensor, _record

_OPS: dict = {}


class TorchCall:
    """The replayed call behind an opaque gate: its float64 leaves and outputs (the gate's const)."""

    __slots__ = ("name", "leaves", "outputs", "packed")

    def __init__(self, name: str, leaves: list, outputs: list, packed: bool):
        self.name = name
        self.leaves = leaves  # one float64 torch leaf per recorded input tensor
        self.outputs = outputs  # the replay's floating-point outputs, in order
        self.packed = packed  # True: the gate's one input is the leaves flattened and joined

    def __repr__(self):
        return f"torch.{self.name}"

    def vjp(self, upstream: np.ndarray, needs: tuple) -> tuple:
        """Per gate input, dL/d input from dL/d output, by torch.autograd.grad (None where not needed)."""
        owner = [0] * len(self.leaves) if self.packed else list(range(len(self.leaves)))
        wanted = [i for i, leaf in enumerate(self.leaves) if needs[owner[i]]]
        grads: list = [None] * len(self.leaves)
        pieces = _split(np.ascontiguousarray(upstream, dtype=np.float64).reshape(-1), [o.shape for o in self.outputs])
        live = [(o, g) for o, g in zip(self.outputs, pieces) if o.requires_grad]
        if wanted and live:
            found = torch.autograd.grad([o for o, _ in live], [self.leaves[i] for i in wanted],
                                        grad_outputs=[torch.from_numpy(g) for _, g in live],
                                        retain_graph=True, allow_unused=True)
            for i, g in zip(wanted, found):
                grads[i] = g
        arrays = [np.zeros(tuple(leaf.shape)) if g is None else g.detach().to(torch.float64).numpy().copy()
                  for leaf, g in zip(self.leaves, grads)]
        if self.packed:
            return (np.concatenate([a.reshape(-1) for a in arrays]) if needs[0] else None,)
        return tuple(a if need else None for a, need in zip(arrays, needs))


def _split(flat: np.ndarray, shapes: list) -> list:
    out, start = [], 0
    for shape in shapes:
        n = math.prod(shape)
        out.append(flat[start:start + n].reshape(tuple(shape)))
        start += n
    return out


def _opaque_vjp(g, y, xs, call, needs=(True, True)):
    return call.vjp(g, needs[:len(xs)])


def opaque_op(name: str, arity: int) -> Op:
    """The Op of an opaque gate for PyTorch function ``name`` with 1 or 2 inputs (one per name)."""
    key = (name, arity)
    op = _OPS.get(key)
    if op is None:
        ins = ("x",) if arity == 1 else ("a", "b")
        formulas = tuple(f"dL/d{x} = PyTorch's own VJP of {name} (torch.autograd.grad)" for x in ins)
        op = _OPS[key] = Op(f"torch.{name}", arity, lambda c, s=name: s,
                            lambda c, s=f"{name}({', '.join(ins)})": s,
                            lambda c, f=formulas: f, None, None, _opaque_vjp, lambda c, f=formulas: f, None)
    return op


# ---- pack and part: the node contract's two inputs, and one output, for any call ----------

class Part(NamedTuple):
    """Output ``index`` of a call with several outputs: entries start..stop, in ``shape``."""

    index: int
    start: int
    stop: int
    shape: tuple

    def __repr__(self):
        return f"output {self.index}"


def _pack_vjp(g, y, xs, c, needs=(True, True)):
    a, b = xs
    return (g[:a.size].reshape(a.shape) if needs[0] else None, g[a.size:].reshape(b.shape) if needs[1] else None)


def _part_vjp(g, y, xs, c, needs=(True,)):
    out = np.zeros(xs[0].shape)
    out[c.start:c.stop] = np.reshape(g, -1)
    return (out,)


PACK = Op("pack", 2, lambda c: "pack", lambda c: "[a, b] flattened and joined",
          lambda c: ("dL/da, dL/db = dL/dy cut back into a's and b's shapes",) * 2, None, None, _pack_vjp,
          lambda c: ("dL/da = dL/dy[:a.size] in a's shape", "dL/db = dL/dy[a.size:] in b's shape"), None)
PART = Op("part", 1, lambda c: f"out{c.index}", lambda c: f"x[{c.start}:{c.stop}] in shape {c.shape}",
          lambda c: ("dL/dx = dL/dy at its place, 0 elsewhere",), None, None, _part_vjp,
          lambda c: ("dL/dx = dL/dy at its place in the joined outputs, 0 elsewhere",), None)


def pack(nodes: list) -> Tensor:
    """Nodes flattened and joined into one vector by a chain of two-input ``pack`` gates."""
    out = nodes[0]
    for nxt in nodes[1:]:
        data = np.concatenate([out.data.reshape(-1), nxt.data.reshape(-1)])
        out = _record(data, out, nxt, PACK, None)
    return out


def gate(name: str, inputs: list, call: TorchCall) -> Tensor:
    """The opaque gate's node over ``inputs`` (nodes), valued by the replay's outputs (joined if several)."""
    outs = [o.detach().numpy() for o in call.outputs]
    data = outs[0].copy() if len(outs) == 1 else np.concatenate([o.reshape(-1) for o in outs])
    if len(inputs) > 2:
        call.packed = True
        inputs = [pack(inputs)]
    a = inputs[0]
    b = inputs[1] if len(inputs) == 2 else None
    return _record(data, a, b, opaque_op(name, len(inputs)), call)


def parts(node: Tensor, shapes: list) -> list:
    """One ``part`` node per output of a gate with several outputs."""
    out, start = [], 0
    for i, shape in enumerate(shapes):
        n = math.prod(shape)
        c = Part(i, start, start + n, tuple(shape))
        out.append(_record(node.data[start:start + n].reshape(c.shape), node, None, PART, c))
        start += n
    return out
