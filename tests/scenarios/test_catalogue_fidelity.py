"""Issue 26: what the slides say differently is said in the scenario and in the conventions table,
the contrasts teach what their titles say, and iterations are numbered one way everywhere."""
import json
import math
import pathlib
import re

import numpy as np
import pytest

from graphviz_nn import load_scenario
from graphviz_nn.cli import main

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONVENTIONS = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8").split(
    "## Conventions, and where the slides differ")[1].split("\n## ")[0]


def _row(topic: str) -> str:
    rows = [line for line in CONVENTIONS.splitlines() if line.startswith(f"| {topic} |")]
    assert len(rows) == 1, topic
    return rows[0]


@pytest.mark.parametrize("scenario_id, in_explanation, topic, in_table", [
    ("gradient-check", ["(L(w + ε) - L(w)) / ε", "check --one-sided"], "gradient check", ["`gradient-check`"]),
    ("mini-batch-sgd", ["whole set's 2/n and Y", "2/|B_i|"], "mini-batch update", ["`mini-batch-sgd`"]),
    ("losses", ["unbounded score f(x)", "probabilities"], "hinge loss", ["`losses`", "unbounded"]),
    ("framework-graph", ["root is read as the square root, √"], "`root`", ["√", "`framework-graph`"]),
    ("sigmoid-neuron", ["[0.2] × [2] = 0.4", "0.39"], "the sigmoid neuron", ["0.4", "0.3932"]),
    ("normal-equation", ["W = (XXᵀ)⁻¹XY", "slide's W = (XᵀX)⁻¹XᵀY", "features × samples"], "normal equation",
     ["(XXᵀ)⁻¹XY", "`normal-equation`", "`linear-regression`"]),
    ("linear-regression", ["W = (XXᵀ)⁻¹XY", "slide's (XᵀX)⁻¹XᵀY", "features × samples"], "normal equation", []),
    ("activations", ["slide 004 writes 1 for x ≥ 0"], "ReLU′(0)", ["(seed 004)"]),
    ("dead-relu", ["the slide writes 1 for x ≥ 0"], "ReLU′(0)", ["`dead-relu`"]),
])
def test_each_slide_difference_is_stated_in_the_scenario_and_the_table(scenario_id, in_explanation, topic, in_table):
    explanation = load_scenario(scenario_id).explanation
    for text in in_explanation:
        assert text in explanation, (scenario_id, text)
    row = _row(topic)
    for text in in_table:
        assert text in row, (topic, text)


def test_relu_convention_cites_the_slide_that_has_it():
    seeds = ROOT.parent.parent / "shared" / "seeds"
    row = _row("ReLU′(0)")
    assert "seed 001" not in row and "seed 004" in row
    if seeds.is_dir():  # the lecture text: 004 has the case x ≥ 0, 001 only names the derivative
        assert r"1 & \text{if } x \ge 0" in (seeds / "004_62f7dd1c4e1dee0c.txt").read_text(encoding="utf-8")
        assert r"x \ge 0" not in (seeds / "001_4708e7f08f9c8581.txt").read_text(encoding="utf-8")


def test_normal_equation_in_the_stated_convention_equals_lstsq():
    scenario = load_scenario("normal-equation")
    X = np.vstack([np.array(scenario.data.x).T, np.ones((1, 8))])  # features × samples, as stated
    Y = np.array(scenario.data.y).reshape(-1)
    W = np.linalg.solve(X @ X.T, X @ Y)  # where (2/n)X(XᵀW - Y) = 0
    np.testing.assert_allclose(W, np.linalg.lstsq(X.T, Y, rcond=None)[0], rtol=1e-12)
    assert "w₁ = 2.0075, w₂ = -1.0209" in scenario.explanation and [round(v, 4) for v in W] == [2.0075, -1.0209, 0.528]


def _sigmoid(z):
    return 1 / (1 + math.exp(-z))


def test_saturated_sigmoid_contrast_teaches_the_lesson():
    scenario = load_scenario("saturated-sigmoid")
    grads = {}
    for start in scenario.start_names:
        built = scenario.build(start)
        built["f"].backward()
        x = built.leaves["x"].data
        z = 5.0 * x
        expected = _sigmoid(z) * (1 - _sigmoid(z)) * x  # dσ/dz · dz/dw by hand
        assert built.leaves["w"].grad == pytest.approx(expected, rel=1e-12)
        grads[start] = abs(built.leaves["w"].grad)
    assert set(grads) == {"x = 2", "x = -2", "x = 0.1"}
    # the unsaturated start's weight gets far more gradient than either saturated one (x = 0 gave 0)
    assert grads["x = 0.1"] > 100 * max(grads["x = 2"], grads["x = -2"]) > 0
    assert "pre-activation z = wx + b" in scenario.explanation


def test_mae_vs_mse_states_the_real_gradients():
    p, y = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.1, 1.9, 3.2, 10.0])
    mse_grad = 2 * (p - y) / 4
    np.testing.assert_allclose(mse_grad, [-0.05, 0.05, -0.1, -3.0], atol=1e-12)
    explanation = load_scenario("mae-vs-mse-outliers").explanation
    assert "30 times" not in explanation and "(-0.05, 0.05 and -0.1)" in explanation
    built = load_scenario("mae-vs-mse-outliers").build()
    built.backward_from.backward()
    np.testing.assert_allclose([v.grad for v in built.leaves["p_mse"]], mse_grad, atol=1e-12)


def test_l1_does_not_claim_exact_zeros_from_plain_subgradient_steps():
    explanation = load_scenario("l1-vs-l2").explanation
    assert "exactly zero" not in explanation and "rather than" in explanation
    # plain subgradient descent on |w| from 0.25, lr 0.1: it hovers around 0 and never lands on it
    w, path = 0.25, []
    for _ in range(20):
        w -= 0.1 * np.sign(w)
        path.append(w)
    assert all(abs(v) > 1e-9 for v in path) and min(path) < 0 < max(path)


def test_iterations_are_numbered_from_1_everywhere(capsys):
    records = load_scenario("learning-rate").train(iterations=3)
    assert [r["iteration"] for r in records] == [1, 2, 3]
    assert main(["train", "learning-rate", "--iterations", "3", "--format", "json"]) == 0
    assert [r["iteration"] for r in json.loads(capsys.readouterr().out)] == [1, 2, 3]
    assert main(["train", "learning-rate", "--iterations", "3"]) == 0
    rows = [line.split()[0] for line in capsys.readouterr().out.splitlines() if re.match(r"\s+\d+\s", line)]
    assert rows[:3] == ["1", "2", "3"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "numbers them (from 1" in readme and "(from 0)" not in readme
    assert '"iteration": 1,' in (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    from graphviz_nn.render import plots
    loss = next(p for p in plots.panels_for(load_scenario("learning-rate"), 3) if p.ylabel == "loss")
    assert list(loss.lines[0][1]) == [1, 2, 3]  # the plot's iteration axis
