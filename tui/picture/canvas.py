"""Where every box and line of the terminal picture goes, in character cells (no Textual here).

Two node styles: ``FULL`` boxes (title, value, gradient inside a border) and ``COMPACT``
ones as the lecture draws them (the value above the gate's symbol, the gradient below, no
border), for when full boxes do not fit. Columns are as wide as their widest box, so the
gaps between columns hold only lines: a line never runs through a box. An edge that skips
columns jogs, in the gap after its source, to a row free of boxes in every column it
crosses, runs along it, and jogs back in the gap before its destination.

    >>> g = build({"a": (0, 0.0), "b": (1, 0.0)}, [("a", "b", 0)], COMPACT, {"a": 2, "b": 3})
    >>> g.origin["b"], g.crossings()
    ((6, 1), [])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

MARGIN = 1
# Above this many boxes in the columns an edge crosses, it runs below them all (no search).
SEARCH_LIMIT = 400


@dataclass(frozen=True)
class NodeStyle:
    """How big a box is and where its lines attach."""

    name: str
    height: int
    row_pitch: int  # rows per layout slot
    gap: int  # columns between two columns of boxes (lines only)
    out_row: int  # row (inside the box) where the output line leaves
    fixed_width: int = 0  # 0: as wide as its text

    def entry_row(self, index: int, arity: int) -> int:
        """Row inside the box where input ``index`` arrives."""
        if self.name == "compact" or arity <= 1:
            return self.out_row
        return 1 if index == 0 else self.height - 2


FULL = NodeStyle("full", height=5, row_pitch=6, gap=6, out_row=2, fixed_width=14)
COMPACT = NodeStyle("compact", height=3, row_pitch=4, gap=3, out_row=1)
STYLES = {"full": FULL, "compact": COMPACT}


def compact_width(title: str, value: str | None, grad: str | None) -> int:
    """A compact box: as wide as ``(title)`` or its widest number."""
    return max(len(title) + 2, len(value or "?"), len(grad or "?"), 3)


@dataclass
class Geometry:
    """Boxes ``origin``/``size`` and line ``segments`` ``(x0, y0, x1, y1, edge key, leaves a box)``."""

    style: NodeStyle
    origin: dict = field(default_factory=dict)
    size: dict = field(default_factory=dict)
    segments: list = field(default_factory=list)
    arrows: list = field(default_factory=list)  # (x, y, edge key)
    joints: list = field(default_factory=list)  # (x, y, edge key): a ● where two lines connect
    width: int = 0
    height: int = 0

    def crossings(self) -> list[tuple]:
        """``(edge key, node)`` for every line cell inside a box: empty when the picture is right."""
        cells: dict = {}
        for n, (x, y) in self.origin.items():
            w, h = self.size[n]
            for yy in range(y, y + h):
                for xx in range(x, x + w):
                    cells[(xx, yy)] = n
        found = []
        for x0, y0, x1, y1, key, _ in self.segments:
            for xx in range(x0, x1 + 1):
                for yy in range(y0, y1 + 1):
                    n = cells.get((xx, yy))
                    if n is not None:
                        found.append((key, n))
        for x, y, key in self.arrows + self.joints:
            if (x, y) in cells:
                found.append((key, cells[(x, y)]))
        return found


def build(positions: dict, edges: Iterable[tuple], style: NodeStyle, widths: dict | None = None) -> Geometry:
    """Cells for boxes at layout ``positions`` ``{id: (rank, y)}`` joined by ``(src, dst, index)`` edges."""
    widths = widths or {}
    geo = Geometry(style)
    width_of: Callable[[str], int] = (lambda n: style.fixed_width) if style.fixed_width else (lambda n: widths.get(n, 3))
    ranks = sorted({r for r, _ in positions.values()})
    col_w = {r: 0 for r in ranks}
    for n, (r, _) in positions.items():
        col_w[r] = max(col_w[r], width_of(n))
    col_x: dict = {}
    x = MARGIN
    for r in ranks:
        col_x[r] = x
        x += col_w[r] + style.gap
    for n, (r, y) in positions.items():
        w = width_of(n)
        geo.origin[n] = (col_x[r] + (col_w[r] - w) // 2, MARGIN + round(y * style.row_pitch))
        geo.size[n] = (w, style.height)
    columns = _Columns(positions, geo, ranks)
    edges = [tuple(e) for e in edges]
    arity: dict = {}
    for e in edges:
        arity[e[1]] = max(arity.get(e[1], 0), (e[2] if len(e) > 2 else 0) + 1)
    for e in edges:
        src, dst = e[0], e[1]
        if src in geo.origin and dst in geo.origin:
            _route(geo, e, positions[src][0], positions[dst][0], col_x, col_w, columns,
                   style.entry_row(e[2] if len(e) > 2 else 0, arity.get(dst, 1)))
    geo.width = max((x + geo.size[n][0] for n, (x, _) in geo.origin.items()), default=0) + MARGIN
    geo.height = max((y + style.height for _, y in geo.origin.values()), default=0) + MARGIN
    for x0, y0, x1, y1, *_ in geo.segments:  # a detour below every box widens the canvas
        geo.height = max(geo.height, y1 + 1 + MARGIN)
    return geo


class _Columns:
    """Rows taken by boxes, per column, to find a free row for a long edge."""

    def __init__(self, positions, geo: Geometry, ranks) -> None:
        self.index = {r: i for i, r in enumerate(ranks)}
        self.spans: list[list] = [[] for _ in ranks]
        for n, (r, _) in positions.items():
            y = geo.origin[n][1]
            self.spans[self.index[r]].append((y, y + geo.style.height))
        for s in self.spans:
            s.sort()
        self.starts = [[a for a, _ in s] for s in self.spans]
        self.bottom = [max((b for _, b in s), default=0) for s in self.spans]

    def free_row(self, first: int, last: int, near: int) -> int:
        """A row free of boxes in columns ``first..last`` (indices), as near to ``near`` as found."""
        blocked: list = []
        for i in range(first, last + 1):
            blocked += self.spans[i]
            if len(blocked) > SEARCH_LIMIT:
                return max(self.bottom[first:last + 1]) + 1
        if not blocked:
            return near
        blocked.sort()
        free = []  # candidate rows: ``near`` itself, and just above/below every blocked span
        for a, b in blocked:
            free += [a - 1, b]
        free.append(near)
        for row in sorted(free, key=lambda r: (abs(r - near), r)):
            if row >= 0 and not any(a <= row < b for a, b in blocked):
                return row
        return max(b for _, b in blocked) + 1


def _route(geo: Geometry, key, rs: int, rd: int, col_x: dict, col_w: dict, columns: _Columns, entry: int) -> None:
    style = geo.style
    src, dst = key[0], key[1]
    sx, sy = geo.origin[src]
    dx, dy = geo.origin[dst]
    x0, a = sx + geo.size[src][0], sy + style.out_row
    b = dy + entry
    x3 = dx - 1  # the arrow's cell, just left of the box
    xm = col_x[rd] - 2  # the jog in the gap before the destination's column
    segs = geo.segments
    ri, di = columns.index[rs], columns.index[rd]
    if di <= ri:  # a backwards edge (no layered layout makes one): go straight
        segs.append((min(x0, x3), a, max(x0, x3), a, key, True))
    elif di == ri + 1:
        _three(segs, key, x0, a, xm, b, x3)
    else:
        j1 = col_x[rs] + col_w[rs]  # the first cell of the gap after the source's column
        c = columns.free_row(ri + 1, di - 1, a)
        segs.append((x0, a, j1, a, key, True))
        if c != a:
            segs.append((j1, min(a, c), j1, max(a, c), key, False))
        segs.append((j1, c, xm, c, key, False))
        if c != b:
            segs.append((xm, min(c, b), xm, max(c, b), key, False))
        segs.append((xm, b, x3, b, key, False))
    geo.arrows.append((x3, b, key))


def _three(segs, key, x0, a, xm, b, x3) -> None:
    if a == b:
        segs.append((x0, a, x3, a, key, True))
        return
    segs.append((x0, a, xm, a, key, True))
    segs.append((xm, min(a, b), xm, max(a, b), key, False))
    segs.append((xm, b, x3, b, key, False))


__all__ = ["Geometry", "NodeStyle", "FULL", "COMPACT", "STYLES", "build", "compact_width"]
