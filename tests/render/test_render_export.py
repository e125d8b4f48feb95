"""Exports: every format, atomic writes, and the behaviour without Graphviz installed."""
import importlib
import json
import os
import shutil

import pytest

from graphviz_nn import to_json
from graphviz_nn.render import export, render_bytes
from graphviz_nn.render.export import ExportError, atomic_write, format_of
from graphviz_nn.render.run_dot import GraphvizNotFoundError, GraphvizTimeoutError, run_dot

from render_helpers import svg_texts


@pytest.fixture
def no_graphviz_path(tmp_path, monkeypatch):
    """A PATH with no Graphviz programs on it."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("dot") is None


@pytest.mark.parametrize("fmt, magic", [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF"),
                                        ("dot", b"digraph"), ("json", b"{")])
def test_every_format_is_written(neuron, tmp_path, fmt, magic):
    path = export(neuron, tmp_path / f"neuron.{fmt}")
    assert path.read_bytes().startswith(magic)


def test_json_is_the_engine_snapshot(neuron, tmp_path):
    path = export(neuron, tmp_path / "n.json")
    snap = json.loads(path.read_text())
    neuron.backward()
    assert snap == to_json(neuron)
    assert snap["nodes"][0]["grad"] == pytest.approx(-0.19661193)


def test_format_comes_from_the_suffix_or_is_refused():
    assert format_of("a/b.svg") == "svg"
    assert format_of("graph.gv") == "dot"
    assert format_of("x.anything", "png") == "png"
    with pytest.raises(ExportError, match=r"cannot tell the format of 'slide.jpeg'"):
        format_of("slide.jpeg")
    with pytest.raises(ExportError, match="unknown format 'gif'"):
        format_of("x.svg", "gif")


def test_failed_export_keeps_the_old_file_and_leaves_no_temporary(neuron, tmp_path, monkeypatch):
    target = tmp_path / "slide.svg"
    target.write_text("good old picture")

    def broken(*args, **kwargs):
        raise GraphvizTimeoutError("'dot' did not finish")

    # the module, not the package attribute of the same name (the export function)
    monkeypatch.setattr(importlib.import_module("graphviz_nn.render.export"), "run_dot", broken)
    with pytest.raises(GraphvizTimeoutError):
        export(neuron, target)
    assert target.read_text() == "good old picture"
    assert os.listdir(tmp_path) == ["slide.svg"]


def test_interrupted_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "slide.svg"
    target.write_text("good old picture")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, b"new")
    assert target.read_text() == "good old picture"
    assert os.listdir(tmp_path) == ["slide.svg"]


def test_atomic_write_replaces_with_normal_permissions(tmp_path):
    target = tmp_path / "x.dot"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_missing_folder_is_one_sentence(tmp_path):
    with pytest.raises(ExportError, match="does not exist; create it first"):
        atomic_write(tmp_path / "nope" / "x.svg", b"")


def test_without_graphviz_dot_and_json_still_work(neuron, tmp_path, no_graphviz_path):
    assert export(neuron, tmp_path / "n.dot").read_text().startswith("digraph")
    assert json.loads(export(neuron, tmp_path / "n.json").read_text())["output"] == "n12"


@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_without_graphviz_images_fail_with_one_sentence(neuron, tmp_path, no_graphviz_path, fmt):
    with pytest.raises(GraphvizNotFoundError) as error:
        export(neuron, tmp_path / f"n.{fmt}")
    message = str(error.value)
    assert "'dot' was not found" in message and "apt-get install graphviz" in message
    assert "\n" not in message
    assert not (tmp_path / f"n.{fmt}").exists()


def test_dot_timeout_is_one_sentence(tmp_path, monkeypatch):
    # a stand-in "dot" that never answers in time
    fake = tmp_path / "bin"
    fake.mkdir()
    script = fake / "dot"
    script.write_text("#!/bin/sh\nexec /bin/sleep 5\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake))
    with pytest.raises(GraphvizTimeoutError, match=r'within 0.2 s; draw a smaller view with level="neuron"') as caught:
        run_dot("digraph { a }", "svg", timeout=0.2)
    # from Python the advice names keyword arguments; the command line names its flags
    assert "timeout=" in str(caught.value) and "--" not in str(caught.value)
    assert "with --level neuron" in caught.value.for_cli() and "--timeout" in caught.value.for_cli()


def test_render_bytes_passes_options(neuron):
    svg = render_bytes(neuron, "svg", decimals=3)
    assert "0.731" in svg_texts(svg)
