"""Animations: a GIF or APNG of the pinned frames, one frame per step, nothing moving."""
import io
import sys

import pytest
from PIL import Image

from graphviz_nn.debugger import build_trace
from graphviz_nn.render.animation import LAST_FRAME_HOLD, animation_format, write_animation
from graphviz_nn.render.frames import FramesError

from render_helpers import build_sigmoid_neuron


def frames_of(path):
    image = Image.open(path)
    frames, durations = [], []
    for k in range(image.n_frames):
        image.seek(k)
        frames.append(image.convert("RGB"))
        durations.append(image.info.get("duration"))
    return image, frames, durations


@pytest.mark.parametrize("name, fmt", [("neuron.gif", "GIF"), ("neuron.png", "PNG")])
def test_animation_has_every_step_at_one_size(tmp_path, name, fmt):
    trace = build_trace(build_sigmoid_neuron())
    count = write_animation(trace, tmp_path / name, delay_ms=500)
    image, frames, durations = frames_of(tmp_path / name)
    assert image.format == fmt and count == len(frames) == len(trace.steps) + 1
    assert len({f.size for f in frames}) == 1  # pinned: one canvas for every step
    assert durations[:-1] == [500] * (count - 1) and durations[-1] == 500 * LAST_FRAME_HOLD
    assert image.info.get("loop") == 0
    # every step changes the picture (a value appears, a gradient flows)
    assert all(a.tobytes() != b.tobytes() for a, b in zip(frames, frames[1:]))
    white = (255, 255, 255)
    assert frames[0].getpixel((2, 2)) == white and frames[-1].getpixel((2, 2)) == white


def test_unknown_animation_suffix_and_missing_pillow(tmp_path, monkeypatch):
    with pytest.raises(FramesError, match=r"use a name ending in \.gif"):
        animation_format(tmp_path / "x.mp4")
    monkeypatch.setitem(sys.modules, "PIL", None)  # as if Pillow were not installed
    with pytest.raises(FramesError, match=r"needs Pillow; install it with pip install 'graphviz-nn\[gif\]'"):
        write_animation(build_sigmoid_neuron(), tmp_path / "x.gif")
    assert not (tmp_path / "x.gif").exists()
