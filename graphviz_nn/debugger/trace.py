"""The trace: a recorded graph turned into forward, backward and update steps.

``build_trace`` records what the engine does and never recomputes the model: forward steps
follow creation order (a topological order); the backward steps are the engine's own edge
events (``graph.backward(..., emit=...)``), after a seed step: gate by gate in reverse
topological order, each gate's inputs one after the other, a gate only once its gradient is
complete. Fan-out shows as several steps into one input with the running sum in between.

    >>> from graphviz_nn import Value
    >>> x = Value(3.0, label="x")
    >>> trace = build_trace(x * x + x)
    >>> [s.grad_after for s in trace.steps if s.phase == "backward" and s.input == "n0"]
    [1.0, 4.0, 7.0]
    >>> [s.text for s in trace.steps if s.phase == "backward"][:2]
    ['seed: n2.grad = 1.00  (dn2/dn2 = 1)', '[1.00] × [1.00] = 1.00 → n1.grad = 1.00']
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
from ..arguments import whole
from ..errors import UserError
from ..node import RecordedNode
from . import format as fmt
from .step_text import StepWords


class TraceError(UserError):
    """The nodes given to the debugger cannot be traced as asked."""


@dataclass(frozen=True, slots=True)
class Edge:
    """Input ``index`` of node ``dst`` is node ``src`` (ids)."""

    src: str
    dst: str
    index: int


@dataclass(slots=True, eq=False)
class NodeInfo:
    """What the views need to know about one node, with ids and numbers instead of engine objects.

    Read it, never change it (it is shared by every view of the trace).
    """

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
    # a gate's formula is written on first read: a pattern from the rule table and its inputs' names
    _formula: Any
    local_formulas: tuple
    composite: bool
    user_label: Optional[str] = None
    local_grads: Optional[tuple] = None  # a scalar gate's local gradients (numbers), else None
    requires_grad: bool = True  # False for data (inputs, targets, labels): it gets no gradient

    @property
    def name(self) -> str:
        """The user's label if any, else the id: how a node is named in text (``w2.grad``)."""
        return self.user_label or self.id

    @property
    def formula(self) -> str:
        """How the node is computed, in its inputs' names (``w0 * x0``; a leaf's label or "")."""
        formula = self._formula
        if type(formula) is tuple:  # (pattern, input names): written once, on first read
            formula = self._formula = formula[0].format(*formula[1])
        return formula

    @property
    def is_data(self) -> bool:
        """Data, not a parameter: no gradient flows into it."""
        return not self.requires_grad


_new = object.__new__


class Step:
    """One step of the debugger: a value becomes known, a gradient flows, or a parameter moves.

    forward: ``value`` of ``node``. backward: ``upstream`` (dL/d node) × ``local``
    (d node/d input) = ``contribution`` added into ``input``, whose gradient goes from
    ``grad_before`` to ``grad_after``; ``fan`` = (i, n): the i-th of the n contributions into
    ``input``. The first backward step is the seed (``is_seed``: ``input_index`` is None,
    ``node == input == backward_from``, ``grad_after`` the seed). update: ``old_value`` −
    ``lr`` · ``grad`` → ``new_value``. ``number`` (``index + 1``) is how every view numbers it.
    ``text`` is one readable line; ``local_text`` the local gradient with its numbers.
    Read a step, never change it.
    """

    # A step holds only its own phase's fields (the subclasses below); the others read as the
    # None defaults here. A 50,000-node trace makes ~110,000 steps: this halves their memory
    # and the time to make them.
    __slots__ = ("index", "phase", "node", "group", "_text", "_words")
    value = input_index = input = upstream = local = contribution = grad_before = grad_after = None
    old_value = new_value = grad = lr = moved = None
    fan = (1, 1)

    def __init__(self, index, phase, node, group=(), words=None):
        self.index, self.phase, self.node, self.group = index, phase, node, group
        self._text = None
        self._words = words

    @property
    def number(self) -> int:
        """The step's number as every view shows it: 1 for the first step."""
        return self.index + 1

    @property
    def is_seed(self) -> bool:
        """The backward pass's first step: the output's own gradient, d out/d out = 1."""
        return self.phase == "backward" and self.input_index is None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self._words.text(self)
        return self._text

    @property
    def local_text(self) -> str:
        """A backward step's local gradient as formula = numbers = value (``""`` otherwise)."""
        return self._words.local_text(self) if self._words is not None else ""

    def __repr__(self):
        return f"Step({self.index}, {self.phase!r}, {self.node!r}, {self.text!r})"


