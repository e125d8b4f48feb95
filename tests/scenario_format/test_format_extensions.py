"""The format's issue-15 keys: [compare], expression [[starts]], branch(), [view] draw/jacobian,
[training] batch_size; each mistake one located sentence."""
import pytest

from graphviz_nn.cli import main
from graphviz_nn.scenario_format import ScenarioError, load_text

EXPRESSION = '''
id = "mine"
title = "Mine"
kind = "expression"
explanation = "x and w."
[lecture]
seed = "003_a865680e82364ae9.txt"
slide = "Recap"
[leaves]
x = 2.0
w = 3.0
[outputs]
f = "branch(x, w * x, w * x * x)"
g = "w + x"
'''

MODEL = '''
id = "model"
title = "Model"
kind = "model"
explanation = "A line."
[lecture]
seed = "003_a865680e82364ae9.txt"
slide = "SGD"
[model]
inputs = 1
layers = [1]
loss = "(output - target) ** 2"
[data]
x = [[0.0], [1.0], [2.0], [3.0]]
y = [1.0, 3.0, 5.0, 7.0]
[training]
lr = 0.05
iterations = 20
'''


def error_of(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        load_text(text, "mine.toml")
    return str(info.value)


def test_expression_starts_change_the_leaves_and_the_graph():
    text = EXPRESSION + '''
[[starts]]
name = "negative"
leaves = { x = -1.0 }
'''
    scenario = load_text(text)
    assert scenario.build()["f"].data == 6.0 and scenario.build("negative")["f"].data == 3.0
    assert scenario.build(0)["g"].data == 2.0


@pytest.mark.parametrize("extra, words", [
    ('[[starts]]\nname = "a"\nleaves = { z = 1.0 }\n', "'z' is not a scalar leaf"),
    ('[[starts]]\nname = "a"\n', "the key 'leaves' is missing"),
    ('[view]\ndraw = ["h"]\n', "draw names 'h', which is not an output"),
    ('[view]\ndraw = ["g"]\n', "draw leaves out 'f'"),
    ('[view]\njacobian = ["nope"]\n', "jacobian names 'nope'"),
    ('[compare]\nlr = [0.1]\n', "this scenario has no [training] table"),
])
def test_expression_extension_mistakes(extra, words):
    message = error_of(EXPRESSION + extra)
    assert words in message and "mine.toml, line" in message


def test_branch_takes_one_branch_and_needs_one_number_as_condition():
    scenario = load_text(EXPRESSION.replace('g = "w + x"', 'h = "branch(x - 5, 1, 2)"'))
    assert scenario.build()["h"].data == 2.0  # x - 5 = -3 is not above 0
    message = error_of(EXPRESSION.replace("w = 3.0", "w = 3.0\nv = [1.0, 2.0]").replace(
        'g = "w + x"', 'g = "branch(v, 1, 2)"'))
    assert "the condition must be one number" in message and "line 15, column 6" in message


@pytest.mark.parametrize("extra, words", [
    ("batch_size = 5\n", "batch_size = 5 is out of range"),
    ("batch_size = 0\n", "batch_size = 0 is out of range"),
])
def test_batch_size_bounds(extra, words):
    assert words in error_of(MODEL + extra)


@pytest.mark.parametrize("extra, words", [
    ('[compare]\nbatch_size = [4, 9]\n', "batch_size must list 1 to 8 batch sizes"),
    ('[compare]\nscenarios = ["no-such"]\n', "'no-such' is not a catalogue scenario"),
    ('[compare]\nlr = [1000.0]\n', "the learning rate 1000 is out of range"),
    ('[compare]\nwhat = 1\n', "unknown key 'what' in [compare]"),
])
def test_compare_mistakes(extra, words):
    assert words in error_of(MODEL + extra)


def test_normal_equation_needs_a_linear_model():
    bad = MODEL.replace('layers = [1]', 'layers = [2, 1]') + "[compare]\nnormal_equation = true\n"
    assert "the normal equation solves a linear model only" in error_of(bad)
    good = load_text(MODEL + "[compare]\nnormal_equation = true\n")
    from graphviz_nn.scenario_build.normal_equation import normal_equation
    assert normal_equation(good) == pytest.approx([2.0, 1.0])  # y = 2x + 1 exactly


def test_compared_runs_and_batch_size_from_a_file(tmp_path, capsys):
    path = tmp_path / "model.toml"
    path.write_text(MODEL.replace("iterations = 20", "iterations = 20\nbatch_size = 2")
                    + "[compare]\nbatch_size = [4, 2]\nlr = [0.05, 0.01]\n")
    assert main(["train", str(path)]) == 0
    out = capsys.readouterr().out
    assert "batch size 2" in out
    for label in ("lr 0.05, full batch", "lr 0.05, batch 2", "lr 0.01, full batch", "lr 0.01, batch 2"):
        assert label in out
