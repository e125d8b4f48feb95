"""Every number ``show`` prints for the catalogue adds up as displayed, and none reads -0.00."""
import re

import pytest

from graphviz_nn.cli import main
from graphviz_nn.scenario_format.loader import catalogue_ids

NUMBER = r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?"
PRODUCT = re.compile(rf"\[({NUMBER})\] × \[({NUMBER})\] (=|≈) ({NUMBER})")
NEGATIVE_ZERO = re.compile(r"-0(?:\.0+)?(?![\d.e])")  # -0.00, but not -0.0012 or -0.00e+00's mantissa
SUM = re.compile(rf"grad = ({NUMBER}) ([+-]) ({NUMBER}) (=|≈) ({NUMBER}) \(\d+ of \d+\)")


def _half_unit(shown: str) -> float:
    """Half of the last displayed digit: how far the true value may be from what is shown."""
    mantissa, _, exp = shown.partition("e")
    places = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 0.5 * 10.0 ** ((int(exp) if exp else 0) - places)


def _adds_up(value: float, shown: str) -> bool:
    return abs(value - float(shown)) <= _half_unit(shown) * (1 + 1e-9)


def _show(capsys, scenario, *extra):
    assert main(["show", scenario, *extra]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("scenario", catalogue_ids())
def test_every_displayed_product_and_sum_checks_out(capsys, scenario):
    text = _show(capsys, scenario)
    for a, b, rel, c in PRODUCT.findall(text):
        if rel == "=":
            assert _adds_up(float(a) * float(b), c), f"{scenario}: [{a}] × [{b}] = {c} does not add up"
    for before, sign, c, rel, after in SUM.findall(text):
        if rel == "=":
            total = float(before) + (float(c) if sign == "+" else -float(c))
            assert _adds_up(total, after), f"{scenario}: {before} {sign} {c} = {after} does not add up"
    assert not NEGATIVE_ZERO.search(text), f"{scenario}: {NEGATIVE_ZERO.search(text).group()}"


@pytest.mark.parametrize("scenario", ["sigmoid-neuron", "dead-relu", "mlp-xor"])
def test_more_decimals_are_shown_when_asked(capsys, scenario):
    text = _show(capsys, scenario, "--decimals", "4")
    assert re.search(r"\b\d+\.\d{4}\b", text) and "-0.0000" not in text


def test_sigmoid_neuron_reads_in_the_lectures_names_with_the_seed_first(capsys):
    text = _show(capsys, "sigmoid-neuron")
    rows = [line for line in text.splitlines() if re.match(r"\s+\d+  ", line)]
    backward = [r for r in rows if "backward" in r]
    assert "seed: f.grad = 1.00" in backward[0] and "(df/df = 1)" in backward[0]
    assert any("n5 = w0 * x0 = -2.00" in r for r in rows)
    # each + gate sends to both its inputs in consecutive steps (the slide's "both inputs!")
    plus_gates = [r.split()[2] for r in backward if r.split()[3] == "+"]
    assert plus_gates and all(plus_gates.count(g) == 2 for g in plus_gates)
    for gate in set(plus_gates):
        at = [i for i, r in enumerate(backward) if r.split()[2] == gate]
        assert at[1] == at[0] + 1
    assert PRODUCT.search(text)


def test_bad_decimals_is_one_sentence_and_exit_status_2(capsys):
    assert main(["show", "sigmoid-neuron", "--decimals", "40"]) == 2
    err = capsys.readouterr().err
    assert "decimals must be a whole number from 0 to 12" in err and "Traceback" not in err