class ForwardStep(Step):
    """A value becomes known."""

    __slots__ = ("value",)


class BackwardStep(Step):
    """A gradient flows along one edge (or the seed step)."""

    __slots__ = ("input_index", "input", "upstream", "local", "contribution", "grad_before", "grad_after", "fan")


class UpdateStep(Step):
    """A parameter moves."""

    __slots__ = ("old_value", "new_value", "grad", "lr", "moved")


def _forward_step(index, node, group, value, words) -> ForwardStep:
    s = _new(ForwardStep)
    s.index, s.phase, s.node, s.group, s.value, s._text, s._words = index, "forward", node, group, value, None, words
    return s


def _backward_step(index, node, group, input_index, input, upstream, local, contribution, grad_before,
                   grad_after, fan, words) -> BackwardStep:
    s = _new(BackwardStep)
    s.index, s.phase, s.node, s.group, s._text, s._words = index, "backward", node, group, None, words
    s.input_index, s.input, s.upstream, s.local = input_index, input, upstream, local
    s.contribution, s.grad_before, s.grad_after, s.fan = contribution, grad_before, grad_after, fan
    return s


def check_decimals(decimals) -> None:
    """Digits after the point: a whole number from 0 to 12, else one sentence."""
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 12:
        raise TraceError(f"decimals must be a whole number from 0 to 12, got {decimals!r}; "
                         f"try --decimals 2 (the lecture's) or 4")


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

    def __init__(self, nodes, infos, steps, outputs, backward_from, values, seed, words, grad_steps=None, ids=None):
        self._objects = nodes
        self.nodes: list[NodeInfo] = infos
        self._by_id = words.infos
        self._ids = ids if ids is not None else {node: info.id for node, info in zip(nodes, infos)}
        self.steps: list[Step] = steps
        self.outputs: list[str] = outputs
        self.backward_from: str = backward_from
        self.n_forward = len(infos)
        self.seed = seed
        self._values = values
        self._words = words
        self._rank = {info.id: i for i, info in enumerate(infos)}
        # per node: the index of the backward step that adds into its gradient, or the list of
        # them (in order) where several do (fan-out); the seed's too
        self._grad_steps: dict = grad_steps
        if grad_steps is None:
            self._grad_steps = {}
            for step in steps:
                if step.phase == "backward":
                    self._grad_steps.setdefault(step.input, []).append(step.index)
        self._update_step: dict[str, int] = {}
        self.n_backward = len(steps) - self.n_forward

    @property
    def decimals(self) -> int:
        """Digits after the point in every step's text (2, as the lecture writes)."""
        return self._words.decimals

    def set_decimals(self, decimals: int) -> None:
        """Write every step's text again with ``decimals`` digits (the app's key, ``show --decimals``)."""
        check_decimals(decimals)
        self._words.decimals = decimals
        for step in self.steps:
            step._text = None

    def step_text(self, step: Step, decimals: Optional[int] = None) -> str:
        """A step's line at ``decimals`` digits (default: the trace's own)."""
        if decimals is None or decimals == self.decimals:
            return step.text
        return StepWords(self._by_id, self._words.values, self.backward_from, decimals).text(step)

    def local_text(self, step: Step, decimals: Optional[int] = None) -> str:
        """A backward step's local gradient with the numbers filled in (``""`` for other steps)."""
        return self._words.local_text(step, decimals)

    def number(self, x) -> str:
        """A number as this trace's texts write it (the one formatter, at ``decimals``)."""
        return self._words.number(x)

    def engine_node(self, node_id: str):
        """The engine object behind an id, for code that owns the model (tests, training).

        Views never need it: every number a view shows is in the trace.
        """
        return self._objects[self._rank[self.node(node_id).id]]

    # built on first use: a 50,000-node trace stepped in the text view never needs them
    @cached_property
    def edges(self) -> list:
        """Every edge (src, dst, index) in creation order of ``dst``, duplicates kept."""
        return [Edge(src, info.id, i) for info in self.nodes for i, src in enumerate(info.inputs)]

    @cached_property
    def _edge_step(self) -> dict:
        return {(s.input, s.node, s.input_index): s.index for s in self.steps
                if s.phase == "backward" and s.input_index is not None}

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
        idx = self._grad_steps.get(node_id)
        if idx is None:
            return []
        return [idx] if type(idx) is int else idx

    def __len__(self) -> int:
        return len(self.steps)

    # ---- time travel ----
    def state_at(self, k: int) -> "State":
        """What is known after ``k`` steps (0 ≤ k ≤ len(steps)); O(1) to create, O(log) per query."""
        n = len(self.steps)
        if not isinstance(k, int) or isinstance(k, bool):
            k = whole(k, "k", "state_at", hint=f" (a step from 0 to {n})")
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

    def local_gradient(self, node_id: str, index: int = 0):
        """d node/d input ``index`` as recorded in the forward pass, from the rule table.

        A scalar gate's number as the engine stored it; for an element-wise tensor gate the
        Jacobian's diagonal (its rule's VJP of ones, at the values this trace recorded).
        """
        info = self.node(node_id)
        if info.is_leaf:
            raise TraceError(f"{info.name} is a leaf: it has no local gradient")
        if info.local_grads is not None:
            return info.local_grads[index]
        from ..ops import OPS
        from ..tensor import local_vjp
        y = self.forward_value(node_id)
        xs = tuple(self.forward_value(i) for i in info.inputs)
        return local_vjp(OPS[info.op], np.ones_like(y), y, xs, info.const, index)

    def forward_value(self, node_id: str):
        """The value the forward pass computed (before any update step)."""
        return self._values[self._rank[node_id]]

    def grad_at(self, node_id: str, k: int):
        """A node's (possibly partial) gradient after k steps, None before any arrives."""
        return self._grad_after(node_id, k)

    def _grad_after(self, node_id, k):
        idx = self._grad_steps.get(node_id)
        if idx is None:
            return None
        if type(idx) is int:  # one step adds into it: the common case
            return self.steps[idx].grad_after if idx < k else None
        c = bisect_right(idx, k - 1)
        return self.steps[idx[c - 1]].grad_after if c else None

    # ---- training ----
    def add_updates(self, updates, lr) -> None:
        """Append one update step per ``(param, old, grad, new)`` recorded by an optimiser."""
        for param, old, grad, new in updates:
            node_id = self._ids.get(param)
            if node_id is None:
                continue  # a parameter the loss does not depend on has nothing to show
            k = len(self.steps)
            moved = (old - new) / lr  # the grad itself, or the momentum velocity
            if type(moved) is float and type(grad) is float:  # np.allclose's test, without numpy's cost per scalar
                same = moved == grad or abs(moved - grad) <= 1e-12 + 1e-9 * abs(grad)
            else:
                same = np.allclose(moved, grad, rtol=1e-9, atol=1e-12)
            step = UpdateStep(k, "update", node_id, self._by_id[node_id].group, self._words)
            step.old_value, step.new_value, step.grad, step.lr = _snapshot(old), _snapshot(new), _snapshot(grad), lr
            step.moved = None if same else _snapshot(moved)
            self.steps.append(step)
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
        """(src, dst, index) of the edge the last backward step sent a gradient along (None at the seed)."""
        step = self.step
        if step is None or step.phase != "backward" or step.input_index is None:
            return None
        return (step.input, step.node, step.input_index)

    def __repr__(self):
        return f"State(k={self.k}, phase={self.phase!r})"


