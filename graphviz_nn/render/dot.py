"""The lecture's backprop diagram as DOT: ``to_dot(output, step=...)`` -> ``graphviz.Digraph``.

Left to right, one node per gate labelled with its op, leaves by name. Every edge passes
through a small label whose top row is the forward value (green) and bottom row the
gradient sent back along that edge (red), with the edge drawn between the two rows, as
on the CS231n slide. Unknown numbers are blank, never 0. At a debugger step the current
node (or edge) is drawn thicker and filled, and the edge being processed in the backward
pass carries ``[upstream] × [local] = contribution``.

Building a diagram never runs ``dot`` (see ``render.run_dot``); the same trace and step
always give the same DOT text.

>>> from graphviz_nn import Value
>>> x = Value(2.0, label="x")
>>> print(to_dot(x * x, legend=False).source.splitlines()[0])
digraph {
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import graphviz
import numpy as np

from ..debugger.levels import LEVELS, NO_COARSER, check_level, coarser_offered, collapse, network_of  # noqa: F401 (LEVELS: render.LEVELS)
from ..debugger.quiz import given_state
from ..debugger.network import NetworkTooLargeError, check_network_size
from ..errors import UserError
from ..scenario_build.to_trace import to_trace
from . import labels
from .palette import Palette, palette as get_palette

LABELLED_WEIGHTS = 60  # above this many weights a network's edges carry no labels (they would hide it)
DEFAULT_NODE_LIMIT = 2000  # above this a gate-level layout is slow and unreadable on a slide
FONT = "Helvetica"


class RenderError(UserError):
    """A diagram cannot be drawn as asked (unknown level, step out of range, graph too big)."""


class GraphTooLargeError(RenderError):
    """The gate-level view has more nodes than the limit."""


class Diagram(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose inline Jupyter display runs ``dot`` through ``render.run_dot``
    (same timeout and one-sentence error when Graphviz is missing)."""

    def _repr_image_svg_xml(self) -> str:
        from .run_dot import run_dot
        return run_dot(self.source, "svg").decode("utf-8")

    def _repr_image_png(self) -> bytes:
        from .run_dot import run_dot
        return run_dot(self.source, "png")


@dataclass(frozen=True)
class Pinned:
    """Fixed coordinates (points) for every DOT node, and the bounding box: what ``frames``
    passes so every frame has the same layout (drawn with ``neato -n2``)."""

    positions: dict
    bb: str
    sizes: dict = field(default_factory=dict)  # id -> (width, height) in points
    edges: tuple = ()  # (tail, head) of every drawn line, as the layout had them (what a fold may cut)
    # a line a fold cut between two bands, drawn as two halves meeting a lettered connector at
    # each end: (tail, head) -> (letter, (x, y) of the connector after the tail, (x, y) before the head)
    crossings: dict = field(default_factory=dict)
    bands: tuple = ()  # a folded layout's bands, top to bottom: (left, bottom, right, top) in points


def resolve_step(trace, step=None, phase: Optional[str] = None) -> int:
    """The k of ``trace.state_at(k)`` for ``step`` (None/"end" or a number) within ``phase``.

    Without a phase, ``step`` counts every step (0 = start). With ``phase`` ("forward",
    "backward", "update"), ``step`` counts from the start of that pass and "end" is its end.
    """
    if phase is None:
        first, last = 0, len(trace.steps)
    elif phase in ("forward", "backward", "update"):
        first, last = trace.pass_bounds(phase)
    else:
        raise RenderError(f"unknown phase {phase!r}; choose forward or backward")
    if step is None or step == "end":
        return last
    try:
        n = int(step)
    except (TypeError, ValueError):
        raise RenderError(f"step {step!r} is not a number; give a step number or 'end'") from None
    if not 0 <= n <= last - first:
        where = f"the {phase} pass" if phase else "this trace"
        raise RenderError(f"step {n} is out of range; {where} has steps 0 to {last - first}")
    return first + n


