"""The lecture pane: the scenario's title, explanation and formula, the current sub-expression marked."""
from __future__ import annotations

from typing import Optional

from rich.text import Text
from textual.widgets import Static

from . import presenter

# Terminals shorter than this open with the lecture pane hidden (the inspector needs the rows).
LECTURE_MIN_HEIGHT = 30


class LecturePane:
    """Fills and marks the ``#lecture`` pane of one app (``L`` toggles it)."""

    def __init__(self, app) -> None:
        self.app = app
        self._mark: Optional[tuple] = None
        self._numbers: tuple = (None, [])  # (trace, its quiz_numbers in the lecture text)
        self._decided = False  # L decides from then on; a short terminal starts without the pane

    @property
    def pane(self) -> Static:
        return self.app.query_one("#lecture", Static)

    def show(self, target) -> None:
        """A new target: its lecture text, nothing marked yet (``mark`` hides what quiz mode hides)."""
        self._mark = None
        pane = self.pane
        pane.update("")
        if not self._decided:
            self._decided = True
            pane.display = self.app.size.height >= LECTURE_MIN_HEIGHT

    def toggle(self) -> None:
        pane = self.pane
        pane.display = not pane.display
        self._mark = None  # drawn again at the next refresh

    def mark(self, target, trace, state, quiz: bool) -> None:
        """The current step's sub-expression highlighted in the formula (top-level trace only);
        in quiz mode a number the explanation quotes stays ``?`` until its step is reached."""
        pane = self.pane
        if target is None or not pane.display:
            return
        text = presenter.lecture_text(target)
        if quiz:
            if self._numbers[0] is not trace:
                # the explanation's numbers only: the formulas are the question (their constants stay)
                explained = " ".join((target.explanation or "").split())
                start = text.rfind(explained) if explained else len(text)
                self._numbers = (trace, [n for n in presenter.quiz_numbers(text, trace) if n[0] >= start])
            text = presenter.hide_numbers(text, self._numbers[1], state.k)
        mark = None
        for name, source in presenter.lecture_formulas(target):
            span = presenter.formula_span(trace, state.current, source)
            if span is not None:
                at = text.find(f"{name} = {source}") + len(name) + 3
                mark = (at + span[0], at + span[1])
                break
        if (mark, text) == self._mark:
            return
        self._mark = (mark, text)
        shown = Text(text)
        if mark is not None:
            shown.stylize("bold black on yellow", *mark)
        pane.update(shown)
