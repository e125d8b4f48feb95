"""Paper worksheets: the lecture's diagram with a box for each number a student works out, and the key.

The DOT of the sigmoid neuron's sheet and key is pinned (tests/render/pinned/) after it was rendered
to PNG and compared by eye with ``graphviz-nn render sigmoid-neuron``: same layout, the leaves'
values and the seed given, every other number a box tagged with its step.
"""
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from graphviz_nn import Value, load_scenario
from graphviz_nn.cli import main
from graphviz_nn.debugger import build_trace
from graphviz_nn.render.run_dot import run_dot
from graphviz_nn.render.worksheet import WorksheetError, worksheet_dot

PINNED = Path(__file__).with_name("pinned")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


def _slide_numbers():
    """The sigmoid neuron's values and gradients, by hand (not from the trace)."""
    w0, x0, w1, x1, w2 = 2.0, -1.0, -3.0, -2.0, -3.0
    s = w0 * x0 + w1 * x1 + w2
    e = math.exp(-s)
    f = 1 / (1 + e)
    df_ds = f * (1 - f)
    values = [w0 * x0, w1 * x1, w0 * x0 + w1 * x1, s, -s, e, 1 + e, f]
    grads = [-1 / (1 + e) ** 2, -1 / (1 + e) ** 2, -1 / (1 + e) ** 2 * e, df_ds, df_ds, df_ds, df_ds, df_ds,
             df_ds * x1, df_ds * w1, df_ds * x0, df_ds * w0]
    return values, grads


def _cells(source):
    """The numbers written in the boxes, in order."""
    return re.findall(r'<td width="40" height="16">(?:<font color="[^"]+">)?([^<]*)', source)


def test_the_blank_sheet_has_a_box_for_each_number_and_gives_only_the_leaves_and_the_seed():
    source = worksheet_dot(load_scenario("sigmoid-neuron").trace()).source
    boxes = _cells(source)
    assert len(boxes) == 8 + 12 and all(b.strip() == "" for b in boxes)  # 8 gate values, 12 edge gradients
    given = re.findall(r'<font color="#[0-9a-f]+">(-?\d+\.\d+)</font>', source)
    assert sorted(given) == sorted(["2.00", "-1.00", "-3.00", "-2.00", "-3.00", "1.00"])
    tags = sorted(int(t) for t in re.findall(r'<font point-size="7" color="#7a7a7a">(\d+)</font>', source))
    assert tags == list(range(6, 14)) + list(range(15, 27))  # every value and backward step but the seed


def test_the_key_fills_every_box_with_the_slide_numbers():
    source = worksheet_dot(load_scenario("sigmoid-neuron").trace(), answers=True).source
    values, grads = _slide_numbers()
    boxes = _cells(source)
    expected = {f"{v:.2f}" for v in values} | {f"{g:.2f}" for g in grads}
    assert set(boxes) == expected
    assert {"0.73", "-0.53", "0.37", "-0.20", "0.39", "-0.39", "-0.59", "0.20"} <= set(boxes)


@pytest.mark.parametrize("answers, name", [(False, "worksheet-sigmoid-neuron.dot"),
                                           (True, "worksheet-sigmoid-neuron-key.dot")])
def test_the_sheet_is_pinned(answers, name, tmp_path):
    out = tmp_path / name
    argv = ["worksheet", "sigmoid-neuron", "-o", str(out)] + (["--answers"] if answers else [])
    assert main(argv) == 0
    assert out.read_text() == (PINNED / name).read_text()


@needs_dot
def test_svg_and_pdf_are_written(tmp_path):
    assert main(["worksheet", "sigmoid-neuron", "-o", str(tmp_path / "s.svg")]) == 0
    svg = (tmp_path / "s.svg").read_text()
    assert "<svg" in svg and ">0.73<" not in svg and ">w0<" in svg
    assert main(["worksheet", "sigmoid-neuron", "--answers", "-o", str(tmp_path / "k.svg")]) == 0
    assert ">0.73<" in (tmp_path / "k.svg").read_text()
    assert main(["worksheet", "sigmoid-neuron", "-o", str(tmp_path / "s.pdf")]) == 0
    assert (tmp_path / "s.pdf").read_bytes().startswith(b"%PDF")


@needs_dot
def test_the_tex_page_lists_the_questions_and_compiles(tmp_path):
    assert main(["worksheet", "sigmoid-neuron", "--answers", "-o", str(tmp_path / "key.tex")]) == 0
    tex = (tmp_path / "key.tex").read_text()
    assert (tmp_path / "key-diagram.pdf").read_bytes().startswith(b"%PDF")
    assert r"\includegraphics" in tex and "{key-diagram.pdf}" in tex
    assert r"\texttt{w0.grad} & -0.20" in tex and r"\texttt{df/dn11} & -0.53" in tex
    assert main(["worksheet", "sigmoid-neuron", "-o", str(tmp_path / "sheet.tex")]) == 0
    assert "-0.53" not in (tmp_path / "sheet.tex").read_text()
    if shutil.which("pdflatex") is None:
        return  # the page itself was checked above; typesetting needs TeX
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "key.tex"], cwd=tmp_path,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "key.pdf").read_bytes().startswith(b"%PDF")


def test_fan_out_boxes_carry_each_contribution():
    x = Value(3.0, label="x")
    source = worksheet_dot(build_trace(x * x + x), answers=True).source
    # x*x sends 3 and 3 back, +x sends 1; the values 9 and 12 are the gates'
    assert sorted(_cells(source)) == sorted(["9.00", "12.00", "1.00", "1.00", "3.00", "3.00"])


@pytest.mark.parametrize("scenario, words", [("sigmoid-jacobian", "holds arrays"), ("mlp-regression", "too many")])
def test_graphs_that_do_not_fit_on_paper_are_one_sentence(scenario, words, tmp_path, capsys):
    assert main(["worksheet", scenario, "-o", str(tmp_path / "s.pdf")]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
    assert not (tmp_path / "s.pdf").exists()


def test_an_unknown_suffix_is_refused(tmp_path, capsys):
    assert main(["worksheet", "sigmoid-neuron", "-o", str(tmp_path / "s.docx")]) == 2
    assert "end the name in .pdf" in capsys.readouterr().err
    with pytest.raises(WorksheetError):
        worksheet_dot(load_scenario("sigmoid-neuron").trace(), max_nodes=5)
