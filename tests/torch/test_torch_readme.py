"""The README's "Coming from PyTorch" example runs as printed (the app replaced by a stand-in)."""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import graphviz_nn
from graphviz_nn.debugger import build_trace

README = Path(__file__).resolve().parents[2] / "README.md"


def example_code() -> str:
    section = README.read_text().split("## Coming from PyTorch", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_pytorch_example_prints_what_its_comments_say(monkeypatch):
    opened = []

    def debug(output, *args, **kwargs):  # what the app does before it draws: trace (and so backward) once
        opened.append(build_trace(output))

    monkeypatch.setattr(graphviz_nn, "debug", debug)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(example_code(), "README.md", "exec"), {})
    leaves, diff = out.getvalue().splitlines()
    assert leaves == "['X', '0.weight', '0.bias', '2.weight', '2.bias']"
    assert 0 < float(diff) < 1e-6  # float32 in PyTorch against the float64 recording
    assert len(opened) == 1 and opened[0].n_backward > 0
