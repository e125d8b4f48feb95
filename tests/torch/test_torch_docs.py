"""docs/pytorch-models.md runs as printed, and its notebook runs in a real kernel (issue 27)."""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "pytorch-models.md"
NOTEBOOK = ROOT / "docs" / "tiny_gpt.ipynb"


def doc_blocks() -> list:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_worked_example_runs_as_printed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # its pictures are written to the current folder
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile("\n".join(doc_blocks()), str(DOC), "exec"), {"__name__": "pytorch_models_doc"})
    lines = out.getvalue().splitlines()
    assert lines[0] == "()"  # nothing opaque
    worst = float(re.search(r"largest gradient difference ([\d.e+-]+)", lines[1]).group(1))
    assert worst < 1e-5  # float32 round-off against PyTorch's own backward
    assert lines[2] == "dL/dQ = dS · K, dS = s · P ⊙ (dL/dP - Σ dL/dP ⊙ P)"
    assert lines[3] == "['transpose(0, 1, 3, 2)', '@', '*0.353553', 'masked_fill(-inf)', 'softmax']"
    for name in ("tiny-gpt.png", "tiny-gpt-layer.png", "small-cnn.png"):
        data = (tmp_path / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert width / height <= 4.0  # the page-fitting rule: the fewest folded bands within 4:1


def test_the_notebook_holds_the_doc_s_code_and_runs_in_a_kernel(tmp_path):
    sys.path.insert(0, str(ROOT / "tests" / "render"))
    try:
        from render_helpers import run_notebook
    finally:
        sys.path.pop(0)
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert [b.strip() for b in doc_blocks()] == [c for c in code if not c.startswith("from graphviz_nn.render import draw_dot")]
    # run from a scratch folder so the pictures it writes land there
    cells = [f"import os; os.chdir({str(tmp_path)!r})"] + code
    notebook = run_notebook(cells, timeout=300)
    text = "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))
    assert "largest gradient difference" in text and "masked_fill(-inf)" in text
    svg = [o["data"]["image/svg+xml"] for c in notebook.cells for o in c.get("outputs", [])
           if "image/svg+xml" in o.get("data", {})]
    assert svg and "drawn at neuron level to fit the page" in svg[0]
