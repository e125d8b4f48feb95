"""The step list: every step of the trace, one line each, drawn only where visible (Line API).

A trace of a 5,000-node graph has over 15,000 steps; a table that made a row widget per
step would take seconds to build, so this renders lines on demand from a ``row(i)`` callback.
"""
from __future__ import annotations

from typing import Callable, Optional

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

CURRENT = Style(color="black", bgcolor="yellow", bold=True)
CURSOR = Style(reverse=True)
FORWARD = Style(color="green3")
BACKWARD = Style(color="indian_red1")
UPDATE = Style(color="steel_blue1")
PHASE_STYLES = {"F": FORWARD, "B": BACKWARD, "U": UPDATE}


# Not ScrollView's keys: left/right/home/end belong to the app (previous/next/start/end).
class StepList(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows ``0..count-1``; ``current`` is the step just done, ``cursor`` the row under selection."""

    DEFAULT_CSS = """
    StepList { height: 8; border-top: solid $primary-darken-2; background: $surface; overflow-x: hidden; }
    StepList:focus { border-top: solid $accent; }
    """

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "cursor(-10)", "Page up", show=False),
        Binding("pagedown", "cursor(10)", "Page down", show=False),
        Binding("enter", "choose", "Jump to step", show=False),
    ]

    class StepChosen(Message):
        """Enter (or a click) on a row: jump so that step ``index`` is the step just done."""

        def __init__(self, index: int) -> None:
            self.index = index
            super().__init__()

    def __init__(self, *, name=None, id=None, classes=None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._count = 0
        self._row: Callable[[int], str] = str
        self.current: Optional[int] = None
        self.cursor = 0

    def show_steps(self, count: int, row: Callable[[int], str]) -> None:
        """Show ``count`` rows whose text comes from ``row(i)``."""
        self._count = count
        self._row = row
        self.cursor = min(self.cursor, max(0, count - 1))
        self.virtual_size = Size(0, count)  # long rows are cut, never scrolled sideways
        self.refresh()

    def set_current(self, index: Optional[int]) -> None:
        """Highlight the step just done and keep it (with the cursor) in view."""
        moved_to_start = index is None and self.current is not None
        self.current = index
        if index is not None:
            self.cursor = index
            self._scroll_into_view(index)
        elif moved_to_start:  # back at the start (Home): the list shows step 1 again
            self.cursor = 0
            self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def _scroll_into_view(self, index: int) -> None:
        height = self.scrollable_content_region.height
        top = self.scroll_offset.y
        if height <= 0:
            return
        if not top <= index < top + height:
            self.scroll_to(y=max(0, index - height // 2), animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        if self._count:
            self.cursor = max(0, min(self._count - 1, self.cursor + delta))
            self._scroll_into_view(self.cursor)
            self.refresh()

    def action_choose(self) -> None:
        if self._count:
            self.post_message(self.StepChosen(self.cursor))

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)  # None on the border
        if offset is None:
            return
        index = offset.y + self.scroll_offset.y
        if 0 <= index < self._count:
            self.cursor = index
            self.refresh()
            self.post_message(self.StepChosen(index))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = y + self.scroll_offset.y
        if width <= 0:
            return Strip([])
        if not 0 <= index < self._count:
            return Strip.blank(width)
        text = self._row(index)
        sx = self.scroll_offset.x
        text = text[sx: sx + width].ljust(width)
        if index == self.current:
            style = CURRENT
        elif index == self.cursor and self.has_focus:
            style = CURSOR
        else:
            letter = text[7:8] if sx == 0 else ""
            style = PHASE_STYLES.get(letter, Style())
        return Strip([Segment(text, style)], width)
