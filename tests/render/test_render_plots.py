"""``graphviz-nn plot``: the slides' pictures, written atomically, looked at before being pinned.

The pictures were opened and looked at (learning-slowdown-quadratic: output and loss against
the iteration, both costs from both starts; learning-rate: four rates, the loss on a log scale;
mini-batch-sgd: the smooth full-batch curve beside the jumpy mini-batch one; metrics and
mlp-moons: accuracy, decision boundary, ROC and PR curves; activations: the zoo and its
derivatives). These tests pin what they hold through the data the figure is drawn from.
"""
import struct

import numpy as np
import pytest

from graphviz_nn import load_scenario
from graphviz_nn.cli import main
from graphviz_nn.render import plots


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def png_size(data: bytes) -> tuple:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_learning_slowdown_png_has_both_starts_and_both_costs(capsys, tmp_path):
    path = tmp_path / "s.png"
    status, out, err = run(capsys, "plot", "learning-slowdown-quadratic", "-o", str(path))
    assert status == 0 and err == "" and f"Wrote {path}" in out
    width, height = png_size(path.read_bytes())
    assert width > 800 and height > 300
    panels = plots.panels_for(load_scenario("learning-slowdown-quadratic"))
    output = next(p for p in panels if p.ylabel == "output a")
    labels = [line[0] for line in output.lines]
    assert labels == ["quadratic, start w=2, b=2", "quadratic, start w=0.6, b=0.9",
                      "cross-entropy, start w=2, b=2", "cross-entropy, start w=0.6, b=0.9"]
    first = {label: ys[0] for label, _, ys, _ in output.lines}
    assert round(first["quadratic, start w=2, b=2"], 2) == 0.98 and round(first["cross-entropy, start w=0.6, b=0.9"], 2) == 0.82
    # the slowdown itself: after 50 epochs the quadratic cost from w = 2, b = 2 has hardly moved,
    # the cross-entropy cost from the same start has fallen below 0.1
    at50 = {label: ys[50] for label, _, ys, _ in output.lines}
    assert at50["quadratic, start w=2, b=2"] > 0.97 and at50["cross-entropy, start w=2, b=2"] < 0.1


def test_learning_rate_plot_has_every_rate_and_a_log_scale_for_divergence():
    panels = plots.panels_for(load_scenario("learning-rate"))
    loss = next(p for p in panels if p.ylabel == "loss")
    assert [line[0] for line in loss.lines] == ["lr 0.01", "lr 0.1", "lr 0.95", "lr 1.05"] and loss.log_y
    distance = next(p for p in panels if p.ylabel == "distance")
    overshoot = dict((label, ys) for label, _, ys, _ in distance.lines)["lr 0.95"]
    assert np.all(np.sign(overshoot[1:]) != np.sign(overshoot[:-1]))  # jumps across the minimum every step


def test_mini_batch_plot_sets_full_batch_beside_mini_batches():
    panels = plots.panels_for(load_scenario("mini-batch-sgd"))
    loss = panels[0]
    curves = {label: np.array(ys) for label, _, ys, _ in loss.lines}
    assert set(curves) == {"full batch", "batch 8"}
    # full-batch GD on a convex loss falls every step; mini-batch losses jump
    assert np.all(np.diff(curves["full batch"]) < 0) and np.any(np.diff(curves["batch 8"]) > 0)


def test_metrics_plot_has_roc_and_pr_curves_of_the_hand_worked_example():
    panels = plots.panels_for(load_scenario("metrics"))
    titles = [p.title for p in panels]
    assert "ROC curve (AUC 0.880)" in titles and "Precision-recall curve (AP 0.903)" in titles


def test_a_two_input_classifier_gets_its_decision_boundary():
    panels = plots.panels_for(load_scenario("mlp-xor"), iterations=5)
    boundary = [p for p in panels if p.kind == "boundary"]
    assert len(boundary) == 1 and boundary[0].extra["p"].shape == (120, 120)


def test_activations_plot_functions_and_backprop_derivatives():
    panels = plots.panels_for(load_scenario("activations"))
    values, slopes = ({label: (np.array(xs), np.array(ys)) for label, xs, ys, _ in p.lines} for p in panels)
    x, sig = values["sigmoid_x"]
    assert sig == pytest.approx(1 / (1 + np.exp(-x)))
    _, dsig = slopes["sigmoid_x"]
    assert dsig == pytest.approx(sig * (1 - sig))
    xr, drelu = slopes["relu_x"]
    assert np.all(drelu[xr < 0] == 0) and np.all(drelu[xr > 0] == 1)


@pytest.mark.parametrize("suffix, magic", [("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_svg_and_pdf(capsys, tmp_path, suffix, magic):
    path = tmp_path / f"lr.{suffix}"
    status, _, _ = run(capsys, "plot", "learning-rate", "-o", str(path))
    assert status == 0 and path.read_bytes().startswith(magic)
    if suffix == "svg":
        assert "lr 1.05" in path.read_text()


def test_projector_style_is_larger(capsys, tmp_path):
    run(capsys, "plot", "learning-rate", "-o", str(tmp_path / "a.png"))
    run(capsys, "plot", "learning-rate", "-o", str(tmp_path / "b.png"), "--style", "projector")
    small, large = (png_size((tmp_path / n).read_bytes()) for n in ("a.png", "b.png"))
    assert large[0] > small[0] and large[1] > small[1]


@pytest.mark.parametrize("argv, words", [
    (["plot", "learning-rate", "-o", "x.gif"], "use a name ending in .svg, .png or .pdf"),
    (["plot", "sigmoid-jacobian", "-o", "x.png"], "nothing to plot"),
    (["plot", "learning-rate", "-o", "no-such-folder/x.png"], "does not exist"),
])
def test_bad_plots_are_one_sentence_and_write_nothing(capsys, tmp_path, monkeypatch, argv, words):
    monkeypatch.chdir(tmp_path)
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == "" and words in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_a_good_file_survives_a_failed_plot(capsys, tmp_path):
    path = tmp_path / "keep.png"
    path.write_bytes(b"precious")
    status, _, _ = run(capsys, "plot", "sigmoid-jacobian", "-o", str(path))
    assert status == 2 and path.read_bytes() == b"precious"


def test_other_commands_do_not_import_matplotlib():
    import subprocess
    import sys
    code = ("import sys; from graphviz_nn.cli import main; main(['show', 'learning-rate']); "
            "print('matplotlib' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().endswith("False")
