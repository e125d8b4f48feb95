r"""Paper exercises: the lecture's diagram with blanks where students write values and gradients.

``worksheet_dot(trace)`` draws the gate diagram as ``render`` does (values above each edge,
gradients below) but every number the exercise asks is a box to fill in, tagged with its step
number (the key ``graphviz-nn exercise`` reads); the leaves' values and the seed (1.00) are
given. ``answers=True`` writes the key: the same picture, every box filled in. ``worksheet_tex``
is a LaTeX page around the diagram's PDF with the list of questions.

>>> from graphviz_nn import Value
>>> x = Value(2.0, label="x")
>>> '">2.00<' in worksheet_dot(x * x).source, 'blank' in worksheet_dot(x * x).source
(True, True)
"""
from __future__ import annotations

from ..debugger.exercise import questions
from .beamer import latex_text
from ..scenario_build.to_trace import to_trace
from .dot import Diagram, RenderError, _Writer, _node_label, _shape
from . import labels
from .palette import palette as get_palette

BLANK_BORDER = "#8a8a8a"
BLANK_FILL = "#fbfbfb"
TAG = "#7a7a7a"  # the step number in the corner of a box


class WorksheetError(RenderError):
    """A worksheet cannot be drawn for this graph."""


def worksheet_dot(output, answers: bool = False, palette: str = "lecture", legend: bool = True,
                  max_nodes: int | None = 80) -> Diagram:
    """The lecture's gate diagram with a box for every value and gradient a student works out.

    ``answers``: fill every box in (the key). ``max_nodes``: a worksheet bigger than this does
    not fit on a page (``None``: no limit).
    """
    trace = to_trace(output, who="worksheet").trace
    if trace.has_tensor:
        raise WorksheetError("a worksheet asks for single numbers, and this graph holds arrays; "
                             "choose a scalar scenario such as sigmoid-neuron")
    if max_nodes is not None and len(trace.nodes) > max_nodes:
        raise WorksheetError(f"the graph has {len(trace.nodes):,} nodes, too many to fill in on paper "
                             f"(at most {max_nodes}); choose a smaller scenario such as sigmoid-neuron")
    sheet = _Sheet(trace, trace.state_at(len(trace.steps)), get_palette(palette), trace.decimals, True,
                   highlight=False, pinned=None)
    sheet.answers = answers
    sheet.draw()
    if legend:
        what = "the key: every box filled in" if answers else "fill in each box"
        sheet.caption = (f'<<font point-size="10">above each edge: value; below: gradient ({what}, to '
                         f'{trace.decimals} decimals); the small number is the step, as answer files name it '
                         f'("25" = -0.2)</font>>')
    return sheet.diagram("LR", 0.12)


class _Sheet(_Writer):
    """The renderer's writer with boxes in place of the numbers a student is asked for."""

    answers = False

    def box(self, port: str, text: str, colour: str, tag: int) -> str:
        """One box to fill in (with the number when writing the key) and its step number."""
        shown = f'<font color="{colour}">{text}</font>' if self.answers else " "
        inner = (f'<table border="1" cellborder="0" cellspacing="0" cellpadding="1" color="{BLANK_BORDER}" '
                 f'bgcolor="{BLANK_FILL}"><tr><td valign="bottom"><font point-size="7" color="{TAG}">{tag}</font>'
                 f'</td><td width="40" height="16">{shown}</td></tr></table>')
        return f'<td {port} cellpadding="2">{inner}</td>'

    def given(self, port: str, text: str, colour: str) -> str:
        return f'<td {port} cellpadding="2"><font color="{colour}">{text}</font></td>' if text else \
            f'<td {port} cellpadding="2"> </td>'

    def label(self, label_id: str, top: str, bottom: str) -> None:
        self.lines.append(f'\t{label_id} [id="{label_id}" class="edge-label blank" shape=plaintext margin=0 '
                          f'label=<<table border="0" cellborder="0" cellspacing="0" cellpadding="0">'
                          f'<tr>{top}</tr><tr>{bottom}</tr></table>>]')

    def draw(self) -> None:
        trace, pal = self.trace, self.pal
        value_port = 'port="v" border="1" sides="b" width="48"'
        for info in trace.nodes:
            self.node_line(info.id, _node_label(info, info.id in self.output_ids), *_shape(info), False)
        for j, e in enumerate(trace.edges):
            src = trace.node(e.src)
            value = self.num(trace.forward_value(e.src))
            top = (self.given(value_port, value, pal.value) if src.is_leaf
                   else self.box(value_port, value, pal.value, trace.rank(e.src) + 1))
            k = trace.edge_step(e.src, e.dst, e.index)
            bottom = self.given("", "", pal.grad) if k is None else \
                self.box("", self.num(trace.steps[k].contribution), pal.grad, k + 1)
            self.label(f"e{j}", top, bottom)
            self.link(e.src, f"e{j}", e.dst, False)
        for i, out in enumerate(trace.outputs):
            info = trace.node(out)
            value = self.num(trace.forward_value(out))
            top = self.given(value_port, value, pal.value) if info.is_leaf else \
                self.box(value_port, value, pal.value, trace.rank(out) + 1)
            seed = self.num(trace.seed) if out == trace.backward_from else ""
            self.label(f"o{i}", top, self.given("", seed, pal.grad))
            name = labels.html_text(info.user_label) if info.user_label else ""
            self.lines.append(f'\tout{i} [id="out{i}" class="output" shape=plaintext label=<{name}>]')
            self.link(out, f"o{i}", f"out{i}", False)


def worksheet_tex(trace, diagram_pdf: str, title: str, answers: bool = False) -> str:
    r"""A LaTeX page: the title, the diagram (``\includegraphics{diagram_pdf}``) and the questions."""
    lines = [
        r"\documentclass[a4paper,11pt]{article}",
        r"\usepackage[margin=2cm,landscape]{geometry}",
        r"\usepackage{graphicx,longtable}",
        r"\pagestyle{empty}",
        r"\begin{document}",
        rf"\section*{{{latex_text(title)}{' --- answers' if answers else ''}}}",
        r"Fill in every box: the value above each edge, the gradient below it (to "
        rf"{trace.decimals} decimals). The small number in a box is its step.\par\medskip",
        rf"\noindent\includegraphics[width=\linewidth,height=0.6\textheight,keepaspectratio]{{{diagram_pdf}}}",
        r"\par\medskip",
        r"\begin{longtable}{r l l l}",
        r"\textbf{step} & \textbf{asks} & \textbf{name} & \textbf{answer}\\ \hline",
    ]
    for q in questions(trace):
        answer = latex_text(q.shown) if answers else r"\rule{6em}{0.4pt}"
        lines.append(rf"{q.step} & {latex_text(q.prompt)} & \texttt{{{latex_text(q.key)}}} & {answer}\\[0.6ex]")
    lines += [r"\end{longtable}", r"\end{document}"]
    return "\n".join(lines) + "\n"
