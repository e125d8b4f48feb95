"""Exports respect what is already there (issue 14): symlinks, permissions, devices, folders,
and an interrupted ``frames`` run leaves the previous set intact."""
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graphviz_nn.render.export import ExportError, atomic_write

ROOT = Path(__file__).resolve().parents[2]


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "real.svg"
    real.write_bytes(b"old")
    link = tmp_path / "link.svg"
    link.symlink_to(real)
    atomic_write(link, b"new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.svg", "real.svg"]


def test_an_existing_file_keeps_its_permissions(tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_bytes(b"old")
    secret.chmod(0o600)
    atomic_write(secret, b"new")
    assert secret.read_bytes() == b"new"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600


def test_a_pipe_is_refused_and_left_alone(tmp_path):
    fifo = tmp_path / "pipe.svg"
    os.mkfifo(fifo)
    with pytest.raises(ExportError, match="not a regular file"):
        atomic_write(fifo, b"data")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.svg"]


def test_a_device_node_is_refused_and_left_alone(tmp_path):
    device = tmp_path / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a /dev/null of our own
    except PermissionError:
        pytest.skip("making a device node needs CAP_MKNOD (the pipe test covers non-regular files)")
    with pytest.raises(ExportError, match="not a regular file"):
        atomic_write(device, b"data")
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_symlink_to_a_device_is_refused(tmp_path):
    link = tmp_path / "out.svg"
    link.symlink_to("/dev/null")
    with pytest.raises(ExportError, match="not a regular file"):
        atomic_write(link, b"data")
    assert link.is_symlink() and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_render_to_an_existing_folder_is_one_sentence(tmp_path, refused):
    refused("render", "sigmoid-neuron", "-o", tmp_path, "--format", "dot").assert_one_sentence("it is a folder")
    refused("frames", "sigmoid-neuron", "--html", tmp_path).assert_one_sentence("it is a folder")


def test_a_full_disk_is_one_sentence_and_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "slide.dot"
    target.write_bytes(b"good old picture")
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))
    with pytest.raises(ExportError, match="No space left on device.*unchanged"):
        atomic_write(target, b"new picture")
    assert target.read_bytes() == b"good old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["slide.dot"]


def _frames(folder, *extra):
    return [sys.executable, "-m", "graphviz_nn", "frames", "sigmoid-neuron", "-o", str(folder), *extra]


