"""``graphviz-nn exercise``: a full correct answer file for every expression scenario of the catalogue,
computed here by PyTorch from the graph's structure (never from the trace's numbers), passes; one
wrong number fails on exactly that answer; bad input is one sentence and exit 2."""
import json
import math

import pytest

from graphviz_nn.cli import main
from graphviz_nn.scenario_format import catalogue_ids, load_scenario

torch = pytest.importorskip("torch")  # a dev dependency (scripts/setup.sh --dev); CI requires it
F = torch.nn.functional

EXPRESSIONS = [i for i in catalogue_ids() if load_scenario(i).kind == "expression"]
TENSOR_ONLY = {"sigmoid-jacobian"}  # its steps are 2048-long arrays: nothing a student can type


def _max(a, b, c):
    return torch.where(a >= b, a, b)  # the slide's rule: a wins ties


TORCH = {  # op name -> the gate written in PyTorch (c: the constant folded into the gate)
    "add": lambda a, b, c: a + b, "sub": lambda a, b, c: a - b, "mul": lambda a, b, c: a * b,
    "div": lambda a, b, c: a / b, "max": _max,
    "add_const": lambda x, c: x + c, "mul_const": lambda x, c: x * c, "rsub_const": lambda x, c: c - x,
    "rdiv_const": lambda x, c: c / x, "pow": lambda x, c: x ** c, "exp": lambda x, c: torch.exp(x),
    "log": lambda x, c: torch.log(x), "sqrt": lambda x, c: torch.sqrt(x), "relu": lambda x, c: torch.relu(x),
    "abs": lambda x, c: torch.abs(x), "sigmoid": lambda x, c: torch.sigmoid(x), "tanh": lambda x, c: torch.tanh(x),
    "leaky_relu": lambda x, c: F.leaky_relu(x, c), "elu": lambda x, c: F.elu(x, c),
    "prelu": lambda x, a, c: torch.where(x > 0, x, a * x),
}


def _t(x):
    return torch.tensor(float(x), dtype=torch.float64, requires_grad=True)


def torch_answers(scenario_id):
    """Every number the exercise asks, keyed as a student would, computed by PyTorch.

    The trace gives only structure (which gate, which inputs, the order of the steps); the
    leaves' values are the question's givens.
    """
    scenario = load_scenario(scenario_id)
    trace = scenario.trace()
    node = {}
    for info in trace.nodes:
        if info.is_leaf:
            node[info.id] = _t(trace.engine_node(info.id).data)
        else:
            node[info.id] = TORCH[info.op](*(node[i] for i in info.inputs), info.const)
    out = node[trace.backward_from]
    ids = list(node)
    dout = dict(zip(ids, torch.autograd.grad(out, [node[i] for i in ids], allow_unused=True, retain_graph=True)))
    names = [info.name for info in trace.nodes]
    unique = {n for n in names if names.count(n) == 1}
    answers, running, last = {}, {}, {}
    for step in trace.steps:
        info = trace.node(step.node)
        if step.phase == "forward" and not info.is_leaf:
            value = node[info.id].item()
            answers[str(step.number)] = value
            if info.name in unique:
                answers[info.name] = value
        elif step.phase == "backward" and not step.is_seed:
            # the gate's local gradient with respect to this one input slot (x*x has two)
            copies = [torch.tensor(node[i].item(), dtype=torch.float64, requires_grad=True) for i in info.inputs]
            y = TORCH[info.op](*copies, info.const)
            local = torch.autograd.grad(y, copies[step.input_index])[0].item()
            running[step.input] = running.get(step.input, 0.0) + dout[info.id].item() * local
            answers[f"{step.number}.local"] = local
            answers[str(step.number)] = running[step.input]
            last[step.input] = running[step.input]
    for node_id, total in last.items():
        assert math.isclose(total, dout[node_id].item(), rel_tol=1e-9, abs_tol=1e-12)  # our sums are torch's too
        name = trace.node(node_id).name
        if name in unique:
            answers[f"{name}.grad"] = total
    return answers


def _write(tmp_path, answers, suffix=".json"):
    path = tmp_path / f"answers{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(answers))
    else:
        path.write_text("".join(f'"{k}" = {v!r}\n' for k, v in answers.items()))
    return path


