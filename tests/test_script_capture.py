"""``graphviz-nn debug script.py``: a micrograd-style script runs unchanged and one of its
backward passes becomes a trace; every way it can fail is one sentence with exit status 2.

The reference numbers come from running the same script with micrograd itself (installed
for the tests), never from the trace.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from graphviz_nn import Value
from graphviz_nn.cli import main
from graphviz_nn.script_capture import ScriptError, capture

TRAINING = textwrap.dedent("""\
    import random
    from micrograd.engine import Value
    from micrograd.nn import MLP

    random.seed(1337)
    model = MLP(2, [4, 1])
    xs = [[2.0, 3.0], [3.0, -1.0], [0.5, 1.0]]
    ys = [1.0, -1.0, 1.0]
    for k in range(4):
        preds = [model(x) for x in xs]
        loss = sum((p - y) ** 2 for p, y in zip(preds, ys))
        model.zero_grad()
        loss.backward()
        print(repr(loss.data), *(repr(p.data) for p in model.parameters()))
        for p in model.parameters():
            p.data += -0.05 * p.grad
    """)


def _script(tmp_path, text, name="lesson.py"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _micrograd_run(path):
    """Each iteration's loss and parameters, printed by the script under real micrograd."""
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, check=True).stdout
    return [[float(x) for x in line.split()] for line in out.splitlines()]


def _loss_and_leaves(trace):
    out = trace.backward_from
    value = trace.state_at(trace.n_forward).value(out)
    leaves = [info for info in trace.nodes if info.is_leaf and info.user_label and ".w" in info.user_label
              or info.is_leaf and info.user_label and info.user_label.endswith(".b")]
    return value, leaves


def test_the_last_pass_is_traced_with_the_numbers_it_saw(tmp_path):
    path = _script(tmp_path, TRAINING)
    reference = _micrograd_run(path)
    captured = capture(path)
    assert (captured.number, captured.total) == (4, 4)
    assert captured.title == "lesson.py: backward pass 4 of 4"
    trace = captured.trace
    loss, *params = reference[3]  # micrograd's fourth iteration, before its fourth update
    state = trace.state_at(trace.n_forward)
    assert state.value(trace.backward_from) == loss
    # every parameter at the values micrograd had at that pass, not after the script's last update
    names = [f"L1.N{n}.{p}" for n in range(1, 5) for p in ("w0", "w1", "b")] + \
            [f"L2.N1.w{i}" for i in range(4)] + ["L2.N1.b"]
    by_name = {info.user_label: info.id for info in trace.nodes if info.user_label}
    assert [state.value(by_name[n]) for n in names] == params
    # and the gradients the trace ends with are micrograd's at that pass
    end = trace.state_at(len(trace.steps))
    assert end.grad(by_name["L2.N1.b"]) == pytest.approx(-2 * sum(
        y - p for y, p in zip([1.0, -1.0, 1.0], _predictions(params))), rel=1e-12)


def _predictions(params):
    """The 2-4-1 ReLU MLP of TRAINING written out in plain Python."""
    xs = [[2.0, 3.0], [3.0, -1.0], [0.5, 1.0]]
    hidden = [params[3 * n:3 * n + 3] for n in range(4)]
    w2, b2 = params[12:16], params[16]
    out = []
    for x in xs:
        h = [max(0.0, b + w0 * x[0] + w1 * x[1]) for w0, w1, b in hidden]
        out.append(b2 + sum(w * hi for w, hi in zip(w2, h)))
    return out


def test_the_script_leaves_the_interpreter_as_it_found_it(tmp_path):
    before_modules = {k for k in sys.modules if k.startswith("micrograd")}
    argv, path_list = list(sys.argv), list(sys.path)
    capture(_script(tmp_path, TRAINING))
    assert {k for k in sys.modules if k.startswith("micrograd")} == before_modules
    assert sys.argv == argv and sys.path == path_list
    from graphviz_nn.graph import backward as engine_backward  # noqa: F401
    assert Value.backward.__qualname__.startswith(("Value.", "RecordedNode.")), Value.backward.__qualname__
    v = Value(2.0)  # backward is the engine's again: no watch left behind
    (v * v).backward()
    assert v.grad == 4.0


