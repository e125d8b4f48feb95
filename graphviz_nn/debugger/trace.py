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
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import compress
import operator
from operator import attrgetter
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
BLOCK = 64  # steps made together when one of them is first read


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


class _Lazy(Sequence):
    """A read-only sequence whose item i is made the first time it is read, then kept.

    A 50,000-node trace has ~110,000 steps: a view reads a few of them, so building a trace
    makes none (issue 23: tracing at 2× the engine). A slice is a list, as a list's would be.
    """

    __slots__ = ("_made", "_make", "_make_all", "_complete", "_block")

    def __init__(self, n, make, make_all=None, block=False):
        self._made = [None] * n
        self._make = make  # i -> the item (0 <= i < n)
        self._make_all = make_all  # fills every slot not made yet, in one loop (what iterating pays)
        self._complete = False  # every item made: iterating skips the search for a missing one
        # make_all(made, lo, hi) fills a range: a read makes its block of BLOCK items (a session
        # steps through them in order, so one loop per block costs less than a call per item)
        self._block = block

    def __len__(self):
        return len(self._made)

    def _item(self, i: int):
        """Item ``i`` (0 <= i < n), made now if it was not yet (with its block, where there are blocks)."""
        made = self._made
        item = made[i]
        if item is None:
            if self._block:
                lo = i - i % BLOCK
                self._make_all(made, lo, min(lo + BLOCK, len(made)))
                return made[i]
            item = made[i] = self._make(i)
        return item

    def __getitem__(self, i):
        if type(i) is int and i >= 0:  # the app's and the session's read: one step by number
            try:
                item = self._made[i]
            except IndexError:
                pass
            else:
                return item if item is not None else self._item(i)
        if isinstance(i, slice):
            return [self._at(j) for j in range(*i.indices(len(self)))]
        n = len(self)
        j = operator.index(i)  # a float or a str is a TypeError, as a list's index is
        if j < 0:
            j += n
        if not 0 <= j < n:
            raise IndexError(f"index {i} is out of range for {n} items")
        return self._at(j)

    _at = _item  # item j for 0 <= j < len(self) (the steps add the update steps after the made ones)

    def __iter__(self):
        made = self._made
        if not self._complete:  # a view that reads them all: made in one loop, not one call each
            if self._make_all is not None:
                enabled = gc.isenabled()
                gc.disable()  # as in build_trace: ~1 object per item and no cycles, so the collector only costs
                try:
                    self._make_all(made)
                finally:
                    if enabled:
                        gc.enable()
            else:
                for i, item in enumerate(made):
                    if item is None:
                        made[i] = self._make(i)
            self._complete = True
        return iter(made)

    def __eq__(self, other):
        if isinstance(other, (list, tuple, Sequence)) and not isinstance(other, (str, bytes)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # equal to a list, so unhashable like one

    def __repr__(self):
        return f"<{len(self)} items made on first read>"

    def made(self) -> list:
        """The items made so far (makes none)."""
        return [item for item in self._made if item is not None]


class _Steps(_Lazy):
    """``trace.steps``: the forward and backward steps, made on first read, then the update
    steps ``add_updates`` appended (made at once: one per parameter)."""

    __slots__ = ("updates", "total")

    def __init__(self, n, make, make_all=None, block=False):
        super().__init__(n, make, make_all, block)
        self.updates: list = []
        self.total = n  # len(self), read on every move of a session: kept, not summed

    def __len__(self):
        return self.total

    def append_update(self, step) -> None:
        self.updates.append(step)
        self.total += 1

    def _at(self, j):
        n = len(self._made)
        return self._item(j) if j < n else self.updates[j - n]

    def __iter__(self):
        yield from _Lazy.__iter__(self)
        yield from self.updates

    def made(self) -> list:
        return _Lazy.made(self) + self.updates


class _ById(Mapping):
    """An id-keyed view of a per-node sequence (``"n7"`` -> item 7), with no dict of every id."""

    __slots__ = ("_items", "_trace")

    def __init__(self, items, trace):
        self._items = items
        self._trace = trace

    def __getitem__(self, node_id):
        i = self._trace._rank_of_id(node_id)
        if i is None:
            raise KeyError(node_id)
        return self._items[i]

    def __contains__(self, node_id):
        return self._trace._rank_of_id(node_id) is not None

    def __iter__(self):
        return map(self._trace._id, range(len(self._items)))

    def __len__(self):
        return len(self._items)


class Trace:
    """Steps over one recorded graph; ``state_at(k)`` says what is known after k steps.

    What is kept at once: the nodes, their values, the engine's edge events, per node the
    backward steps adding into its gradient (what ``state_at`` reads) and what an info or a
    step reads from a node (label, group, rule, inputs, constant, local gradients,
    requires_grad). Steps and node infos are made from these on first read (``steps`` and
    ``nodes`` are read-only sequences), so they say what the nodes were when the trace was
    built, whatever is changed on the nodes afterwards.
    """

    def __init__(self, nodes, values, events, grad_steps, outs, bf, seed, prefix, decimals, rank=None,
                 has_tensor=False):
        n = len(nodes)
        self._id_made = [None] * n  # ids made on first use, then shared by every step and info
        self._ids_complete = False
        self.has_tensor = has_tensor  # some node holds an array (a Tensor graph)
        self._objects = nodes  # the engine's objects: identity lookups and engine_node only
        # What infos and steps read from a node, recorded now (one C-speed pass per field): a
        # label, group or _backward a user sets afterwards must not change what the trace shows.
        (self._rules, self._ins_a, self._ins_b, self._la, self._lb, self._consts, self._labels, self._groups,
         self._requires) = [list(map(get, nodes)) for get in _RECORDED]
        self._prefix = prefix
        self._events = events
        self._values = values
        # per input node (the engine object): the index of the backward step adding into its
        # gradient, or the list of them (in order) where several do (fan-out); the seed's too
        self._grad_steps: dict = grad_steps
        self._bf = bf
        if rank is not None:
            self.__dict__["_rank_of_node"] = rank
        self.n_forward = n
        self.n_backward = len(events) + 1
        self.nodes: Sequence = _Lazy(n, self._make_info, self._make_infos)
        self._by_id = _ById(self.nodes, self)
        self._gate_memo: dict = {}
        self._bf_rank = self._position(bf)
        self.backward_from: str = self._id(self._bf_rank)
        self.outputs: list[str] = [self._id(self._position(o)) for o in outs]
        self.seed = seed
        self._words = StepWords(self._by_id, _ById(values, self), self.backward_from, decimals)
        self.steps: _Steps = _Steps(n + len(events) + 1, self._make_step, self._make_steps, block=True)
        self._update_step: dict[str, int] = {}

    # ---- ids: made when asked for, "n7" <-> 7 by reading the number ----
    def _id(self, i: int) -> str:
        node_id = self._id_made[i]
        if node_id is None:
            node_id = self._id_made[i] = f"{self._prefix}{i}"
        return node_id

    def _all_ids(self) -> list:
        """Every id, made in one loop where missing."""
        ids = self._id_made
        if not self._ids_complete:
            prefix = self._prefix
            ids[:] = [node_id or f"{prefix}{i}" for i, node_id in enumerate(ids)]
            self._ids_complete = True
        return ids

    def _rank_of_id(self, node_id) -> Optional[int]:
        """Position of an id such as ``"n7"`` (None when it names no node of this trace)."""
        prefix = self._prefix
        if type(node_id) is not str or not node_id.startswith(prefix):
            return None
        digits = node_id[len(prefix):]
        if not (digits.isascii() and digits.isdigit()):
            return None
        i = int(digits)
        return i if i < self.n_forward and str(i) == digits else None

    @cached_property
    def _rank_of_node(self) -> dict:
        return dict(zip(self._objects, range(len(self._objects))))

    @cached_property
    def _ids(self) -> dict:
        """Engine node -> id, for code that holds engine objects (``id_of`` needs no such dict)."""
        return {node: self._id(i) for node, i in self._rank_of_node.items()}

    def _position(self, node) -> int:
        """Position of one of this graph's engine nodes, found by its creation number (no dict)."""
        i = bisect_left(self._objects, node._order, key=_by_creation)
        return i if i < len(self._objects) and self._objects[i] is node else self._rank_of_node[node]

    # ---- made on first read ----
    def _make_info(self, i: int) -> NodeInfo:
        node_id = self._id(i)
        op = self._rules[i]
        data = self._values[i]
        tensor = type(data) is not float and isinstance(data, np.ndarray)
        const = self._consts[i]
        label = self._labels[i] or None  # an unlabelled Value reads the lecture's ''
        shape = data.shape if tensor else None
        if op is None:
            return NodeInfo(node_id, label or node_id, None, "", const, (), self._groups[i], True, tensor, shape,
                            label or "", (), False, label, None, self._requires[i])
        symbol, local, pattern = _gate_texts(op, const, tensor, self._gate_memo)
        rank, labels = self._rank_of_node, self._labels
        b = self._ins_b[i]
        i_a = rank[self._ins_a[i]]
        if b is None:
            ins, names = (self._id(i_a),), ((labels[i_a] or self._id(i_a)),)
            local_grads = None if tensor else (self._la[i],)
        else:
            i_b = rank[b]
            ins = (self._id(i_a), self._id(i_b))
            names = (labels[i_a] or ins[0], labels[i_b] or ins[1])
            local_grads = None if tensor else (self._la[i], self._lb[i])
        return NodeInfo(node_id, label or symbol, op.name, symbol, const, ins, self._groups[i], False, tensor, shape,
                        (pattern, names), local, op.composite, label, local_grads, self._requires[i])

    def _make_step(self, k: int) -> Step:
        nf = self.n_forward
        words = self._words
        if k < nf:
            s = _new(ForwardStep)
            s.index, s.phase, s.node, s.group, s.value, s._text, s._words = \
                k, "forward", self._id(k), self._groups[k], self._values[k], None, words
            return s
        s = _new(BackwardStep)
        s._text, s._words, s.phase, s.index = None, words, "backward", k
        if k == nf:  # the seed step
            bf = self.backward_from
            s.node, s.group, s.input_index, s.input = bf, self._groups[self._bf_rank], None, bf
            s.upstream = s.local = s.grad_before = None
            s.contribution = s.grad_after = self.seed
            s.fan = (1, 1)
            return s
        gate, index, inp, upstream, local, contribution, after = self._events[k - nf - 1]
        rank = self._rank_of_node
        i_gate = rank[gate]
        s.node, s.group, s.input_index, s.input = self._id(i_gate), self._groups[i_gate], index, self._id(rank[inp])
        s.upstream, s.local, s.contribution, s.grad_after = upstream, local, contribution, after
        idx = self._grad_steps[inp]
        if type(idx) is int:
            s.fan, s.grad_before = (1, 1), None
        else:  # fan-out: the i-th of n contributions, after the running sum of those before it
            i = bisect_left(idx, k)
            s.fan = (i + 1, len(idx))
            s.grad_before = self._events[idx[i - 1] - nf - 1][6] if i else None
        return s

    def _make_infos(self, made: list) -> None:
        """Every node info not made yet, in one loop (``_make_info`` inlined)."""
        ids, memo, rank = self._all_ids(), self._gate_memo, self._rank_of_node
        names = [label or node_id for label, node_id in zip(self._labels, ids)]  # as formulas name them
        la, lb = self._la, self._lb
        recorded = zip(ids, self._values, self._rules, self._ins_a, self._ins_b, self._consts, self._labels,
                       self._groups, self._requires)
        for i, (node_id, data, op, a, b, const, label, path, requires) in enumerate(recorded):
            if made[i] is not None:
                continue
            tensor = type(data) is not float and isinstance(data, np.ndarray)
            label = label or None  # an unlabelled Value reads the lecture's ''
            shape = data.shape if tensor else None
            if op is None:
                made[i] = NodeInfo(node_id, label or node_id, None, "", const, (), path, True, tensor, shape,
                                   label or "", (), False, label, None, requires)
                continue
            symbol, local, pattern = _gate_texts(op, const, tensor, memo)
            if b is None:
                i_a = rank[a]
                ins, formula = (ids[i_a],), (pattern, (names[i_a],))
                local_grads = None if tensor else (la[i],)
            else:
                i_a, i_b = rank[a], rank[b]
                ins, formula = (ids[i_a], ids[i_b]), (pattern, (names[i_a], names[i_b]))
                local_grads = None if tensor else (la[i], lb[i])
            made[i] = NodeInfo(node_id, label or symbol, op.name, symbol, const, ins, path, False, tensor, shape,
                               formula, local, op.composite, label, local_grads, requires)

    def _make_steps(self, made: list, lo: int = 0, hi: Optional[int] = None) -> None:
        """The steps lo..hi-1 not made yet (default: all), in one loop per pass (``_make_step`` inlined)."""
        nf = self.n_forward
        if hi is None:
            hi = len(made)
        ids = self._all_ids().__getitem__ if hi - lo > BLOCK else self._id  # a block makes only its own ids
        groups, values, words, new = self._groups, self._values, self._words, _new
        for k in range(lo, min(hi, nf)):
            if made[k] is None:
                s = made[k] = new(ForwardStep)
                s.index, s.phase, s.node, s.group, s.value, s._text, s._words = \
                    k, "forward", ids(k), groups[k], values[k], None, words
        if lo <= nf < hi and made[nf] is None:
            made[nf] = self._make_step(nf)
        events, grad_steps, rank, one = self._events, self._grad_steps, self._rank_of_node, (1, 1)
        for k in range(max(lo, nf + 1), hi):
            if made[k] is not None:
                continue
            gate, index, inp, upstream, local, contribution, after = events[k - nf - 1]
            idx = grad_steps[inp]
            if type(idx) is int:
                fan, before = one, None
            else:
                i = bisect_left(idx, k)
                fan, before = (i + 1, len(idx)), (events[idx[i - 1] - nf - 1][6] if i else None)
            i_gate = rank[gate]
            s = made[k] = new(BackwardStep)
            s.index, s.phase, s.node, s.group, s._text, s._words = k, "backward", ids(i_gate), groups[i_gate], None, words
            s.input_index, s.input, s.upstream, s.local = index, ids(rank[inp]), upstream, local
            s.contribution, s.grad_before, s.grad_after, s.fan = contribution, before, after, fan

    # ---- yes/no questions a view asks of the whole graph, answered from the recording ----
    @cached_property
    def _distinct_groups(self):
        try:
            return frozenset(self._groups)  # a few paths shared by many nodes: one C-speed pass
        except TypeError:  # a path a user set as a list: ask every node
            return self._groups

    def group_depth(self) -> int:
        """The longest group path of any node (0 without groups), read without making node infos."""
        return max(map(len, self._distinct_groups), default=0)

    def has_group(self, path) -> bool:
        """Some node's group path starts with ``path`` (``("L1",)`` or ``("L1", "N3")``)."""
        path = tuple(path)
        n = len(path)
        return any(g[:n] == path for g in self._distinct_groups)

    def has_node(self, node_id) -> bool:
        """``node_id`` (``"n7"``) names a node of this trace."""
        return self._rank_of_id(node_id) is not None

    def labelled_leaves(self) -> list:
        """``(id, label, group)`` of every leaf the user labelled, in creation order, read without
        making node infos (a large graph has few labels)."""
        labels, rules, groups, name = self._labels, self._rules, self._groups, self._id
        return [(name(i), labels[i], groups[i]) for i in compress(range(len(labels)), labels) if rules[i] is None]

    @property
    def decimals(self) -> int:
        """Digits after the point in every step's text (2, as the lecture writes)."""
        return self._words.decimals

    def set_decimals(self, decimals: int) -> None:
        """Write every step's text again with ``decimals`` digits (the app's key, ``show --decimals``)."""
        check_decimals(decimals)
        self._words.decimals = decimals
        for step in self.steps.made():  # a step not made yet will be written at the new digits
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
        return self._objects[self._rank_or_error(node_id)]

    # built on first use: a 50,000-node trace stepped in the text view never needs them
    @cached_property
    def edges(self) -> list:
        """Every edge (src, dst, index) in creation order of ``dst``, duplicates kept."""
        return [Edge(src, info.id, i) for info in self.nodes for i, src in enumerate(info.inputs)]

    @cached_property
    def _edge_step(self) -> dict:
        rank, nf, name = self._rank_of_node, self.n_forward, self._id
        return {(name(rank[e[2]]), name(rank[e[0]]), e[1]): k for k, e in enumerate(self._events, nf + 1)}

    # ---- lookup ----
    def _rank_or_error(self, node_id) -> int:
        i = self._rank_of_id(node_id)
        if i is None:
            raise TraceError(
                f"there is no node {node_id!r} in this graph; ids run from {self._prefix}0 to "
                f"{self._prefix}{self.n_forward - 1}"
            )
        return i

    def node(self, node_id: str) -> NodeInfo:
        """The NodeInfo for an id such as ``"n7"``."""
        return self.nodes[self._rank_or_error(node_id)]

    def id_of(self, node) -> str:
        """The id of an engine node object in this trace."""
        try:
            return self._id(self._rank_of_node[node])
        except (KeyError, TypeError):
            raise TraceError("that node is not part of this graph; trace the output it feeds instead") from None

    def find(self, name: str) -> str:
        """An id from an id or a label (labels as the user gave them, then derived labels)."""
        if name in self._by_id:
            return name
        attrs = ("user_label", "label")
        if type(name) is str and name:  # a label the user gave: found in the recording, no info made
            try:
                return self._id(self._labels.index(name))
            except ValueError:
                attrs = ("label",)
        for attr in attrs:
            for info in self.nodes:
                if getattr(info, attr) == name:
                    return info.id
        raise TraceError(f"no node has id or label {name!r}; use an id n0..n{len(self.nodes) - 1} or a label the graph shows")

    def rank(self, node_id: str) -> int:
        """Position in creation order (the forward step index of the node)."""
        i = self._rank_of_id(node_id)
        if i is None:
            raise KeyError(node_id)
        return i

    def edge_step(self, src: str, dst: str, index: int) -> Optional[int]:
        """The index of the backward step along an edge, or None if no gradient flows there."""
        return self._edge_step.get((src, dst, index))

    def _grad_index(self, node_id):
        i = self._rank_of_id(node_id)
        return None if i is None else self._grad_steps.get(self._objects[i])

    def grad_steps(self, node_id: str) -> list:
        """Indices of the backward steps adding into a node's gradient."""
        idx = self._grad_index(node_id)
        if idx is None:
            return []
        return [idx] if type(idx) is int else idx

    def __len__(self) -> int:
        return len(self.steps)

    # ---- time travel ----
    def state_at(self, k: int) -> "State":
        """What is known after ``k`` steps (0 ≤ k ≤ len(steps)); O(1) to create, O(log) per query."""
        n = self.steps.total
        if type(k) is not int:
            k = whole(k, "k", "state_at", hint=f" (a step from 0 to {n})")
        if not 0 <= k <= n:
            raise TraceError(f"step {k} is out of range; this trace has steps 0 to {n}")
        return State(self, k)

    def value_at(self, node_id: str, k: int):
        """A node's value after k steps, None before its forward step."""
        i = self.rank(node_id)
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
        return self._values[self.rank(node_id)]

    def grad_at(self, node_id: str, k: int):
        """A node's (possibly partial) gradient after k steps, None before any arrives."""
        return self._grad_after(node_id, k)

    def _grad_after(self, node_id, k):
        idx = self._grad_index(node_id)
        if idx is None:
            return None
        if type(idx) is int:  # one step adds into it: the common case
            if idx >= k:
                return None
        else:
            c = bisect_right(idx, k - 1)
            if not c:
                return None
            idx = idx[c - 1]
        nf = self.n_forward
        return self.seed if idx == nf else self._events[idx - nf - 1][6]  # the step's grad_after

    # ---- training ----
    def add_updates(self, updates, lr) -> None:
        """Append one update step per ``(param, old, grad, new)`` recorded by an optimiser."""
        rank = self._rank_of_node
        append = self.steps.append_update
        for param, old, grad, new in updates:
            i = rank.get(param)
            if i is None:
                continue  # a parameter the loss does not depend on has nothing to show
            node_id = self._id(i)
            k = len(self.steps)
            moved = (old - new) / lr  # the grad itself, or the momentum velocity
            if type(moved) is float and type(grad) is float:  # np.allclose's test, without numpy's cost per scalar
                same = moved == grad or abs(moved - grad) <= 1e-12 + 1e-9 * abs(grad)
            else:
                same = np.allclose(moved, grad, rtol=1e-9, atol=1e-12)
            step = _new(UpdateStep)
            step.index, step.phase, step.node, step.group, step._text, step._words = \
                k, "update", node_id, self._groups[i], None, self._words
            step.old_value, step.new_value, step.grad, step.lr = _snapshot(old), _snapshot(new), _snapshot(grad), lr
            step.moved = None if same else _snapshot(moved)
            append(step)
            self._update_step[node_id] = k

    def pass_bounds(self, phase: str) -> tuple:
        """(first k, last k) of a pass: steps[first:last] are that pass's steps."""
        if phase == "forward":
            return 0, self.n_forward
        if phase == "backward":
            return self.n_forward, self.n_forward + self.n_backward
        return self.n_forward + self.n_backward, len(self.steps)


_by_creation = attrgetter("_order")
# the node fields a trace records at build, in the order Trace.__init__ unpacks them
_RECORDED = tuple(map(attrgetter, ("_rule", "_a", "_b", "_la", "_lb", "_const", "label", "group", "requires_grad")))


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


def _build(outputs, backward_from, seed, fill_grads, decimals, id_prefix) -> Trace:
    outs = graph.as_outputs(outputs, "build_trace")  # a foreign class is named in one sentence
    if not outs:
        raise TraceError("nothing to trace: pass the output node (or a list of output nodes)")
    nodes = graph.reachable(outs)
    bf = outs[0] if backward_from is None else backward_from
    rank = None
    if bf is not outs[0]:
        rank = dict(zip(nodes, range(len(nodes))))  # node -> creation rank within this graph
        if bf not in rank:
            raise TraceError("backward_from is not a node the outputs depend on; pass one of the outputs or a node before them")
    values = [node.data for node in nodes]
    scalar = set(map(type, values)) <= {float}
    if not scalar:  # arrays: copies later in-place updates cannot change
        values = [d if type(d) is float else _snapshot(d) for d in values]

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
    k = len(nodes)  # the seed step; the events' steps follow it
    grad_steps = {bf: k}
    get = grad_steps.get
    for k, event in enumerate(events, k + 1):  # per input, the steps adding into its gradient
        inp = event[2]
        idx = get(inp)
        if idx is None:
            grad_steps[inp] = k
        elif type(idx) is int:
            grad_steps[inp] = [idx, k]
        else:
            idx.append(k)
    if not scalar:
        for j, event in enumerate(events):
            if type(event[6]) is not float:  # arrays: copies later in-place updates cannot change
                events[j] = event[:5] + (_snapshot(event[5]), _snapshot(event[6]))
    return Trace(nodes, values, events, grad_steps, outs, bf, seed_value, id_prefix, decimals, rank,
                 not scalar and any(isinstance(d, np.ndarray) for d in values))
