"""Levels of detail: the level hierarchy, and collapsing each neuron (or layer) into one box.

The one place that knows the levels: ``LEVELS`` from finest to coarsest, the group depth
each level shows as a box, and which unit a step belongs to at a level (what the session's
step over/into/out, the renderer's ``--level`` and the app's picture all read).

At ``"neuron"`` level every depth-2 group (``("L1", "N3")``) becomes one box, at ``"layer"``
level every depth-1 group; nodes without a group stay as they are. An edge between two
boxes carries the sum of the gradients sent along the edges it stands for; in a tensor graph
there is one such edge per distinct tensor crossing (shapes never mix in one sum).

    >>> from graphviz_nn.nn import MLP
    >>> from graphviz_nn.debugger import build_trace
    >>> view = collapse(build_trace(MLP(2, [3, 1], seed=0)([1.0, -2.0])), "layer")
    >>> [n.label for n in view.nodes if n.kind == "group"]
    ['L1', 'L2']
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .network import Network, is_tensor_mlp, network
from .trace import Edge, State, Trace, TraceError

LEVELS = ("gate", "neuron", "layer")  # finest to coarsest: a neuron holds gates, a layer neurons
# how many entries of a group path (("L1", "N3")) one box holds at each level; None: no boxes
GROUP_DEPTH = {"gate": None, "neuron": 2, "layer": 1}
# Above this many nodes a graph with groups opens at neuron level (gate level is one key away).
LARGE_GRAPH = 400
READABLE_NODES = 60  # boxes and gates one page can show with legible labels (a recorded model's picture)


def check_level(level: str, error=TraceError) -> None:
    """Raise ``error`` with one sentence when ``level`` is not one of ``LEVELS``."""
    if level not in LEVELS:
        raise error(f"unknown level {level!r}; choose {', '.join(LEVELS[:-1])} or {LEVELS[-1]}")


def levels_of(trace: Trace) -> tuple:
    """The levels a graph offers: gate always; neuron when it has neurons (group paths of depth
    2, ``L1.N3``, or a tensor MLP's matrix columns, drawn as the network); layer when it has
    groups at all (a tensor MLP's ``L1``, ``L2``)."""
    depth = trace.group_depth()  # from the engine's nodes: opening a session makes no node infos
    offered = [level for level in LEVELS if GROUP_DEPTH[level] is None or depth >= GROUP_DEPTH[level]]
    if "neuron" not in offered and is_tensor_mlp(trace):
        offered.insert(1, "neuron")
    return tuple(offered)


def opening_level(trace: Trace) -> str:
    """The level a view opens ``trace`` at: a tensor graph (a recorded model) at ``page_level``,
    the level its pictures are drawn at; else neuron for a large graph that has groups, else gate."""
    if trace.has_tensor:
        return page_level(trace)
    return "neuron" if len(trace.nodes) > LARGE_GRAPH and trace.group_depth() > 0 else "gate"


def page_level(trace: Trace) -> str:
    """The finest level offered whose view has at most ``READABLE_NODES`` boxes and gates (else the
    coarsest): what one page can show with legible labels. ``render.fit`` draws tensor graphs at it."""
    offered = levels_of(trace)
    if len(trace.nodes) <= READABLE_NODES:
        return offered[0]
    for level in offered[1:]:
        if len(collapse(trace, level).nodes) <= READABLE_NODES:
            return level
    return offered[-1]


def network_of(trace: Trace, level: str) -> Optional[Network]:
    """What ``level`` shows of an MLP: at neuron level an MLP is its network (inputs, neurons, one
    edge per weight); ``None`` everywhere else (gates, or group boxes from ``collapse``)."""
    return network(trace) if level == "neuron" else None


def finer(level: str, offered: tuple = LEVELS) -> str:
    """The next level down among ``offered`` (``layer`` → ``neuron`` → ``gate``); the finest stays."""
    below = [lv for lv in offered if LEVELS.index(lv) < LEVELS.index(level)]
    return below[-1] if below else level


def coarser(level: str, offered: tuple = LEVELS) -> str:
    """The next level up among ``offered`` (``gate`` → ``neuron`` → ``layer``); the coarsest stays."""
    above = [lv for lv in offered if LEVELS.index(lv) > LEVELS.index(level)]
    return above[0] if above else level


def coarser_offered(trace: Trace, level: str) -> tuple:
    """The levels ``trace`` offers above ``level``, finest first: what a refusal may suggest
    (a graph with no groups has none: naming ``neuron`` there would send the reader to a
    second refusal)."""
    return tuple(lv for lv in levels_of(trace) if LEVELS.index(lv) > LEVELS.index(level))


NO_COARSER = ("it has no groups to draw it coarser (record it in modules, or inside "
              "graphviz_nn.group(...), to get neuron and layer levels)")


def enclosing_depth(level: str) -> int:
    """The group depth of the unit that holds one unit of ``level`` (0: the whole graph)."""
    return 0 if level == LEVELS[-1] else GROUP_DEPTH[coarser(level)]


def unit_path(group: tuple, depth: int) -> tuple:
    """The unit ``depth`` entries down a group path, () when the path is shorter. A unit never
    ends on a list of modules: the index comes with it, so nanoGPT's ``transformer.h`` is a box
    per block (``transformer.h.0``), not one box merging every block."""
    if len(group) < depth:
        return ()
    end = depth
    while end < len(group) and group[end].isdigit():
        end += 1
    return group[:end]


def unit_key(group: tuple, level: str):
    """The group a step belongs to at a level (None: the step is a unit of its own)."""
    depth = GROUP_DEPTH[level]
    if depth is None:
        return None
    return unit_path(group, depth) or None


@dataclass(frozen=True)
class ViewNode:
    """A node of the collapsed view: a graph node (``kind="node"``) or a group box (``"group"``)."""

    id: str
    kind: str
    label: str
    path: tuple
    members: tuple  # node ids inside (just itself for a plain node)


@dataclass(frozen=True)
class ViewEdge:
    """An edge of the collapsed view standing for one or more edges of the trace."""

    src: str
    dst: str
    edges: tuple  # the trace's Edge objects this edge aggregates

    @property
    def sources(self) -> tuple:
        """Distinct trace nodes whose values travel along this edge, in order."""
        return tuple(dict.fromkeys(e.src for e in self.edges))

    def value(self, state: State):
        """The value carried (a tuple when several nodes feed the box), None if not yet known."""
        values = [state.value(s) for s in self.sources]
        if any(v is None for v in values):
            return None
        return values[0] if len(values) == 1 else tuple(values)

    def grad(self, state: State):
        """Sum of the gradient contributions sent back along this edge so far (None: none yet)."""
        trace = state.trace
        total = None
        for e in self.edges:
            k = trace.edge_step(e.src, e.dst, e.index)
            if k is not None and k < state.k:
                c = trace.steps[k].contribution
                total = c if total is None else total + c
        return total


@dataclass
class CollapsedView:
    """The trace's graph at one level: boxes and nodes, and edges between them."""

    level: str
    nodes: list
    edges: list
    _view_of: dict

    def view_of(self, node_id: str) -> str:
        """The view node (box id or the node's own id) that shows a trace node."""
        return self._view_of[node_id]

    def node(self, view_id: str) -> Optional[ViewNode]:
        return next((n for n in self.nodes if n.id == view_id), None)


def box_id(path: tuple) -> str:
    """The id of a group box: ``g:L1/N3``."""
    return "g:" + "/".join(path)


def collapse(trace: Trace, level: str) -> CollapsedView:
    """The trace's graph with groups at ``level`` collapsed into boxes (``"gate"``: nothing collapsed)."""
    check_level(level)
    depth = GROUP_DEPTH[level]
    view_of: dict = {}
    members: dict = {}
    order: list = []
    for info in trace.nodes:
        path = unit_path(info.group, depth) if depth is not None else ()
        if path:
            vid = box_id(path)
            if vid not in members:
                members[vid] = (path, [])
                order.append(vid)
            members[vid][1].append(info.id)
        else:
            vid = info.id
            members[vid] = (None, [info.id])
            order.append(vid)
        view_of[info.id] = vid
    nodes = []
    for vid in order:
        path, ids = members[vid]
        if path is None:
            info = trace.node(vid)
            nodes.append(ViewNode(vid, "node", info.label, info.group, (vid,)))
        else:
            nodes.append(ViewNode(vid, "group", ".".join(path), path, tuple(ids)))
    # Tensors of different shapes (a tied embedding beside the activations it meets) cannot share
    # one sum: in a tensor graph each distinct tensor crossing between two boxes is an edge of its
    # own; a scalar graph keeps the lecture's one edge per pair of boxes, carrying the summed number.
    per_tensor = trace.has_tensor
    grouped: dict = {}
    for e in trace.edges:
        src, dst = view_of[e.src], view_of[e.dst]
        if src != dst:
            grouped.setdefault((src, dst, e.src if per_tensor else None), []).append(e)
    edges = [ViewEdge(src, dst, tuple(es)) for (src, dst, _), es in grouped.items()]
    return CollapsedView(level, nodes, edges, view_of)


__all__ = ["LEVELS", "GROUP_DEPTH", "check_level", "levels_of", "finer", "coarser", "enclosing_depth", "unit_key",
           "unit_path", "collapse", "CollapsedView", "ViewNode", "ViewEdge", "box_id", "Edge", "page_level", "READABLE_NODES"]
