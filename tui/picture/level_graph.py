"""What the graph pane shows at a level: the trace's gates, or its neurons/layers as single boxes.

At ``gate`` level a box is a trace node. At ``neuron``/``layer`` level the core's
``levels.collapse`` gives group boxes; a group box shows the value and gradient of its
output (a neuron's activation; with several samples, the latest one known), so the
numbers are still the trace's own.
"""
from __future__ import annotations

from typing import Optional

from graphviz_nn.debugger.levels import collapse, network_of

from .. import presenter
from .box import Box


class LevelGraph:
    """Boxes (ids), edges ``(src, dst, index)`` and the mapping from trace nodes to boxes."""

    def __init__(self, trace, level: str, sample: int = 0) -> None:
        self.trace = trace
        self.level = level
        self.samples = 0  # the network view's batch size (0: not a network view)
        self.sample = sample
        has_groups = trace.group_depth() > 0
        self.collapsed = None
        if level != "gate" and has_groups:
            self.collapsed = collapse(trace, level)
        if self.collapsed is None:
            self.ids = [info.id for info in trace.nodes]
            self.edges = [(e.src, e.dst, e.index) for e in trace.edges]
            self._members = {}
        else:
            self.ids = [n.id for n in self.collapsed.nodes]
            parallel: dict = {}  # a tensor graph may send two tensors between the same boxes
            self.edges = []
            for e in self.collapsed.edges:
                k = parallel[e.src, e.dst] = parallel.get((e.src, e.dst), -1) + 1
                self.edges.append((e.src, e.dst, k))
            self._members = {n.id: n for n in self.collapsed.nodes if n.kind == "group"}
            self._outputs = self._group_outputs(trace)

    def _group_outputs(self, trace) -> dict:
        """Per group box, the member nodes read outside it (a neuron's activation, once per sample)."""
        view_of = self.collapsed.view_of
        outputs: dict = {}
        for e in trace.edges:
            box = view_of(e.src)
            if box in self._members and view_of(e.dst) != box:
                outputs.setdefault(box, {})[e.src] = None
        for box in self._members:  # a group that feeds nothing (the model's output) shows its last node
            outputs.setdefault(box, {self._members[box].members[-1]: None})
        return {box: list(ids) for box, ids in outputs.items()}

    def box_of(self, node_id: Optional[str]) -> Optional[str]:
        """The box that shows a trace node."""
        if node_id is None or self.collapsed is None:
            return node_id
        return self.collapsed.view_of(node_id)

    def node_of(self, box_id: Optional[str]) -> Optional[str]:
        """The trace node a box stands for (a group box: its last output, the neuron's activation)."""
        group = self._members.get(box_id)
        return self._outputs[box_id][-1] if group is not None else box_id

    def group_summary(self, box_id: Optional[str], state) -> list[tuple[str, str]]:
        """Inspector lines for a group box: what it holds and its outputs' values ([] for a gate)."""
        group = self._members.get(box_id)
        if group is None:
            return []
        trace = self.trace
        gates = sum(1 for m in group.members if not trace.node(m).is_leaf)
        params = len(group.members) - gates
        kind = "neuron" if len(group.path) >= 2 else "layer"
        lines = [("bold", f"▣ {kind} {group.label}: {gates} gates, {params} parameters")]
        for out in self._outputs[box_id][:8]:
            info = trace.node(out)
            value, grad = state.value(out), state.grad(out)
            lines.append(("", f"  output {out} ({info.symbol}) = {presenter.number(value, trace.decimals) if value is not None else '?'}"
                              f", gradient {presenter.number(grad, trace.decimals) if grad is not None else '?'}"))
        if len(self._outputs[box_id]) > 8:
            lines.append(("", f"  … and {len(self._outputs[box_id]) - 8} more outputs"))
        if len(self._outputs[box_id]) > 1:
            lines.append(("dim", f"  {len(self._outputs[box_id])} outputs, one per sample: "
                                 "the box shows the latest one computed"))
        lines.append(("dim", "  (s steps into the neuron's gates; below: its last output)"))
        return lines

    def group_path(self, box_id: str) -> Optional[tuple]:
        group = self._members.get(box_id)
        return group.path if group is not None else None

    def hot_edge(self, edge: Optional[tuple], state=None) -> Optional[tuple]:
        """The drawn edge a trace edge ``(src, dst, index)`` travels along (``state``: unused here)."""
        if edge is None or self.collapsed is None:
            return edge
        src, dst = self.box_of(edge[0]), self.box_of(edge[1])
        return None if src == dst else (src, dst)

    def describe(self, box_id: str, state, breakpoints=(), group_breakpoints=(), flags=()) -> Box:
        group = self._members.get(box_id)
        if group is None:
            return presenter.node_box(self.trace.node(box_id), state, self.trace.decimals, breakpoints, flags,
                                      presenter.step_digits(self.trace, state.step).get(box_id))
        outputs = self._outputs[box_id]
        # with several samples a neuron has one output each: show the latest one known
        value_of = next((o for o in reversed(outputs) if state.value(o) is not None), outputs[-1])
        grad_of = next((o for o in reversed(outputs) if state.grad(o) is not None), outputs[-1])
        value, grad = state.value(value_of), state.grad(grad_of)
        return Box(
            title=group.label,  # with several samples the box shows the latest one (the inspector says so)
            value=None if value is None else presenter.box_number(value, self.trace.decimals),
            grad=None if grad is None else presenter.box_number(grad, self.trace.decimals),
            partial=grad is not None and state.is_partial(grad_of),
            breakpoint=group.path in group_breakpoints or any(m in breakpoints for m in group.members),
            flagged=any(m in flags for m in group.members),
            gate=True,
        )


def make_view(trace, level: str, sample: int = 0):
    """The picture of a level: at neuron level an MLP is drawn as its network, else ``LevelGraph``."""
    net = network_of(trace, level)  # the levels module decides what a level shows
    if net is not None:
        from .network_view import NetworkView
        return NetworkView(trace, net, sample)
    return LevelGraph(trace, level, sample)