@pytest.mark.parametrize("scenario_id", [i for i in EXPRESSIONS if i not in TENSOR_ONLY])
def test_a_full_correct_answer_file_passes_and_one_wrong_number_fails(scenario_id, tmp_path, capsys):
    answers = torch_answers(scenario_id)
    assert answers, scenario_id
    assert main(["exercise", scenario_id, "--answers", str(_write(tmp_path, answers)), "--all"]) == 0
    out = capsys.readouterr().out
    assert "WRONG" not in out and "not answered" not in out
    assert sum(line.startswith("right  ") for line in out.splitlines()) == len(answers)
    # one number off by a clear margin: exactly that answer is wrong, with the true value beside it
    key = sorted(answers)[len(answers) // 2]
    bad = dict(answers, **{key: answers[key] + 0.5 + abs(answers[key])})
    assert main(["exercise", scenario_id, "--answers", str(_write(tmp_path, bad, ".toml"))]) == 1
    out = capsys.readouterr().out
    wrong = [line for line in out.splitlines() if line.startswith("WRONG")]
    assert len(wrong) == 1 and wrong[0].startswith(f"WRONG  {key} = ")
    assert f"{len(answers) - 1} of {len(answers)} answers right" in out


def test_the_sigmoid_neuron_slide_numbers(tmp_path, capsys):
    # the lecture's own numbers, rounded as the slide prints them
    slide = {"f": 0.73, "w0.grad": -0.20, "x0.grad": 0.39, "w1.grad": -0.39, "x1.grad": -0.59, "w2.grad": 0.20}
    assert main(["exercise", "sigmoid-neuron", "--answers", str(_write(tmp_path, slide))]) == 0
    assert "6 of 6 answers right; 26 of 32 questions not answered" in capsys.readouterr().out
    # without --all a partial file passes; with it the missing ones fail
    assert main(["exercise", "sigmoid-neuron", "--answers", str(_write(tmp_path, slide)), "--all"]) == 1


def test_answers_written_as_students_write_them(tmp_path, capsys):
    path = tmp_path / "a.toml"
    path.write_text('"w0.grad" = "-.20"\n"25.local" = "−1"\n[x1]\ngrad = "-5.9e-1"\n')
    assert main(["exercise", "sigmoid-neuron", "--answers", str(path)]) == 0
    assert capsys.readouterr().out.count("right ") == 3


@pytest.mark.parametrize("content, suffix, words", [
    ('{"zzz": 1}', ".json", "no step asks for 'zzz'"),
    ('{"f": "abc"}', ".json", "the answer for 'f': 'abc' is not a number"),
    ('{"f": true}', ".json", "True is not a number"),
    ('{"f": [1, 2]}', ".json", "is a list"),
    ('f = ', ".toml", "is not valid TOML"),
    ('{"f": 1e999}', ".json", "too large"),
    ('[1, 2]', ".json", "holds no table of answers"),
])
def test_bad_answer_files_are_one_sentence_and_exit_2(content, suffix, words, tmp_path, capsys):
    path = tmp_path / f"a{suffix}"
    path.write_text(content)
    assert main(["exercise", "sigmoid-neuron", "--answers", str(path)]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_huge_or_missing_file_is_refused_before_reading(tmp_path, capsys):
    path = tmp_path / "huge.toml"
    with open(path, "wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: costs no disk
    assert main(["exercise", "sigmoid-neuron", "--answers", str(path)]) == 2
    assert "more than the 256 KiB" in capsys.readouterr().err
    assert main(["exercise", "sigmoid-neuron", "--answers", str(tmp_path / "nope.toml")]) == 2
    assert "there is no answer file" in capsys.readouterr().err


def test_a_tensor_scenario_says_it_asks_nothing(tmp_path, capsys):
    assert main(["exercise", "sigmoid-jacobian", "--answers", str(_write(tmp_path, {"y": 1.0}))]) == 2
    assert "asks nothing that can be typed" in capsys.readouterr().err


def test_list_names_every_question_without_its_number(capsys):
    assert main(["exercise", "sigmoid-neuron", "--list"]) == 0
    out = capsys.readouterr().out
    assert "df/dn11" in out and "w0.grad" in out and "0.73" not in out and "-0.53" not in out
    assert len(out.splitlines()) == 32  # 8 gate values, 12 edges × (local, grad)


def test_ask_chooses_the_kinds(capsys):
    assert main(["exercise", "sigmoid-neuron", "--list", "--ask", "grad"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 12
    assert main(["exercise", "sigmoid-neuron", "--list", "--ask", "slope"]) == 2
    assert "'slope' is not a kind" in capsys.readouterr().err
