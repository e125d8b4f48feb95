"""The trace: a recorded graph turned into forward, backward and update steps.

``build_trace`` runs the engine's backward once and reads what the engine recorded (values,
local gradients, accumulated gradients); it never recomputes the model. Forward steps follow
creation order (a topological order); backward steps follow its reverse, one step per edge,
so fan-out shows as several steps into one input with the partial sums in between.

    >>> from graphviz_nn import Value
    >>> x = Value(3.0, label="x")
    >>> trace = build_trace(x * x + x)
    >>> [s.grad_after for s in trace.steps if s.phase == "backward" and s.input == "n0"]
    [3.0, 6.0, 7.0]
"""
from __future__ import annotations

import gc
import math
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Optional

import numpy as np

from .. import graph
from ..errors import UserError
from . import format as fmt


class TraceError(UserError):
    """The nodes given to the debugger cannot be traced as asked."""


@dataclass(frozen=True, slots=True)
class Edge:
    """Input ``index`` of node ``dst`` is node ``src`` (ids)."""

    src: str
    dst: str
    index: int


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """What the views need to know about one node, with ids instead of engine objects."""

    id: str
    label: str
    op: Optional[str]
    symbol: str
    const: Any
    inputs: tuple
    group: tuple
    is_leaf: bool
    is_tensor: bool
    shape: Optional[tuple]
    formula: str
    local_formulas: tuple
    composite: bool
    node: Any
    user_label: Optional[str] = None

    @property
    def name(self) -> str:
        """The user's label if any, else the id: how a gradient is named (``w2.grad``)."""
        return self.user_label or self.id


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the debugger: a value becomes known, a gradient flows, or a parameter moves.

    forward: ``value`` of ``node``. backward: ``upstream`` (dL/d node) × ``local``
    (d node/d input) = ``contribution`` added into ``input``, whose gradient is then
    ``grad_after``. update: ``old_value`` − ``lr`` · ``grad`` → ``new_value``.
    """

    index: int
    phase: str
    node: str
    text: str
    group: tuple = ()
    value: Any = None
    input_index: Optional[int] = None
    input: Optional[str] = None
    upstream: Any = None
    local: Any = None
    contribution: Any = None
    grad_after: Any = None
    old_value: Any = None
    new_value: Any = None
    grad: Any = None
    lr: Any = None


def _snapshot(x):
    """A copy that later in-place updates (``p.data -= ...``) cannot change."""
    if type(x) is float:
        return x
    return np.array(x, dtype=float, copy=True) if isinstance(x, np.ndarray) else x


def is_finite(x) -> bool:
    """True when a number or every entry of an array is finite."""
    if x is None:
        return True
    if isinstance(x, np.ndarray):
        return bool(np.isfinite(x).all())
    return math.isfinite(x)


def magnitude(x) -> float:
    """|x| for a number, the largest |entry| for an array (what vanishing/exploding compare)."""
    if isinstance(x, np.ndarray):
        return float(np.max(np.abs(x))) if x.size else 0.0
    return abs(x)


class Trace:
    """Steps over one recorded graph; ``state_at(k)`` says what is known after k steps."""

    def __init__(self, nodes, infos, steps, outputs, backward_from, values, seed):
        self._objects = nodes
        self.nodes: list[NodeInfo] = infos
        self._by_id = {info.id: info for info in infos}
        self._ids = {node: info.id for node, info in zip(nodes, infos)}
        self.steps: list[Step] = steps
        self.outputs: list[str] = outputs
        self.backward_from: str = backward_from
        self.n_forward = len(infos)
        self.seed = seed
        self._values = values
        self._rank = {info.id: i for i, info in enumerate(infos)}
        # per node: indices of the backward steps that add into its gradient, in order
        self._grad_steps: dict[str, list[int]] = {}
        for step in steps:
            if step.phase == "backward":
                self._grad_steps.setdefault(step.input, []).append(step.index)
        self._update_step: dict[str, int] = {}
        self.n_backward = len(steps) - self.n_forward

    # built on first use: a 50,000-node trace stepped in the text view never needs them
    @cached_property
    def edges(self) -> list:
        """Every edge (src, dst, index) in creation order of ``dst``, duplicates kept."""
        return [Edge(src, info.id, i) for info in self.nodes for i, src in enumerate(info.inputs)]

    @cached_property
    def _edge_step(self) -> dict:
        return {(s.input, s.node, s.input_index): s.index for s in self.steps if s.phase == "backward"}

    # ---- lookup ----
    def node(self, node_id: str) -> NodeInfo:
        """The NodeInfo for an id such as ``"n7"``."""
        try:
            return self._by_id[node_id]
        except KeyError:
            raise TraceError(
                f"there is no node {node_id!r} in this graph; ids run from n0 to n{len(self.nodes) - 1}"
            ) from None

    def id_of(self, node) -> str:
        """The id of an engine node object in this trace."""
        try:
            return self._ids[node]
        except KeyError:
            raise TraceError("that node is not part of this graph; trace the output it feeds instead") from None

    def find(self, name: str) -> str:
        """An id from an id or a label (labels as the user gave them, then derived labels)."""
        if name in self._by_id:
            return name
        for attr in ("user_label", "label"):
            for info in self.nodes:
                if getattr(info, attr) == name:
                    return info.id
        raise TraceError(f"no node has id or label {name!r}; use an id n0..n{len(self.nodes) - 1} or a label the graph shows")

    def rank(self, node_id: str) -> int:
        """Position in creation order (the forward step index of the node)."""
        return self._rank[node_id]

    def edge_step(self, src: str, dst: str, index: int) -> Optional[int]:
        """The index of the backward step along an edge, or None if no gradient flows there."""
        return self._edge_step.get((src, dst, index))

    def grad_steps(self, node_id: str) -> list:
        """Indices of the backward steps adding into a node's gradient."""
        return self._grad_steps.get(node_id, [])

    def __len__(self) -> int:
        return len(self.steps)

    # ---- time travel ----
    def state_at(self, k: int) -> "State":
        """What is known after ``k`` steps (0 ≤ k ≤ len(steps)); O(1) to create, O(log) per query."""
        n = len(self.steps)
        if not 0 <= k <= n:
            raise TraceError(f"step {k} is out of range; this trace has steps 0 to {n}")
        return State(self, k)

    def value_at(self, node_id: str, k: int):
        """A node's value after k steps, None before its forward step."""
        i = self._rank[node_id]
        if k <= i:
            return None
        u = self._update_step.get(node_id)
        if u is not None and k > u:
            return self.steps[u].new_value
        return self._values[i]

    def forward_value(self, node_id: str):
        """The value the forward pass computed (before any update step)."""
        return self._values[self._rank[node_id]]

    def grad_at(self, node_id: str, k: int):
        """A node's (possibly partial) gradient after k steps, None before any arrives."""
        if node_id == self.backward_from and k > self.n_forward:
            return self.seed if not self._grad_steps.get(node_id) else self._grad_after(node_id, k)
        return self._grad_after(node_id, k)

    def _grad_after(self, node_id, k):
        idx = self._grad_steps.get(node_id)
        if not idx:
            return None
        c = bisect_right(idx, k - 1)
        return self.steps[idx[c - 1]].grad_after if c else None

    # ---- training ----
    def add_updates(self, updates, lr) -> None:
        """Append one update step per ``(param, old, grad, new)`` recorded by an optimiser."""
        for param, old, grad, new in updates:
            node_id = self._ids.get(param)
            if node_id is None:
                continue  # a parameter the loss does not depend on has nothing to show
            info = self._by_id[node_id]
            k = len(self.steps)
            moved = (old - new) / lr  # the grad itself, or the momentum velocity
            if np.allclose(moved, grad, rtol=1e-9, atol=1e-12):
                text = (f"{info.name} ← {info.name} − lr·grad = {fmt.number(old)} − {fmt.number(lr)} × "
                        f"{fmt.number(grad)} = {fmt.number(new)}")
            else:
                text = (f"{info.name} ← {info.name} − lr·v = {fmt.number(old)} − {fmt.number(lr)} × "
                        f"{fmt.number(moved)} = {fmt.number(new)}  (v: momentum velocity; grad "
                        f"{fmt.number(grad)})")
            self.steps.append(Step(k, "update", node_id, text, info.group, old_value=_snapshot(old),
                                   new_value=_snapshot(new), grad=_snapshot(grad), lr=lr))
            self._update_step[node_id] = k

    def pass_bounds(self, phase: str) -> tuple:
        """(first k, last k) of a pass: steps[first:last] are that pass's steps."""
        if phase == "forward":
            return 0, self.n_forward
        if phase == "backward":
            return self.n_forward, self.n_forward + self.n_backward
        return self.n_forward + self.n_backward, len(self.steps)


