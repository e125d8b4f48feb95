"""A scrollable text report (gradient check, diagnostics); Escape or q closes it."""
from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from .modal import Modal
from textual.widgets import Static


class ReportScreen(Modal):
    DEFAULT_CSS = """
    ReportScreen { align: center middle; }
    ReportScreen > VerticalScroll { width: 95%; max-width: 110; height: 90%; border: round $accent;
                                    background: $panel; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,q,enter", "dismiss", "Close")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self):
        with VerticalScroll() as box:
            box.border_title = Content(self.title_text)  # literal, whatever the title holds
            yield Static(self.text, markup=False, id="report-text")
