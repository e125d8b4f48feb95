"""The inspector: what one node is, its inputs, its local gradients with numbers, this step."""
from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


class Inspector(Widget, can_focus=False):
    """Shows ``(style, text)`` lines prepared by the presenter, wrapped to the pane's width.

    It repaints without a layout pass (its size never depends on its text), so a step
    costs one repaint of this pane, not of the whole screen.
    """

    DEFAULT_CSS = """
    Inspector { border-left: solid $primary-darken-2; padding: 0 1; background: $surface; }
    """

    def __init__(self, *, name=None, id=None, classes=None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._text = Text()
        self._lines: list = []

    def show(self, lines: list[tuple[str, str]]) -> None:
        if lines == self._lines:  # the same words (e.g. a step that leaves the node in focus): no repaint
            return
        self._lines = list(lines)
        text = Text()
        for i, (style, line) in enumerate(lines):
            if i:
                text.append("\n")
            text.append(line, style=style or None)
        self._text = text
        self.refresh()

    @property
    def plain(self) -> str:
        return self._text.plain

    def render(self) -> Text:
        return self._text