class State:
    """What is known after ``k`` steps of a trace; cheap to create, queries are O(log)."""

    __slots__ = ("trace", "k")

    def __init__(self, trace: Trace, k: int):
        self.trace = trace
        self.k = k

    @property
    def step(self) -> Optional[Step]:
        """The step just done, or None at the start."""
        return self.trace.steps[self.k - 1] if self.k else None

    @property
    def phase(self) -> str:
        """"start", "forward", "backward", "update" or "end"."""
        if self.k == 0:
            return "start"
        if self.k == len(self.trace.steps):
            return "end"
        return self.trace.steps[self.k - 1].phase

    def value(self, node_id: str):
        return self.trace.value_at(node_id, self.k)

    def grad(self, node_id: str):
        return self.trace.grad_at(node_id, self.k)

    def is_partial(self, node_id: str) -> bool:
        """Some but not all of the node's gradient contributions have arrived."""
        idx = self.trace.grad_steps(node_id)
        c = bisect_right(idx, self.k - 1)
        return 0 < c < len(idx)

    @property
    def current(self) -> Optional[str]:
        """The node the last step was about (the gate in backward, the parameter in update)."""
        step = self.step
        return step.node if step else None

    @property
    def current_edge(self) -> Optional[tuple]:
        """(src, dst, index) of the edge the last backward step sent a gradient along."""
        step = self.step
        if step is None or step.phase != "backward":
            return None
        return (step.input, step.node, step.input_index)

    def __repr__(self):
        return f"State(k={self.k}, phase={self.phase!r})"


