"""A one-line question (a step number, a file path, a watch kind): Enter answers, Escape cancels."""
from __future__ import annotations

from textual.binding import Binding
from textual.containers import Vertical
from .modal import Modal
from textual.widgets import Input, Static


class PromptScreen(Modal):
    """Dismisses with the text typed, or ``None`` when cancelled."""

    DEFAULT_CSS = """
    PromptScreen { align: center middle; }
    PromptScreen > Vertical { width: 80%; max-width: 80; height: auto; border: round $accent;
                              background: $panel; padding: 0 1; }
    PromptScreen Static { width: 100%; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = "#prompt-input"  # focused as the screen appears, so the first keys typed land in it

    def __init__(self, question: str, default: str = "", hint: str = "") -> None:
        super().__init__()
        self.question = question
        self.default = default
        self.hint = hint

    def compose(self):
        with Vertical():
            yield Static(self.question, id="prompt-question", markup=False)
            yield Input(value=self.default, id="prompt-input")
            if self.hint:
                yield Static(self.hint, id="prompt-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_key(self, event) -> None:
        """Keys typed right after the key that opened the question (``g12``) before the field had
        the focus: into the field, never lost. A character the field took never gets here (it
        stops it), so any that does was typed before the field could take it, even when the
        screen reads it only after the field got the focus (a loaded machine: ``31`` was lost)."""
        field = self.query_one(Input)
        if event.character and event.character.isprintable():
            event.stop()
            event.prevent_default()
            field.focus()
            field.insert_text_at_cursor(event.character)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
