"""Pictures that fit a page: the level a large tensor graph is drawn at by default, and a layout
folded into rows so no picture is a strip wider than ``MAX_ASPECT`` : 1.

A recorded model (a GPT, a CNN) is a long chain: at gate level Graphviz lays it out as one row
of a hundred gates, tens of thousands of points wide. When no level is asked for, a tensor graph
is drawn at the finest level whose view has at most ``READABLE_NODES`` boxes and gates, and a
layout wider than ``MAX_ASPECT`` times its height is cut into bands laid one under the other
(like lines of text), each node keeping its place within its band, and a line cut between two
bands ending at a lettered connector on either side. The picture's title says which level was
drawn and how to ask for another. Scalar graphs (micrograd's lessons) keep the exact picture
they always had: gate level, one row. ``fitting`` makes that decision for every entry point
(``draw_dot``, ``export``/``render``, frames, the player); the app opens a graph at the same
level (``levels.opening_level``).
"""
from __future__ import annotations

import bisect
import math

from ..debugger.levels import READABLE_NODES, levels_of, page_level

MAX_ASPECT = 4.0  # width : height of a slide-friendly picture (a 16:9 slide holds up to about 4:1)
BAND_GAP = 48.0  # points between two folded bands (room for a frame's two-line annotation)
MARGIN = 24.0  # points around a pinned layout (room for the current edge's annotation in frames)
GUTTER = 34.0  # points beside each band for the connectors of the lines cut between bands
CONNECTOR_SPACING = 26.0  # points between two connectors beside one band (a connector is 23 across)
MAX_BANDS = 64


