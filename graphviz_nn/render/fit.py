"""Pictures that fit a page: the level a large tensor graph is drawn at by default, and a layout
folded into rows so no picture is a strip wider than ``MAX_ASPECT`` : 1.

A recorded model (a GPT, a CNN) is a long chain: at gate level Graphviz lays it out as one row
of a hundred gates, tens of thousands of points wide. When no level is asked for, a tensor graph
is drawn at the finest level whose view has at most ``READABLE_NODES`` boxes and gates, and a
layout wider than ``MAX_ASPECT`` times its height is cut into bands laid one under the other
(like lines of text), each node keeping its place within its band. The picture's title says
which level was drawn and how to ask for another. Scalar graphs (micrograd's lessons) keep the
exact picture they always had: gate level, one row.
"""
from __future__ import annotations

import math
from typing import Optional

from ..debugger.levels import READABLE_NODES, levels_of, page_level

MAX_ASPECT = 4.0  # width : height of a slide-friendly picture (a 16:9 slide holds up to about 4:1)
BAND_GAP = 36.0  # points between two folded bands
MARGIN = 24.0  # points around a pinned layout (room for the current edge's annotation in frames)


def is_tensor_graph(trace) -> bool:
    return any(info.is_tensor for info in trace.nodes)


def default_level(trace) -> str:
    """The level a picture of ``trace`` is drawn at when none is asked for.

    Scalar graphs: ``"gate"`` (the lecture's picture). Tensor graphs: ``levels.page_level``, the
    finest level offered whose view has at most ``READABLE_NODES`` nodes (the app opens there too).
    """
    return page_level(trace) if is_tensor_graph(trace) else "gate"


def level_note(trace, level: str, cli: bool = False) -> str:
    """The title line of a picture whose level was chosen for the reader: which, and how to change it."""
    others = [lv for lv in levels_of(trace) if lv != level]
    ask = " or ".join(f"--level {lv}" if cli else f'level="{lv}"' for lv in others)
    head = f"drawn at {level} level to fit the page ({len(trace.nodes):,} nodes at gate level)"
    return f"{head}; for another pass {ask}" if ask else head


def fold(pinned):
    """A left-to-right layout (``dot.Pinned``) cut into bands stacked top to bottom, so that
    width : height ≤ MAX_ASPECT; the same layout when it already fits.

    Each band keeps its nodes' places; a cut falls between two node columns (a rank of a
    left-to-right layout shares one x), so a rank is never split. Graphviz's y grows upwards:
    band 0 goes on top.
    """
    from .dot import Pinned

    width, height = (float(v) for v in pinned.bb.split(",")[2:4])
    margin = MARGIN
    inner_w, inner_h = width - 2 * margin, height - 2 * margin
    bands = 1
    while bands < 64 and inner_w / bands + 2 * margin > MAX_ASPECT * (
            bands * inner_h + (bands - 1) * BAND_GAP + 2 * margin):
        bands += 1
    if bands == 1 or not pinned.positions:
        return pinned
    sizes = pinned.sizes
    xs = sorted({x for x, _ in pinned.positions.values()})
    gaps = [(a + b) / 2 for a, b in zip(xs, xs[1:])]
    cuts = sorted({min(gaps, key=lambda g: abs(g - (margin + inner_w * i / bands))) for i in range(1, bands)})
    band_of = {node: sum(x > c for c in cuts) for node, (x, _) in pinned.positions.items()}
    bands = len(cuts) + 1
    left = [math.inf] * bands
    right = [-math.inf] * bands
    for node, (x, _) in pinned.positions.items():
        half = sizes.get(node, (0.0, 0.0))[0] / 2
        i = band_of[node]
        left[i], right[i] = min(left[i], x - half), max(right[i], x + half)
    new_w = max(r - lft for lft, r in zip(left, right) if r > -math.inf) + 2 * margin
    new_h = bands * inner_h + (bands - 1) * BAND_GAP + 2 * margin
    moved = {node: (x - left[band_of[node]] + margin, y + (bands - 1 - band_of[node]) * (inner_h + BAND_GAP))
             for node, (x, y) in pinned.positions.items()}
    return Pinned(moved, f"0,0,{new_w:.2f},{new_h:.2f}", sizes)


def read_layout(source: str, timeout) -> "Pinned":
    """Lay out DOT ``source`` once with ``dot``: every node's position and size (points) and the bb."""
    from .dot import Pinned, RenderError
    from .run_dot import run_dot

    plain = run_dot(source, "plain", timeout=timeout).decode("utf-8", "replace")
    positions, sizes, bb = {}, {}, None
    for line in plain.splitlines():
        parts = line.split(" ", 4)
        if parts[0] == "graph":
            scale, width, height = (float(p) for p in parts[1:4])
            # a margin around the layout leaves room for the annotation of the current edge
            bb = f"0,0,{width * 72 * scale + 2 * MARGIN:.2f},{height * 72 * scale + 2 * MARGIN:.2f}"
        elif parts[0] == "node":
            name, x, y, rest = parts[1], parts[2], parts[3], parts[4].split(" ", 2)
            positions[name] = (float(x) * 72 + MARGIN, float(y) * 72 + MARGIN)
            sizes[name] = (float(rest[0]) * 72, float(rest[1]) * 72)
    if bb is None:
        raise RenderError("Graphviz returned no layout; please report this with the DOT file (--format dot)")
    return Pinned(positions, bb, sizes)


def aspect(pinned) -> float:
    width, height = (float(v) for v in pinned.bb.split(",")[2:4])
    return width / height


def fitted_options(output, options: dict, timeout=None) -> tuple:
    """(trace, to_dot options) for a picture drawn with no level asked for, or with ``fit=True``.

    A tensor graph gets ``default_level`` (when no level was asked for, with a title saying so)
    and its layout folded to at most MAX_ASPECT : 1 (``pinned``); a scalar graph is drawn at
    gate level exactly as before. Options the caller gave (a level, a pinned layout) are kept;
    ``fit=False`` draws a level left to right in one row, as asked.
    """
    from ..scenario_build.to_trace import to_trace
    from .run_dot import DEFAULT_TIMEOUT

    trace = to_trace(output, who="render").trace
    options = dict(options)
    asked = options.get("level")
    fit = options.pop("fit", None)
    cli = options.pop("cli_wording", False)  # the title names --level, not level=
    if fit is None:
        fit = asked is None
    if not fit or not is_tensor_graph(trace):
        options["level"] = asked or "gate"
        return trace, options
    if asked is None:
        options["level"] = default_level(trace)
        options.setdefault("title", level_note(trace, options["level"], cli))
    if options.get("pinned") is None:
        from .dot import to_dot
        from .run_dot import GraphvizNotFoundError
        layout_options = {k: v for k, v in options.items() if k not in ("step", "phase", "pinned")}
        try:
            layout = read_layout(to_dot(trace, step=None, **layout_options).source,
                                 DEFAULT_TIMEOUT if timeout is None else timeout)
        except GraphvizNotFoundError:
            return trace, options  # a DOT file can still be written: unfolded, at the chosen level
        folded = fold(layout)
        if folded is not layout:
            options["pinned"] = folded
    return trace, options



__all__ = ["MAX_ASPECT", "READABLE_NODES", "default_level", "level_note", "fold", "read_layout", "fitted_options",
           "is_tensor_graph", "aspect"]
