"""The graph pane: boxes joined by lines, left to right, drawing only what is visible.

Geometry (box rectangles and edge segments) is computed once per layout and indexed in
buckets, so a frame only touches the boxes and segments that overlap the viewport: the
cost of a step depends on the pane's size, not the graph's (5,000 nodes step as fast as 13).
What a box says comes from a ``describe(node_id) -> Box`` callback, asked only for
visible boxes.
"""
from __future__ import annotations

from typing import Callable, Iterable, Optional

from rich.segment import Segment
from rich.style import Style
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..picture.box import Box

BOX_W = 14  # 12 characters of text between the borders
BOX_H = 5  # border, title, value, gradient, border
COL_PITCH = BOX_W + 6
ROW_PITCH = BOX_H + 1
MARGIN = 1
BUCKET_W, BUCKET_H = 64, 32

UP, DOWN, LEFT, RIGHT = 1, 2, 4, 8
LINE_CHARS = {
    LEFT | RIGHT: "─", UP | DOWN: "│", LEFT: "─", RIGHT: "─", UP: "│", DOWN: "│",
    DOWN | RIGHT: "╭", DOWN | LEFT: "╮", UP | RIGHT: "╰", UP | LEFT: "╯",
    UP | DOWN | RIGHT: "├", UP | DOWN | LEFT: "┤", LEFT | RIGHT | DOWN: "┬", LEFT | RIGHT | UP: "┴",
    UP | DOWN | LEFT | RIGHT: "┼",
}

EDGE = Style(color="grey50")
EDGE_HOT = Style(color="yellow", bold=True)
BORDER = Style(color="steel_blue1")
BORDER_PENDING = Style(color="grey42")
BORDER_CURRENT = Style(color="yellow", bold=True)
BORDER_SELECTED = Style(color="cyan", bold=True)
TITLE = Style(bold=True)
TITLE_PENDING = Style(color="grey50")
VALUE = Style(color="green3")
GRAD = Style(color="indian_red1")
PARTIAL = Style(color="yellow3")
PENDING = Style(color="grey42")
MARK_BREAK = Style(color="red", bold=True)
MARK_FLAG = Style(color="magenta", bold=True)
BLANK = Style()


def box_origin(rank: int, y: float) -> tuple[int, int]:
    """Top-left cell of a box at a layout position."""
    return MARGIN + rank * COL_PITCH, MARGIN + round(y * ROW_PITCH)


def entry_row(index: int, arity: int) -> int:
    """Row (inside the box) where input ``index`` arrives: one input in the middle, two apart."""
    return 2 if arity <= 1 else (1 if index == 0 else 3)