def to_dot(output, step=None, level: str = "gate", show_grads: bool = True, decimals: int = 2,
           palette="lecture", rankdir: str = "LR", *, phase: Optional[str] = None,
           max_nodes: Optional[int] = DEFAULT_NODE_LIMIT, legend: bool = True,
           nodesep: float = 0.12, pinned: Optional[Pinned] = None, sample: int = 0, title: str = "",
           quiz: bool = False) -> Diagram:
    """The diagram of ``output`` (a Value/Tensor, a list of them, a trace or a scenario) at a step.

    step: ``None`` or ``"end"`` for the final state, else the k of ``trace.state_at(k)``
    (counted within ``phase`` when one is given), with the step's node or edge highlighted; level: ``"gate"``, ``"neuron"`` or
    ``"layer"``; show_grads: draw the gradient row; decimals: digits after the point;
    palette: ``"lecture"`` or ``"colorblind"``; rankdir: Graphviz direction (``"LR"``);
    max_nodes: the gate view refuses bigger graphs (``None``: no limit);
    legend: a caption saying which row is which; nodesep: space between rows (inches);
    pinned: fixed positions (``render.frames`` uses it); sample: which sample of the batch the
    neuron level of an MLP shows (its network view draws one sample at a time); title: a line
    above the picture (``render.fit`` says there which level it chose and how to ask for another);
    quiz: the leaves' values (the question's data) are shown from step 0, everything else only
    once its step is reached (``debugger.quiz``).
    """
    check_level(level, RenderError)
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise RenderError(f"unknown direction {rankdir!r}; choose LR, RL, TB or BT")
    if not isinstance(decimals, int) or not 0 <= decimals <= 12:
        raise RenderError(f"decimals must be a whole number from 0 to 12, got {decimals!r}")
    trace = to_trace(output, who="to_dot").trace  # drawing never writes into a node
    if level == "gate" and max_nodes is not None and len(trace.nodes) > max_nodes:
        head = f"the graph has {len(trace.nodes):,} nodes, more than the gate-level limit of {max_nodes:,}"
        up = _coarser(trace, "gate")
        raise GraphTooLargeError(f"{head}; draw it with {up[0]} (or pass max_nodes=None)" if up
                                 else f"{head}; {NO_COARSER}, or pass max_nodes=None").with_cli(
            f"{head}; draw it with {up[1]} (or raise --max-nodes)" if up else f"{head}; {NO_COARSER}, or raise --max-nodes")
    k = resolve_step(trace, step, phase)
    state = trace.state_at(k)
    if quiz:
        state = given_state(state)
    writer = _Writer(trace, state, get_palette(palette), decimals, show_grads,
                     highlight=step not in (None, "end"), pinned=pinned)
    if level == "neuron":  # an MLP's network is counted from its weight shapes before it is built
        try:
            check_network_size(trace, max_nodes)
        except NetworkTooLargeError as error:
            head = str(error).split("; draw it")[0]
            raise GraphTooLargeError(f'{head}; draw it with level="layer"').with_cli(
                f"{head}; draw it with --level layer") from None
    net = network_of(trace, level)
    if net is not None and max_nodes is not None and (len(net.nodes) > max_nodes or len(net.edges) > 4 * max_nodes):
        head = (f"the neuron-level view still has {len(net.nodes):,} nodes and {len(net.edges):,} edges, "
                f"more than the limit of {max_nodes:,} nodes (and {4 * max_nodes:,} edges)")
        raise GraphTooLargeError(f'{head}; draw it with level="layer" (or pass max_nodes=None)').with_cli(
            f"{head}; draw it with --level layer (or raise --max-nodes)")
    if level == "gate":
        writer.gate_view()
    elif net is not None:  # an MLP: the textbook network (inputs, neurons, one edge per weight)
        writer.network_view(net, sample)
    else:
        view = collapse(trace, level)
        if max_nodes is not None and (len(view.nodes) > max_nodes or len(view.edges) > 4 * max_nodes):
            head = (f"the {level}-level view still has {len(view.nodes):,} nodes and {len(view.edges):,} edges, "
                    f"more than the limit of {max_nodes:,} nodes (and {4 * max_nodes:,} edges)")
            coarser = _coarser(trace, level) or ("a smaller model or fewer inputs",) * 2
            raise GraphTooLargeError(f"{head}; draw it with {coarser[0]} (or pass max_nodes=None)").with_cli(
                f"{head}; draw it with {coarser[1]} (or raise --max-nodes)")
        writer.collapsed_view(view)
    if legend:
        writer.legend()
    writer.title = title
    return writer.diagram(rankdir, nodesep)


