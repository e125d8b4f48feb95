"""A debugging session: a cursor over a trace, with levels, breakpoints and watches.

Moving the cursor never recomputes anything: ``state`` is ``trace.state_at(k)``, so
``prev`` costs what ``next`` does. Step over/into/out follow the group hierarchy
(layer → neuron → gate → a composite gate's primitive gates)::

    >>> from graphviz_nn import Value
    >>> session = Session.from_outputs((Value(2.0, label="w") * Value(-1.0, label="x")).sigmoid())
    >>> session.add_watch("saturated"); session.continue_() is None
    True
"""
from __future__ import annotations

from typing import Callable, Optional

from . import breakpoints as bp
from .breakpoints import Break, BreakpointError
from .expand import expand
from .trace import Trace, build_trace

LEVELS = ("gate", "neuron", "layer")


def unit_key(group: tuple, level: str):
    """The group a step belongs to at a level (None: the step is a unit of its own)."""
    if level == "neuron":
        return group[:2] if len(group) >= 2 else None
    if level == "layer":
        return group[:1] if group else None
    return None


class Session:
    """Step through a trace: ``next``/``prev``/``goto``, step over/into/out, ``continue_``."""

    def __init__(self, trace: Trace, level: str = "gate"):
        self._stack: list = []  # (parent trace, k to resume at, k to return to on prev)
        self._pass_end: Optional[int] = None  # inside an expansion: where its pass ends
        self._pass_start = 0
        self.trace = trace
        self.k = 0
        self.level = "gate"
        self.set_level(level)
        self._breakpoints: dict = {}  # per trace: an id inside an expansion names another node outside
        self._expansions: dict = {}  # (trace, composite gate id) -> its sub-trace
        self.group_breakpoints: set = set()
        self.watches: dict = {}
        self.last_break: Optional[Break] = None

    @property
    def breakpoints(self) -> set:
        """Ids of the nodes to stop at in the trace being viewed (a sub-trace has its own)."""
        return self._breakpoints.setdefault(self.trace, set())

    @breakpoints.setter
    def breakpoints(self, ids) -> None:
        self._breakpoints[self.trace] = set(ids)

    @classmethod
    def from_outputs(cls, outputs, backward_from=None, **kwargs) -> "Session":
        """Trace ``outputs`` and open a session at its start."""
        return cls(build_trace(outputs, backward_from), **kwargs)

    # ---- where we are ----
    @property
    def state(self):
        return self.trace.state_at(self.k)

    @property
    def depth(self) -> int:
        """0 at the top; 1 inside a composite gate's expansion."""
        return len(self._stack)

    @property
    def root_trace(self) -> Trace:
        """The top-level trace (``trace`` is a composite's expansion while ``depth`` > 0)."""
        return self._stack[0][0] if self._stack else self.trace

    @property
    def at_end(self) -> bool:
        return self.k == len(self.trace.steps)

    def set_level(self, level: str) -> None:
        if level not in LEVELS:
            raise BreakpointError(f"unknown level {level!r}; choose gate, neuron or layer")
        self.level = level

    # ---- plain moves (no breakpoints) ----
    def next(self):
        """One step forward; at the end of an expansion, back to the gate it expanded."""
        if self._stack and self.k >= self._pass_end:
            self._pop(resume=True)
        elif self.k < len(self.trace.steps):
            self.k += 1
        return self.state

    def prev(self):
        """One step back; at the start of an expansion, back to before the gate."""
        if self._stack and self.k <= self._pass_start:
            self._pop(resume=False)
        elif self.k > 0:
            self.k -= 1
        return self.state

    def goto(self, k: int):
        """Jump to the state after ``k`` steps of the current trace."""
        self.trace.state_at(k)  # raises a TraceError for a k outside the trace
        self.k = k
        return self.state

    def restart(self):
        """Back to the very start of the top-level trace."""
        while self._stack:
            self._pop(resume=False)
        self.k = 0
        return self.state

    def run_to_end(self):
        """Finish the current pass (forward, backward or update), ignoring breakpoints."""
        self.k = self._current_pass_end()
        return self.state

    def _current_pass_end(self) -> int:
        if self._stack:
            return self._pass_end
        steps = self.trace.steps
        if self.k == len(steps):
            return self.k
        return self.trace.pass_bounds(steps[self.k].phase)[1]

    # ---- debugger moves (stop at breakpoints and watches) ----
    def step_over(self) -> Optional[Break]:
        """One unit at the current level: a gate, a whole neuron, or a whole layer."""
        if self._stack and self.k >= self._pass_end:
            self._pop(resume=True)
            return None
        steps = self.trace.steps
        if self.k >= len(steps):
            return None
        first = steps[self.k]
        key = unit_key(first.group, self.level)
        if key is None:
            return self._advance(lambda s: True)
        return self._advance(lambda s: s.phase != first.phase or unit_key(s.group, self.level) != key)

    def step_into(self) -> Optional[Break]:
        """Descend one level: into a composite gate's primitives, or from layer to neuron to gate."""
        steps = self.trace.steps
        if self.k >= len(steps) or (self._stack and self.k >= self._pass_end):
            return self.step_over()
        if self.level != "gate":
            self.level = LEVELS[LEVELS.index(self.level) - 1]
            return self.step_over()
        step = steps[self.k]
        info = self.trace.node(step.node)
        if info.composite and step.phase in ("forward", "backward") and not self._stack:
            self._push(step)
            return None
        return self.step_over()

    def step_out(self) -> Optional[Break]:
        """Finish the enclosing group (an expansion, a neuron, a layer) and go up one level."""
        if self._stack:
            self._pop(resume=True)
            return None
        steps = self.trace.steps
        if self.k >= len(steps):
            return None
        current = steps[self.k]  # the group we are in is the one the next step belongs to
        depth = {"gate": 2, "neuron": 1, "layer": 0}[self.level]
        key = current.group[:depth] if len(current.group) >= depth else current.group
        if self.level != "layer":
            self.level = LEVELS[LEVELS.index(self.level) + 1]
        phase = current.phase
        if not key:
            return self._advance(lambda s: s.phase != phase)
        return self._advance(lambda s: s.phase != phase or s.group[:len(key)] != key)

    def continue_(self) -> Optional[Break]:
        """Run to the next breakpoint or watch, or to the end of the current pass."""
        end = self._current_pass_end()
        if self.k >= end:
            if self._stack:
                self._pop(resume=True)
                return None
            end = self._next_pass_end()
        return self._advance(lambda s: False, end=end)

    def _next_pass_end(self) -> int:
        steps = self.trace.steps
        return len(steps) if self.k >= len(steps) else self.trace.pass_bounds(steps[self.k].phase)[1]

    def _advance(self, stop_before: Callable, end: Optional[int] = None) -> Optional[Break]:
        """Take one step, then keep going until ``stop_before(next step)`` or a break or ``end``."""
        steps = self.trace.steps
        end = len(steps) if end is None else end
        if self._stack:
            end = min(end, self._pass_end)
        self.last_break = None
        while self.k < end:
            self.k += 1
            hit = self._check(steps[self.k - 1])
            if hit is not None:
                self.last_break = hit
                return hit
            if self.k >= end or stop_before(steps[self.k]):
                return None
        return None

    # ---- breakpoints and watches ----
    def add_breakpoint(self, node: str) -> str:
        """Break on steps about a node (by id or label); returns its id."""
        node_id = self.trace.find(node)
        self.breakpoints.add(node_id)
        return node_id

    def remove_breakpoint(self, node: str) -> None:
        self.breakpoints.discard(self.trace.find(node))

    def toggle_breakpoint(self, node: str) -> bool:
        """Set or clear a node breakpoint; returns True when it is now set."""
        node_id = self.trace.find(node)
        if node_id in self.breakpoints:
            self.breakpoints.discard(node_id)
            return False
        self.breakpoints.add(node_id)
        return True

    def add_group_breakpoint(self, path) -> tuple:
        """Break on entering a group, e.g. ``("L2",)`` or ``("L1", "N3")`` (or ``"L1.N3"``)."""
        path = tuple(path.split(".")) if isinstance(path, str) else tuple(path)
        if not any(info.group[:len(path)] == path for info in self.trace.nodes):
            raise BreakpointError(f"no node is in group {'.'.join(path)!r}; groups come from graphviz_nn.nn (L1, L1.N3)")
        self.group_breakpoints.add(path)
        return path

    def remove_group_breakpoint(self, path) -> None:
        path = tuple(path.split(".")) if isinstance(path, str) else tuple(path)
        self.group_breakpoints.discard(path)

    def add_watch(self, kind: str, threshold=None) -> None:
        """Stop when a step meets a condition (see ``breakpoints.WATCH_KINDS``)."""
        self.watches[bp.watch_kind(kind)] = bp.watch_threshold(kind, threshold)

    def remove_watch(self, kind: str) -> None:
        self.watches.pop(kind, None)

    def _check(self, step) -> Optional[Break]:
        for kind, threshold in self.watches.items():
            sentence = bp.check_watch(kind, threshold, self.trace, step)
            if sentence is not None:
                node = step.node if kind not in ("vanishing", "exploding") else step.input
                return Break(kind, node, sentence, self.k)
        if step.node in self.breakpoints or step.input in self.breakpoints:
            node = step.node if step.node in self.breakpoints else step.input
            info = self.trace.node(node)
            return Break("breakpoint", node, f"breakpoint on {info.id} ({info.label}) at step {step.index + 1}: {step.text}", self.k)
        if self.group_breakpoints:
            prev = self.trace.steps[step.index - 1] if step.index else None
            for path in self.group_breakpoints:
                inside = step.group[:len(path)] == path
                was_inside = prev is not None and prev.phase == step.phase and prev.group[:len(path)] == path
                if inside and not was_inside:
                    return Break("group", step.node, f"entering group {'.'.join(path)} ({step.phase} pass)", self.k)
        return None

    # ---- composite expansions ----
    def _push(self, step) -> None:
        key = (self.trace, step.node)
        if key not in self._expansions:  # one sub-trace per gate, so its breakpoints persist
            self._expansions[key] = expand(self.trace, step.node)
        sub = self._expansions[key]
        steps = self.trace.steps
        resume = step.index + 1
        while resume < len(steps) and steps[resume].phase == step.phase and steps[resume].node == step.node:
            resume += 1  # a prelu gate sends two gradients: both are inside the expansion
        self._stack.append((self.trace, resume, step.index, self.level))
        self.trace = sub
        if step.phase == "forward":
            self._pass_start, self._pass_end = 0, sub.n_forward
        else:
            self._pass_start, self._pass_end = sub.n_forward, len(sub.steps)
        self.k = self._pass_start
        self.level = "gate"

    def _pop(self, resume: bool) -> None:
        parent, resume_k, before_k, level = self._stack.pop()
        self.trace = parent
        self.k = resume_k if resume else before_k
        self.level = level
        self._pass_start, self._pass_end = 0, None
