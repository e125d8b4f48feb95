"""The ``o`` picker: the lecture catalogue (titles and explanations) and a path field for one's own file."""
from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from .modal import Modal
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option


class PickerScreen(Modal):
    """Dismisses with a catalogue id or a path, or ``None`` when cancelled.

    ``entries`` are ``(id, title, explanation)``.
    """

    DEFAULT_CSS = """
    PickerScreen { align: center middle; }
    PickerScreen > Vertical { width: 95%; max-width: 110; height: 90%; border: round $accent;
                              background: $panel; padding: 0 1; }
    PickerScreen OptionList { height: 1fr; }
    PickerScreen Input { height: 3; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, entries: list[tuple[str, str, str]], current: str | None = None) -> None:
        super().__init__()
        self.entries = entries
        self.current = current

    def compose(self):
        with Vertical() as box:
            box.border_title = "Open a scenario"
            yield Static("Pick a lecture scenario (Enter), or type the path of your own .toml file below.")
            options = []
            for sid, title, explanation in self.entries:
                prompt = Text()
                prompt.append(title or sid, style="bold")
                prompt.append(f"  ({sid})", style="dim")
                if explanation:
                    prompt.append("\n  " + _shorten(" ".join(explanation.split()), 160))
                options.append(Option(prompt, id=sid))
            yield OptionList(*options, id="picker-list")
            yield Input(placeholder="path/to/scenario.toml", id="picker-path", select_on_focus=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [sid for sid, _, _ in self.entries]
        if self.current in ids:  # start on the scenario that is open now
            options.highlighted = ids.index(self.current)
        options.focus()

    def on_key(self, event) -> None:
        """Typing on the list starts a path in the path field (a teacher types /home/...)."""
        field = self.query_one("#picker-path", Input)
        if self.focused is field:
            return
        if event.key == "enter" and field.value:
            event.stop()
            event.prevent_default()
            self.dismiss(field.value.strip())
        elif event.character and event.character.isprintable() and event.character != " ":
            event.stop()
            event.prevent_default()
            field.value += event.character
            field.cursor_position = len(field.value)
            field.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.query_one("#picker-path", Input).value:
            return  # a path is being typed: Enter answers with it (see on_key)
        self.dismiss(event.option.id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


def _shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word, so each entry stays two lines."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"