def _node_info(node, node_id, ids) -> NodeInfo:
    op = node._rule
    ins = tuple(ids[x] for x in graph.inputs(node))
    tensor = hasattr(node, "_vjp")
    const = node._const
    if op is None:
        return NodeInfo(node_id, graph.display_label(node, node_id), None, "", const, (), node.group,
                        True, tensor, tuple(np.shape(node.data)) if tensor else None,
                        node.label or "", (), False, node, node.label)
    local = op.vjp_formula(const) if tensor else op.local_formula(const)
    return NodeInfo(node_id, graph.display_label(node, node_id), op.name, op.symbol(const), const, ins,
                    node.group, False, tensor, tuple(np.shape(node.data)) if tensor else None,
                    fmt.expression(op, const, ins), tuple(local), op.composite, node, node.label)


def build_trace(outputs, backward_from=None, *, seed=None) -> Trace:
    """Record the steps of a forward pass over ``outputs`` and a backward pass from ``backward_from``.

    ``outputs``: one node or a list (Value or Tensor); all get forward steps. ``backward_from``
    defaults to the first output. ``seed`` is its upstream gradient (default 1). Runs
    ``graphviz_nn.graph.backward`` once from zeroed leaf gradients, so the nodes' ``grad`` fields
    are filled as after ``zero_grad(); loss.backward()``, however often the graph was traced.
    """
    # the trace allocates ~3 objects per node and no cycles: pausing the cyclic GC saves ~1/3
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(outputs, backward_from, seed)
    finally:
        if enabled:
            gc.enable()


