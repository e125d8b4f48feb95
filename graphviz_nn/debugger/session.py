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
from ..arguments import ArgumentTypeError, whole
from .breakpoints import Break, BreakpointError
from .expand import expand
from .levels import GROUP_DEPTH, check_level, enclosing_depth, finer, levels_of, unit_key, unit_path
from .trace import Trace, build_trace


class Session:
    """Step through a trace: ``next``/``prev``/``goto``, step over/into/out, ``continue_``.

    Every move leaves one sentence in ``message`` when it has something to say (why it did
    not move, where it went); the app shows it, nothing is printed.
    """

    def __init__(self, trace: Trace, level: str = "gate"):
        if not isinstance(trace, Trace):
            raise ArgumentTypeError(f"Session: trace must be a Trace, got {type(trace).__name__}; "
                                    f"make one with build_trace(output) (or open a scenario with debug())")
        self._stack: list = []  # (parent trace, k to return to, level, what we are inside)
        self._pass_end: Optional[int] = None  # inside an expansion: where its pass ends
        self._pass_start = 0
        self.trace = trace
        self.k = 0
        self.level = "gate"
        self.levels = levels_of(trace)
        self.set_level(level)
        self._breakpoints: dict = {}  # per trace: an id inside an expansion names another node outside
        self._expansions: dict = {}  # (trace, composite gate id) -> its sub-trace
        self.group_breakpoints: set = set()
        self.watches: dict = {}
        self.last_break: Optional[Break] = None
        self.message: Optional[str] = None
        self._entered: list = []  # (group path, phase, level it was entered from) by step_into

    @property
    def breakpoints(self) -> set:
        """Ids of the nodes to stop at in the trace being viewed (a sub-trace has its own)."""
        return self._breakpoints.setdefault(self.trace, set())

    @breakpoints.setter
    def breakpoints(self, ids) -> None:
        self._breakpoints[self.trace] = set(ids)

    @classmethod
    def from_outputs(cls, outputs, backward_from=None, **kwargs) -> "Session":
        """Trace ``outputs`` and open a session at its start (the nodes' gradients stay as they were)."""
        return cls(build_trace(outputs, backward_from, fill_grads=False), **kwargs)

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
    def decimals(self) -> int:
        """Digits after the point in everything this session's traces write (the one setting)."""
        return self.root_trace.decimals

    def set_decimals(self, n: int) -> int:
        """0 to 6 digits for every trace of the session (the top one, the one inside, every expansion)."""
        n = max(0, min(6, n))
        for trace in {self.root_trace, self.trace, *(entry[0] for entry in self._stack), *self._expansions.values()}:
            trace.set_decimals(n)
        return n

    @property
    def inside(self) -> Optional[str]:
        """Which gate's expansion we are in (``"n9 (sigmoid), backward"``), None at the top."""
        return self._stack[-1][3] if self._stack else None

    @property
    def bounds(self) -> tuple:
        """(first k, last k) the cursor can reach: the whole trace, or the expansion's pass."""
        if self._stack:
            return self._pass_start, self._pass_end
        return 0, len(self.trace.steps)

    @property
    def at_end(self) -> bool:
        return self.k == len(self.trace.steps)

    def set_level(self, level: str) -> None:
        """Choose gate, neuron or layer; a level the graph does not have is a user error."""
        check_level(level, BreakpointError)
        if level not in self.levels:
            raise BreakpointError(f"this graph has no {level} level (it offers {', '.join(self.levels)}): "
                                  f"levels come from the neurons and layers of graphviz_nn.nn")
        self.level = level

    def cycle_level(self) -> str:
        """The next level the graph offers (gate → neuron → layer → gate); says so in ``message``."""
        if len(self.levels) == 1:
            self.message = "this graph has only the gate level: it has no neurons or layers to collapse"
            return self.level
        self.level = self.levels[(self.levels.index(self.level) + 1) % len(self.levels)]
        self._entered.clear()  # a level chosen by hand: step out no longer returns anywhere
        self.message = f"level {self.level}"
        return self.level

    # ---- plain moves (no breakpoints) ----
    def next(self):
        """One step forward (inside an expansion: never past its end; ``step_out`` leaves)."""
        self.message = None
        first, last = self.bounds
        if self.k < last:
            self.k += 1
        elif self._stack:
            self.message = f"end of the expansion of {self.inside}: f (step out) returns"
        return self.state

    def prev(self):
        """One step back (inside an expansion: never before its start)."""
        self.message = None
        first, last = self.bounds
        if self.k > first:
            self.k -= 1
        elif self._stack:
            self.message = f"start of the expansion of {self.inside}: f (step out) returns"
        return self.state

    def goto(self, k: int):
        """Jump to the state after ``k`` steps of the current trace (kept inside an expansion)."""
        self.message = None
        k = whole(k, "k", "goto", hint=" (a step number)")
        self.trace.state_at(k)  # raises a TraceError for a k outside the trace
        first, last = self.bounds
        self.k = min(max(k, first), last)
        return self.state

    def home(self):
        """The first state: of the trace, or of the expansion we are in."""
        return self.goto(self.bounds[0])

    def end(self):
        """The last state: of the trace, or of the expansion we are in."""
        return self.goto(self.bounds[1])

    def restart(self):
        """Back to the very start of the top-level trace (leaving any expansion)."""
        self.message = None
        while self._stack:
            self._pop()
        self.k = 0
        return self.state

    def run_to_end(self):
        """Finish the current pass (forward, backward or update), ignoring breakpoints."""
        self.message = None
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
        """The next unit at the current level: a gate, a whole neuron, or a whole layer."""
        self.message = None
        steps = self.trace.steps
        if self.k >= self.bounds[1]:
            self.message = (f"end of the expansion of {self.inside}: f (step out) returns" if self._stack
                            else "at the end: nothing left to step over")
            return None
        first = steps[self.k]
        key = unit_key(first.group, self.level)
        if key is None:
            return self._advance(lambda s: True)
        return self._advance(lambda s: s.phase != first.phase or unit_key(s.group, self.level) != key)

    def step_back_over(self):
        """Back over one unit at the current level (a gate, a whole neuron, a whole layer): to
        where the unit being shown began, i.e. the end of the unit before it. Never stops at
        breakpoints (going back replays nothing)."""
        self.message = None
        low = self.bounds[0]
        if self.k <= low:
            self.message = "at the start: nothing to step back over"
            return self.state
        steps = self.trace.steps
        last = steps[self.k - 1]
        key = unit_key(last.group, self.level)
        k = self.k - 1
        while key is not None and k > low and steps[k - 1].phase == last.phase \
                and unit_key(steps[k - 1].group, self.level) == key:
            k -= 1
        self.k = k
        return self.state

    def step_into(self) -> Optional[Break]:
        """Open the step being shown: a composite gate's expansion (forward or backward), or
        at neuron/layer level the neuron or layer it belongs to, one level down, at its first step.

        Where there is nothing to enter, ``message`` says why and the cursor does not move.
        """
        self.message = None
        step = self.state.step
        if step is None:
            self.message = "nothing shown yet to step into: take a step first (n)"
            return None
        if self.level != "gate":
            key = unit_key(step.group, self.level)
            if key is None:
                what = "neuron" if self.level == "neuron" else "layer"
                self.message = f"step {step.number} is not inside a {what}: nothing to step into"
                return None
            start = step.index
            steps = self.trace.steps
            while start > 0 and steps[start - 1].phase == step.phase and unit_key(steps[start - 1].group, self.level) == key:
                start -= 1
            self._entered.append((key, step.phase, self.level))  # step out finishes it and comes back here
            self.level = finer(self.level, self.levels)
            self.k = start + 1
            self.message = f"into {'.'.join(key)}: level {self.level}, at its first step"
            return None
        info = self.trace.node(step.node)
        if self._stack:
            self.message = f"{info.name} is a primitive gate inside {self.inside}: nothing further to step into"
            return None
        if step.phase not in ("forward", "backward") or step.is_seed or not info.composite:
            kind = "a leaf" if info.is_leaf else ("the seed" if step.is_seed else
                                                  f"a primitive gate ({info.symbol})" if step.phase != "update"
                                                  else "a parameter update")
            self.message = f"step {step.number} is about {info.name}, {kind}: nothing to step into"
            return None
        self._push(step)
        return None

    def step_out(self) -> Optional[Break]:
        """Finish the unit you are in: leave an expansion (back to the step you came from); finish
        a neuron or layer entered with ``step_into`` (back at the level you entered it from);
        else finish the unit of the step shown at the current level (at gate level: its neuron),
        and stay at that level: the level never changes by itself.

        At the top with no enclosing group, ``message`` says so and the cursor does not move.
        """
        self.message = None
        if self._stack:
            inside = self.inside
            self._pop()
            self.message = f"back from {inside} at step {self.k}"
            return None
        steps = self.trace.steps
        current = self.state.step if self.k > 0 else (steps[0] if steps else None)
        entered = self._entered_unit(current)
        if entered is not None:
            key, phase, level = entered
            self.level = level
        else:
            depth = GROUP_DEPTH[self.level] or enclosing_depth(self.level)
            key = unit_path(current.group, depth) if current is not None and depth else ()
            phase = current.phase if current is not None else None
        if not key:
            self.message = ("not inside a neuron or layer: nothing to finish" if self.level != "layer"
                            else "this step is not inside a layer: nothing to finish")
            return None
        if self.k >= len(steps) or steps[self.k].phase != phase or steps[self.k].group[:len(key)] != key:
            self.message = f"{'.'.join(key)} is finished ({phase} pass)"
            return None
        hit = self._advance(lambda s: s.phase != phase or s.group[:len(key)] != key)
        if hit is None:
            self.message = f"finished {'.'.join(key)} ({phase} pass)"
        return hit

    def _entered_unit(self, current) -> Optional[tuple]:
        """The innermost unit entered with ``step_into`` that the step shown is still inside."""
        while self._entered:
            key, phase, level = self._entered.pop()
            if current is not None and current.phase == phase and current.group[:len(key)] == key:
                return key, phase, level
        return None

    def continue_(self) -> Optional[Break]:
        """Run to the next breakpoint or watch, or to the end of the current pass."""
        self.message = None
        end = self._current_pass_end()
        if self.k >= end:
            if self._stack:
                self.message = f"end of the expansion of {self.inside}: f (step out) returns"
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
                self.message = hit.sentence
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
        if not self.trace.has_group(path):
            raise BreakpointError(f"no node is in group {'.'.join(path)!r}; groups come from graphviz_nn.nn (L1, L1.N3)")
        self.group_breakpoints.add(path)
        return path

    def remove_group_breakpoint(self, path) -> None:
        path = tuple(path.split(".")) if isinstance(path, str) else tuple(path)
        self.group_breakpoints.discard(path)

    def add_watch(self, kind: str, threshold=None) -> None:
        """Stop when a step meets a condition (see ``breakpoints.WATCH_KINDS``)."""
        self.watches[bp.watch_kind(kind)] = bp.watch_threshold(kind, threshold)

    def _check(self, step) -> Optional[Break]:
        for kind, threshold in self.watches.items():
            sentence = bp.check_watch(kind, threshold, self.trace, step)
            if sentence is not None:
                node = step.node if kind not in ("vanishing", "exploding") else step.input
                return Break(kind, node, f"step {step.number}: {sentence}", self.k)
        if step.node in self.breakpoints or step.input in self.breakpoints:
            node = step.node if step.node in self.breakpoints else step.input
            info = self.trace.node(node)
            return Break("breakpoint", node, f"breakpoint on {info.name} at step {step.number}: {step.text}", self.k)
        if self.group_breakpoints:
            prev = self.trace.steps[step.index - 1] if step.index else None
            for path in self.group_breakpoints:
                inside = step.group[:len(path)] == path
                was_inside = prev is not None and prev.phase == step.phase and prev.group[:len(path)] == path
                if inside and not was_inside:
                    return Break("group", step.node, f"entering group {'.'.join(path)} at step {step.number} "
                                                     f"({step.phase} pass)", self.k)
        return None

    # ---- composite expansions ----
    def _push(self, step) -> None:
        key = (self.trace, step.node)
        if key not in self._expansions:  # one sub-trace per gate, so its breakpoints persist
            self._expansions[key] = expand(self.trace, step.node)
        sub = self._expansions[key]
        info = self.trace.node(step.node)
        where = f"{info.name} ({info.op}), {step.phase} step {step.number}"
        self._stack.append((self.trace, self.k, self.level, where))
        self.trace = sub
        if step.phase == "forward":
            self._pass_start, self._pass_end = 0, sub.n_forward
        else:
            self._pass_start, self._pass_end = sub.n_forward, len(sub.steps)
        self.k = self._pass_start
        self.level = "gate"
        gates = " ".join(n.symbol for n in sub.nodes if not n.is_leaf)
        self.message = f"inside {where}: its gates {gates}; f (step out) returns"

    def _pop(self) -> None:
        parent, back_k, level, _ = self._stack.pop()
        self.trace = parent
        self.k = back_k
        self.level = level
        if self._stack:
            sub = self.trace
            self._pass_start, self._pass_end = 0, len(sub.steps)
        else:
            self._pass_start, self._pass_end = 0, None
