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
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..picture.box import Box
from ..picture.canvas import COMPACT, FULL, Geometry, build, compact_width
from ..picture.raster import hot_cells, line_chars

BOX_W = FULL.fixed_width  # a full box: 12 characters of text between the borders
BUCKET_W, BUCKET_H = 64, 32
COMPACT_DEFAULT_W = 9  # a compact box's width when the boxes are not measured (big graphs)


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
SELECTED_COMPACT = Style(color="black", bgcolor="cyan", bold=True)
# The highlight and the numbers' colours; "colorblind" as ``render --palette colorblind`` (Okabe-Ito).
PALETTES = {
    "default": {"hot": EDGE_HOT, "current": BORDER_CURRENT, "value": VALUE, "grad": GRAD,
                "current_compact": Style(color="black", bgcolor="yellow", bold=True)},
    "colorblind": {"hot": Style(color="#E69F00", bold=True), "current": Style(color="#E69F00", bold=True),
                   "value": Style(color="#56B4E9"), "grad": Style(color="#D55E00"),
                   "current_compact": Style(color="black", bgcolor="#E69F00", bold=True)},
}


class GraphView(ScrollView, can_focus=False):
    """Draws a laid-out graph; ``current``/``selected`` node and ``hot_edge`` are highlighted.

    ``zoom``: ``"auto"`` draws full boxes when they fit the pane and compact ones when not;
    ``"full"``/``"compact"`` keep one style (the app's ``+``/``-``).
    """

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
        self._positions: dict = {}
        self._edges: list = []
        self._final: Optional[Callable[[str], Box]] = None
        self._geometries: dict = {}  # style name -> Geometry
        self._geo = Geometry(FULL)
        self._box_buckets: dict = {}
        self._seg_buckets: dict = {}
        self._describe: Callable[[str], Box] = lambda n: Box(n)
        self._builder: Optional[Callable[..., Geometry]] = None
        self.zoom = "auto"
        self.palette = "default"
        self.current: Optional[str] = None
        self.selected: Optional[str] = None
        self.hot_edge: Optional[tuple] = None
        self._frame_key = None
        self._frame: list[Strip] = []
        self._lines_key = None  # (geometry, window) the painted lines below are for
        self._lines: tuple = ()

    # ---- model in ----
    def show_graph(self, positions: dict, edges: Iterable[tuple], describe: Callable[[str], Box],
                   final: Optional[Callable[[str], Box]] = None,
                   builder: Optional[Callable[..., Geometry]] = None) -> None:
        """Lay out boxes at ``positions`` ``{id: (rank, y)}`` joined by ``(src, dst, index)`` edges.

        ``final(id)`` is a box as it reads at the end of the trace: compact boxes are as wide
        as their widest number, so a column never has to grow while stepping. ``builder(style,
        widths)``: a picture that places its own boxes and lines (the network's crossbars).
        """
        self._describe = describe
        self._builder = builder
        self._final = final
        self._positions = dict(positions)
        self._edges = [tuple(e) for e in edges]
        self._geometries = {}
        self._pick()

    def geometry(self, style: str) -> Geometry:
        """The picture in one style (built once per graph)."""
        geo = self._geometries.get(style)
        if geo is None:
            if style == "full":
                geo = self._builder(FULL, {}) if self._builder else build(self._positions, self._edges, FULL)
            else:
                widths = {}
                if self._final is not None:
                    for n in self._positions:
                        box = self._final(n)
                        widths[n] = compact_width(_compact_title(box), box.value, box.grad)
                else:  # nothing to measure with (only visible boxes are ever described): one width
                    widths = dict.fromkeys(self._positions, COMPACT_DEFAULT_W)
                geo = self._builder(COMPACT, widths) if self._builder else \
                    build(self._positions, self._edges, COMPACT, widths)
            self._geometries[style] = geo
        return geo

    @property
    def style_name(self) -> str:
        """The node style on screen: ``full`` or ``compact``."""
        return self._geo.style.name

    def fits(self, style: str, width: int, height: int) -> bool:
        geo = self.geometry(style)
        return geo.width <= width and geo.height <= height

    def set_zoom(self, zoom: str) -> None:
        self.zoom = zoom
        self._pick()

    def _pick(self) -> None:
        """Choose the style for the pane's size; rebuild the drawing index if it changed."""
        if self.zoom != "auto":
            style = self.zoom
        else:
            w, h = self.scrollable_content_region.size
            if not self._positions or w <= 0 or self.fits("full", w, h):
                style = "full"
            else:
                style = "compact"
        geo = self.geometry(style)
        if geo is not self._geo or not self._box_buckets:
            self._geo = geo
            self._index()
            self.virtual_size = Size(geo.width, geo.height)
        self.invalidate()

    def on_resize(self) -> None:
        if self.zoom == "auto" and self._positions:
            self._pick()

    def invalidate(self) -> None:
        """The state changed: draw the visible frame again and repaint only the rows that now
        read differently (a step changes a few boxes and one edge, not the whole pane)."""
        sx, sy = self.scroll_offset
        w, h = self.scrollable_content_region.size
        key = (sx, sy, w, h)
        if key != self._frame_key or len(self._frame) != h or not self.is_mounted:
            self._frame_key = None
            self.refresh()
            return
        old, self._frame = self._frame, self._draw(sx, sy, w, h)
        for y, (before, after) in enumerate(zip(old, self._frame)):
            if before != after:
                self.refresh(Region(0, y, w, 1))

    def follow(self, node_id: Optional[str], also: Optional[str] = None) -> None:
        """Scroll just enough (centring) to bring a node's box into view, and ``also``'s if both fit."""
        geo = self._geo
        if node_id not in geo.origin:
            return
        x0, y0 = geo.origin[node_id]
        bw, bh = geo.size[node_id]
        x1, y1 = x0 + bw, y0 + bh
        w, h = self.scrollable_content_region.size
        if also in geo.origin:  # e.g. the gate and the input its gradient flows into
            ax, ay = geo.origin[also]
            aw, ah = geo.size[also]
            bx0, by0, bx1, by1 = min(x0, ax), min(y0, ay), max(x1, ax + aw), max(y1, ay + ah)
            if bx1 - bx0 <= w and by1 - by0 <= h:
                x0, y0, x1, y1 = bx0, by0, bx1, by1
        sx, sy = self.scroll_offset
        inside = sx <= x0 and x1 <= sx + w and sy <= y0 and y1 <= sy + h
        if not inside:
            self.scroll_to(max(0, x0 - (w - (x1 - x0)) // 2), max(0, y0 - (h - (y1 - y0)) // 2),
                           animate=False, immediate=True)

    def node_at(self, x: int, y: int) -> Optional[str]:
        """The node whose box covers a cell of the whole canvas, or ``None``."""
        geo = self._geo
        for n in self._box_buckets.get((x // BUCKET_W, y // BUCKET_H), ()):
            bx, by = geo.origin[n]
            bw, bh = geo.size[n]
            if bx <= x < bx + bw and by <= y < by + bh:
                return n
        return None

    def box_origin_of(self, node_id: str) -> Optional[tuple[int, int]]:
        """Top-left cell of a node's box on the whole canvas (``None`` if it is not drawn)."""
        return self._geo.origin.get(node_id)

    def box_size_of(self, node_id: str) -> Optional[tuple[int, int]]:
        """Width and height of a node's box in the style on screen."""
        return self._geo.size.get(node_id)

    # ---- geometry index ----
    def _index(self) -> None:
        geo = self._geo
        boxes: dict = {}
        for n, (x, y) in geo.origin.items():
            w, h = geo.size[n]
            for bx in range(x // BUCKET_W, (x + w - 1) // BUCKET_W + 1):
                for by in range(y // BUCKET_H, (y + h - 1) // BUCKET_H + 1):
                    boxes.setdefault((bx, by), []).append(n)
        segs: dict = {}
        for i, (x0, y0, x1, y1, *_) in enumerate(geo.segments):
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
        geo = self._geo
        colours = PALETTES.get(self.palette, PALETTES["default"])
        window = (geo, sx, sy, w, h)
        if self._lines_key != window:  # the lines stay put while stepping: painted once per window
            segments = self._visible(self._seg_buckets, sx, sy, w, h)
            chars = line_chars(geo, sx, sy, w, h, segments)
            styles = [[EDGE if ch != " " else BLANK for ch in row] for row in chars]
            self._lines = (chars, styles, segments, self._visible(self._box_buckets, sx, sy, w, h))
            self._lines_key = window
        base_chars, base_styles, segments, boxes = self._lines
        chars = [row[:] for row in base_chars]
        styles = [row[:] for row in base_styles]
        edge_hot = colours["hot"]
        for r, c in hot_cells(geo, sx, sy, w, h, segments, self.hot_edge):  # only the stepped edge
            if chars[r][c] != " ":
                styles[r][c] = edge_hot
        draw = self._draw_box if geo.style.name == "full" else self._draw_compact
        for n in boxes:
            draw(n, chars, styles, sx, sy, w, h, colours)
        return [self._strip(chars[r], styles[r]) for r in range(h)]

    def _border(self, node_id: str, known: bool, colours: dict) -> Style:
        if node_id == self.current:
            return colours["current"]
        if node_id == self.selected:
            return BORDER_SELECTED
        return BORDER if known else BORDER_PENDING

    def _draw_box(self, node_id: str, chars, styles, sx, sy, w, h, colours) -> None:
        box = self._describe(node_id)
        x, y = self._geo.origin[node_id]
        known = box.value is not None
        border = self._border(node_id, known, colours)
        inner = BOX_W - 2
        top = "╭" + "─" * inner + "╮"
        rows = [
            (top, [border] * BOX_W),
            _text_row(box.title, TITLE if known else TITLE_PENDING, border),
            # an empty string is a row with nothing to say (a caption between steps), not a number
            _text_row("" if box.value == "" else "= " + (box.value if known else "?"),
                      colours["value"] if known else PENDING, border),
            _text_row("" if box.grad == "" else ("∂ " if box.partial else "∇ ") + (box.grad if box.grad is not None else "?"),
                      PENDING if box.grad is None else PARTIAL if box.partial else colours["grad"], border),
            ("╰" + "─" * inner + "╯", [border] * BOX_W),
        ]
        row0 = list(rows[0][0])
        style0 = list(rows[0][1])
        if box.breakpoint:  # a red dot in the top border marks a breakpoint
            row0[1], style0[1] = "●", MARK_BREAK
        if box.flagged:  # a diagnostic flag on this node
            row0[BOX_W - 2], style0[BOX_W - 2] = "!", MARK_FLAG
        rows[0] = ("".join(row0), style0)
        _blit(rows, x, y, chars, styles, sx, sy, w, h)

    def _draw_compact(self, node_id: str, chars, styles, sx, sy, w, h, colours) -> None:
        """The lecture's picture: value above the gate's symbol, gradient below it."""
        box = self._describe(node_id)
        x, y = self._geo.origin[node_id]
        bw = self._geo.size[node_id][0]
        known = box.value is not None
        title = _compact_title(box)
        if node_id == self.current:
            title_style = colours["current_compact"]
        elif node_id == self.selected:
            title_style = SELECTED_COMPACT
        else:
            title_style = TITLE if known else TITLE_PENDING
        value = box.value if known else "?"
        grad = box.grad if box.grad is not None else "?"
        grad_style = PENDING if box.grad is None else PARTIAL if box.partial else colours["grad"]
        head = title.center(bw)[:bw]  # never wider than the box (a number can outgrow its measure)
        rows = [
            (value.center(bw)[:bw], [colours["value"] if known else PENDING] * bw),
            (head, [title_style] * bw),
            (grad.center(bw)[:bw], [grad_style] * bw),
        ]
        if box.breakpoint or box.flagged:
            row = list(head)
            marks = list(rows[1][1])
            if box.breakpoint:
                row[0], marks[0] = "●", MARK_BREAK
            if box.flagged:
                row[-1], marks[-1] = "!", MARK_FLAG
            rows[1] = ("".join(row), marks)
        _blit(rows, x, y, chars, styles, sx, sy, w, h)

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


def _compact_title(box: Box) -> str:
    """A gate's symbol in brackets, as the lecture's circle; a leaf's name as it is."""
    return f"({box.title})" if box.gate else box.title


def _blit(rows, x, y, chars, styles, sx, sy, w, h) -> None:
    for dy, (text, row_styles) in enumerate(rows):
        r = y + dy - sy
        if not 0 <= r < h:
            continue
        for dx in range(len(text)):
            c = x + dx - sx
            if 0 <= c < w:
                chars[r][c] = text[dx]
                styles[r][c] = row_styles[dx]


def _text_row(text: str, style: Style, border: Style) -> tuple[str, list]:
    inner = BOX_W - 2
    body = text if len(text) <= inner else text[: inner - 1] + "…"
    return "│" + body.center(inner) + "│", [border] + [style] * inner + [border]