def _gate_texts(op, const, tensor, memo) -> tuple:
    """(symbol, local formulas, formula pattern) of a gate; memoised per (op, constant): most
    gates repeat. The pattern is ``format.expression`` written once with {0}, {1} for the
    inputs' names (its own braces doubled), so each node only fills in its names."""
    try:
        key = (id(op), const, tensor)  # an entry lives as long as the nodes that point to it
        texts = memo.get(key)
    except TypeError:  # an array constant (a dropout mask) is not hashable
        key, texts = None, None
    if texts is None:
        local = op.vjp_formula(const) if tensor else op.local_formula(const)
        written = fmt.expression(op, const, ("\0", "\1")[:op.arity])  # every op has at most two inputs
        pattern = written.replace("{", "{{").replace("}", "}}").replace("\0", "{0}").replace("\1", "{1}")
        texts = (op.symbol(const), tuple(local), pattern)
        if key is not None:
            memo[key] = texts
    return texts


def build_trace(outputs, backward_from=None, *, seed=None, fill_grads: bool = True, decimals: int = 2,
                id_prefix: str = "n") -> Trace:
    """Record the steps of a forward pass over ``outputs`` and a backward pass from ``backward_from``.

    ``outputs``: one node or a list (Value or Tensor); all get forward steps. ``backward_from``
    defaults to the first output. ``seed`` is its upstream gradient (default 1). Runs the
    engine's one backward walk (``graphviz_nn.graph.backward``) from zeroed leaf gradients and
    records its edge events as steps, in its order: the seed step, then gate by gate in reverse
    topological order, each gate's inputs one after the other. With ``fill_grads`` (the
    default) the nodes' ``grad`` fields are left as after ``zero_grad(); loss.backward()``;
    ``fill_grads=False`` leaves every node's ``grad`` as it was (what a view wants).
    ``decimals``: digits in the step texts. ``id_prefix``: ids are ``n0, n1...`` by default
    (a composite gate's expansion uses ``"n8."``, so its ids never clash with the outer graph's).
    """
    check_decimals(decimals)
    # the trace allocates ~3 objects per node and no cycles: pausing the cyclic GC saves ~1/3
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(outputs, backward_from, seed, fill_grads, decimals, id_prefix)
    finally:
        if enabled:
            gc.enable()