def _coarser(trace, level: str):
    """``(python, cli)`` advice naming the levels above ``level`` that ``trace`` offers; None if none."""
    up = coarser_offered(trace, level)
    if not up:
        return None
    return " or ".join(f'level="{lv}"' for lv in up), " or ".join(f"--level {lv}" for lv in up)


class _Writer:
    """Builds the DOT body as lines (formatting 20,000 nodes through graphviz's helpers is slow)."""

    def __init__(self, trace, state, pal: Palette, decimals, show_grads, highlight, pinned):
        self.trace, self.state, self.pal = trace, state, pal
        self.decimals, self.show_grads = decimals, show_grads
        self.pinned = pinned
        self.lines: list[str] = []
        step = state.step if highlight else None
        self.current = state.current if step is not None else None
        self.current_edge = state.current_edge if step is not None else None
        self.step = step
        self.caption = ""
        self.title = ""
        self.note = ""  # e.g. which sample a network view shows, before the legend
        self.legend_text = ""  # what the legend says instead of the edge labels' rows
        self.ranksep = "0.15"
        self.output_ids = frozenset(trace.outputs)
        self._numbers: dict = {}
        # the label of an edge that is neither current nor annotated: the hot path of big graphs
        grad_row = '<tr><td cellpadding="2">{}</td></tr>' if show_grads else ""
        self._plain_label = ('\t{id} [id="{id}" class="edge-label" shape=plaintext margin=0 label=<'
                             '<table border="0" cellborder="0" cellspacing="0" cellpadding="0">'
                             '<tr><td port="v" border="1" sides="b" width="48" cellpadding="2">{}</td></tr>'
                             + grad_row + '</table>>{pos}]')

    # ---- pieces of text ----
    def num(self, x) -> str:
        """A number for a label cell (digits, sign, point: nothing to escape); memoised,
        since fan-out repeats the same value on many edges."""
        if x is None:
            return ""
        if type(x) is float:
            text = self._numbers.get(x)
            if text is None:
                text = self._numbers[x] = labels.number(x, self.decimals)
            return text
        if isinstance(x, tuple):
            return _several(x, self.decimals)
        return labels.html_text(labels.number(x, self.decimals))

    def pos(self, node_id: str) -> str:
        if self.pinned is None:
            return ""
        x, y = self.pinned.positions[node_id]
        return f' pos="{x:.2f},{y:.2f}!"'

    def edge_label(self, label_id: str, value, grad, current: bool, annotation: str = "") -> None:
        """The value/gradient label an edge passes through (the edge runs along its middle line)."""
        pal = self.pal
        value_text = self.num(value)
        if not current and not annotation:
            grad_text = self.num(grad) if self.show_grads else ""
            self.lines.append(self._plain_label.format(
                _coloured(value_text, pal.value), _coloured(grad_text, pal.grad),
                id=label_id, pos=self.pos(label_id)))
            return
        cells = []
        if annotation and self.pinned is not None:
            self.pinned_annotation(label_id, annotation)
            annotation = ""  # a pinned label keeps its size, so the annotation sits below it
        notes = annotation.split("\n") if annotation else []
        for _ in notes:
            cells.append("<tr><td> </td></tr>")  # balances the annotation rows so the line stays centred
        # the value cell's bottom border is the drawn edge; edges attach at its corners
        cells.append(f'<tr><td port="v" border="1" sides="b" width="48" cellpadding="2">'
                     f'{_coloured(value_text, pal.value)}</td></tr>')
        if self.show_grads:
            cells.append(f'<tr><td cellpadding="2">{_coloured(self.num(grad), pal.grad)}</td></tr>')
        for note in notes:  # the product, then the local gradient with its numbers
            cells.append(f'<tr><td cellpadding="2"><font color="{pal.annotation}"><b>'
                         f'{labels.html_text(note)}</b></font></td></tr>')
        bg = f' bgcolor="{pal.highlight_fill}"' if current else ""
        table = (f'<table border="0" cellborder="0" cellspacing="0" cellpadding="0"{bg}>'
                 f'{"".join(cells)}</table>')
        self.lines.append(f'\t{label_id} [id="{label_id}" class="{"edge-label current" if current else "edge-label"}" '
                          f'shape=plaintext margin=0 label=<{table}>{self.pos(label_id)}]')

    def pinned_annotation(self, label_id: str, annotation: str) -> None:
        """The annotation as its own fixed-size node under the label, kept inside the pinned
        bounding box (anything outside it would shift the whole frame)."""
        x, y = self.pinned.positions[label_id]
        height = self.pinned.sizes.get(label_id, (0.0, 36.0))[1]
        right, top = (float(v) for v in self.pinned.bb.split(",")[2:4])
        notes = annotation.split("\n")
        width, tall = 8.5 * max(map(len, notes)) + 10, 22.0 * len(notes)  # generous for bold 14 pt Helvetica
        x = min(max(x, width / 2 + 2), right - width / 2 - 2)
        # its top edge just under the label, however many lines it has (two with the local gradient)
        y = min(max(y - height / 2 - 4 - tall / 2, tall / 2 + 2), top - tall / 2 - 2)
        pal = self.pal
        self.lines.append(f'\tannotation [id="annotation" class="annotation" shape=box style=filled penwidth=0 '
                          f'fixedsize=true width={width / 72:.3f} height={tall / 72:.3f} '
                          f'fillcolor="{pal.highlight_fill}" label=<<font color="{pal.annotation}">'
                          f'<b>{labels.html_text(annotation)}</b></font>> pos="{x:.2f},{y:.2f}!"]')

    def link(self, src: str, label_id: str, dst: str, current: bool) -> None:
        """src —— label —> dst, drawn as two edges meeting at the label's middle line."""
        style = f' penwidth=3 color="{self.pal.highlight}"' if current else ""
        self.line(src, "", label_id, ":v:sw", f"dir=none{style}")
        self.line(label_id, ":v:se", dst, "", style.strip())

    def line(self, tail: str, tail_port: str, head: str, head_port: str, attrs: str = "") -> None:
        """One drawn edge; a line a folded layout cut between bands ends at a lettered connector
        on each side (a flowchart's off-page connector) instead of a diagonal across the picture."""
        crossing = self.pinned.crossings.get((tail, head)) if self.pinned is not None else None
        if crossing is None:
            self.lines.append(f"\t{tail}{tail_port} -> {head}{head_port} [{attrs}]" if attrs
                              else f"\t{tail}{tail_port} -> {head}{head_port}")
            return
        letter, (ox, oy), (ix, iy) = crossing
        out_id, in_id = f"to_{letter}_{tail}", f"from_{letter}_{head}"
        for node_id, (x, y) in ((out_id, (ox, oy)), (in_id, (ix, iy))):
            self.lines.append(f'\t{node_id} [id="{node_id}" class="connector" shape=circle fixedsize=true '
                              f'width=0.32 height=0.32 fontsize=11 fillcolor=white color="{self.pal.edge}" '
                              f'label="{letter}" pos="{x:.2f},{y:.2f}!"]')
        arrow = " ".join(a for a in attrs.split(" ") if a and a != "dir=none")  # the line ends at the connector
        self.lines.append(f"\t{tail}{tail_port} -> {out_id} [{arrow}]" if arrow else f"\t{tail}{tail_port} -> {out_id}")
        self.lines.append(f"\t{in_id} -> {head}{head_port} [{attrs}]" if attrs else f"\t{in_id} -> {head}{head_port}")

    def node_line(self, node_id: str, label: str, shape: str, css: str, current: bool) -> None:
        extra = (f' style="filled,bold" penwidth=3 fillcolor="{self.pal.highlight_fill}" '
                 f'color="{self.pal.highlight}"') if current else ""
        self.lines.append(f'\t{node_id} [id="{node_id}" class="{css}{" current" if current else ""}" '
                          f'shape={shape} label=<{label}>{extra}{self.pos(node_id)}]')

    # ---- views ----
    def gate_view(self) -> None:
        trace, state = self.trace, self.state
        for info in trace.nodes:
            self.node_line(info.id, _node_label(info, info.id in self.output_ids), *_shape(info),
                           info.id == self.current)
        # what has flowed back along each edge by step k, read once from the recorded steps
        sent = {(s.input, s.node, s.input_index): s.contribution
                for s in trace.steps[trace.n_forward:state.k] if s.phase == "backward"}
        values: dict = {}
        lines, plain, coloured, num, pal = self.lines, self._plain_label, _coloured, self.num, self.pal
        show_grads, unpinned = self.show_grads, self.pinned is None
        for j, e in enumerate(trace.edges):
            label_id = f"e{j}"
            src, dst = e.src, e.dst
            if src in values:
                value = values[src]
            else:
                value = values[src] = state.value(src)
            grad = sent.get((src, dst, e.index))
            if unpinned and (src, dst, e.index) != self.current_edge:
                # the hot path of big graphs: one plain label and its two half-edges
                lines.append(plain.format(coloured(num(value), pal.value),
                                          coloured(num(grad), pal.grad) if show_grads else "",
                                          id=label_id, pos=""))
                lines.append(f"\t{src} -> {label_id}:v:sw [dir=none]")
                lines.append(f"\t{label_id}:v:se -> {dst}")
                continue
            current = (src, dst, e.index) == self.current_edge
            self.edge_label(label_id, value, grad, current, self.annotation() if current else "")
            self.link(src, label_id, dst, current)
        self.outputs(lambda node_id: node_id)

    def collapsed_view(self, view) -> None:
        trace, state = self.trace, self.state
        current_view = view.view_of(self.current) if self.current is not None else None
        edge = self.current_edge
        # a gradient flowing inside a box: the box carries the step's annotation
        inside = edge is not None and view.view_of(edge[0]) == view.view_of(edge[1])
        ids = {}
        for i, vn in enumerate(view.nodes):
            dot_id = vn.id if vn.kind == "node" else f"g{i}"
            ids[vn.id] = dot_id
            current = vn.id == current_view
            if vn.kind == "node":
                info = trace.node(vn.id)
                self.node_line(dot_id, _node_label(info, info.id in self.output_ids), *_shape(info), current)
            else:
                label = (f"<b>{labels.html_text(vn.label)}</b><br/>"
                         f'<font point-size="10">{len(vn.members)} nodes</font>')
                note = self.annotation() if current and inside else ""
                if note and self.pinned is not None:
                    self.pinned_annotation(dot_id, note)  # pinned boxes keep their size
                elif note:
                    label += f'<br/><font color="{self.pal.annotation}"><b>{labels.html_text(note)}</b></font>'
                extra = (f' penwidth=3 fillcolor="{self.pal.highlight_fill}" color="{self.pal.highlight}"'
                         if current else f' fillcolor="{self.pal.group_fill}"')
                self.lines.append(f'\t{dot_id} [id="{dot_id}" class="group{" current" if current else ""}" '
                                  f'shape=box style="rounded,filled" label=<{label}>{extra}{self.pos(dot_id)}]')
        for j, ve in enumerate(view.edges):
            label_id = f"e{j}"
            current = self.current_edge is not None and any(
                (e.src, e.dst, e.index) == self.current_edge for e in ve.edges)
            self.edge_label(label_id, ve.value(state), ve.grad(state), current,
                            self.annotation() if current else "")
            self.link(ids[ve.src], label_id, ids[ve.dst], current)
        self.outputs(lambda node_id: ids[view.view_of(node_id)])

    def network_view(self, net, sample: int = 0) -> None:
        """An MLP as the textbook picture for one sample: each input feature once, each neuron
        once, one edge per weight labelled with the weight and its gradient; the loss last."""
        state = self.state
        sample = max(0, min(sample, net.samples - 1))
        current = net.node_of(self.current) if self.current is not None else None
        ids = {n.id: f"net{i}" for i, n in enumerate(net.nodes)}
        for n in net.nodes:
            value = net.value(n.id, state, sample)
            rows = [f"<b>{labels.html_text(n.label)}</b>", _coloured(self.num(value), self.pal.value)]
            if n.kind != "input" and self.show_grads:
                rows.append(_coloured(self.num(net.grad(n.id, state, sample)), self.pal.grad))
            shape = {"input": "plaintext", "neuron": "circle", "loss": "box"}[n.kind]
            self.node_line(ids[n.id], "<br/>".join(rows), shape, n.kind, n.id == current)
        stepped = net.stepped_weight(state) if self.step is not None else None
        # a big network draws each weight as a plain arrow (its own path); the stepped one is named in the caption
        big = sum(1 for e in net.edges if e.weight is not None) > LABELLED_WEIGHTS
        if big:
            self.legend_text = "one arrow per weight (the stepped one drawn bold); in each neuron: value, gradient"
            self.ranksep = "2.5"  # wide gaps between layers: straight arrows (frames) stay clear of the circles
        annotated = False
        for j, e in enumerate(net.edges):
            label_id = f"e{j}"
            value, grad = net.weight(e, state)
            if e.weight is None:  # an output into the loss: no weight, just the arrow
                self.line(ids[e.src], "", ids[e.dst], "")
                continue
            current_edge = stepped is not None and e.weight == stepped
            if big:
                self.line(ids[e.src], "", ids[e.dst], "", f'penwidth=3 color="{self.pal.highlight}"' if current_edge else "")
                continue
            note = self.annotation() if current_edge and not annotated else ""
            annotated = annotated or bool(note)
            self.edge_label(label_id, value, grad, current_edge, note)
            self.link(ids[e.src], label_id, ids[e.dst], current_edge)
        stepped_note = ""
        if stepped is not None:
            info = self.trace.node(stepped)
            value, grad = _norm_or_number(state.value(stepped)), _norm_or_number(state.grad(stepped))
            text = f"{info.label}: {self.num(value) if isinstance(value, float) else value}"
            if grad is not None:
                text += f", gradient {self.num(grad) if isinstance(grad, float) else grad}"
            stepped_note = labels.html_text(text) + "; "
        self.note = (f"sample {sample + 1} of {net.samples}; " if net.samples > 1 else "") + stepped_note

    def outputs(self, dot_id_of) -> None:
        """An arrow out of each output, carrying its value and gradient (the slide's 0.73 / 1.00)."""
        for i, out in enumerate(self.trace.outputs):
            info = self.trace.node(out)
            label_id, sink = f"o{i}", f"out{i}"
            self.edge_label(label_id, self.state.value(out), self.state.grad(out), False)
            name = labels.html_text(info.user_label) if info.user_label else ""
            self.lines.append(f'\t{sink} [id="{sink}" class="output" shape=plaintext label=<{name}>'
                              f'{self.pos(sink)}]')
            self.link(dot_id_of(out), label_id, sink, False)

    def annotation(self) -> str:
        step = self.step
        if step is None or step.phase != "backward":
            return ""
        if step.input_index is None:
            return ""  # the seed: no edge carries it
        local = self.trace.local_text(step, self.decimals)
        if step.local is None:  # a tensor gate: the VJP has no single local number
            return (f"upstream {labels.number(step.upstream, self.decimals)} → "
                    f"{labels.number(step.contribution, self.decimals)}\n{local}")
        product = labels.contribution_text(step.upstream, step.local, step.contribution, self.decimals)
        return f"{product}\nlocal: {local}" if local else product

    def legend(self) -> None:
        text = self.note + (self.legend_text or "above each edge: value" + ("; below: gradient" if self.show_grads else ""))
        self.caption = f'<<font point-size="10">{text}</font>>'

    def diagram(self, rankdir: str, nodesep: float) -> Diagram:
        # ordering=in keeps each gate's inputs in order (w1 above x1, as on the slide)
        graph_attr = {"rankdir": rankdir, "ranksep": self.ranksep, "nodesep": f"{nodesep:g}", "bgcolor": "white",
                      "fontname": FONT, "labelloc": "b", "ordering": "in"}
        if self.title:  # the title on top, the legend (if any) under it
            legend = self.caption[1:-1] + "<br/>" if self.caption else ""
            graph_attr.update(labelloc="t", label=f'<<b>{labels.html_text(self.title)}</b><br/>{legend}>')
        elif self.caption:
            graph_attr["label"] = self.caption
        if self.pinned is not None:
            # nop2: the positions are final, so plain ``dot`` (and graphviz's .render) draws them as they are
            graph_attr.update(bb=self.pinned.bb, splines="line", layout="nop2")
            # neato -n2 sizes the picture to what it draws: invisible corners fix the frame
            right, top = (float(v) for v in self.pinned.bb.split(",")[2:4])
            for name, (x, y) in (("corner0", (0.0, 0.0)), ("corner1", (right, top))):
                self.lines.append(f'\t{name} [shape=point style=invis width=0.01 label="" pos="{x:.2f},{y:.2f}!"]')  # 2.43 spline router crashes with -n2
        return Diagram(graph_attr=graph_attr,
                       node_attr={"fontname": FONT, "fontsize": "14", "color": self.pal.node_border,
                                  "style": "filled", "fillcolor": self.pal.node_fill},
                       edge_attr={"color": self.pal.edge, "arrowsize": "0.7"},
                       body=[line + "\n" for line in self.lines])