def test_an_interrupted_frames_run_leaves_the_previous_set_intact(tmp_path):
    folder = tmp_path / "frames"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(_frames(folder), check=True, env=env, capture_output=True, timeout=300)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    listed = [f["file"] for f in json.loads(before["index.json"])["frames"]]
    assert len(before) == 28  # 27 frames (with the seed step) and the index
    assert sorted(before) == sorted(listed + ["index.json"])
    process = subprocess.Popen(_frames(folder, "--decimals", "4"), env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    staged = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:  # until the new set is half written
        stages = [p for p in tmp_path.iterdir() if p.name.startswith(".frames.frames-")]
        if stages and len(list(stages[0].glob("frame-*.svg"))) >= 3:
            staged = stages[0]
            break
        time.sleep(0.02)
    assert staged is not None, "the run finished before it could be interrupted"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["frames"]  # the staging folder is gone too
    subprocess.run(_frames(folder, "--decimals", "4"), check=True, env=env, capture_output=True, timeout=300)
    index = json.loads((folder / "index.json").read_text())
    assert [f["file"] for f in index["frames"]] == listed
    assert (folder / listed[-1]).read_bytes() != before[listed[-1]]  # the new set, with 4 decimals


def test_frames_stream_to_disk_with_a_few_in_memory(tmp_path, monkeypatch):
    """However many frames, only a small window of them is drawn ahead of what is on disk."""
    from graphviz_nn.render import frames as frames_module
    from graphviz_nn.render.staged_folder import StagedFolder
    from render_helpers import build_sigmoid_neuron

    drawn, ahead = [0], []
    real_run_dot = frames_module.run_dot

    def counting_run_dot(source, fmt, **kwargs):
        if kwargs.get("engine") == "neato":
            drawn[0] += 1
        return real_run_dot(source, fmt, **kwargs)

    real_write = StagedFolder.write

    def watching_write(self, name, data):
        if name.startswith("frame-"):
            ahead.append(drawn[0] - (len([n for n in self.names if n.startswith("frame-")]) + 1))
        return real_write(self, name, data)

    monkeypatch.setattr(frames_module, "run_dot", counting_run_dot)
    monkeypatch.setattr(StagedFolder, "write", watching_write)
    from graphviz_nn.render.frame_set import write_frames
    written = write_frames(build_sigmoid_neuron(), tmp_path / "f")
    workers = max(1, min(4, os.cpu_count() or 1))
    assert len(written) > 20 and len(ahead) == len(written)
    assert max(ahead) <= 2 * workers  # never the whole set in memory


# --- frames only ever adds its own files (issue 25) ---------------------------------------------

def _first_set(tmp_path):
    folder = tmp_path / "frames"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(_frames(folder), check=True, env=env, capture_output=True, timeout=300)
    return folder, env, {p.name: p.read_bytes() for p in folder.iterdir()}


def _wait_until_staging(tmp_path, process, at_least=3):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        stages = [p for p in tmp_path.iterdir() if p.name.startswith(".frames.frames-")]
        if stages and len(list(stages[0].glob("frame-*.svg"))) >= at_least:
            return stages[0]
        time.sleep(0.02)
    return None


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_leave_the_folder_as_it_was(tmp_path, signal_number):
    folder, env, before = _first_set(tmp_path)
    process = subprocess.Popen(_frames(folder, "--decimals", "4"), env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert _wait_until_staging(tmp_path, process) is not None, "the run finished before it could be stopped"
    process.send_signal(signal_number)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal_number, err
    assert b"Traceback" not in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["frames"]  # no staging folder, no half-written frame


def test_a_full_disk_leaves_the_folder_as_it_was_and_no_half_written_frame(tmp_path):
    """A file-size limit makes the 2nd frame's write fail half-way, as a full disk does."""
    import resource
    folder, env, before = _first_set(tmp_path)
    smallest = min(len(data) for name, data in before.items() if name.startswith("frame-"))

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (smallest // 2, smallest // 2))
    done = subprocess.run(_frames(folder, "--decimals", "4"), env=env, capture_output=True, timeout=300,
                          preexec_fn=small_files)
    assert done.returncode == 2, done.stderr
    assert b"Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert b"the previous frames are unchanged" in done.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["frames"]


def test_a_planted_index_deletes_nothing(tmp_path):
    from graphviz_nn import Value
    from graphviz_nn.render.frame_set import write_frames
    import hashlib
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "thesis.tex").write_text("three years of work")
    (folder / "frame-007.svg").write_text("<svg>my own drawing, named like a frame</svg>")
    mine = {"thesis.tex": "three years of work", "frame-007.svg": "<svg>my own drawing, named like a frame</svg>"}
    planted = {"frames": [{"file": "thesis.tex"}, {"file": "frame-007.svg"}, {"file": "../x"}],
               "extra": ["thesis.tex", "notes.html"],
               # even a forged digest of a file that is not named as frames name theirs protects it
               "sha256": {"thesis.tex": hashlib.sha256(b"three years of work").hexdigest()}}
    (folder / "index.json").write_text(json.dumps(planted))
    x = Value(2.0, label="x")
    written = write_frames(x * x, folder)
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([f.file for f in written] + ["index.json", *mine]), names
    for name, text in mine.items():
        assert (folder / name).read_text() == text
    # the frames' own files, unchanged since written, are this run's: a shorter run removes its extra ones
    write_frames(x + 1, folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f.file for f in write_frames(x + 1, folder)] + ["index.json", *mine])


def test_an_edited_frame_is_no_longer_ours_and_is_kept(tmp_path):
    from graphviz_nn import Value
    from graphviz_nn.render.frame_set import write_frames
    x = Value(2.0, label="x")
    longer = write_frames((x * x).exp(), tmp_path)
    last = tmp_path / longer[-1].file
    last.write_text("<svg>the teacher drew on it</svg>")
    shorter = write_frames(x + 1, tmp_path)
    assert len(shorter) < len(longer) and last.read_text() == "<svg>the teacher drew on it</svg>"
    assert not (tmp_path / longer[-2].file).exists() or longer[-2].file in {f.file for f in shorter}
