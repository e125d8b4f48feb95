"""The gradient check report (tui/reports.py): one row per leaf, a batch's inputs named by sample."""
from graphviz_nn.scenario_format import load_scenario
from graphviz_nn.tui.reports import gradient_check_text


def test_the_gradient_check_names_each_samples_inputs_once():
    scenario = load_scenario("mlp-xor")
    text = gradient_check_text(scenario.trace(), scenario)
    rows = [line.split()[0] + (" " + " ".join(line.split()[1:3]) if "(sample" in line else "")
            for line in text.splitlines() if line.startswith(("x0", "x1"))]
    samples = 4  # XOR's four points
    assert rows == [f"x{i} (sample {s})" for s in range(1, samples + 1) for i in (0, 1)]
    assert "all passed" in text
