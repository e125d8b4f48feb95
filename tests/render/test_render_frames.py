"""Frames: one per debugger step plus the start, every node at the same place in every frame."""
import io
import json

import pytest

from graphviz_nn import Value
from graphviz_nn.debugger import build_trace
from graphviz_nn.nn import MLP
from graphviz_nn.render.frame_set import write_frames
from graphviz_nn.render.frames import FramesError, progress_bar, render_frames

from render_helpers import SVG, svg_root, svg_texts


def node_positions(svg: bytes) -> dict:
    """Each graph node's drawn position: a gate's circle centre, a leaf's text anchor."""
    root = svg_root(svg)
    positions = {"graph transform": root.find(f"{SVG}g").get("transform"),
                 "viewBox": root.get("viewBox")}
    for g in root.iter(f"{SVG}g"):
        if g.get("class", "").startswith("node") and g.get("id", "").startswith("n"):
            shape = g.find(f"{SVG}ellipse")
            if shape is not None:
                positions[g.get("id")] = (shape.get("cx"), shape.get("cy"))
            else:
                text = g.find(f"{SVG}text")
                positions[g.get("id")] = (text.get("x"), text.get("y"))
    return positions


@pytest.fixture(scope="module")
def neuron_frames(tmp_path_factory):
    from render_helpers import build_sigmoid_neuron
    trace = build_trace(build_sigmoid_neuron())
    directory = tmp_path_factory.mktemp("frames")
    frames = write_frames(trace, directory, "svg", html=directory / "player.html", title="CS231n <neuron>")
    return trace, directory, frames


def test_one_frame_per_step_plus_the_start(neuron_frames):
    trace, directory, frames = neuron_frames
    assert len(trace.steps) == 26  # with the seed step
    assert len(frames) == len(trace.steps) + 1
    files = sorted(p.name for p in directory.glob("frame-*.svg"))
    assert files == [f"frame-{k:03d}.svg" for k in range(27)]


def test_every_node_is_at_the_same_place_in_every_frame(neuron_frames):
    trace, directory, frames = neuron_frames
    layouts = [node_positions((directory / f.file).read_bytes()) for f in frames]
    assert len(layouts[0]) == 2 + 13  # the transform, the view box and the 13 nodes
    for k, layout in enumerate(layouts):
        assert layout == layouts[0], k


def test_frames_show_the_story(neuron_frames):
    trace, directory, frames = neuron_frames
    first = svg_texts((directory / frames[0].file).read_bytes())
    last = svg_texts((directory / frames[-1].file).read_bytes())
    assert "0.73" not in first and "0.73" in last and "-0.59" in last
    k = next(i for i, f in enumerate(frames) if "w0.grad" in f.text)
    assert "[0.20] × [-1.00] = -0.20" in svg_texts((directory / frames[k].file).read_bytes())


def test_index_lists_frames_with_phase_and_text(neuron_frames):
    trace, directory, frames = neuron_frames
    index = json.loads((directory / "index.json").read_text())
    assert index["steps"] == 26 and len(index["frames"]) == 27
    assert index["frames"][0]["phase"] == "start"
    assert index["frames"][1] == {"k": 1, "file": "frame-001.svg", "phase": "forward", "text": trace.steps[0].text}
    assert index["frames"][-1]["phase"] == "end"
    assert index["frames"][-1]["text"] == trace.steps[-1].text


def test_stale_frames_of_a_longer_run_are_removed_and_nothing_else(tmp_path):
    x = Value(3.0, label="x")
    longer = write_frames((x * x).exp() + 1, tmp_path)   # a longer run
    assert len(longer) > 5 and (tmp_path / longer[-1].file).exists()
    (tmp_path / "frame-999.svg").write_text("a file frames did not write: kept (issue 14)")
    (tmp_path / "frame-999.png").write_text("another format: kept")
    (tmp_path / "notes.txt").write_text("mine")
    write_frames(x * x, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "frame-000.svg", "frame-001.svg", "frame-002.svg", "frame-003.svg", "frame-004.svg",
        "frame-005.svg", "frame-999.png", "frame-999.svg", "index.json", "notes.txt"]
    assert (tmp_path / "frame-999.svg").read_text().startswith("a file frames did not write")


def test_png_frames_and_unknown_format(tmp_path):
    x = Value(3.0, label="x")
    images = render_frames(x * 2, "png")
    assert len(images) == 5 and all(i.startswith(b"\x89PNG") for i in images)
    with pytest.raises(FramesError, match="choose one of svg, png, pdf"):
        render_frames(x * 2, "gif")


def test_layer_level_frames_keep_their_places():
    out = MLP(2, [2, 1], seed=1)([0.5, -1.0])
    images = render_frames(out, "svg", level="layer")
    boxes = []
    for svg in images:
        root = svg_root(svg)
        boxes.append([(g.get("id"), g.find(f"{SVG}path").get("d")) for g in root.iter(f"{SVG}g")
                      if "group" in g.get("class", "").split()])
    assert len(boxes[0]) == 2
    assert all(b == boxes[0] for b in boxes)


def test_progress_bar_only_on_a_terminal():
    assert progress_bar(io.StringIO()) is None

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    show = progress_bar(screen)
    for done in range(1, 41):
        show(done, 40)
    assert screen.getvalue().endswith("] 40/40\n")
    quiet = Terminal()
    progress_bar(quiet)(1, 3)  # a handful of frames: no bar
    assert quiet.getvalue() == ""


@pytest.mark.parametrize("scenario_id", ["mlp-moons", "sigmoid-jacobian", "add-mul"])
def test_catalogue_frames_keep_their_places(scenario_id):
    from graphviz_nn.scenario_format import load_scenario
    trace = load_scenario(scenario_id).trace()
    images = render_frames(trace, "svg")
    assert len(images) == len(trace.steps) + 1
    layouts = [node_positions(svg) for svg in images]
    assert len(layouts[0]) == 2 + len(trace.nodes)
    assert all(layout == layouts[0] for layout in layouts)
