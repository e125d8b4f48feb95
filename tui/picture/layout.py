"""Where each node of a graph sits: Graphviz's layout when ``dot`` is installed, else a built-in one.

Positions are grid coordinates, left to right like the lecture figure: ``rank`` is the
column (0 = inputs) and ``y`` the vertical place in node slots (a float, so Graphviz's
spacing survives). A view turns them into pixels or terminal cells.

    >>> layered_layout(["a", "b", "c"], [("a", "c"), ("b", "c")]).positions["c"]
    (1, 0.5)

Graphviz is slow on big graphs (about 2.5 s for 2,500 nodes, minutes for 10,000), so
``layout`` uses the built-in layered layout above ``GRAPHVIZ_MAX_NODES`` and whenever
``dot`` is missing, fails or times out; nothing here needs ``dot`` to work.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from graphviz_nn.errors import UserError

GRAPHVIZ_MAX_NODES = 1500
DOT_TIMEOUT = 10.0
SWEEPS = 4

BUILTIN = "built-in"
GRAPHVIZ = "graphviz"


@dataclass(frozen=True)
class Layout:
    """Node positions ``{id: (rank, y)}`` and which engine made them (``graphviz`` or ``built-in``).

    ``note`` says why the built-in layout was used when Graphviz was asked for, else ``""``.
    """

    positions: dict
    source: str
    note: str = ""
    ranks: int = field(default=0)


def layout(node_ids: Sequence[str], edges: Iterable[tuple], prefer_graphviz: bool = True,
           timeout: float = DOT_TIMEOUT) -> Layout:
    """Positions for nodes and ``(src, dst)`` edges: Graphviz when possible, built-in otherwise."""
    node_ids = list(node_ids)
    edges = [(e[0], e[1]) for e in edges]
    note = ""
    if prefer_graphviz:
        if len(node_ids) > GRAPHVIZ_MAX_NODES:
            note = f"{len(node_ids)} nodes is too many for a quick Graphviz layout; using the built-in layout"
        elif not dot_available():
            note = "Graphviz's dot program is not installed; using the built-in layout"
        else:
            try:
                return graphviz_layout(node_ids, edges, timeout=timeout)
            except LayoutError as error:
                note = f"{error}; using the built-in layout"
    result = layered_layout(node_ids, edges)
    return Layout(result.positions, BUILTIN, note, result.ranks)


def for_trace(trace, level: str = "gate", prefer_graphviz: bool = True, timeout: float = DOT_TIMEOUT) -> Layout:
    """Positions of the boxes a view draws for a debugger trace at a level (gate, neuron, layer).

    Box ids are the trace's node ids, and ``g:L1/N3`` for a collapsed group (``levels.box_id``).
    """
    from graphviz_nn.debugger.levels import collapse

    view = collapse(trace, level)
    return layout([n.id for n in view.nodes], [(e.src, e.dst) for e in view.edges], prefer_graphviz, timeout)


class LayoutError(Exception):
    """Graphviz could not lay the graph out (missing, failed or too slow)."""


def dot_available() -> bool:
    return shutil.which("dot") is not None


# ---- built-in: longest-path layering + barycentre ordering --------------------------------

def layered_layout(node_ids: Sequence[str], edges: Iterable[tuple]) -> Layout:
    """A layered left-to-right layout without Graphviz (no recursion; near-linear time).

    Each node sits one rank right of its furthest input (longest-path layering); a leaf
    sits just left of its first consumer, as ``dot`` would place it; within a rank nodes
    are ordered by the barycentre of their neighbours to reduce crossings, then placed
    next to their inputs' mean height without overlapping.
    """
    node_ids = list(node_ids)
    index = {n: i for i, n in enumerate(node_ids)}
    preds: list[list[int]] = [[] for _ in node_ids]
    succs: list[list[int]] = [[] for _ in node_ids]
    for src, dst in edges:
        if src in index and dst in index:
            preds[index[dst]].append(index[src])
            succs[index[src]].append(index[dst])
    order = _topological(preds, succs)
    rank = [0] * len(node_ids)
    for i in order:
        if preds[i]:
            rank[i] = max(rank[p] for p in preds[i]) + 1
    # leaves move right, next to their nearest consumer (short edges, as in the lecture figure)
    for i in order:
        if not preds[i] and succs[i]:
            rank[i] = max(0, min(rank[s] for s in succs[i]) - 1)
    if rank:
        low = min(rank)
        rank = [r - low for r in rank]
    n_ranks = (max(rank) + 1) if rank else 0
    layers: list[list[int]] = [[] for _ in range(n_ranks)]
    for i in range(len(node_ids)):  # creation order is a sensible first ordering
        layers[rank[i]].append(i)
    pos = [0.0] * len(node_ids)
    for layer in layers:
        for k, i in enumerate(layer):
            pos[i] = float(k)
    for sweep in range(SWEEPS):
        forward = sweep % 2 == 0
        sequence = layers[1:] if forward else list(reversed(layers[:-1]))
        for layer in sequence:
            for i in layer:
                nbrs = preds[i] if forward else succs[i]
                if nbrs:
                    pos[i] = sum(pos[j] for j in nbrs) / len(nbrs)
            layer.sort(key=lambda i: pos[i])
            for k, i in enumerate(layer):
                pos[i] = float(k)
    y = _place(layers, preds, succs, len(node_ids))
    positions = {node_ids[i]: (rank[i], y[i]) for i in range(len(node_ids))}
    return Layout(positions, BUILTIN, "", n_ranks)


def _topological(preds, succs) -> list[int]:
    """Kahn's algorithm (inputs need not be in creation order, e.g. after collapsing)."""
    missing = [len(p) for p in preds]
    ready = [i for i, m in enumerate(missing) if m == 0]
    order = []
    while ready:
        i = ready.pop()
        order.append(i)
        for s in succs[i]:
            missing[s] -= 1
            if missing[s] == 0:
                ready.append(s)
    if len(order) < len(preds):  # a cycle cannot come from recording; keep the rest in place
        seen = set(order)
        order += [i for i in range(len(preds)) if i not in seen]
    return order


