"""The neuron level of an MLP as the textbook network, for one sample at a time (no Textual here).

Inputs, one box per neuron in layer columns, the loss; one edge per weight. While the
network is small each weight sits on its edge as a small box with its value above and its
gradient below (the lecture's edge labels); a big one (e.g. 16×16 weights) draws plain
edges and the inspector lists a neuron's weights.
"""
from __future__ import annotations

from typing import Optional

from graphviz_nn.debugger.network import Network

from .. import presenter
from .box import Box

# Above this many weights, edges carry no weight box (the picture would be all labels).
LABELLED_WEIGHTS = 60


class NetworkView:
    """Same interface as ``LevelGraph``: ids, edges, box_of/node_of, describe."""

    def __init__(self, trace, net: Network, sample: int = 0) -> None:
        self.trace = trace
        self.level = "neuron"
        self.net = net
        self.samples = net.samples if net.samples > 1 else 0
        self.sample = min(sample, max(0, net.samples - 1))
        self.collapsed = None
        self._nodes = {n.id: n for n in net.nodes}
        self.ids = [n.id for n in net.nodes]
        self.edges: list = []
        self._weight_box: dict = {}  # weight trace node (or (node, entry)) -> its label box
        self._weight_edge: dict = {}
        labelled = sum(1 for e in net.edges if e.weight is not None) <= LABELLED_WEIGHTS
        for i, e in enumerate(net.edges):
            if labelled and e.weight is not None:
                box = f"w:{i}"
                self.ids.append(box)
                self._weight_edge[box] = e
                self._weight_box.setdefault(e.weight if e.entry is None else (e.weight, e.entry), box)
                self.edges += [(e.src, box, 0), (box, e.dst, 0)]
            else:
                self.edges.append((e.src, e.dst, 0))
        self.ids_set = set(self.ids)

    # ---- mapping between the trace and the picture ----
    def box_of(self, node_id: Optional[str]) -> Optional[str]:
        if node_id is None:
            return None
        return self._weight_box.get(node_id) or self.net.node_of(node_id)

    def node_of(self, box_id: Optional[str]) -> Optional[str]:
        if box_id in self._weight_edge:
            return self._weight_edge[box_id].weight
        if box_id in self._nodes:
            return self.net.trace_node(box_id, self.sample)
        return box_id

    def follow_sample(self, node_id: Optional[str]) -> None:
        """Show the sample the current step belongs to."""
        s = self.net.sample_of(node_id) if node_id is not None else None
        if s is not None:
            self.sample = s

    def hot_edge(self, edge: Optional[tuple]) -> Optional[tuple]:
        if edge is None:
            return None
        src, dst = self.box_of(edge[0]), self.box_of(edge[1])
        return None if src == dst or src is None or dst is None else (src, dst)

    def group_path(self, box_id: str) -> Optional[tuple]:
        node = self._nodes.get(box_id)
        return node.path if node is not None and node.kind == "neuron" and len(node.path) >= 2 \
            and any(len(i.group) >= 2 for i in self.trace.nodes) else None

    def positions(self) -> dict:
        """The textbook layout: layer columns, weights between them grouped by the neuron they feed."""
        labelled = bool(self._weight_edge)
        step = 2 if labelled else 1
        columns: dict = {}
        for n in self.net.nodes:
            columns.setdefault(n.column * step, []).append(n.id)
        order = {nid: i for i, nid in enumerate(self.ids)}
        for box, e in self._weight_edge.items():
            col = self._nodes[e.dst].column * step - 1
            columns.setdefault(col, []).append(box)
        for col, ids in columns.items():  # weights: by the neuron they feed, then by their source
            if any(i in self._weight_edge for i in ids):
                ids.sort(key=lambda b: (order[self._weight_edge[b].dst], order[self._weight_edge[b].src]))
        tallest = max(len(ids) for ids in columns.values())
        ranks = {c: r for r, c in enumerate(sorted(columns))}
        positions = {}
        for col, ids in columns.items():
            spread = tallest / len(ids)  # a short column spreads out to the height of the tallest
            for i, nid in enumerate(ids):
                positions[nid] = (ranks[col], round((i + 0.5) * spread - 0.5, 2))
        return positions

    # ---- what a box says ----
    def _num(self, x) -> Optional[str]:
        return None if x is None else presenter.box_number(x, self.trace.decimals)

    def describe(self, box_id: str, state, breakpoints=(), group_breakpoints=(), flags=()) -> Box:
        net = self.net
        edge = self._weight_edge.get(box_id)
        if edge is not None:
            value, grad = net.weight(edge, state)
            return Box(edge.label, self._num(value), self._num(grad), breakpoint=edge.weight in breakpoints)
        node = self._nodes[box_id]
        value = net.value(box_id, state, self.sample)
        if node.kind == "input":
            return Box(node.label, self._num(value), "data")
        grad = net.grad(box_id, state, self.sample)
        return Box(node.label, self._num(value), self._num(grad), gate=True,
                   breakpoint=node.path in group_breakpoints)

    def group_summary(self, box_id: Optional[str], state) -> list[tuple[str, str]]:
        """Inspector lines for a neuron: this sample's value and gradient, its weights."""
        node = self._nodes.get(box_id)
        if node is None or node.kind != "neuron":
            return []
        net = self.net
        where = f" (sample {self.sample + 1} of {net.samples})" if net.samples > 1 else ""
        value, grad = net.value(box_id, state, self.sample), net.grad(box_id, state, self.sample)
        members = [i for i in self.trace.nodes if i.group[:len(node.path)] == node.path and len(i.group) >= 2]
        gates = sum(1 for i in members if not i.is_leaf) // max(1, net.samples)
        params = sum(1 for i in members if i.is_leaf)
        counts = f": {gates} gates, {params} parameters" if members else ""
        out = net.trace_node(box_id, self.sample)
        info = self.trace.node(out)
        lines = [("bold", f"neuron {node.label}{counts}{where}"),
                 ("", f"  output {out} ({info.symbol}) = {self._num(value) or '?'}, gradient {self._num(grad) or '?'}"),
                 ("bold", "  weights in (value, gradient)")]
        incoming = [e for e in net.edges if e.dst == box_id and e.weight is not None]
        for e in incoming[:12]:
            src = self._nodes[e.src].label
            w, g = net.weight(e, state)
            lines.append(("", f"    {e.label} from {src}: {self._num(w) or '?'}, ∇ {self._num(g) or '?'}"))
        if len(incoming) > 12:
            lines.append(("", f"    … and {len(incoming) - 12} more"))
        lines.append(("dim", "  (s steps into the neuron's gates; [ ] another sample)"))
        return lines