def is_tensor_graph(trace) -> bool:
    return trace.has_tensor  # recorded at build: no node info is made to ask


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
    left-to-right layout shares one x), so a rank is never split, and near each even cut it takes
    the gap that the fewest lines cross. A line that still crosses a cut is drawn as two halves,
    each ending at a connector with the same letter in a gutter beside its band (``crossings``),
    never as a diagonal across the picture. The fewest bands that bring the picture within
    MAX_ASPECT are used. Graphviz's y grows upwards: band 0 goes on top.
    """
    if aspect(pinned) <= MAX_ASPECT or not pinned.positions:
        return pinned
    xs = sorted({x for x, _ in pinned.positions.values()})
    gaps = [(a + b) / 2 for a, b in zip(xs, xs[1:])]
    if not gaps:
        return pinned
    crossed = _lines_across(pinned, gaps)
    folded = pinned
    for bands in range(2, MAX_BANDS + 1):
        folded = _arrange(pinned, _cuts(pinned, gaps, crossed, bands))
        if aspect(folded) <= MAX_ASPECT:
            break
    return folded


def _lines_across(pinned, gaps: list) -> dict:
    """How many lines cross each gap between two columns (gaps sorted; one pass over the lines)."""
    change = [0] * (len(gaps) + 1)
    where = pinned.positions
    for tail, head in pinned.edges:
        if tail in where and head in where:
            lo, hi = sorted((where[tail][0], where[head][0]))
            # the gaps strictly between the two ends' columns
            change[bisect.bisect_right(gaps, lo)] += 1
            change[bisect.bisect_left(gaps, hi)] -= 1
    counts, running = {}, 0
    for gap, step in zip(gaps, change):
        running += step
        counts[gap] = running
    return counts


def _cuts(pinned, gaps: list, crossed: dict, bands: int) -> list:
    """Where to cut for ``bands`` bands of about equal width: near each even cut, the gap
    crossed by the fewest lines (then the nearest)."""
    width = float(pinned.bb.split(",")[2]) - 2 * MARGIN
    slack = width / bands / 5  # how far a cut may move to cross fewer lines: a fifth of a band
    cuts = set()
    for i in range(1, bands):
        target = MARGIN + width * i / bands
        near = [g for g in gaps if abs(g - target) <= slack] or [min(gaps, key=lambda g: abs(g - target))]
        cuts.add(min(near, key=lambda g: (crossed[g], abs(g - target))))
    return sorted(cuts)


def _arrange(pinned, cuts: list):
    """The layout's bands (cut at ``cuts``) stacked top to bottom, with the connectors of each
    line that crosses from one band to another."""
    from .dot import Pinned

    bands = len(cuts) + 1
    band_of = {node: sum(x > c for c in cuts) for node, (x, _) in pinned.positions.items()}
    left, right = [math.inf] * bands, [-math.inf] * bands
    low, high = [math.inf] * bands, [-math.inf] * bands
    for node, (x, y) in pinned.positions.items():
        w, h = pinned.sizes.get(node, (0.0, 0.0))
        i = band_of[node]
        left[i], right[i] = min(left[i], x - w / 2), max(right[i], x + w / 2)
        low[i], high[i] = min(low[i], y - h / 2), max(high[i], y + h / 2)
    used = [i for i in range(bands) if right[i] > -math.inf]
    cut_lines = [(t, h) for t, h in pinned.edges
                 if t in band_of and h in band_of and band_of[t] != band_of[h]]
    gutter = GUTTER if cut_lines else 0.0
    sides: dict = {}  # (band, "out" or "in") -> the lines whose connector stands there
    for n, (tail, head) in enumerate(cut_lines):
        sides.setdefault((band_of[tail], "out"), []).append((n, tail))
        sides.setdefault((band_of[head], "in"), []).append((n, head))
    for (i, _), ends in sides.items():  # a band at least as tall as the connectors beside it
        low[i] = min(low[i], high[i] - len(ends) * CONNECTOR_SPACING)
    # each band as tall as its own nodes, stacked with BAND_GAP between them (band 0 on top)
    new_h = sum(high[i] - low[i] for i in used) + (len(used) - 1) * BAND_GAP + 2 * MARGIN
    top, shift = new_h - MARGIN, {}
    for i in used:
        shift[i] = top - high[i]
        top -= high[i] - low[i] + BAND_GAP
    moved = {node: (x - left[band_of[node]] + MARGIN + gutter, y + shift[band_of[node]])
             for node, (x, y) in pinned.positions.items()}
    band_w = max(right[i] - left[i] for i in used)
    new_w = band_w + 2 * MARGIN + 2 * gutter
    ends_at: dict = {}  # (line number, side) -> the connector's (x, y)
    for (i, side), ends in sides.items():
        x = right[i] - left[i] + MARGIN + gutter * 1.5 if side == "out" else MARGIN + gutter / 2
        ys = _stack([moved[node][1] for _, node in ends], low[i] + shift[i], high[i] + shift[i])
        for (n, _), y in zip(ends, ys):
            ends_at[(n, side)] = (x, y)
    crossings = {(tail, head): (_letter(n), ends_at[(n, "out")], ends_at[(n, "in")])
                 for n, (tail, head) in enumerate(cut_lines)}
    boxes = tuple((0.0, low[i] + shift[i], new_w, high[i] + shift[i]) for i in used)
    return Pinned(moved, f"0,0,{new_w:.2f},{new_h:.2f}", pinned.sizes, pinned.edges, crossings, boxes)


def _stack(wanted: list, low: float, high: float) -> list:
    """Heights for connectors beside one band: each as near its line's height as it can be,
    CONNECTOR_SPACING apart, all within ``low``..``high`` (which holds them all)."""
    half = CONNECTOR_SPACING / 2
    order = sorted(range(len(wanted)), key=lambda j: -wanted[j])  # top first
    ys = []
    for j in order:  # down from the top, each below the one before
        ys.append(min(wanted[j], high - half, ys[-1] - CONNECTOR_SPACING if ys else math.inf))
    for k in range(len(ys) - 1, -1, -1):  # then up from the bottom, where the stack ran out of room
        ys[k] = max(ys[k], low + half if k == len(ys) - 1 else ys[k + 1] + CONNECTOR_SPACING)
    placed = [0.0] * len(wanted)
    for j, y in zip(order, ys):
        placed[j] = y
    return placed


def _letter(n: int) -> str:
    """A, B, ..., Z, A2, B2, ...: the connectors' names, short enough for a small circle."""
    return chr(ord("A") + n % 26) + (str(n // 26 + 1) if n >= 26 else "")


def read_layout(source: str, timeout) -> "Pinned":
    """Lay out DOT ``source`` once with ``dot``: every node's position and size (points) and the bb."""
    from .dot import Pinned, RenderError
    from .run_dot import run_dot

    plain = run_dot(source, "plain", timeout=timeout).decode("utf-8", "replace")
    positions, sizes, edges, bb = {}, {}, [], None
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
        elif parts[0] == "edge":
            edges.append((parts[1], parts[2]))
    if bb is None:
        raise RenderError("Graphviz returned no layout; please report this with the DOT file (--format dot)")
    return Pinned(positions, bb, sizes, tuple(edges))


def aspect(pinned) -> float:
    width, height = (float(v) for v in pinned.bb.split(",")[2:4])
    return width / height


def fitting(trace, options: dict, cli: bool = False) -> tuple:
    """The one decision every picture, frame and player makes: (``to_dot`` options, fold?).

    With no level asked for (or ``fit=True``), a tensor graph gets ``default_level`` (when no
    level was asked for, with a title saying which level and how to ask for another) and its
    layout is to be folded to at most MAX_ASPECT : 1; a scalar graph is drawn at gate level
    exactly as before, never folded. ``fit=False`` draws a level left to right in one row, as
    asked. The options it returns hold the level and an explicit ``fit``, so deciding again on
    them changes nothing (``build_player`` decides, then ``iter_frames`` reads the same answer).
    """
    options = dict(options)
    asked = options.get("level")
    fit = options.pop("fit", None)
    cli = options.pop("cli_wording", cli)  # the title names --level, not level=
    if fit is None:
        fit = asked is None
    if not fit or not is_tensor_graph(trace):
        options["level"] = asked or "gate"
        return options, False
    if asked is None:
        options["level"] = default_level(trace)
        options.setdefault("title", level_note(trace, options["level"], cli))
    return options, True


def fitted_options(output, options: dict, timeout=None) -> tuple:
    """(trace, to_dot options) for one picture drawn with no level asked for, or with ``fit=True``:
    ``fitting``'s level and title, and when it folds, the folded layout as ``pinned`` (a
    ``pinned`` the caller gave is kept)."""
    from ..scenario_build.to_trace import to_trace
    from .run_dot import DEFAULT_TIMEOUT

    trace = to_trace(output, who="render").trace
    options, fold_it = fitting(trace, options)
    if fold_it and options.get("pinned") is None:
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


__all__ = ["MAX_ASPECT", "READABLE_NODES", "default_level", "level_note", "fold", "read_layout", "fitted_options", "fitting",
           "is_tensor_graph", "aspect"]