class GraphView(ScrollView, can_focus=False):
    """Draws a laid-out graph; ``current``/``selected`` node and ``hot_edge`` are highlighted."""

    DEFAULT_CSS = """
    GraphView { background: $surface; }
    """

    class NodeClicked(Message):
        """A box was clicked."""

        def __init__(self, node_id: str) -> None:
            self.node_id = node_id
            super().__init__()

    def __init__(self, *, name=None, id=None, classes=None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._origin: dict[str, tuple[int, int]] = {}
        self._segments: list[tuple] = []  # (x0, y0, x1, y1, edge key, leaves a box); horizontal or vertical
        self._arrows: list[tuple] = []  # (x, y, edge key)
        self._box_buckets: dict = {}
        self._seg_buckets: dict = {}
        self._describe: Callable[[str], Box] = lambda n: Box(n)
        self.current: Optional[str] = None
        self.selected: Optional[str] = None
        self.hot_edge: Optional[tuple] = None
        self._frame_key = None
        self._frame: list[Strip] = []

    # ---- model in ----
    def show_graph(self, positions: dict, edges: Iterable[tuple], describe: Callable[[str], Box]) -> None:
        """Lay out boxes at ``positions`` ``{id: (rank, y)}`` joined by ``(src, dst, index)`` edges."""
        self._describe = describe
        self._origin = {n: box_origin(r, y) for n, (r, y) in positions.items()}
        edges = [tuple(e) for e in edges]
        arity: dict[str, int] = {}
        for e in edges:
            arity[e[1]] = max(arity.get(e[1], 0), (e[2] if len(e) > 2 else 0) + 1)
        self._segments, self._arrows = [], []
        for e in edges:
            src, dst = e[0], e[1]
            if src not in self._origin or dst not in self._origin:
                continue
            self._route(e, src, dst, e[2] if len(e) > 2 else 0, arity.get(dst, 1))
        self._index()
        width = max((x + BOX_W for x, _ in self._origin.values()), default=0) + MARGIN
        height = max((y + BOX_H for _, y in self._origin.values()), default=0) + MARGIN
        self.virtual_size = Size(width, height)
        self.invalidate()

    def invalidate(self) -> None:
        """The state changed: redraw the visible frame."""
        self._frame_key = None
        self.refresh()

    def follow(self, node_id: Optional[str], also: Optional[str] = None) -> None:
        """Scroll just enough (centring) to bring a node's box into view, and ``also``'s if both fit."""
        if node_id not in self._origin:
            return
        x0, y0 = self._origin[node_id]
        x1, y1 = x0 + BOX_W, y0 + BOX_H
        w, h = self.scrollable_content_region.size
        if also in self._origin:  # e.g. the gate and the input its gradient flows into
            ax, ay = self._origin[also]
            bx0, by0, bx1, by1 = min(x0, ax), min(y0, ay), max(x1, ax + BOX_W), max(y1, ay + BOX_H)
            if bx1 - bx0 <= w and by1 - by0 <= h:
                x0, y0, x1, y1 = bx0, by0, bx1, by1
        sx, sy = self.scroll_offset
        inside = sx <= x0 and x1 <= sx + w and sy <= y0 and y1 <= sy + h
        if not inside:
            self.scroll_to(max(0, x0 - (w - (x1 - x0)) // 2), max(0, y0 - (h - (y1 - y0)) // 2),
                           animate=False, immediate=True)

    def node_at(self, x: int, y: int) -> Optional[str]:
        """The node whose box covers a cell of the whole canvas, or ``None``."""
        for n in self._box_buckets.get((x // BUCKET_W, y // BUCKET_H), ()):
            bx, by = self._origin[n]
            if bx <= x < bx + BOX_W and by <= y < by + BOX_H:
                return n
        return None

    def box_origin_of(self, node_id: str) -> Optional[tuple[int, int]]:
        """Top-left cell of a node's box on the whole canvas (``None`` if it is not drawn)."""
        return self._origin.get(node_id)

    # ---- geometry ----
    def _route(self, key, src, dst, index, arity) -> None:
        sx, sy = self._origin[src]
        dx, dy = self._origin[dst]
        x0, a = sx + BOX_W, sy + 2
        b = dy + entry_row(index, arity)
        xm, x3 = dx - 3, dx - 1
        if xm < x0:  # a backwards edge (never from a layered layout): go straight
            xm = x0
        segs = self._segments
        if a == b:
            segs.append((x0, a, x3, a, key, True))
        else:
            segs.append((x0, a, xm, a, key, True))
            segs.append((xm, min(a, b), xm, max(a, b), key, False))
            segs.append((xm, b, x3, b, key, False))
        self._arrows.append((x3, b, key))

    def _index(self) -> None:
        boxes: dict = {}
        for n, (x, y) in self._origin.items():
            for bx in range(x // BUCKET_W, (x + BOX_W - 1) // BUCKET_W + 1):
                for by in range(y // BUCKET_H, (y + BOX_H - 1) // BUCKET_H + 1):
                    boxes.setdefault((bx, by), []).append(n)
        segs: dict = {}
        for i, (x0, y0, x1, y1, *_) in enumerate(self._segments):
            for bx in range(x0 // BUCKET_W, x1 // BUCKET_W + 1):
                for by in range(y0 // BUCKET_H, y1 // BUCKET_H + 1):
                    segs.setdefault((bx, by), []).append(i)
        self._box_buckets, self._seg_buckets = boxes, segs

    def _visible(self, buckets: dict, x: int, y: int, w: int, h: int) -> list:
        found: list = []
        seen: set = set()
        for bx in range(x // BUCKET_W, (x + w - 1) // BUCKET_W + 1):
            for by in range(y // BUCKET_H, (y + h - 1) // BUCKET_H + 1):
                for item in buckets.get((bx, by), ()):
                    if item not in seen:
                        seen.add(item)
                        found.append(item)
        return found

    # ---- drawing ----
    def render_line(self, y: int) -> Strip:
        sx, sy = self.scroll_offset
        w, h = self.scrollable_content_region.size
        key = (sx, sy, w, h)
        if key != self._frame_key:
            self._frame = self._draw(sx, sy, w, h)
            self._frame_key = key
        return self._frame[y] if 0 <= y < len(self._frame) else Strip.blank(w)

    def _draw(self, sx: int, sy: int, w: int, h: int) -> list[Strip]:
        """The visible window as strips: lines first, boxes on top."""
        if w <= 0 or h <= 0:
            return []
        chars = [[" "] * w for _ in range(h)]
        styles = [[BLANK] * w for _ in range(h)]
        bits = [[0] * w for _ in range(h)]
        hot = [[False] * w for _ in range(h)]
        hot_key = self.hot_edge
        for i in self._visible(self._seg_buckets, sx, sy, w, h):
            x0, y0, x1, y1, key, from_box = self._segments[i]
            is_hot = hot_key is not None and key[:2] == hot_key[:2] and (len(hot_key) < 3 or key[2:3] == hot_key[2:3])
            if y0 == y1:
                row = y0 - sy
                if 0 <= row < h:
                    for x in range(max(x0, sx), min(x1, sx + w - 1) + 1):
                        c = x - sx
                        bits[row][c] |= (LEFT if x > x0 or from_box else 0) | (RIGHT if x < x1 else 0)
                        hot[row][c] = hot[row][c] or is_hot
            else:
                col = x0 - sx
                if 0 <= col < w:
                    for y in range(max(y0, sy), min(y1, sy + h - 1) + 1):
                        r = y - sy
                        bits[r][col] |= (UP if y > y0 else 0) | (DOWN if y < y1 else 0)
                        hot[r][col] = hot[r][col] or is_hot
        for r in range(h):
            brow, crow, srow, hrow = bits[r], chars[r], styles[r], hot[r]
            for c in range(w):
                if brow[c]:
                    crow[c] = LINE_CHARS.get(brow[c], "┼")
                    srow[c] = EDGE_HOT if hrow[c] else EDGE
        for x, y, key in self._arrows:
            c, r = x - sx, y - sy
            if 0 <= c < w and 0 <= r < h:
                chars[r][c] = "▶"
        for n in self._visible(self._box_buckets, sx, sy, w, h):
            self._draw_box(n, chars, styles, sx, sy, w, h)
        return [self._strip(chars[r], styles[r]) for r in range(h)]

    def _draw_box(self, node_id: str, chars, styles, sx, sy, w, h) -> None:
        box = self._describe(node_id)
        x, y = self._origin[node_id]
        known = box.value is not None
        if node_id == self.current:
            border = BORDER_CURRENT
        elif node_id == self.selected:
            border = BORDER_SELECTED
        else:
            border = BORDER if known else BORDER_PENDING
        inner = BOX_W - 2
        top = "╭" + "─" * inner + "╮"
        rows = [
            (top, [border] * BOX_W),
            _text_row(box.title, TITLE if known else TITLE_PENDING, border),
            _text_row("= " + (box.value if known else "?"), VALUE if known else PENDING, border),
            _text_row(("∂ " if box.partial else "∇ ") + (box.grad if box.grad is not None else "?"),
                      PENDING if box.grad is None else PARTIAL if box.partial else GRAD, border),
            ("╰" + "─" * inner + "╯", [border] * BOX_W),
        ]
        row0 = list(rows[0][0])
        style0 = list(rows[0][1])
        if box.breakpoint:  # a red dot in the top border marks a breakpoint
            row0[1], style0[1] = "●", MARK_BREAK
        if box.flagged:  # a diagnostic flag on this node
            row0[BOX_W - 2], style0[BOX_W - 2] = "!", MARK_FLAG
        rows[0] = ("".join(row0), style0)
        for dy, (text, row_styles) in enumerate(rows):
            r = y + dy - sy
            if not 0 <= r < h:
                continue
            for dx in range(BOX_W):
                c = x + dx - sx
                if 0 <= c < w:
                    chars[r][c] = text[dx]
                    styles[r][c] = row_styles[dx]

    @staticmethod
    def _strip(chars: list, styles: list) -> Strip:
        segments = []
        start = 0
        for i in range(1, len(chars) + 1):
            if i == len(chars) or styles[i] is not styles[start]:
                segments.append(Segment("".join(chars[start:i]), styles[start]))
                start = i
        return Strip(segments, len(chars))

    # ---- mouse ----
    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)  # None on a scrollbar or border
        if offset is None:
            return
        sx, sy = self.scroll_offset
        node = self.node_at(offset.x + sx, offset.y + sy)
        if node is not None:
            self.post_message(self.NodeClicked(node))


def _text_row(text: str, style: Style, border: Style) -> tuple[str, list]:
    inner = BOX_W - 2
    body = text if len(text) <= inner else text[: inner - 1] + "…"
    return "│" + body.center(inner) + "│", [border] + [style] * inner + [border]