def test_a_chosen_pass_stops_the_script_there(tmp_path):
    path = _script(tmp_path, TRAINING + "raise SystemExit('never reached')\n")
    reference = _micrograd_run(_script(tmp_path, TRAINING, "ref.py"))
    captured = capture(path, backward=2)
    assert (captured.number, captured.total) == (2, None)
    assert captured.title == "lesson.py: backward pass 2"
    trace = captured.trace
    assert trace.state_at(trace.n_forward).value(trace.backward_from) == reference[1][0]


def test_script_arguments_and_its_own_folder_are_there_as_python_gives_them(tmp_path):
    (tmp_path / "helpers.py").write_text("def square(v):\n    return v * v\n")
    path = _script(tmp_path, textwrap.dedent("""\
        import sys
        from graphviz_nn import Value
        from helpers import square
        x = Value(float(sys.argv[1]), label="x")
        y = square(x)
        y.backward()
        """))
    trace = capture(path, ("3.5",)).trace
    assert trace.state_at(trace.n_forward).value(trace.backward_from) == 12.25


@pytest.mark.parametrize("text, fragment", [
    ("x = (1,\n", "lesson.py line 1: syntax error"),
    ("from graphviz_nn import Value\nx = Value(2.0)\nprint(x.data)\n", "ran to its end without a backward pass"),
    ("class Value:\n    pass\n\nv = Value()\n", "defines its own class Value (line 1)"),
    ("from graphviz_nn import Value\nx = Value(1.0)\n(x * x).backward()\n1 / 0\n",
     "lesson.py line 4 stopped with ZeroDivisionError: division by zero"),
    ("import sys\nsys.exit(3)\n", "exited with status 3 before any backward pass"),
])
def test_every_failure_is_one_sentence_with_status_two(tmp_path, capsys, text, fragment):
    path = _script(tmp_path, text)
    with pytest.raises(ScriptError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        capture(path)
    assert main(["debug", str(path)]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err


def test_a_pass_the_script_never_reached_names_the_range(tmp_path, capsys):
    path = _script(tmp_path, TRAINING)
    assert main(["debug", "--backward", "9", str(path)]) == 2
    assert "made 4 backward passes, so there is no pass 9; choose --backward 1 to 4" in capsys.readouterr().err


def _written(path, data: bytes):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("make, fragment", [
    (lambda p: p / "missing.py", "no such file"),
    (lambda p: p, "not a file"),
    (lambda p: _written(p / "b.py", b"\xff\xfe\x00"), "not UTF-8 text"),
    (lambda p: _written(p / "big.py", b"#" * 1_000_001), "too large for a lesson script"),
])
def test_bad_paths_are_one_sentence(tmp_path, capsys, make, fragment):
    assert main(["debug", str(make(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert fragment in err and len(err.strip().splitlines()) == 1


def test_a_pass_number_must_be_positive(tmp_path, capsys):
    with pytest.raises(SystemExit) as done:
        main(["debug", "--backward", "0", str(_script(tmp_path, TRAINING))])
    assert done.value.code == 2 and "not a pass number" in capsys.readouterr().err


def test_the_app_says_which_engine_recorded_the_pass(tmp_path):
    from graphviz_nn.cli.debug_script import explanation_of

    scalar = capture(_script(tmp_path, TRAINING.replace("range(4)", "range(1)")))
    assert explanation_of(scalar) == "The backward pass 1 that lesson.py ran, recorded by graphviz_nn's Value."
    tensor = capture(_script(tmp_path, textwrap.dedent("""\
        import numpy as np
        from graphviz_nn import Tensor
        W = Tensor(np.ones((2, 2)), label="W")
        ((W * 2.0).tanh()).sum().backward()
        """), name="tensors.py"))
    assert explanation_of(tensor) == "The backward pass 1 that tensors.py ran, recorded by graphviz_nn's Tensor."
