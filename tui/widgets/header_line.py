"""The one-line header: scenario title, phase, step k of N, iteration, level."""
from __future__ import annotations

from textual.content import Content
from textual.widget import Widget


class HeaderLine(Widget, can_focus=False):
    """A single line of text that repaints without a layout pass."""

    DEFAULT_CSS = """
    HeaderLine { height: 1; background: $primary; color: $text; text-style: bold; padding: 0 1; }
    """

    def __init__(self, text: str = "", *, name=None, id=None, classes=None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.text = text

    def update(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.refresh()

    def render(self) -> Content:
        return Content(self.text)  # literal: a title such as "[/bold] oops" is text, not markup
