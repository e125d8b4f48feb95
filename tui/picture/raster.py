"""The lines of a picture as characters, for a window of the canvas (no Textual here).

Segments meeting in a cell join into one box-drawing character (``├``, ``┬``…); a cell where
a horizontal and a vertical line both pass straight through is ``┼``, a crossing that does
not connect. A joint (``●``) is where two lines do connect. The graph pane colours what this
returns; tests read it to follow the wires.
"""
from __future__ import annotations

from typing import Optional

from .canvas import Geometry

UP, DOWN, LEFT, RIGHT = 1, 2, 4, 8
LINE_CHARS = {
    LEFT | RIGHT: "─", UP | DOWN: "│", LEFT: "─", RIGHT: "─", UP: "│", DOWN: "│",
    DOWN | RIGHT: "╭", DOWN | LEFT: "╮", UP | RIGHT: "╰", UP | LEFT: "╯",
    UP | DOWN | RIGHT: "├", UP | DOWN | LEFT: "┤", LEFT | RIGHT | DOWN: "┬", LEFT | RIGHT | UP: "┴",
    UP | DOWN | LEFT | RIGHT: "┼",
}
ARROW, JOINT = "▶", "●"


def is_hot(key, hot_key) -> bool:
    """Whether a segment with ``key`` belongs to the highlighted edge (or set of edges)."""
    if hot_key is None or key is None:
        return False
    if isinstance(hot_key, frozenset):  # a whole layer's weights at once (a matrix step)
        return tuple(key[:2]) in hot_key
    return key[:2] == hot_key[:2] and (len(hot_key) < 3 or key[2:3] == hot_key[2:3])


def paint_lines(geo: Geometry, sx: int, sy: int, w: int, h: int, segments=None,
                hot_key: Optional[tuple] = None) -> tuple[list, list]:
    """``(chars, hot)`` rows for the window at ``(sx, sy)``: line characters (blank elsewhere)
    and whether each cell belongs to the highlighted edge. ``segments``: indices to draw
    (default all)."""
    chars = line_chars(geo, sx, sy, w, h, segments)
    hot = [[False] * w for _ in range(h)]
    for r, c in hot_cells(geo, sx, sy, w, h, segments, hot_key):
        hot[r][c] = True
    return chars, hot


def line_chars(geo: Geometry, sx: int, sy: int, w: int, h: int, segments=None) -> list:
    """The window's line characters, rows of ``w`` (blank where no line passes): the same for
    every step, so the graph pane keeps them while only the highlight moves."""
    chars = [[" "] * w for _ in range(h)]
    bits = [[0] * w for _ in range(h)]
    indices = range(len(geo.segments)) if segments is None else segments
    for i in indices:
        x0, y0, x1, y1, key, from_box = geo.segments[i]
        if y0 == y1:
            row = y0 - sy
            if 0 <= row < h:
                brow = bits[row]
                for x in range(max(x0, sx), min(x1, sx + w - 1) + 1):
                    brow[x - sx] |= (LEFT if x > x0 or from_box else 0) | (RIGHT if x < x1 else 0)
        else:
            col = x0 - sx
            if 0 <= col < w:
                for y in range(max(y0, sy), min(y1, sy + h - 1) + 1):
                    bits[y - sy][col] |= (UP if y > y0 else 0) | (DOWN if y < y1 else 0)
    for r in range(h):
        brow, crow = bits[r], chars[r]
        for c in range(w):
            if brow[c]:
                crow[c] = LINE_CHARS.get(brow[c], "┼")
    for marks, char in ((geo.arrows, ARROW), (geo.joints, JOINT)):
        for x, y, key in marks:
            c, r = x - sx, y - sy
            if 0 <= c < w and 0 <= r < h:
                chars[r][c] = char
    return chars


def hot_cells(geo: Geometry, sx: int, sy: int, w: int, h: int, segments=None,
              hot_key: Optional[tuple] = None) -> set:
    """``(row, column)`` of the window's cells on the highlighted edge: only that edge's segments
    are walked. A joint is lit only for its own edge, not for a lit line crossing it."""
    if hot_key is None:
        return set()
    lit = set()
    indices = range(len(geo.segments)) if segments is None else segments
    for i in indices:
        x0, y0, x1, y1, key, _ = geo.segments[i]
        if not is_hot(key, hot_key):
            continue
        if y0 == y1:
            row = y0 - sy
            if 0 <= row < h:
                lit.update((row, x - sx) for x in range(max(x0, sx), min(x1, sx + w - 1) + 1))
        else:
            col = x0 - sx
            if 0 <= col < w:
                lit.update((y - sy, col) for y in range(max(y0, sy), min(y1, sy + h - 1) + 1))
    for x, y, key in geo.joints:
        c, r = x - sx, y - sy
        if 0 <= c < w and 0 <= r < h:
            if is_hot(key, hot_key):
                lit.add((r, c))
            else:
                lit.discard((r, c))
    return lit


__all__ = ["paint_lines", "line_chars", "hot_cells", "is_hot", "LINE_CHARS", "ARROW", "JOINT"]
