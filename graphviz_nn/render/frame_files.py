"""Frames written to a folder: ``frame-NNN.<fmt>`` files, ``index.json``, and (``html=``) the player page.

Above both ``frames`` (drawing the pinned frames) and ``player`` (the HTML player made from
them): ``write_frames`` with ``html=`` builds the player first and reuses its SVG frames.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .dot import trace_of
from .export import atomic_write
from .frames import FramesError, frame_texts, render_frames
from .player import build_player
from .run_dot import DEFAULT_TIMEOUT

_FRAME_NAME = re.compile(r"^frame-\d+\.(svg|png|pdf)$")  # group 1: the format


@dataclass(frozen=True)
class Frame:
    """One written frame: its step number, file, phase and the step's one-line text."""

    k: int
    file: str
    phase: str
    text: str


def write_frames(output, directory, fmt: str = "svg", *, html=None, title: str = "graphviz-nn",
                 progress=None, timeout=DEFAULT_TIMEOUT, max_player_bytes=None, cli: bool = False,
                 **options) -> list:
    """Write ``frame-000.svg`` ... (one per step, k = 0..N) and ``index.json`` into ``directory``.

    ``html``: also write the self-contained HTML player to this path (the page of
    ``graphviz_nn.player(...).save``; ``max_player_bytes`` refuses a bigger one before any
    file is written). Frames left in the
    folder by an earlier, longer run in the same format are removed (only files named
    ``frame-NNN.<fmt>``).
    Returns the list of ``Frame``.
    """
    trace = trace_of(output)
    directory = Path(directory)
    player = None
    if html is not None:
        # the player first: a refusal (too large) comes before any drawing in another format
        player = build_player(trace, title, max_bytes=max_player_bytes, cli=cli, timeout=timeout,
                              progress=progress, **options)
    if player is not None and fmt == "svg":
        images = [svg.encode("utf-8") for svg in player.svgs]
    else:
        images = render_frames(trace, fmt, timeout=timeout, progress=progress, **options)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FramesError(f"cannot create the folder {str(directory)!r} ({error.strerror}); "
                          f"choose a folder you can write to") from None
    texts = frame_texts(trace)
    width = max(3, len(str(len(images) - 1)))
    frames = []
    for k, data in enumerate(images):
        name = f"frame-{k:0{width}d}.{fmt}"
        atomic_write(directory / name, data)
        frames.append(Frame(k, name, trace.state_at(k).phase, texts[k]))
    keep = {f.file for f in frames}
    for old in directory.iterdir():
        match = _FRAME_NAME.match(old.name)
        if match and match.group(1) == fmt and old.name not in keep:
            old.unlink()
    index = {"frames": [f.__dict__ for f in frames], "steps": len(trace.steps),
             "format": fmt, "title": title}
    atomic_write(directory / "index.json", (json.dumps(index, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    if player is not None:
        player.save(html)
    return frames
