"""The documented format: the examples in docs/scenarios.md load, and options behave as documented."""
import pathlib
import re

import pytest

from graphviz_nn import ScenarioError, graph, load_scenario
from graphviz_nn.scenario_format import load_text

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "scenarios.md"


def _examples():
    return re.findall(r"```toml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)


def test_the_two_documented_examples_load_and_match_the_catalogue():
    examples = _examples()
    assert len(examples) == 2
    neuron = load_text(examples[0], "neuron.toml")
    assert round(neuron.build()["f"].data, 2) == 0.73
    slowdown = load_text(examples[1], "slowdown.toml")
    assert slowdown.train("w=2, b=2") == load_scenario("learning-slowdown-quadratic").train("w=2, b=2")


def _sigmoid_text(view: str) -> str:
    return f'''
id = "s"
title = "t"
kind = "expression"
explanation = "e"
lecture = {{ seed = "a", slide = "b" }}
[leaves]
z = 0.5
[outputs]
f = "sigmoid(z)"
{view}
'''


def test_expand_builds_a_composite_from_its_primitive_gates():
    collapsed = load_text(_sigmoid_text("")).build()["f"]
    expanded = load_text(_sigmoid_text('[view]\nexpand = ["sigmoid"]')).build()["f"]
    assert collapsed.op.name == "sigmoid"
    symbols = [n.op.symbol(n.const) for n in graph.reachable(expanded) if n.op is not None]
    assert symbols == ["*-1", "exp", "+1", "1/x"]
    assert expanded.data == pytest.approx(collapsed.data, rel=1e-15)


def test_expand_rejects_a_primitive_gate():
    with pytest.raises(ScenarioError) as info:
        load_text(_sigmoid_text('[view]\nexpand = ["exp"]'), "x.toml")
    assert (info.value.line, "not a composite gate") == (12, "not a composite gate") and "sigmoid" in str(info.value)


def test_outputs_reuse_earlier_outputs_and_keep_order():
    text = _sigmoid_text("").replace('f = "sigmoid(z)"', 'g = "z * z"\nf = "g + g"')
    built = load_text(text).build()
    assert list(built) == ["g", "f"] and built["f"].inputs == (built["g"], built["g"])


def test_builds_are_fresh_each_time():
    scenario = load_scenario("add-mul")
    first, second = scenario.build(), scenario.build()
    assert first["f"] is not second["f"] and first.leaves["x"] is not second.leaves["x"]
    outputs, backward_from = scenario.outputs_for_view()
    assert outputs == [backward_from]


@pytest.mark.parametrize("expression, message", [
    ("expp(z)", "unknown function 'expp'"),
    ("q * 2", "unknown name 'q'"),
    ("leaky_relu(z, z)", "argument 2 of leaky_relu must be a plain number"),
    ("max(z)", "max takes 2 to 16 argument(s), got 1"),
    ("1 / 0", "division of a constant by zero"),
    ("10 ** 400", "is not a finite real number"),
])
def test_errors_found_while_building_point_into_the_expression(expression, message):
    text = _sigmoid_text("").replace('"sigmoid(z)"', f'"{expression}"')
    with pytest.raises(ScenarioError) as info:
        load_text(text, "mine.toml")
    error = info.value
    assert message in str(error) and error.file == "mine.toml" and error.line == 10 and error.column >= 6


def test_a_dataset_must_fit_the_model():
    from importlib import resources
    text = resources.files("graphviz_nn.scenarios").joinpath("mlp-moons.toml").read_text(encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_text(text.replace("inputs = 2", "inputs = 3"), "moons.toml")
    assert "2 input feature(s)" in str(info.value) and info.value.line == text.splitlines().index('dataset = "moons"') + 1


@pytest.mark.parametrize("change, message", [
    (("test_samples = 200", "test_samples = 0"), "test_samples = 0 is out of range"),
    (("test_samples = 200", "test_samples = 1.5"), "test_samples"),
    (('dataset = "line"\nsamples = 8\nnoise = 0.3\nseed = 0\ntest_samples = 200',
      "x = [[0.0], [1.0]]\ny = [0.0, 1.0]\ntest_samples = 2"), "test_samples only applies to a generated dataset"),
])
def test_a_bad_test_split_is_one_located_sentence(change, message):
    from importlib import resources
    text = resources.files("graphviz_nn.scenarios").joinpath("overfitting.toml").read_text(encoding="utf-8")
    assert change[0] in text
    with pytest.raises(ScenarioError) as info:
        load_text(text.replace(*change), "split.toml")
    assert message in str(info.value) and info.value.file == "split.toml" and info.value.line > 0
    assert "Traceback" not in str(info.value)


def test_a_missing_table_points_at_the_top_and_a_bad_table_at_its_header():
    with pytest.raises(ScenarioError) as info:
        load_text(_sigmoid_text("").replace("[outputs]", "[outputz]"), "x.toml")
    assert "unknown key 'outputz'" in str(info.value) and info.value.line == 9


def test_training_an_expression_scenario_records_vector_outputs_by_element():
    text = '''
id = "soft"
title = "t"
kind = "expression"
explanation = "e"
lecture = { seed = "a", slide = "b" }
[leaves]
z = [1.0, 2.0]
[outputs]
p = "softmax(z)"
loss = "-log(p)"
[view]
backward_from = "loss"
[training]
parameters = ["z"]
lr = 0.5
iterations = 3
record = ["p", "loss"]
'''
    with pytest.raises(ScenarioError, match="vector"):
        load_text(text)  # -log of a vector is a vector: backward_from must be one number
    records = load_text(text.replace('"-log(p)"', '"-log(sum(p * z) / 3)"')).train()
    assert [sorted(r) for r in records] == [["iteration", "loss", "p[0]", "p[1]"]] * 3
    assert records[0]["p[0]"] + records[0]["p[1]"] == pytest.approx(1.0)


HEAD = 'id = "a"\ntitle = "t"\nkind = "expression"\nexplanation = "e"\nlecture = { seed = "a", slide = "b" }\n'


@pytest.mark.parametrize("layout, text, points_at", [
    ("dotted keys", HEAD + 'leaves.x = 1.0\noutputs.f = "x + ｙ"\n', "ｙ"),
    ("inline tables", HEAD + 'leaves = { x = 1.0 }\noutputs = { g = "x", f = "x + ｙ" }\n', "ｙ"),
    ("quoted key", HEAD + '[leaves]\nx = 1.0\n[outputs]\n"f" = "x + ｙ"\n', "ｙ"),
    ("literal string", HEAD + "[leaves]\nx = 1.0\n[outputs]\nf = 'x + ｙ'\n", "ｙ"),
    ("multi-line string", HEAD + '[leaves]\nx = 1.0\n[outputs]\nf = """\n  x +\n  ｙ"""\n', "ｙ"),
    ("inline table value", HEAD.replace('slide = "b"', "slide = 3") + '[leaves]\nx = 1.0\n[outputs]\nf = "x"\n', "3"),
    ("spaced header", HEAD + '[ leaves ]\nx = "q"\n[outputs]\nf = "x"\n', '"q"'),
])
def test_error_positions_in_every_toml_layout(layout, text, points_at):
    with pytest.raises(ScenarioError) as info:
        load_text(text, "u.toml")
    line = text.split("\n")[info.value.line - 1]
    assert line[info.value.column - 1:].startswith(points_at), layout


def test_collapse_keeps_the_listed_composites_and_expands_the_rest():
    text = _sigmoid_text('[view]\ncollapse = ["tanh"]').replace('"sigmoid(z)"', '"tanh(sigmoid(z))"')
    f = load_text(text).build()["f"]
    ops = [n.op.name for n in graph.reachable(f) if n.op is not None]
    assert ops == ["mul_const", "exp", "add_const", "rdiv_const", "tanh"]  # sigmoid expanded, tanh kept
    with pytest.raises(ScenarioError, match="both given"):
        load_text(_sigmoid_text('[view]\ncollapse = ["tanh"]\nexpand = ["sigmoid"]'))


def test_expanding_every_composite_keeps_every_value_and_gradient():
    from importlib import resources
    text = resources.files("graphviz_nn.scenarios").joinpath("activations.toml").read_text("utf-8")
    whole = load_text(text).build()
    expanded = load_text(text.replace('[view]\n', '[view]\ncollapse = []\n')).build()
    assert any(n.op.name == "prelu" for n in graph.reachable(whole["prelu_x"]) if n.op)
    assert not any(n.op.composite for out in expanded.values() for n in graph.reachable(out) if n.op)
    for name in whole:
        assert expanded[name].data == pytest.approx(whole[name].data, abs=1e-12), name
    whole.backward_from.backward()
    expanded.backward_from.backward()
    assert expanded.leaves["alpha"].grad == pytest.approx(whole.leaves["alpha"].grad)
    assert expanded.leaves["x"].grad == pytest.approx(whole.leaves["x"].grad)


def test_constant_identities_add_no_gates():
    built = load_scenario("learning-slowdown-cross-entropy").build()
    loss = built["loss"]
    symbols = [n.op.symbol(n.const) for n in graph.reachable(loss) if n.op is not None]
    # -(0·log a + (1 - 0)·log(1 - a)) is the lecture's -log(1 - a): no *0, *1 or +0 gates
    assert symbols == ["*", "+", "sigmoid", "1-x", "log", "*-1"]
    for expression, kept in [("z + 0", "z"), ("0 + z", "z"), ("z - 0", "z"), ("z * 1", "z"), ("1 * z", "z"),
                             ("z / 1", "z")]:
        f = load_text(_sigmoid_text("").replace('"sigmoid(z)"', f'"{expression}"')).build()["f"]
        assert f.op is None and f.label == kept, expression
    f = load_text(_sigmoid_text("").replace('"sigmoid(z)"', '"0 - z"')).build()["f"]
    assert f.op.symbol(f.const) == "0-x"  # not an identity: the gate stays


def test_a_model_loss_that_is_a_vector_is_a_located_error():
    # found by the catalogue fuzzer: loss = "softmax(output)" used to end in a TypeError
    import graphviz_nn.scenarios

    text = (pathlib.Path(graphviz_nn.scenarios.__file__).parent / "linear-regression.toml").read_text("utf-8")
    loss_line = next(line for line in text.splitlines() if line.startswith("loss ="))
    bad = text.replace(loss_line, 'loss = "softmax(output)"')
    with pytest.raises(ScenarioError) as info:
        load_text(bad, "vector-loss.toml").build()
    assert "one number" in str(info.value) and info.value.line == bad.splitlines().index('loss = "softmax(output)"') + 1


def _data_text(data: str, training: str = "") -> str:
    return f'''
id = "d"
title = "t"
kind = "expression"
explanation = "e"
{data}
lecture = {{ seed = "a", slide = "b" }}
[leaves]
w = 0.5
x = 2.0
y = 0.5
[outputs]
loss = "(w * x - y) ** 2"
{training}
'''


def test_data_leaves_want_no_gradient_and_are_not_trained_by_default():
    scenario = load_text(_data_text('data_leaves = ["x", "y"]', "[training]\nlr = 0.1\niterations = 2"))
    built = scenario.build()
    built.backward_from.backward()
    leaves = built.leaves
    assert leaves["x"].grad == 0.0 and leaves["y"].grad == 0.0 and leaves["w"].grad == 2 * 0.5 * 2.0
    assert not leaves["x"].requires_grad and leaves["w"].requires_grad
    assert scenario.training.parameters == ("w",)


@pytest.mark.parametrize("data, training, problem", [
    ('data_leaves = ["z"]', "", "data_leaves names 'z', which is not a leaf"),
    ('data_leaves = ["x"]', '[training]\nparameters = ["w", "x"]', "'x' is data (listed in data_leaves)"),
])
def test_bad_data_leaves_are_one_sentence_at_their_line(data, training, problem):
    with pytest.raises(ScenarioError) as info:
        load_text(_data_text(data, training), "d.toml")
    assert problem in str(info.value) and info.value.line is not None
