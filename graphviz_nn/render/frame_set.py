"""A folder of frames written as one set: ``frame-000.svg`` ... and ``index.json``, with the
HTML player beside them when asked (``graphviz-nn frames -o DIR --html FILE``).

The pictures come from ``frames`` (pinned layout, one drawing per step) or, for SVG with a
player, from the player itself; the set is staged and swapped in by ``staged_folder``.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ..scenario_build.to_trace import to_trace
from .frames import Frame, frame_texts, iter_frames
from .staged_folder import StagedFolder
from .player import build_player
from .run_dot import DEFAULT_TIMEOUT


def write_frames(output, directory, fmt: str = "svg", *, html=None, title: str = "graphviz-nn",
                 progress=None, timeout=DEFAULT_TIMEOUT, max_player_bytes=None, cli: bool = False,
                 exercise=None, **options) -> list:
    """Write ``frame-000.svg`` ... (one per step, k = 0..N) and ``index.json`` into ``directory``.

    The whole set is written into a temporary folder beside ``directory`` and then swapped in,
    so an interrupted or failed run leaves the previous set as it was. Frames stream to disk
    (a few in memory at a time). Files an earlier run listed in its ``index.json`` and that
    this run does not write are removed when they still hold the bytes that run wrote (its
``index.json`` records their SHA-256); nothing else in the folder is ever touched.
    ``html``: also write the self-contained HTML player to this path (the page of
    ``graphviz_nn.player(...).save``; ``max_player_bytes`` refuses a bigger one before any
    file is written); ``exercise``: the kinds of numbers the player asks (see ``build_player``).
    Returns the list of ``Frame``.
    """
    trace = to_trace(output, who="write_frames").trace
    player = None
    if html is not None:
        # the player first: a refusal (too large) comes before any drawing in another format
        player = build_player(trace, title, max_bytes=max_player_bytes, cli=cli, timeout=timeout,
                              progress=progress, exercise=exercise, **options)
    if player is not None and fmt == "svg":
        images = (svg.encode("utf-8") for svg in player.svgs)  # the player's SVGs are the frames
    else:
        images = iter_frames(trace, fmt, timeout=timeout, progress=progress, **options)
    texts = frame_texts(trace, quiz=options.get("quiz", False))
    width = max(3, len(str(len(trace.steps))))
    frames = []
    with StagedFolder(Path(directory)) as staged:
        for k, data in enumerate(images):
            name = f"frame-{k:0{width}d}.{fmt}"
            staged.write(name, data)
            frames.append(Frame(k, name, trace.state_at(k).phase, texts[k]))
        # a player inside the frames folder belongs to the set (written and swapped in with it)
        inside = html is not None and _same_folder(Path(html).parent, Path(directory))
        index = {"frames": [f.__dict__ for f in frames], "steps": len(trace.steps),
                 "format": fmt, "title": title}
        if inside:
            index["extra"] = [Path(html).name]
            staged.write(Path(html).name, player.page().encode("utf-8"))
        # what this run wrote, by content: a later run removes a file only if it still holds these bytes
        index["sha256"] = dict(staged.digests)
        staged.write("index.json", (json.dumps(index, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
        if player is not None and not inside:
            staged.commit()  # the frames first, then the player that shows them
            player.save(html)
    return frames


def _same_folder(a: Path, b: Path) -> bool:
    return os.path.abspath(a if str(a) else ".") == os.path.abspath(b)
