"""`graphviz-nn render` and `graphviz-nn frames` from the command line."""
import html
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from graphviz_nn.cli import main

LECTURE_NUMBERS = ["0.73", "1.37", "0.37", "-0.53", "-0.20", "0.20", "0.39", "-0.39", "-0.59", "1.00"]


def run_cli(*args, env=None, cwd=None):
    """The real command in a fresh interpreter, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "graphviz_nn", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=120)


def test_render_svg_has_the_lecture_numbers(tmp_path):
    out = tmp_path / "neuron.svg"
    assert main(["render", "sigmoid-neuron", "-o", str(out)]) == 0
    svg = out.read_text()
    for number in LECTURE_NUMBERS:
        assert f">{number.replace('-', '&#45;')}<" in svg, number


@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG"), ("pdf", b"%PDF"), ("dot", b"digraph"), ("json", b"{")])
def test_render_formats_by_flag(tmp_path, fmt, magic):
    out = tmp_path / "picture.bin"
    assert main(["render", "sigmoid-neuron", "-o", str(out), "--format", fmt]) == 0
    assert out.read_bytes().startswith(magic)


def test_render_to_stdout(capfd):
    assert main(["render", "sigmoid-neuron", "-o", "-", "--format", "dot", "--step", "0"]) == 0
    out = capfd.readouterr().out
    assert out.startswith("digraph") and "0.73" not in out


def test_render_step_and_phase(tmp_path):
    out = tmp_path / "f.dot"
    assert main(["render", "sigmoid-neuron", "-o", str(out), "--phase", "forward"]) == 0
    forward_end = out.read_text()
    assert "0.73" in forward_end and "-0.20" not in forward_end
    assert main(["render", "sigmoid-neuron", "-o", str(out), "--phase", "backward", "--step", "2"]) == 0  # step 1 is the seed
    assert "× [" in out.read_text()


def test_json_output_is_the_snapshot(tmp_path):
    out = tmp_path / "s.json"
    assert main(["render", "sigmoid-neuron", "-o", str(out)]) == 0
    snap = json.loads(out.read_text())
    grads = {n["label"]: round(n["grad"], 2) for n in snap["nodes"] if n["op"] is None}
    assert grads == {"w0": -0.2, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.2}


def test_bad_step_is_one_line_and_exit_2(tmp_path):
    done = run_cli("render", "sigmoid-neuron", "-o", str(tmp_path / "x.svg"), "--step", "99")
    assert done.returncode == 2
    assert done.stderr == "graphviz-nn: step 99 is out of range; this trace has steps 0 to 26\n"
    assert not (tmp_path / "x.svg").exists()


def test_unknown_suffix_is_one_line(tmp_path):
    done = run_cli("render", "sigmoid-neuron", "-o", str(tmp_path / "x.jpeg"))
    assert done.returncode == 2 and "cannot tell the format" in done.stderr
    assert "Traceback" not in done.stderr


def test_node_limit_suggests_a_coarser_level(tmp_path):
    done = run_cli("render", "mlp-xor", "-o", str(tmp_path / "x.svg"), "--max-nodes", "10")
    assert done.returncode == 2
    assert "limit of 10; draw it with --level neuron or --level layer" in done.stderr
    assert run_cli("render", "mlp-xor", "-o", str(tmp_path / "x.svg"), "--level", "layer").returncode == 0


@pytest.fixture
def path_without_dot(tmp_path):
    """A PATH holding only the Python that runs the command, no Graphviz."""
    folder = tmp_path / "bin"
    folder.mkdir()
    os.symlink(sys.executable, folder / "python3")
    env = dict(os.environ, PATH=str(folder))
    assert shutil.which("dot", path=env["PATH"]) is None
    return env


def test_without_graphviz_images_fail_with_exit_2_and_dot_json_work(tmp_path, path_without_dot):
    done = run_cli("render", "sigmoid-neuron", "-o", str(tmp_path / "x.svg"), env=path_without_dot)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "'dot' was not found" in done.stderr and "apt-get install graphviz" in done.stderr
    for fmt in ("dot", "json"):
        ok = run_cli("render", "sigmoid-neuron", "-o", str(tmp_path / f"x.{fmt}"), env=path_without_dot)
        assert ok.returncode == 0, ok.stderr
        assert (tmp_path / f"x.{fmt}").stat().st_size > 100


def test_frames_command_writes_frames_index_and_player(tmp_path):
    done = run_cli("frames", "sigmoid-neuron", "-o", str(tmp_path / "frames"), "--html", str(tmp_path / "play.html"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote 27 frames (steps 0 to 26) to {tmp_path / 'frames'} and the player to {tmp_path / 'play.html'}"
    assert len(list((tmp_path / "frames").glob("frame-*.svg"))) == 27
    assert (tmp_path / "frames" / "index.json").exists()
    assert "Sigmoid" in (tmp_path / "play.html").read_text() or "sigmoid" in (tmp_path / "play.html").read_text()
    assert done.stderr == ""  # not a terminal: no progress bar


def test_frames_needs_a_destination():
    done = run_cli("frames", "sigmoid-neuron")
    assert done.returncode == 2 and "give -o DIR" in done.stderr


def test_frames_player_alone_beamer_and_gif(tmp_path):
    done = run_cli("frames", "sigmoid-neuron", "--html", str(tmp_path / "play.html"),
                   "--beamer", str(tmp_path / "slides.tex"), "--gif", str(tmp_path / "steps.gif"), "--delay", "700")
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"wrote (\d+) frames \(steps 0 to \d+\) and the player to .*", done.stdout.strip())
    n = int(done.stdout.split()[1])
    assert done.stdout.strip() == (f"wrote {n} frames (steps 0 to {n - 1}) and the player to {tmp_path / 'play.html'}, "
                                   f"the Beamer overlays to {tmp_path / 'slides.tex'}, "
                                   f"the animation to {tmp_path / 'steps.gif'}")
    assert "gnn-player" in (tmp_path / "play.html").read_text()
    assert (tmp_path / "slides.tex").read_text().count("\\includegraphics") == n
    assert len(list((tmp_path / "slides-frames").glob("frame-*.pdf"))) == n
    assert (tmp_path / "steps.gif").read_bytes().startswith(b"GIF89a")


@pytest.mark.parametrize("args, sentence", [
    (["--gif", "steps.mp4"], r"cannot tell the animation format of 'steps\.mp4'; use a name ending in \.gif"),
    (["--gif", "steps.gif", "--delay", "0"],
     r"--delay must be a whole number of milliseconds from 1 to 20000 \(20 s per step\), got 0$"),
    (["--gif", "steps.gif", "--delay", "250000"],  # Pillow's OverflowError after the frames, before (issue 25)
     r"--delay must be a whole number of milliseconds from 1 to 20000 \(20 s per step\), got 250000$"),
    (["--gif", "steps.png", "--delay", "25000"], r"--delay must be a whole number of milliseconds from 1 to 20000"),
    (["--html", "play.html", "--max-player-bytes", "-5"], r"--max-player-bytes must be a positive number of bytes, got -5$"),
    (["--html", "play.html", "--beamer", "talk/slides.tex"],
     r"cannot write 'talk/slides\.tex': the folder 'talk' does not exist; create it first$"),
    (["--html", "play.html", "--max-player-bytes", "10000"],
     r"the player for these \d+ steps at gate level would be \d+ kB, more than the 10 kB a notebook or page "
     r"carries comfortably; step through it with graphviz-nn tui instead, or raise --max-player-bytes$"),
])
def test_frames_refusals_are_one_sentence_and_write_nothing(tmp_path, args, sentence):
    done = run_cli("frames", "sigmoid-neuron", "-o", "frames", *args, cwd=tmp_path)
    assert done.returncode == 2
    assert re.match(f"graphviz-nn: {sentence}", done.stderr.strip()), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_render_with_no_level_draws_a_tensor_graph_to_fit_a_page_and_values_at_gate_level(tmp_path, capfd):
    # issue 27: the command line, like draw_dot, picks the level for a tensor graph and says which
    assert main(["render", "mlp-moons", "-o", "-", "--format", "dot"]) == 0
    dot = capfd.readouterr().out
    assert "drawn at gate level to fit the page" in dot and "for another pass --level neuron or --level layer" in dot
    width, height = (float(v) for v in re.search(r'bb="0,0,([\d.]+),([\d.]+)"', dot).groups())
    assert width / height <= 4.0  # folded into bands: the fewest that bring it within 4:1
    assert main(["render", "mlp-moons", "-o", "-", "--format", "dot", "--level", "gate"]) == 0
    assert "to fit the page" not in capfd.readouterr().out  # a level asked for is drawn as asked
    # a graph of Values is drawn exactly as --level gate draws it (the lecture's picture)
    assert main(["render", "sigmoid-neuron", "-o", "-", "--format", "dot"]) == 0
    default = capfd.readouterr().out
    assert main(["render", "sigmoid-neuron", "-o", "-", "--format", "dot", "--level", "gate"]) == 0
    assert capfd.readouterr().out == default


def test_frames_with_no_level_draw_a_tensor_graph_at_the_level_that_fits_and_values_as_before(tmp_path):
    # issue 27: frames (folder and player) choose the level the way render does, and say so with --level
    done = run_cli("frames", "mini-batch-sgd", "-o", str(tmp_path / "t"), "--html", str(tmp_path / "t.html"))
    assert done.returncode == 0, done.stderr
    frames = sorted((tmp_path / "t").glob("frame-*.svg"))
    assert len(frames) == 17
    title = "drawn at gate level to fit the page (9 nodes at gate level); for another pass --level neuron or --level layer"
    for frame in frames:
        assert title in html.unescape(frame.read_text())  # Graphviz writes "-" as &#45;
    assert "drawn at gate level to fit the page" in (tmp_path / "t.html").read_text()
    # a graph of Values: the same bytes as --level gate
    for name, extra in (("default", ()), ("gate", ("--level", "gate"))):
        done = run_cli("frames", "sigmoid-neuron", "-o", str(tmp_path / name), "--format", "svg", *extra)
        assert done.returncode == 0, done.stderr
    default, gate = (sorted((tmp_path / name).glob("frame-*.svg")) for name in ("default", "gate"))
    assert len(default) == 27 and [f.read_bytes() for f in default] == [f.read_bytes() for f in gate]
