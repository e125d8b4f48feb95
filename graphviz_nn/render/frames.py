"""One picture per debugger step, every node at the same place in every frame.

The graph is laid out once with ``dot`` (the final state, whose labels are the widest);
the positions are read back (``-Tplain``) and every frame is drawn with ``neato -n2`` with
those positions pinned (``pos="x,y!"``) and the same bounding box, so a slide sequence or
an animation never jumps. Frame k shows ``trace.state_at(k)``, k = 0..N: frames = steps + 1.

>>> from graphviz_nn import Value
>>> x = Value(3.0, label="x")
>>> len(frame_texts(x * x))   # 1 forward step of x, 1 of x*x, 2 backward steps, plus the start
5
"""
from __future__ import annotations

import os
import sys
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..debugger.quiz import START_TEXT as QUIZ_START_TEXT
from ..errors import UserError
from ..scenario_build.to_trace import to_trace
from . import fit
from .dot import Pinned, to_dot
from .run_dot import DEFAULT_TIMEOUT, run_dot

FRAME_FORMATS = ("svg", "png", "pdf")
FRAME_NODESEP = 0.8  # inches: room between rows for a two-line annotation (product; local gradient)
PROGRESS_MIN_FRAMES = 20  # fewer frames finish too fast for a progress bar to help
START_TEXT = "start: nothing computed yet; step forward to read the inputs and compute each gate"  # frame 0 shows no number


class FramesError(UserError):
    """Frames cannot be written as asked."""


@dataclass(frozen=True)
class Frame:
    """One written frame: its step number, file, phase and the step's one-line text."""

    k: int
    file: str
    phase: str
    text: str


def frame_texts(output, quiz: bool = False) -> list:
    """The text shown beside each frame: the start, then each step's ``upstream × local`` line
    (step k's line holds only numbers step k has computed; ``quiz`` words the start as a question)."""
    trace = to_trace(output, who="frame_texts").trace
    return [QUIZ_START_TEXT if quiz else START_TEXT] + [step.text for step in trace.steps]


def frame_phases(output) -> list:
    """Each frame's phase: "start", then each step's ("forward", "backward", "update"), "end" last."""
    trace = to_trace(output, who="frame_phases").trace
    return [trace.state_at(k).phase for k in range(len(trace.steps) + 1)]


def pinned_layout(trace, *, timeout=DEFAULT_TIMEOUT, fold: bool = False, **options) -> Pinned:
    """Lay out the final-state diagram once with ``dot``; node positions in points and the bb.

    ``fold``: cut a layout wider than ``fit.MAX_ASPECT`` : 1 into bands (``iter_frames`` asks
    for it when no level was given and a tensor graph was fitted to a page).
    """
    # rows further apart than in a single picture: the current edge's annotation goes between them
    options = {k: v for k, v in options.items() if k != "pinned"}
    layout = fit.read_layout(to_dot(trace, step=None, nodesep=FRAME_NODESEP, **options).source, timeout)
    return fit.fold(layout) if fold else layout


def frame_source(trace, k: int, pinned: Pinned, **options) -> str:
    """The DOT of frame k, with every node pinned (for ``neato -n2``)."""
    return to_dot(trace, step=k, pinned=pinned, **options).source


def render_frames(output, fmt: str = "svg", *, timeout=DEFAULT_TIMEOUT, progress=None, **options) -> list:
    """Every frame as bytes in ``fmt``, k = 0..N (``options`` go to ``to_dot``)."""
    return list(iter_frames(output, fmt, timeout=timeout, progress=progress, **options))


def iter_frames(output, fmt: str = "svg", *, timeout=DEFAULT_TIMEOUT, progress=None, **options):
    """The frames as bytes in ``fmt``, in order, drawn a few ahead: a caller may stop early.

    With no ``level`` (or ``fit=True``) the level and the fold are ``render.fit.fitting``'s: a
    tensor graph at the finest level that fits a page, its title saying so; a graph of Values at
    gate level, as always. The format and the layout are checked at once (not at the first frame).
    """
    if fmt not in FRAME_FORMATS:
        raise FramesError(f"unknown frame format {fmt!r}; choose one of {', '.join(FRAME_FORMATS)}")
    trace = to_trace(output, who="render_frames").trace
    # no level asked for: a tensor graph at the finest level that fits a page, folded (render.fit decides)
    options, folded = fit.fitting(trace, options)
    pinned = pinned_layout(trace, timeout=timeout, fold=folded, **options)
    count = len(trace.steps) + 1

    def draw(k: int) -> bytes:
        return run_dot(frame_source(trace, k, pinned, **options), fmt, engine="neato", args=("-n2",),
                       timeout=timeout)

    def frames():
        # each frame is a separate Graphviz process: run as many at once as there are cores
        workers = max(1, min(4, os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            pending, submitted = deque(), 0
            try:
                for done in range(count):
                    while submitted < count and len(pending) < 2 * workers:
                        pending.append(pool.submit(draw, submitted))
                        submitted += 1
                    data = pending.popleft().result()
                    if progress is not None:
                        progress(done + 1, count)
                    yield data
            finally:
                for future in pending:  # stopped early: frames not yet started are not drawn
                    future.cancel()

    return frames()


def progress_bar(stream=None):
    """A progress callback drawing a bar on ``stream`` (stderr), or None when it is not a terminal."""
    stream = sys.stderr if stream is None else stream
    if not getattr(stream, "isatty", lambda: False)():
        return None

    def show(done: int, total: int) -> None:
        if total < PROGRESS_MIN_FRAMES:
            return
        width = 30
        filled = width * done // total
        stream.write(f"\rframes [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            stream.write("\n")
        stream.flush()

    return show

