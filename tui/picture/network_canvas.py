"""Cells of the network picture: layer columns joined by one crossbar per pair of layers (no Textual here).

Between two columns every source box has its own horizontal line (its bus, starting at the
box that names it) and every destination its own vertical collector ending in an arrow into
its box. A ``●`` where a bus meets a collector is a connection (a weight); a plain ``┼`` is
two lines crossing without touching. So following a bus from a box reaches, through its
``●``s, exactly the boxes it feeds, and nothing two sources share can read as one wire.

    >>> w = Wiring([["a", "b"], ["c"]], [("a", "c"), ("b", "c")])
    >>> geo = build(w, COMPACT, {})
    >>> len(geo.joints), geo.crossings()
    (2, [])
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .canvas import COMPACT, MARGIN, Geometry, NodeStyle

LEAD = 1  # cells between a source column and its first collector


@dataclass
class Wiring:
    """Box ids per column (top to bottom), edges between consecutive columns, a caption per gap."""

    columns: list
    edges: list  # (src, dst)
    captions: dict = field(default_factory=dict)  # gap index (left column) -> caption box id
    caption_widths: dict = field(default_factory=dict)
    weighted: set | None = None  # pairs carrying a weight (a ●); None: all. Others just merge.
    min_widths: dict = field(default_factory=dict)  # room for numbers other steps show


def build(wiring: Wiring, style: NodeStyle = COMPACT, widths: dict | None = None) -> Geometry:
    """Where every box, bus, collector, joint and arrow goes, in character cells."""
    widths = widths or {}
    geo = Geometry(style)

    def width_of(n):
        if n in wiring.caption_widths:
            return wiring.caption_widths[n]
        return style.fixed_width or max(widths.get(n, 3), wiring.min_widths.get(n, 0))

    column_of = {n: c for c, ids in enumerate(wiring.columns) for n in ids}
    pitch = style.height + 1
    band = style.height if wiring.captions else 0  # the captions' rows above the boxes
    top = MARGIN + band
    tallest = max((len(ids) for ids in wiring.columns), default=0)
    # rows first: a short column is centred on the tallest; odd columns one row lower, so a
    # bus never runs on the row where a collector turns into its box
    for c, ids in enumerate(wiring.columns):
        offset = ((tallest - len(ids)) * pitch) // 2 + (c % 2)
        for j, n in enumerate(ids):
            geo.origin[n] = (0, top + offset + j * pitch)
    by_gap: dict = {}
    for src, dst in wiring.edges:
        if src in column_of and dst in column_of and column_of[dst] == column_of[src] + 1:
            by_gap.setdefault(column_of[src], []).append((src, dst))
    x = MARGIN
    col_x, col_w = [], []
    for c, ids in enumerate(wiring.columns):
        w = max((width_of(n) for n in ids), default=1)
        col_x.append(x)
        col_w.append(w)
        dsts = {d for _, d in by_gap.get(c, ())}
        x += w + LEAD + 2 * len(dsts)
    for c, ids in enumerate(wiring.columns):
        for n in ids:
            w = width_of(n)
            geo.origin[n] = (col_x[c] + (col_w[c] - w) // 2, geo.origin[n][1])
            geo.size[n] = (w, style.height)
    for c, edges in by_gap.items():
        _crossbar(geo, style, edges, wiring.columns[c], wiring.columns[c + 1], col_x[c] + col_w[c],
                  wiring.weighted)
    for c, cap in wiring.captions.items():  # centred over the gap, clear of its neighbours
        if cap in column_of or c + 1 >= len(col_x):
            continue
        w = width_of(cap)
        left, right = col_x[c] + col_w[c], col_x[c + 1]
        geo.origin[cap] = (max(MARGIN, (left + right - w) // 2), MARGIN)
        geo.size[cap] = (w, style.height)
    _separate_captions(geo, wiring)
    geo.width = max((x + geo.size[n][0] for n, (x, _) in geo.origin.items()), default=0) + MARGIN
    geo.height = max((y + style.height for _, y in geo.origin.values()), default=0) + MARGIN
    return geo


def _crossbar(geo: Geometry, style: NodeStyle, edges, sources, dests, left: int, weighted) -> None:
    """One gap: a bus per source, a collector per destination, a joint per edge."""
    dst_order = [d for d in dests if any(e[1] == d for e in edges)]
    collector = {d: left + LEAD + 2 * k for k, d in enumerate(dst_order)}
    bus_row = {s: geo.origin[s][1] + style.out_row for s in sources}
    taken = set(bus_row.values())
    entry = {}
    for d in dst_order:  # the box's middle row, unless a bus runs there
        y = geo.origin[d][1]
        rows = [y + style.out_row] + [y + r for r in range(style.height) if r != style.out_row]
        entry[d] = next(r for r in rows if r not in taken)
    segs = geo.segments
    for s, d in edges:
        key = (s, d)
        a, b, xc = bus_row[s], entry[d], collector[d]
        sx = geo.origin[s][0] + geo.size[s][0]
        segs.append((sx, a, xc, a, key, True))  # the source's bus, as far as this collector
        if a != b:
            segs.append((xc, min(a, b), xc, max(a, b), key, False))
        segs.append((xc, b, geo.origin[d][0] - 1, b, key, False))  # the arrow touches the box
        if weighted is None or key in weighted:
            geo.joints.append((xc, a, key))
    for d in dst_order:
        geo.arrows.append((geo.origin[d][0] - 1, entry[d], (None, d)))


def _separate_captions(geo: Geometry, wiring: Wiring) -> None:
    """Captions of neighbouring gaps never overlap: a later one moves right."""
    last_end = 0
    for c in sorted(wiring.captions):
        cap = wiring.captions[c]
        if cap not in geo.origin:
            continue
        x, y = geo.origin[cap]
        if x <= last_end:
            x = last_end + 1
            geo.origin[cap] = (x, y)
        last_end = x + geo.size[cap][0]


__all__ = ["Wiring", "build"]
