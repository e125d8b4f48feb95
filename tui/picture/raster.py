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
    chars = [[" "] * w for _ in range(h)]
    bits = [[0] * w for _ in range(h)]
    hot = [[False] * w for _ in range(h)]
    indices = range(len(geo.segments)) if segments is None else segments
    for i in indices:
        x0, y0, x1, y1, key, from_box = geo.segments[i]
        lit = is_hot(key, hot_key)
        if y0 == y1:
            row = y0 - sy
            if 0 <= row < h:
                for x in range(max(x0, sx), min(x1, sx + w - 1) + 1):
                    c = x - sx
                    bits[row][c] |= (LEFT if x > x0 or from_box else 0) | (RIGHT if x < x1 else 0)
                    hot[row][c] = hot[row][c] or lit
        else:
            col = x0 - sx
            if 0 <= col < w:
                for y in range(max(y0, sy), min(y1, sy + h - 1) + 1):
                    r = y - sy
                    bits[r][col] |= (UP if y > y0 else 0) | (DOWN if y < y1 else 0)
                    hot[r][col] = hot[r][col] or lit
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
                if char == JOINT:  # a joint is lit only for its own edge, not for lines crossing it
                    hot[r][c] = is_hot(key, hot_key)
    return chars, hot


__all__ = ["paint_lines", "is_hot", "LINE_CHARS", "ARROW", "JOINT"]
