"""Progress of a training run started with T: a bar, the iteration, the latest loss; Esc cancels."""
from __future__ import annotations

from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static


class TrainingBar(Horizontal, can_focus=False):
    """Shown by the app while iterations run in a worker."""

    DEFAULT_CSS = """
    TrainingBar { height: 1; background: $boost; padding: 0 1; }
    TrainingBar ProgressBar { width: 40; }
    TrainingBar Static { width: 1fr; }
    """

    def compose(self):
        yield ProgressBar(total=100, show_eta=False, id="training-progress")
        yield Static("", id="training-text", markup=False)

    def start(self, total: int) -> None:
        self.query_one(ProgressBar).update(total=total, progress=0)
        self.query_one("#training-text", Static).update(f"training: 0 of {total} iterations  (Esc cancels)")
        self.display = True

    def advance(self, done: int, total: int, loss: float) -> None:
        self.query_one(ProgressBar).update(progress=done)
        self.query_one("#training-text", Static).update(
            f"training: {done} of {total} iterations, loss {loss:.4g}  (Esc cancels)")

    @property
    def text(self) -> str:
        return str(self.query_one("#training-text", Static).render())
