"""The ``o`` picker: the lecture catalogue (titles and explanations) and a path field for one's own file.

Typing filters the list (by id, title or explanation); Enter opens the highlighted
scenario, or the typed path when it names a ``.toml`` file.
"""
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
    BINDINGS = [Binding("escape", "cancel", "Cancel"),
                Binding("down", "move(1)", "Down", show=False), Binding("up", "move(-1)", "Up", show=False)]

    def __init__(self, entries: list[tuple[str, str, str]], current: str | None = None,
                 title: str = "Open a scenario",
                 hint: str = "Pick a lecture scenario (Enter), type to filter, or type the path of your own .toml file.",
                 placeholder: str = "type to filter, or path/to/scenario.toml") -> None:
        super().__init__()
        self.entries = entries
        self.current = current
        self.title_text = title
        self.hint = hint
        self.placeholder = placeholder
        self.shown = [sid for sid, _, _ in entries]

    def compose(self):
        with Vertical() as box:
            box.border_title = self.title_text
            yield Static(self.hint, markup=False)
            yield OptionList(*self._options(""), id="picker-list")
            yield Input(placeholder=self.placeholder, id="picker-path", select_on_focus=False)

    def _options(self, typed: str) -> list:
        words = typed.lower().split()
        options = []
        self.shown = []
        for sid, title, explanation in sorted(self.entries, key=lambda e: _rank(e, words)):
            haystack = f"{sid} {title} {explanation}".lower()
            if not all(w in haystack for w in words):
                continue
            prompt = Text()
            prompt.append(title or sid, style="bold")
            prompt.append(f"  ({sid})", style="dim")
            if explanation:
                prompt.append("\n  " + _shorten(" ".join(explanation.split()), 160))
            options.append(Option(prompt, id=sid))
            self.shown.append(sid)
        return options

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as you type (a path-like text filters nothing away until it looks like a path)."""
        typed = event.value.strip()
        if "/" in typed or typed.endswith(".toml"):
            return
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(self._options(typed))
        if options.option_count:
            options.highlighted = 0

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted if options.highlighted is not None else -delta
            options.highlighted = max(0, min(options.option_count - 1, current + delta))

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
        typed = event.value.strip()
        options = self.query_one(OptionList)
        if typed and ("/" in typed or typed.endswith(".toml")):
            self.dismiss(typed)
        elif options.option_count and options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)
        elif typed:
            self.dismiss(typed)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _rank(entry: tuple, words: list) -> int:
    """Where the typed words are found first: in the id (0), the title (1), else only the explanation (2);
    so ``saturated`` puts saturated-sigmoid above a scenario whose explanation mentions saturation."""
    if not words:
        return 0
    sid, title, _ = entry
    if all(w in sid.lower() for w in words):
        return 0
    return 1 if all(w in f"{sid} {title}".lower() for w in words) else 2


def _shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word, so each entry stays two lines."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"
