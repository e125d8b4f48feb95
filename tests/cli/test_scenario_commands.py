"""The scenario commands: list, show, check, train, on catalogue ids and on a user's own file."""
import json
import subprocess
import sys

import pytest

from graphviz_nn.cli import main
from graphviz_nn.scenario_format import catalogue_ids

USER_FILE = """
id = "my-neuron"
title = "My neuron"
kind = "expression"
explanation = "A teacher's own neuron: w·x + b through a tanh."

[lecture]
seed = "003_a865680e82364ae9.txt"
slide = "Backpropagation in General"

[leaves]
w = 0.5
x = 2.0
b = -0.5

[outputs]
a = "tanh(w * x + b)"

[training]
parameters = ["w", "b"]
lr = 0.1
iterations = 5
"""

KINK_FILE = USER_FILE.replace('a = "tanh(w * x + b)"', 'a = "relu(w * x + b - 0.5)"').replace("my-neuron", "kink")


@pytest.fixture
def user_file(tmp_path):
    folder = tmp_path / "somewhere else"
    folder.mkdir()
    path = folder / "mine.toml"
    path.write_text(USER_FILE, encoding="utf-8")
    return str(path)


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_list_shows_every_id_title_and_lecture(capsys):
    status, out, _ = run(capsys, "list")
    assert status == 0
    for scenario_id in catalogue_ids():
        assert scenario_id in out
    assert "The sigmoid neuron, gate by gate" in out and "003: Backpropagation in General" in out
    status, out, _ = run(capsys, "list", "--format", "json")
    assert {e["id"] for e in json.loads(out)} == set(catalogue_ids())


def test_show_text_has_explanation_and_the_slide_numbers(capsys):
    status, out, _ = run(capsys, "show", "sigmoid-neuron")
    assert status == 0
    assert "[upstream gradient] x [local gradient]" in out
    assert "f = 1/n11 = 0.73" in out  # named outputs speak their names
    assert "w0.grad = -0.20" in out and "x1.grad = -0.59" in out


def test_show_json_one_output(capsys):
    status, out, _ = run(capsys, "show", "add-mul", "--format", "json")
    snap = json.loads(out)
    assert status == 0 and snap["output"] == "n4" and "outputs" not in snap
    by_label = {n["label"]: n for n in snap["nodes"]}
    assert by_label["f"]["value"] == -12.0 and by_label["x"]["grad"] == -4.0 and by_label["z"]["grad"] == 3.0


def test_show_json_two_outputs(capsys):
    status, out, _ = run(capsys, "show", "framework-graph", "--format", "json")
    snap = json.loads(out)
    assert status == 0 and "output" not in snap and len(snap["outputs"]) == 2
    labels = {n["id"]: n["label"] for n in snap["nodes"]}
    assert [labels[i] for i in snap["outputs"]] == ["output_1", "output_2"]


def test_check_passes_on_the_default_and_lists_diagnostics(capsys):
    status, out, _ = run(capsys, "check")
    assert status == 0 and "all passed" in out
    status, out, _ = run(capsys, "check", "dead-relu")
    assert status == 0 and "dead_relu" in out


def test_check_exits_1_when_a_gradient_check_fails(capsys, tmp_path):
    path = tmp_path / "kink.toml"
    path.write_text(KINK_FILE, encoding="utf-8")  # relu exactly at its kink: backprop 0, numeric 0.5
    status, out, _ = run(capsys, "check", str(path))
    assert status == 1 and "FAIL" in out


def test_train_json_records(capsys):
    status, out, err = run(capsys, "train", "learning-slowdown-quadratic", "--iterations", "4", "--format", "json")
    records = json.loads(out)
    assert status == 0 and err == ""  # no progress bar when standard error is not a terminal
    # counted from 1, as the app counts them (its header's "iteration 1" is the first record)
    assert [r["iteration"] for r in records] == [1, 2, 3, 4]
    assert round(records[0]["output"], 2) == 0.98 and records[0]["loss"] > records[-1]["loss"]  # the slow start


def test_train_table_and_start(capsys):
    status, out, _ = run(capsys, "train", "learning-slowdown-cross-entropy", "--iterations", "2", "--start", "w=2, b=2")
    assert status == 0 and "lr 0.15" in out and "0.982014" in out


def test_train_model_without_single_output_has_no_output_column(capsys):
    status, out, _ = run(capsys, "train", "mlp-moons", "--iterations", "3", "--format", "json")
    records = json.loads(out)
    assert status == 0 and len(records) == 3 and all("output" not in r for r in records)


@pytest.mark.parametrize("command", [["show"], ["show", "--format", "json"], ["check"], ["train"], ["train", "--format", "json"]])
def test_a_users_file_in_any_directory_works_with_every_command(capsys, user_file, command):
    status, out, err = run(capsys, *command[:1], user_file, *command[1:])
    assert status == 0, err
    assert out.strip()


@pytest.mark.parametrize("argv", [["show", "no-such-scenario"], ["check", "missing.toml"], ["train", "sigmoid-neuron"]])
def test_scenario_errors_exit_2_with_one_line(capsys, argv):
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert err.startswith("graphviz-nn: ") and err.count("\n") == 1 and "Traceback" not in err


def test_hostile_file_on_the_real_command_line_prints_one_message(tmp_path):
    path = tmp_path / "evil.toml"
    path.write_text(USER_FILE.replace('"tanh(w * x + b)"', '"__import__(\'os\').system(\'touch pwned\')"'))
    result = subprocess.run([sys.executable, "-m", "graphviz_nn", "show", str(path)], capture_output=True,
                            text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"{path}, line 17, column 6" in result.stderr
    assert not (tmp_path / "pwned").exists()


def test_train_draws_a_progress_bar_on_a_terminal(capsys, monkeypatch):
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    status = main(["train", "mlp-xor", "--iterations", "100", "--format", "json"])
    assert status == 0
    assert "[##############################] 100/100" in terminal.getvalue()
    assert len(json.loads(capsys.readouterr().out)) == 100


@pytest.mark.parametrize("scenario_id", catalogue_ids())
def test_every_catalogue_entry_shows_and_passes_its_gradient_check(capsys, scenario_id):
    status, out, _ = run(capsys, "show", scenario_id)
    assert status == 0 and "forward" in out and "backward" in out
    status, out, _ = run(capsys, "check", scenario_id)
    assert status == 0 and "all passed" in out
