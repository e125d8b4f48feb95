"""Every input listed in issue 14 is one sentence with exit status 2, refused quickly and cheaply
(files generated here, never committed)."""
import json
import os

import pytest

from graphviz_nn.cli import main

LECTURE = '[lecture]\nseed = "s"\nslide = "s"\n'


def scenario(tmp_path, top="", body='[leaves]\nx = 2.0\n[outputs]\nf = "x * x"\n', name="s.toml",
             title="t", kind="expression"):
    path = tmp_path / name
    path.write_text(f'id = "s"\ntitle = "{title}"\nexplanation = "e"\nkind = "{kind}"\n{top}{LECTURE}{body}')
    return path


@pytest.mark.parametrize("args, fragment", [
    (["show", "a" * 300], "no scenario called"),
    (["show", "/tmp/" + "a" * 5000 + ".toml"], "characters long"),
    (["show", "b" * 255 + ".toml"], "does not exist"),
    (["render", "sigmoid-neuron", "-o", "x.svg", "--timeout", "nan"], "--timeout"),
    (["render", "sigmoid-neuron", "-o", "x.svg", "--timeout", "inf"], "--timeout"),
    (["render", "sigmoid-neuron", "-o", "x.svg", "--timeout", "0"], "--timeout"),
    (["render", "sigmoid-neuron", "-o", "x.svg", "--timeout", "-1"], "--timeout"),
    (["render", "sigmoid-neuron", "-o", "x.svg", "--max-nodes", "-1"], "--max-nodes"),
    (["frames", "sigmoid-neuron", "-o", "f", "--timeout", "nan"], "--timeout"),
    (["show", "sigmoid-neuron", "--start", "99"], "expression scenario"),
    (["check", "sigmoid-neuron", "--start", "99"], "expression scenario"),
])
def test_command_line_mistakes_are_one_sentence(args, fragment, tmp_path, refused):
    work = tmp_path / "work"
    work.mkdir()
    refused(*args, cwd=work).assert_one_sentence(fragment)
    assert list(work.iterdir()) == []  # nothing written


@pytest.mark.skipif(not os.path.exists("/proc/kmsg"), reason="a Linux kernel file")
def test_a_kernel_file_does_not_hang(refused):
    refused("show", "/proc/kmsg").assert_one_sentence("not a regular file")


def test_a_pipe_does_not_hang(tmp_path, refused):
    os.mkfifo(tmp_path / "pipe.toml")
    refused("show", tmp_path / "pipe.toml").assert_one_sentence()


@pytest.mark.parametrize("top, body, fragment", [
    ('engine = "tensor"\n', '[leaves]\nx = { shape = [3], low = -1e308, high = 1e308 }\n[outputs]\nf = "sum(x)"\n',
     "too wide"),
    ("", '[leaves]\nx = 2.0\n[outputs]\nf = "x * log(-1)"\n', "log(-1)"),
    ("", '[leaves]\nx = 2.0\n[outputs]\nf = "x + exp(1000)"\n', "exp(1000)"),
])
def test_file_mistakes_are_located_sentences(tmp_path, refused, top, body, fragment):
    path = scenario(tmp_path, top, body)
    refused("show", path).assert_one_sentence(str(path), fragment, "line")


def test_layers_the_scalar_engine_lacks_are_errors_not_silently_ignored(tmp_path, refused):
    for key in ("dropout = 0.5", "batchnorm = true"):
        path = scenario(tmp_path, kind="model", body=f'[model]\ninputs = 1\nlayers = [1]\nloss = "mse(output, target)"\n'
                        f'{key}\n[data]\nx = [[1.0]]\ny = [[0.0]]\n')
        refused("show", path).assert_one_sentence(key.split()[0], "tensor engine", "line 12")


@pytest.mark.parametrize("field, value", [
    ("title", "\\u001b[2J\\u001b]52;c;cHduZWQ=\\u0007 hello"),
    ("slide", "\\u001b[31mfake output"),
    ("explanation", "text \\u009b2J"),
    ("title", "a\\nsecond line"),
    ("title", "\\u202egnp.exe"),
])
def test_control_characters_in_scenario_text_are_located_errors(tmp_path, refused, field, value):
    text = f'id = "s"\ntitle = "t"\nexplanation = "e"\nkind = "expression"\n{LECTURE}[leaves]\nx = 2.0\n[outputs]\nf = "x"\n'
    text = text.replace(f'{field} = "{"t" if field == "title" else "e" if field == "explanation" else "s"}"',
                        f'{field} = "{value}"')
    path = tmp_path / "escape.toml"
    path.write_text(text)
    result = refused("show", path).assert_one_sentence(str(path), field)
    assert "\x1b" not in result.stderr and "\x9b" not in result.stdout + result.stderr


def test_nothing_printed_carries_an_escape_even_from_a_file_name(tmp_path, capsys):
    assert main(["show", str(tmp_path / "\x1b[2Jx.toml")]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[2J" in err


def test_train_json_is_valid_json_when_training_diverges(tmp_path, capsys):
    path = scenario(tmp_path, body='[leaves]\nx = 2.0\n[outputs]\nf = "x * x"\n[training]\nlr = 100\niterations = 300\n')
    assert main(["train", str(path), "--format", "json"]) == 0
    text = capsys.readouterr().out
    records = json.loads(text, parse_constant=lambda name: pytest.fail(f"bare {name} in the JSON"))
    losses = [r["loss"] for r in records]
    assert "inf" in losses or "nan" in losses, losses[-3:]
