"""The loss per training iteration, with a labelled value axis and iteration axis.

Drawn with Textual's own Line API, not a plotting library: plotext (via textual-plotext)
costs ~300 ms to import and ~15 ms per redraw of 300 points (measured), against a 1 s
budget for the first screen and 33 ms per step; this costs well under a millisecond.
The value axis starts at zero (losses are not negative), so a drop from 0.334 to 0.330
looks as small as it is: the slowdown the learning-slowdown scenarios show.
"""
from __future__ import annotations

import math

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from graphviz_nn.debugger import format as fmt

BLOCKS = " ▁▂▃▄▅▆▇█"
LINE = Style(color="green3")
AXIS = Style(color="grey62")
CAPTION = Style(bold=True)
PLOT_ROWS = 4


def axis_number(x: float) -> str:
    """Three significant digits: 0.334 and 0.330 stay apart."""
    return f"{x:.3g}"


def plot_rows(losses: list, width: int, rows: int = PLOT_ROWS) -> tuple[list[str], float, float]:
    """The bars (top row first), and the axis range ``(low, high)``; one column per bucket of
    iterations (``None``: a loss not shown yet, an empty column)."""
    known = [x for x in losses if x is not None]
    low = min(0.0, min(known, default=0.0))
    high = max(known, default=1.0)
    if high <= low:
        high = low + 1.0
    n = len(losses)
    columns = []
    for c in range(min(width, n)):
        a, b = c * n // min(width, n), (c + 1) * n // min(width, n)
        bucket = [x for x in losses[a:max(b, a + 1)] if x is not None]
        columns.append(sum(bucket) / len(bucket) if bucket else None)
    levels = rows * 8
    heights = [0 if v is None else round((v - low) / (high - low) * levels) for v in columns]
    lines = []
    for r in range(rows):
        base = (rows - 1 - r) * 8
        lines.append("".join(BLOCKS[max(0, min(8, h - base))] for h in heights))
    return lines, low, high


class LossPlot(Widget, can_focus=False):
    """One number per training iteration; hidden by the app for scenarios that do not train."""

    DEFAULT_CSS = """
    LossPlot { height: 8; border-left: solid $primary-darken-2; padding: 0 1; background: $surface; }
    """

    def __init__(self, *, name=None, id=None, classes=None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._losses: list = []
        self._shown: tuple = ()
        self._first_iteration = 0
        self._waiting = False  # quiz mode: the iteration on screen has a loss not yet reached

    def show(self, history: list, waiting: bool = False) -> None:
        """Plot the losses; a no-op when they have not changed (stepping calls this every time).
        ``waiting``: one more iteration's loss is still the question (quiz mode): written ``?``."""
        if (tuple(history), waiting) == self._shown:
            return
        self._shown = (tuple(history), waiting)
        self._waiting = waiting
        self._losses = [float(x) for x in history if x is not None and math.isfinite(float(x))]
        self.refresh()

    @property
    def caption(self) -> str:
        return self.captions()[0]

    def captions(self) -> tuple:
        """The caption, then shorter forms of it for a narrow pane (never cut mid-word)."""
        losses = self._losses
        if not losses:
            return (("loss: ? (its forward pass computes it)", "loss: ? (not yet computed)", "loss: ?")
                    if self._waiting else ("loss: no iterations yet", "loss: none yet"))
        last = "?" if self._waiting else fmt.number(losses[-1])
        return f"loss per iteration: {fmt.number(losses[0])} → {last}", f"loss: {fmt.number(losses[0])} → {last}"

    def fitting_caption(self, width: int) -> str:
        forms = self.captions()
        return next((c for c in forms if len(c) <= width), forms[-1][:width])

    def lines(self, width: int) -> list[tuple[str, Style]]:
        """Every row as text: caption, plot with the value axis, iteration axis and its name."""
        out = [(self.fitting_caption(width), CAPTION)]
        losses = self._losses
        if not losses or width < 12:
            return out
        label_w = 7
        if self._waiting:  # the iteration on screen keeps its column, empty until its loss is reached
            losses = losses + [None]
        bars, low, high = plot_rows(losses, width - label_w - 1)
        for r, bar in enumerate(bars):
            label = axis_number(high) if r == 0 else axis_number(low) if r == len(bars) - 1 else ""
            out.append((label.rjust(label_w - 1) + " ┤" + bar, LINE))
        last = str(len(losses))  # iterations count from 1, as the header and `graphviz-nn train` count them
        span = max(len(bars[0]), len(last) + 12)
        out.append((" " * label_w + "└" + "─" * span, AXIS))
        out.append((" " * label_w + "1" + " iteration ".center(span - len(last), " ") + last, AXIS))
        return out

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        rows = self.lines(width)
        if y >= len(rows) or width <= 0:
            return Strip.blank(width)
        text, style = rows[y]
        text = text[:width].ljust(width)
        if style is LINE and "┤" in text:  # the axis labels in grey, the bars in green
            cut = text.index("┤") + 1
            return Strip([Segment(text[:cut], AXIS), Segment(text[cut:], LINE)], width)
        return Strip([Segment(text, style)], width)
