"""Every number a catalogue explanation states comes out of a command (issue 15, item 4).

For each scenario the test runs ``show`` (at every start), ``check`` and, when it trains,
``train``, removes the explanation, title and slide text from their output, and looks for each
number of the explanation among the numbers printed: a number written with d decimals matches a
printed number that rounds to it at d decimals; a whole number must be printed exactly.
"""
import contextlib
import io
import re

import pytest

from graphviz_nn import load_scenario
from graphviz_nn.cli import main
from graphviz_nn.scenario_format import catalogue_ids, load_text

# a number in prose: not part of a name (w0, x1, R^2048), optionally negative, with thousands
# separators, decimals, an exponent or a percent sign
STATED = re.compile(r"(?<![\w.^])[-−]?\d[\d,]*(?:\.\d+)?(?:e[-−]?\d+)?%?(?!\w)")
PRINTED = re.compile(r"[-−]?\d[\d,]*(?:\.\d+)?(?:e[-+−]?\d+)?")


def stated_numbers(text: str) -> list:
    out = []
    for match in STATED.finditer(text):
        token = match.group().replace("−", "-").rstrip(",")
        if re.fullmatch(r"-?\d{1,3}(,\d{3})+%?", token):
            token = token.replace(",", "")
        out.append(token)
    return out


def printed_numbers(text: str) -> set:
    values = set()
    for match in PRINTED.finditer(text):
        token = match.group().replace("−", "-")
        token = token.replace(",", "") if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", token) else token.split(",")[0]
        try:
            values.add(float(token))
        except ValueError:
            pass
    return values


def is_printed(number: str, printed: set) -> bool:
    percent = number.endswith("%")
    token = number.rstrip("%")
    value = float(token)
    candidates = [value, value / 100] if percent else [value]
    decimals = len(token.split(".")[1]) if "." in token and "e" not in token else None
    for candidate in candidates:
        for v in printed:
            if (v == candidate) if decimals is None else (round(v, decimals) == round(candidate, decimals)):
                return True
    return False


def _run(argv) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        status = main(argv)
    assert status in (0, 1), argv  # check exits 1 only on a failed gradient check
    return out.getvalue()


def command_output(scenario, target: str) -> str:
    """What show (at every start), check and train print, without the scenario's own prose."""
    runs = [["show", target], ["check", target]] + [["show", target, "--start", name] for name in scenario.start_names]
    if scenario.training is not None:
        runs.append(["train", target])
    text = "".join(_run(argv) for argv in runs)
    for prose in (scenario.explanation, f"Lecture: {scenario.lecture}", scenario.title):
        text = text.replace(prose, "")
    return text


def missing_numbers(scenario, target: str) -> list:
    printed = printed_numbers(command_output(scenario, target))
    return [n for n in stated_numbers(scenario.explanation) if not is_printed(n, printed)]


@pytest.mark.parametrize("scenario_id", catalogue_ids())
def test_every_number_an_explanation_states_is_printed_by_a_command(scenario_id):
    assert missing_numbers(load_scenario(scenario_id), scenario_id) == []


def test_a_number_no_command_prints_is_caught(tmp_path):
    text = '''
id = "made-up"
title = "A claim"
kind = "expression"
explanation = "x = 2 and y = 3 give f = 6, and the neuron is 42.4242% sure of it."
[lecture]
seed = "003_a865680e82364ae9.txt"
slide = "Recap"
[leaves]
x = 2.0
y = 3.0
[outputs]
f = "x * y"
'''
    path = tmp_path / "made-up.toml"
    path.write_text(text)
    assert missing_numbers(load_text(text), str(path)) == ["42.4242%"]


def test_number_reading():
    assert stated_numbers("w0 = 2, R^2048 is 204,800 × 204,800; e^-1 = 0.37, 10%.") == \
        ["2", "204800", "204800", "1", "0.37", "10%"]  # e^-1: the exponent reads as 1
    assert is_printed("0.0177", {0.017663}) and not is_printed("0.0177", {0.02})
    assert is_printed("2", {2.0}) and not is_printed("2", {2.02})