def _node_infos(nodes, id_list, ids) -> list:
    """One ``NodeInfo`` per node, in one loop (it runs once per node of every trace): the gate
    texts are memoised per (op, constant), a gate's formula is filled in on first read."""
    infos = []
    append = infos.append
    names: list = []  # by rank: how a node is named in its consumers' formulas
    name = names.append
    memo: dict = {}
    for node, node_id in zip(nodes, id_list):
        op = node._rule
        data = node.data
        tensor = type(data) is not float and isinstance(data, np.ndarray)
        const = node._const
        label = node.label
        if op is None:
            append(NodeInfo(node_id, label or node_id, None, "", const, (), node.group, True, tensor,
                            data.shape if tensor else None, label or "", (), False, label, None,
                            node.requires_grad))
        else:
            symbol, local, pattern = _gate_texts(op, const, tensor, memo)
            b = node._b
            if b is None:
                i = ids[node._a]
                ins, formula = (id_list[i],), (pattern, (names[i],))
                local_grads = None if tensor else (node._la,)
            else:
                i, j = ids[node._a], ids[b]
                ins, formula = (id_list[i], id_list[j]), (pattern, (names[i], names[j]))
                local_grads = None if tensor else (node._la, node._lb)
            append(NodeInfo(node_id, label or symbol, op.name, symbol, const, ins, node.group, False, tensor,
                            data.shape if tensor else None, formula, local, op.composite, label, local_grads,
                            node.requires_grad))
        name(label or node_id)
    return infos


