"""The inspector: what one node is, its inputs, its local gradients with numbers, this step."""
from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static


class Inspector(VerticalScroll, can_focus=False):
    """Shows ``(style, text)`` lines prepared by the presenter; scrolls when they do not fit."""

    DEFAULT_CSS = """
    Inspector { border-left: solid $primary-darken-2; padding: 0 1; background: $surface; }
    Inspector > Static { width: 100%; }
    """

    def compose(self):
        yield Static(id="inspector-text")

    def show(self, lines: list[tuple[str, str]]) -> None:
        text = Text()
        for i, (style, line) in enumerate(lines):
            if i:
                text.append("\n")
            text.append(line, style=style or None)
        self.query_one("#inspector-text", Static).update(text)
