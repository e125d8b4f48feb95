"""The loss history of a training scenario: a sparkline with the first and latest loss."""
from __future__ import annotations

import math

from textual.containers import Vertical
from textual.widgets import Sparkline, Static

from graphviz_nn.debugger import format as fmt


class LossPlot(Vertical, can_focus=False):
    """One number per training iteration; hidden by the app for scenarios that do not train."""

    DEFAULT_CSS = """
    LossPlot { height: 4; border-left: solid $primary-darken-2; padding: 0 1; background: $surface; }
    LossPlot Sparkline { height: 2; }
    LossPlot > Static { height: 1; }
    """

    def compose(self):
        yield Static("loss: no iterations yet", id="loss-caption", markup=False)
        yield Sparkline([], id="loss-sparkline")

    _shown: tuple = ()

    def show(self, history: list) -> None:
        """Plot the losses; a no-op when they have not changed (stepping calls this every time)."""
        if tuple(history) == self._shown:
            return
        self._shown = tuple(history)
        losses = [float(x) for x in history if x is not None and math.isfinite(float(x))]
        caption = "loss: no iterations yet"
        if losses:
            caption = f"loss per iteration: {fmt.number(losses[0])} → {fmt.number(losses[-1])} ({len(losses)})"
        self.query_one("#loss-caption", Static).update(caption)
        self.query_one("#loss-sparkline", Sparkline).data = losses