def _place(layers, preds, succs, n) -> list[float]:
    """Heights: each node wants the mean height of its neighbours; keep one slot apart."""
    y = [0.0] * n
    for layer in layers:
        for k, i in enumerate(layer):
            y[i] = float(k)
    for sweep in range(2):
        sequence = layers if sweep == 0 else list(reversed(layers))
        for layer in sequence:
            want = []
            for i in layer:
                nbrs = (preds[i] or succs[i]) if sweep == 0 else (succs[i] or preds[i])
                want.append(sum(y[j] for j in nbrs) / len(nbrs) if nbrs else y[i])
            placed = _no_overlap(want)
            for i, v in zip(layer, placed):
                y[i] = v
    low = min(y) if y else 0.0
    return [v - low for v in y]


def _no_overlap(want: list[float]) -> list[float]:
    """Nearest heights to ``want`` (already in order) keeping at least 1 apart, centred on the wish."""
    if not want:
        return []
    out = [want[0]]
    for w in want[1:]:
        out.append(max(w, out[-1] + 1.0))
    # pushing down shifts the block; move it back up by the mean excess so it stays centred
    shift = sum(o - w for o, w in zip(out, want)) / len(out)
    return [round(o - shift, 2) for o in out]


# ---- Graphviz ----------------------------------------------------------------------------

def graphviz_layout(node_ids: Sequence[str], edges: Iterable[tuple], timeout: float = DOT_TIMEOUT) -> Layout:
    """Ask ``dot`` for positions (``-Tplain``), as ranks and slot heights; raises ``LayoutError``."""
    node_ids = list(node_ids)
    plain = run_dot(_dot_source(node_ids, edges), timeout)
    raw = _parse_plain(plain)
    missing = [n for n in node_ids if n not in raw]
    if missing:
        raise LayoutError(f"Graphviz left out node {missing[0]}")
    # nodes in one rank share an x (rankdir=LR); heights go top-down in slots of one node
    xs = sorted({round(x, 2) for x, _ in raw.values()})
    rank_of = {x: r for r, x in enumerate(xs)}
    top = max((y for _, y in raw.values()), default=0.0)
    positions = {n: (rank_of[round(raw[n][0], 2)], round((top - raw[n][1]) / _SLOT, 2)) for n in node_ids}
    return Layout(positions, GRAPHVIZ, "", len(xs))


_SLOT = 0.75  # inches between node centres: node height 0.5 + nodesep 0.25


def _dot_source(node_ids, edges) -> str:
    # ordering=in as the renderer uses: inputs keep their order, so the pictures agree
    lines = ["digraph G {", "rankdir=LR; nodesep=0.25; ranksep=0.5; ordering=in;",
             "node [shape=box, fixedsize=true, width=1.2, height=0.5, label=\"\"];"]
    lines += [f'"{n}";' for n in node_ids]
    lines += [f'"{e[0]}" -> "{e[1]}";' for e in edges]
    lines.append("}")
    return "\n".join(lines)


def _parse_plain(text: str) -> dict:
    """``node NAME X Y ...`` lines of ``dot -Tplain`` as ``{name: (x, y)}``."""
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[0] == "node":
            out[parts[1].strip('"')] = (float(parts[2]), float(parts[3]))
    return out


def run_dot(source: str, timeout: float) -> str:
    """``dot -Tplain`` through the renderer's runner, the one place that runs Graphviz."""
    from graphviz_nn.render.run_dot import run_dot as shared_run_dot

    try:
        out = shared_run_dot(source, "plain", timeout=timeout)
    except UserError as error:  # missing, failed or too slow: one sentence; the caller falls back
        raise LayoutError(str(error).rstrip(".")) from error
    return out.decode("utf-8", "replace")