def _build(outputs, backward_from, seed, fill_grads, decimals, id_prefix) -> Trace:
    outs = graph.as_outputs(outputs, "build_trace")  # a foreign class is named in one sentence
    if not outs:
        raise TraceError("nothing to trace: pass the output node (or a list of output nodes)")
    nodes = graph.reachable(outs)
    id_list = [f"{id_prefix}{i}" for i in range(len(nodes))]
    rank = dict(zip(nodes, range(len(nodes))))  # node -> creation rank within this graph
    bf = outs[0] if backward_from is None else backward_from
    if bf not in rank:
        raise TraceError("backward_from is not a node the outputs depend on; pass one of the outputs or a node before them")
    infos = _node_infos(nodes, id_list, rank)
    values = [d if type(d) is float else _snapshot(d) for d in [node.data for node in nodes]]
    by_id = dict(zip(id_list, infos))
    bf_id = id_list[rank[bf]]
    words = StepWords(by_id, dict(zip(id_list, values)), bf_id, decimals)

    steps: list[Step] = []
    append = steps.append
    new = _new
    for k, info in enumerate(infos):  # _forward_step, inlined: one step per node
        s = new(ForwardStep)
        s.index, s.phase, s.node, s.group, s.value, s._text, s._words = k, "forward", info.id, info.group, values[k], None, words
        append(s)

    bnodes = nodes if len(outs) == 1 and bf is outs[0] else graph.reachable(bf)
    saved = None if fill_grads else [n.grad for n in bnodes]
    # The trace shows one backward pass, as the lecture does: leaves start from zero (like
    # zero_grad()), so tracing a graph that was already backpropagated never doubles its gradients.
    for n in bnodes:
        if n._a is None and n is not bf:
            n.grad = n._zero_grad()
    events: list = []
    try:
        graph.backward(bf, bnodes, seed, events.append)
        seed_value = _snapshot(bf.grad) if bf._a is not None else (1.0 if seed is None else seed)
    finally:
        if saved is not None:
            for n, g in zip(bnodes, saved):
                n.grad = g
    k = len(steps)
    steps.append(_backward_step(k, bf_id, by_id[bf_id].group, None, bf_id, None, None, seed_value, None, seed_value,
                                (1, 1), words))
    grad_steps = {bf_id: k}
    steps.extend(_backward_steps(events, rank, id_list, words, k + 1, grad_steps))
    ids = dict(zip(nodes, id_list))
    return Trace(nodes, infos, steps, [ids[o] for o in outs], bf_id, values, seed_value, words, grad_steps, ids)


def _backward_steps(events, rank, id_list, words, k, grad_steps: dict) -> list:
    """One step per edge event, in the walk's order, with each input's running sum and fan count;
    ``grad_steps`` gets, per input id, the index of the step adding into its gradient (a list
    of them where several do)."""
    fan_in: dict = {}
    get = fan_in.get
    for event in events:
        inp = event[2]
        fan_in[inp] = get(inp, 0) + 1
    arrived: dict = {}
    before: dict = {}
    steps = []
    append = steps.append
    one = (1, 1)
    new = _new
    for gate, index, inp, upstream, local, contribution, after in events:
        n = fan_in[inp]
        inp_id = id_list[rank[inp]]
        if n == 1:  # the common case: no running sum to keep
            fan, previous = one, None
            grad_steps[inp_id] = k
        else:
            i = arrived.get(inp, 0) + 1
            arrived[inp] = i
            fan, previous = (i, n), before.get(inp)
            if i == 1:
                grad_steps[inp_id] = [k]
            else:
                grad_steps[inp_id].append(k)
        if type(after) is not float:  # arrays: copies later in-place updates cannot change
            after, contribution = _snapshot(after), _snapshot(contribution)
        if n > 1:
            before[inp] = after
        # _backward_step, inlined: this loop makes one step per edge of the graph
        s = new(BackwardStep)
        s.index, s.phase, s.node, s.group, s._text, s._words = k, "backward", id_list[rank[gate]], gate.group, None, words
        s.input_index, s.input, s.upstream, s.local = index, inp_id, upstream, local
        s.contribution, s.grad_before, s.grad_after, s.fan = contribution, previous, after, fan
        append(s)
        k += 1
    return steps