def _norm_or_number(x):
    """A weight's number for the caption: a float, or a matrix's norm written ‖·‖ = 3.09."""
    if x is None:
        return None
    arr = np.asarray(x, dtype=float)
    if arr.size == 1:
        return float(arr.reshape(-1)[0])
    return f"‖·‖ = {labels.number(float(np.linalg.norm(arr)), 2)}"


def _coloured(text: str, colour: str) -> str:
    # dot rejects an empty <font></font>; a blank cell keeps its place instead
    return f'<font color="{colour}">{text}</font>' if text else " "


def _shape(info) -> tuple:
    if info.is_leaf:
        return "plaintext", "leaf"
    return ("circle" if len(info.symbol) <= 3 else "ellipse"), "gate"


def _node_label(info, is_output: bool) -> str:
    """A leaf's name, or a gate's op symbol (with the user's name under it, unless the output
    arrow already carries it)."""
    if info.is_leaf:
        text = labels.html_text(info.user_label or info.id)
    else:
        text = labels.html_text(info.symbol)
        if info.user_label and not is_output:
            text += f'<br/><font point-size="10">{labels.html_text(info.user_label)}</font>'
    if info.is_tensor and info.shape:  # a scalar tensor's () says nothing
        text += f'<br/><font point-size="10">{labels.html_text(labels.shape_text(info.shape))}</font>'
    return text


def _several(values: tuple, decimals: int) -> str:
    """Values of several nodes entering a box: listed when few, summarised when many."""
    if len(values) <= 3 and not any(isinstance(v, np.ndarray) for v in values):
        return labels.html_text(", ".join(labels.number(v, decimals) for v in values))
    if all(not isinstance(v, np.ndarray) for v in values):
        arr = np.asarray(values, dtype=float)
        return labels.html_text(f"{len(values)} values, mean {labels.number(float(arr.mean()), decimals)}")
    return labels.html_text(f"{len(values)} tensors")
