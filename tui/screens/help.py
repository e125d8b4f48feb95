"""The ``?`` help screen: every key, grouped, with what it does."""
from __future__ import annotations

from rich.table import Table
from textual.binding import Binding
from textual.containers import VerticalScroll
from .modal import Modal
from textual.widgets import Static

KEYS = (
    ("Stepping", (
        ("n  →", "next step"),
        ("p  ←", "previous step"),
        ("s", "step into what was just stepped: a composite gate (either pass), a neuron, a layer"),
        ("f", "back out to the step you came from (inside a gate) or finish the neuron/layer"),
        ("c", "continue to the next breakpoint or the end of the pass"),
        ("Home  End", "start / end of the trace (of the gate's expansion when inside one)"),
        ("g", "go to a step number"),
        ("v", "quiz mode off/on: every step's numbers, or only the steps reached"),
        ("a", "exercise mode: type each hidden number (Enter checks, ? shows it, Esc leaves the box)"),
    )),
    ("The picture", (
        ("+  -", "full boxes / compact boxes (value above the symbol, gradient below)"),
        ("0", "fit the whole graph (hides the side pane); again to bring it back"),
        ("P", "presentation mode: the graph fills the terminal, the step's sentence under it"),
        ("C", "colour-blind palette (Okabe-Ito) on/off"),
        (".  ,", "one more / one fewer decimal in every number the app writes"),
        ("L", "show or hide the lecture pane (title, explanation, formula)"),
        ("[  ]", "network view (neuron level of an MLP): previous / next sample"),
    )),
    ("Watching", (
        ("b", "toggle a breakpoint on the selected node"),
        ("w", "add a watch (not finite, vanishing, exploding, saturated, dead ReLU)"),
        ("l", "cycle the levels the graph has: gate, neuron (an MLP: its network), layer"),
        ("click", "select a node (the inspector follows it)"),
        ("shift+arrows", "pan the graph"),
        ("↑ ↓ Enter", "in the step list: move, and jump to that step"),
    )),
    ("Training and reports", (
        ("t", "one training iteration: update, then forward and backward again"),
        ("T", "train N iterations (a progress bar; Esc cancels); the last one opens traced"),
        ("S", "pick the starting point (scenarios with several, e.g. learning-slowdown-*)"),
        ("x", "gradient check: backprop against finite differences"),
        ("d", "diagnostics: saturation, vanishing/exploding gradients, dead ReLUs"),
        ("r", "training report: loss, accuracy, precision/recall/F1, ROC and PR AUC"),
        ("e", "export the current frame (SVG, PNG or PDF)"),
        ("o", "open another scenario (type to filter) or your own file"),
        ("?", "this help"),
        ("q", "quit"),
    )),
)


class HelpScreen(Modal):
    """Lists the keys; any of Escape, ? or q closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 90; height: 90%; border: round $accent;
                                  background: $panel; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close help")]

    def compose(self):
        with VerticalScroll() as box:
            box.border_title = "graphviz-nn keys"
            yield Static("Step through backpropagation, one gate at a time. Escape closes this help.")
            yield Static(self._table(), id="help-text")

    @staticmethod
    def _table() -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for title, keys in KEYS:
            table.add_row("", "")
            table.add_row(f"[b u]{title}[/]", "")
            for key, what in keys:
                table.add_row(key, what)
        return table
