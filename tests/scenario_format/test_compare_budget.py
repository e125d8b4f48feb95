"""One work budget for a whole ``[compare]`` table (issue 25): starts × learning rates × batch
sizes (× compared scenarios) are counted together and refused before the first run, in one
sentence with the count, the estimate and the limit."""
import pytest

from graphviz_nn.errors import UserError
from graphviz_nn.scenario_format import budget
from graphviz_nn.scenario_format.loader import load_text

MODEL = """
id = "wide-compare"
title = "A comparison worth hours"
kind = "model"
explanation = "Many runs side by side."

[model]
engine = "tensor"
inputs = 2
layers = [16, 1]
seed = 0
loss = "mean((output - target) ** 2)"

[data]
dataset = "moons"
samples = 400
seed = 0

[training]
lr = 0.1
iterations = {iterations}

[compare]
lr = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
batch_size = [400, 200, 100, 50, 25, 10, 5, 1]
{starts}
"""


def starts(n: int, parameters: int) -> str:
    return "\n".join(f'[[starts]]\nname = "s{i}"\nparameters = [{", ".join(["0.01"] * parameters)}]\n'
                     for i in range(n))


def parameter_count():
    return (2 + 1) * 16 + (16 + 1) * 1


def test_a_comparison_worth_hours_is_refused_with_count_estimate_and_limit():
    text = MODEL.format(iterations=20000, starts=starts(8, parameter_count()))
    with pytest.raises(UserError) as refused:
        load_text(text, "wide.toml")
    message = str(refused.value)
    # independent count: 8 starts × 8 rates × 8 batch sizes
    assert "512 training runs (8 starts × 8 learning rates × 8 batch sizes" in message, message
    assert "recorded nodes holding" in message  # the estimate
    assert f"at most {budget.MAX_COMPARE_NODES:,} nodes and {budget.MAX_COMPARE_NUMBERS:,} numbers in all" in message
    assert "wide.toml" in message and "[compare]" in message and "\n" not in message


def test_the_total_is_the_sum_of_the_runs():
    scenario = load_text(MODEL.format(iterations=1, starts="").replace(
        "batch_size = [400, 200, 100, 50, 25, 10, 5, 1]", "batch_size = [400, 100]"), "small.toml")
    one = budget.estimate(scenario)
    # 8 learning rates × (a full batch + a quarter batch), one iteration each
    nodes = 8 * (one.nodes + one.nodes * 100 // 400)
    numbers = 8 * (one.numbers + one.numbers * 100 // 400)
    assert budget.run_work(scenario, 1, 400) == (one.nodes, one.numbers)
    assert budget.run_work(scenario, 3, 100) == (3 * (one.nodes // 4), 3 * (one.numbers // 4))
    budget.check_compare(scenario, 1)  # within the limit: no error
    times = max(budget.MAX_COMPARE_NODES // nodes, budget.MAX_COMPARE_NUMBERS // numbers) + 1
    with pytest.raises(UserError, match=f"about {nodes * times:,} recorded nodes holding {numbers * times:,} numbers"):
        budget.check_compare(scenario, times)


def test_starts_are_counted_and_limited():
    text = MODEL.format(iterations=1, starts=starts(budget.MAX_STARTS + 1, parameter_count()))
    with pytest.raises(UserError, match=f"{budget.MAX_STARTS + 1} \\[\\[starts\\]\\] entries; .*at most {budget.MAX_STARTS}"):
        load_text(text, "starts.toml")


def test_train_and_plot_refuse_before_the_first_run(tmp_path, refused):
    path = tmp_path / "wide.toml"
    path.write_text(MODEL.format(iterations=20000, starts=starts(4, parameter_count())))
    for command in (["train", path], ["plot", path, "-o", tmp_path / "x.png"], ["show", path]):
        refused(*command).assert_one_sentence("training runs", "numbers in all")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refused.err", "refused.out", "wide.toml"]


def test_iterations_on_the_command_line_count_too(tmp_path, refused):
    path = tmp_path / "ok.toml"
    path.write_text(MODEL.format(iterations=1, starts=starts(2, parameter_count())))
    load_text(path.read_text(), "ok.toml")  # one iteration per run: fine
    refused("train", path, "--iterations", "100000").assert_one_sentence("training runs", "numbers in all")
