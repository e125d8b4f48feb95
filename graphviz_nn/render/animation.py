"""An animated GIF or APNG of the pinned frames, for slide tools that take animations.

Graphviz draws each frame as PNG (every node pinned, so nothing jumps); Pillow, an optional
dependency (``pip install 'graphviz-nn[gif]'``), puts them into one file: ``.gif`` (256
colours, one palette for every frame so colours do not flicker) or ``.png``/``.apng``
(animated PNG, full colour).
"""
from __future__ import annotations

import io
from pathlib import Path

from .export import atomic_write
from .frames import FramesError, render_frames
from .run_dot import DEFAULT_TIMEOUT

ANIMATION_SUFFIXES = {".gif": "GIF", ".png": "PNG", ".apng": "PNG"}
DEFAULT_DELAY_MS = 1200
LAST_FRAME_HOLD = 3  # the finished picture stays this many times longer before the loop restarts
# APNG stores a frame's time as a 16-bit count of milliseconds: the held last frame must fit (3 × 20 s < 65.5 s).
MAX_DELAY_MS = 20_000


def check_delay(delay_ms) -> int:
    """``delay_ms`` if it is a whole number of milliseconds from 1 to MAX_DELAY_MS; else one sentence."""
    if isinstance(delay_ms, bool) or not isinstance(delay_ms, int) or not 0 < delay_ms <= MAX_DELAY_MS:
        raise FramesError(f"the delay must be a whole number of milliseconds from 1 to {MAX_DELAY_MS:,} "
                          f"(20 s per step), got {delay_ms!r:.40}").with_cli(
            f"--delay must be a whole number of milliseconds from 1 to {MAX_DELAY_MS} (20 s per step), "
            f"got {delay_ms!r:.40}")
    return delay_ms


def animation_format(path) -> str:
    """Pillow's format name for an animation file, from its suffix; one clear sentence otherwise."""
    suffix = Path(str(path)).suffix.lower()
    if suffix not in ANIMATION_SUFFIXES:
        raise FramesError(f"cannot tell the animation format of {str(path)!r}; use a name ending in .gif "
                          f"(GIF) or .png/.apng (animated PNG)")
    return ANIMATION_SUFFIXES[suffix]


def require_pillow():
    """Pillow's Image module, or one sentence saying how to install it."""
    try:
        from PIL import Image
    except ImportError:
        raise FramesError("writing an animation needs Pillow; install it with "
                          "pip install 'graphviz-nn[gif]' (or pip install pillow)") from None
    return Image


def animation_bytes(pngs: list, fmt: str = "GIF", delay_ms: int = DEFAULT_DELAY_MS) -> bytes:
    """PNG frames (bytes, all the same size) as one looping animation in ``fmt`` ("GIF" or "PNG")."""
    Image = require_pillow()
    if not pngs:
        raise ValueError("an animation needs at least one frame")
    check_delay(delay_ms)
    images = [Image.open(io.BytesIO(data)).convert("RGB") for data in pngs]
    durations = [delay_ms] * len(images)
    durations[-1] = delay_ms * LAST_FRAME_HOLD
    out = io.BytesIO()
    images[0].save(out, format=fmt, save_all=True, append_images=images[1:], duration=durations, loop=0)
    return out.getvalue()


def write_animation(output, path, *, delay_ms: int = DEFAULT_DELAY_MS, progress=None,
                    timeout=DEFAULT_TIMEOUT, **options) -> int:
    """Write the frames of ``output`` as one animation to ``path`` (atomically); returns the frame count."""
    fmt = animation_format(path)
    check_delay(delay_ms)
    require_pillow()
    pngs = render_frames(output, "png", timeout=timeout, progress=progress, **options)
    atomic_write(path, animation_bytes(pngs, fmt, delay_ms))
    return len(pngs)
