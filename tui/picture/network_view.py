"""The neuron level of an MLP as the textbook network, for one sample at a time (no Textual here).

Inputs, one box per neuron in layer columns, the loss. Between two layers a crossbar
(``network_canvas``): each box's own bus meets every collector of the next layer at a ``●``,
one per weight, so the drawing shows the full connectivity and nothing else. Above each
crossbar a caption reads the weight being stepped (value, and gradient once known); the
neuron being computed and the weight's wire are highlighted.

A layer wider than ``MAX_SHOWN`` shows its first two and last neurons and one explicit
``… 13 more`` box standing for the rest (its wires stand for theirs); when the step reaches a
hidden neuron, that neuron is shown between two such boxes (``refocus``), and a click on such
a box shows the neuron in its middle (``expand``).
"""
from __future__ import annotations

from typing import Optional

from graphviz_nn.debugger.network import Network

from .. import presenter
from .box import Box
from .network_canvas import Wiring, build

# A layer with more neurons than this is drawn with a "… k more" box (mlp-moons' 16 fit 120×36).
MAX_SHOWN = 5
# The fewest rows a folded layer gets on a small terminal: the current neuron between two "… more" boxes.
MIN_SHOWN = 3
NUMBER_W = 9  # the widest number a neuron's box shows (-1.17e-03)