def _build(outputs, backward_from, seed) -> Trace:
    outs = graph.as_outputs(outputs, "build_trace")  # a foreign class is named in one sentence
    if not outs:
        raise TraceError("nothing to trace: pass the output node (or a list of output nodes)")
    nodes = graph.reachable(outs)
    ids = graph.node_ids(nodes)
    bf = outs[0] if backward_from is None else backward_from
    if bf not in ids:
        raise TraceError("backward_from is not a node the outputs depend on; pass one of the outputs or a node before them")
    infos = [_node_info(node, ids[node], ids) for node in nodes]
    values = [_snapshot(node.data) for node in nodes]

    steps: list[Step] = []
    for i, (node, info) in enumerate(zip(nodes, infos)):
        value = values[i]
        if info.is_leaf:
            text = f"{info.id} = {info.user_label} = {fmt.number(value)}" if info.user_label else \
                f"{info.id} = {fmt.number(value)}"
        else:
            text = f"{info.id} = {info.formula} = {fmt.number(value)}"
            if info.user_label:
                text += f"  ({info.user_label})"
        steps.append(Step(i, "forward", info.id, text, info.group, value=value))

    bnodes = nodes if len(outs) == 1 and bf is outs[0] else graph.reachable(bf)
    # The trace shows one backward pass, as the lecture does: leaves start from zero (like
    # zero_grad()), so tracing a graph that was already backpropagated never doubles its gradients.
    for n in bnodes:
        if n._a is None and n is not bf:
            n.grad = n._zero_grad()
    running = {}
    graph.backward(bf, bnodes, seed=seed)
    seed_value = _snapshot(bf.grad) if bf._a is not None else (1.0 if seed is None else seed)
    by_id = {info.id: info for info in infos}
    steps.extend(_backward_steps(bf, bnodes, ids, by_id, running, seed_value, len(steps)))
    return Trace(nodes, infos, steps, [ids[o] for o in outs], ids[bf], values, seed_value)


def _edges_of(node, upstream):
    """(input, local gradient, contribution) per input of a gate, in input order."""
    a = node._a
    if node._la is not None:
        pairs = [(a, node._la, upstream * node._la)]
        if node._b is not None:
            pairs.append((node._b, node._lb, upstream * node._lb))
        return pairs
    ga, gb = node._vjp(upstream)
    return [(a, None, ga)] + ([(node._b, None, gb)] if node._b is not None else [])


def _backward_steps(bf, bnodes, ids, by_id, running, seed, k):
    """One step per edge, following each gradient down as soon as it is complete.

    A gate is entered once every contribution into it has arrived, so its upstream is final;
    going depth-first from there walks the lecture's order (w0, x0, w1, x1, w2 in the
    CS231n neuron) and shows fan-out partial sums as they build up (x*x + x: 3, 6, 7).
    A gate of another group (another neuron) waits until the current group is finished,
    so each neuron's backward steps stay together and step over/out can skip them whole.
    """
    pending: dict = {}
    for node in bnodes:
        for inp in graph.inputs(node):
            pending[inp] = pending.get(inp, 0) + 1
    steps = []
    if bf._a is None:
        return steps
    running[bf] = seed
    stack = [(bf, iter(enumerate(_edges_of(bf, seed))))]
    deferred: list = []  # complete gates of other groups, entered when the current group is done
    current = bf.group
    while stack or deferred:
        if not stack:
            node = deferred.pop()
            current = node.group
            stack.append((node, iter(enumerate(_edges_of(node, running[node])))))
        node, edges = stack[-1]
        nxt = next(edges, None)
        if nxt is None:
            stack.pop()
            continue
        index, (inp, local, contribution) = nxt
        pending[inp] -= 1
        if contribution is not None:
            k = _emit(steps, k, by_id[ids[node]], index, by_id[ids[inp]], running[node], local, contribution,
                      running, inp)
        if pending[inp] == 0 and inp._a is not None and inp in running:
            if inp.group == current:
                stack.append((inp, iter(enumerate(_edges_of(inp, running[inp])))))
            else:
                deferred.append(inp)
    return steps


def _emit(steps, k, info, index, target, g, local, contribution, running, inp) -> int:
    """Append the backward step sending ``contribution`` along input ``index`` of gate ``info``."""
    after = running.get(inp, 0.0) + contribution
    running[inp] = after
    if local is not None:
        text = (f"[{fmt.number(g)}] × [{fmt.number(local)}] = {fmt.number(contribution)}"
                f" → {target.name}.grad = {fmt.number(after)}")
    else:
        formula = info.local_formulas[index] if index < len(info.local_formulas) else "vjp"
        text = f"{formula} = {fmt.number(contribution)} → {target.name}.grad = {fmt.number(after)}"
    steps.append(Step(k, "backward", info.id, text, info.group, input_index=index,
                      input=target.id, upstream=g, local=local,
                      contribution=_snapshot(contribution), grad_after=_snapshot(after)))
    return k + 1