class NetworkView:
    """Same interface as ``LevelGraph``: ids, edges, box_of/node_of, describe; plus its own geometry."""

    def __init__(self, trace, net: Network, sample: int = 0) -> None:
        self.trace = trace
        self.level = "neuron"
        self.net = net
        self.samples = net.samples if net.samples > 1 else 0
        self.sample = min(sample, max(0, net.samples - 1))
        self.collapsed = None
        self._nodes = {n.id: n for n in net.nodes}
        self._layers: list = []  # net node ids per column, top to bottom
        for n in net.nodes:
            while len(self._layers) <= n.column:
                self._layers.append([])
            self._layers[n.column].append(n.id)
        self._column = {n.id: n.column for n in net.nodes}
        self._focus: dict = {}  # column -> the index of the neuron shown out of order
        self._edges_of_weight: dict = {}  # weight trace node -> its edges (a matrix: the whole layer)
        for e in net.edges:
            if e.weight is not None:
                self._edges_of_weight.setdefault(e.weight, []).append(e)
        self._matrix = any(e.entry is not None for e in net.edges)
        self._min_w = self._min_widths()  # measured once: they do not depend on which neurons are shown
        self._captions: dict = {}  # gap (left column) -> (caption box, its width)
        for c in range(len(self._layers) - 1):
            weights = [e for e in net.edges if e.weight is not None and self._column[e.src] == c]
            if weights:
                names = {self._weight_title(e) for e in weights} | {self._idle_title(c)}
                self._captions[c] = (f"caption:{c}", max(max(len(t) for t in names), 9))
        self._caption_gap = {cap: c for c, (cap, _) in self._captions.items()}
        self.rows = MAX_SHOWN  # the most boxes a layer is drawn with (``fold`` lowers it on a small terminal)
        self._arrange()

    # ---- which boxes are drawn ----
    def _arrange(self) -> None:
        self._box: dict = {}  # net node id -> the box drawing it (itself, or a "… more" box)
        self._more: dict = {}  # "… more" box -> the net node ids it stands for
        columns = []
        for c, ids in enumerate(self._layers):
            n = len(ids)
            if n <= self.rows:
                shown = set(range(n))
            elif self.rows >= MAX_SHOWN:
                shown = {0, n - 1, self._focus.get(c, 1)}
            else:  # a small terminal: the current neuron (with the first and last when it is one of them)
                focus = self._focus.get(c, 0)
                shown = {0, n - 1} if focus in (0, n - 1) else {focus}
            slots: list = []
            run: list = []
            for i, nid in enumerate(ids + [None]):
                if nid is not None and i not in shown:
                    run.append(nid)
                    continue
                if run:
                    more = f"more:{c}:{len(slots)}"
                    self._more[more] = run
                    for hidden in run:
                        self._box[hidden] = more
                    slots.append(more)
                    run = []
                if nid is not None:
                    self._box[nid] = nid
                    slots.append(nid)
            columns.append(slots)
        pairs: list = []
        seen: set = set()
        weighted: set = set()
        for e in self.net.edges:
            pair = (self._box[e.src], self._box[e.dst])
            if e.weight is not None:
                weighted.add(pair)
            if pair not in seen:
                seen.add(pair)
                pairs.append(pair)
        self._pairs = seen
        self._gap_pairs: dict = {}  # left column -> its drawn (src, dst) pairs
        for s, d in pairs:
            self._gap_pairs.setdefault(self._column_of_box(s), set()).add((s, d))
        captions = {c: cap for c, (cap, _) in self._captions.items()}
        widths = {cap: w for cap, w in self._captions.values()}
        self.wiring = Wiring(columns, pairs, captions, widths, weighted, self._min_w)
        self.ids = [b for col in columns for b in col] + list(captions.values())
        self.edges = [(s, d, 0) for s, d in pairs]
        self.ids_set = set(self.ids)

    def _min_widths(self) -> dict:
        """A neuron's numbers change from step to step (-1.17e-03 is 9 wide); an input's from sample to sample."""
        out = {n.id: NUMBER_W for n in self.net.nodes if n.kind == "neuron"}
        final = self.trace.state_at(len(self.trace.steps))
        for n in self.net.nodes:
            if n.kind == "input":
                out[n.id] = max((len(self._num(self.net.value(n.id, final, s)) or "?") for s in range(self.net.samples)),
                                default=3)
        return out

    def _column_of_box(self, box: str) -> int:
        if box in self._more:
            return self._column[self._more[box][0]]
        return self._column[box]

    def fold(self, rows: int) -> bool:
        """Draw each layer with at most ``rows`` boxes (``MIN_SHOWN`` to ``MAX_SHOWN``); ``True``
        when the boxes changed."""
        rows = max(MIN_SHOWN, min(MAX_SHOWN, rows))
        if rows == self.rows:
            return False
        self.rows = rows
        self._arrange()
        return True

    def refocus(self, node_id: Optional[str]) -> bool:
        """Show the neuron a trace node belongs to if it is hidden; ``True`` when the boxes changed."""
        nid = self.net.node_of(node_id) if node_id is not None else None
        if nid is None or self._box.get(nid) == nid:
            return False
        c = self._column[nid]
        self._focus[c] = self._layers[c].index(nid)
        self._arrange()
        return True

    def expand(self, box_id: Optional[str]) -> Optional[str]:
        """A "… k more" box opened (clicked): its middle neuron is shown, between two smaller
        such boxes; returns that neuron's box, ``None`` for any other box."""
        hidden = self._more.get(box_id)
        if not hidden:
            return None
        nid = hidden[len(hidden) // 2]
        c = self._column[nid]
        self._focus[c] = self._layers[c].index(nid)
        self._arrange()
        return nid

    def build_geometry(self, style, widths: dict):
        """The picture's cells in a node style (``GraphView`` asks for it instead of its own layout)."""
        return build(self.wiring, style, widths)

    # ---- mapping between the trace and the picture ----
    def box_of(self, node_id: Optional[str]) -> Optional[str]:
        """The box a trace node is drawn in: a weight's is the caption that reads it (its step
        lights the caption and its wire), a neuron's gates its neuron (or its "… more" box)."""
        if node_id is None:
            return None
        edges = self._edges_of_weight.get(node_id)
        if edges:
            return self._captions[self._column[edges[0].src]][0]
        nid = self.net.node_of(node_id)
        return self._box.get(nid) if nid is not None else None

    def node_of(self, box_id: Optional[str]) -> Optional[str]:
        if box_id in self._nodes:
            return self.net.trace_node(box_id, self.sample)
        return None  # a "… more" box or a caption: no one trace node

    def follow_sample(self, node_id: Optional[str]) -> None:
        """Show the sample the current step belongs to."""
        s = self.net.sample_of(node_id) if node_id is not None else None
        if s is not None:
            self.sample = s

    def stepped_weight(self, state) -> Optional[str]:
        """The weight whose wire the current step is on (``Network.stepped_weight``)."""
        return None if state is None else self.net.stepped_weight(state)

    def hot_edge(self, edge: Optional[tuple], state=None) -> Optional[tuple]:
        """The drawn wire of the step: one ``(src, dst)`` pair, or a whole layer's (a matrix step)."""
        weight = self.stepped_weight(state)
        if weight is not None:
            pairs = {(self._box[e.src], self._box[e.dst]) for e in self._edges_of_weight[weight]}
            return next(iter(pairs)) if len(pairs) == 1 else frozenset(pairs)
        if edge is None:
            return None
        src, dst = self.box_of(edge[0]), self.box_of(edge[1])
        if src is None or dst is None or (src, dst) not in self._pairs:
            return None
        if self._matrix and dst != "loss":  # a layer's activations into the next matrix product
            return frozenset(self._gap_pairs[self._column_of_box(src)])
        return (src, dst)

    def group_path(self, box_id: str) -> Optional[tuple]:
        node = self._nodes.get(box_id)
        return node.path if node is not None and node.kind == "neuron" and len(node.path) >= 2 \
            and self.trace.group_depth() >= 2 else None

    def positions(self) -> dict:
        """``{box: (column, slot)}``; the cells themselves come from ``build_geometry``."""
        out = {b: (c, float(j)) for c, col in enumerate(self.wiring.columns) for j, b in enumerate(col)}
        for cap, c in self._caption_gap.items():
            out[cap] = (c, -1.0)
        return out

    # ---- what a box says ----
    def _num(self, x) -> Optional[str]:
        return None if x is None else presenter.box_number(x, self.trace.decimals)

    def describe(self, box_id: str, state, breakpoints=(), group_breakpoints=(), flags=()) -> Box:
        net = self.net
        if box_id in self._more:
            return Box(f"… {len(self._more[box_id])} more", "", "")
        if box_id in self._caption_gap:
            return self._caption(self._caption_gap[box_id], state, breakpoints)
        node = self._nodes[box_id]
        value = net.value(box_id, state, self.sample)
        if node.kind == "input":
            return Box(node.label, self._num(value), "data")
        grad = net.grad(box_id, state, self.sample)
        return Box(node.label, self._num(value), self._num(grad), gate=True,
                   breakpoint=node.path in group_breakpoints)

    def _caption(self, gap: int, state, breakpoints=()) -> Box:
        """The weight being stepped in this gap, value above and gradient below its name."""
        weight = self.stepped_weight(state)
        edges = self._edges_of_weight.get(weight, ())
        if not edges or self._column[edges[0].src] != gap:
            return Box(self._idle_title(gap), "", "")
        value, grad = state.value(weight), state.grad(weight)
        return Box(self._weight_title(edges[0]), self._num(value), self._num(grad), breakpoint=weight in breakpoints)

    def _weight_title(self, edge) -> str:
        info = self.trace.node(edge.weight)
        return info.label or f"{edge.label}"

    def _idle_title(self, gap: int) -> str:
        return f"W {len(self._layers[gap])}×{len(self._layers[gap + 1])}"

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
