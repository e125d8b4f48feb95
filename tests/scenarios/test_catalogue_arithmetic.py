"""Every step of every catalogue scenario, checked the way a reader checks it by hand.

Products (``[a] × [b] = c``), fan-out sums and update steps are recomputed here with exact decimal
arithmetic from the numbers as displayed, rounded half away from zero to the result's last digit
(ties included: ``[0.01] × [1.50] = 0.01`` is wrong, 0.015 rounds to 0.02); otherwise the step
must say ``≈``. Every backward step of a gate shows its local gradient, with its numbers, once.
"""
import math
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest

from graphviz_nn import Value, load_scenario
from graphviz_nn.debugger import build_trace
from graphviz_nn.debugger.format import number
from graphviz_nn.debugger.explain import table
from graphviz_nn.ops import OPS
from graphviz_nn.scenario_format import catalogue_ids
from graphviz_nn.value import apply

NUMBER = r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?"
PRODUCT = re.compile(rf"^\[({NUMBER})\] × \[({NUMBER})\] (=|≈) ({NUMBER}) →")
SUM = re.compile(rf"grad = ({NUMBER}) ([+-]) ({NUMBER}) (=|≈) ({NUMBER}) \(\d+ of \d+\)$")
UPDATE = re.compile(rf"= ({NUMBER}) − ({NUMBER}) × ({NUMBER}) (=|≈) ({NUMBER})")


def _rounds_to(exact: Decimal, shown: str) -> bool:
    target = Decimal(shown)
    with localcontext() as context:
        context.prec = 80
        return exact.quantize(Decimal(1).scaleb(target.as_tuple().exponent), rounding=ROUND_HALF_UP) == target


def _product(a, b):
    with localcontext() as context:
        context.prec = 80
        return Decimal(a) * Decimal(b)


def _all_traces():
    for scenario_id in catalogue_ids():
        scenario = load_scenario(scenario_id)
        starts = [None] + list(scenario.start_names)
        for start in starts:
            yield f"{scenario_id}:{start}", scenario.trace(start)


def _checked(trace, label):
    """(products, sums) checked on one trace; fails on the first that does not check out."""
    products = sums = 0
    for step in trace.steps:
        if step.phase != "backward" or step.input_index is None or step.local is None:
            continue
        text = step.text
        match = PRODUCT.match(text)
        assert match, f"{label} step {step.number}: no product in {text!r}"
        a, b, rel, c = match.groups()
        if rel == "=":
            assert _rounds_to(_product(a, b), c), f"{label} step {step.number}: {text}"
            products += 1
        else:  # ≈ only where no precision checks out: the shown numbers must then really differ
            assert not _rounds_to(_product(a, b), c), f"{label} step {step.number}: ≈ on {text}"
        found = SUM.search(text)
        if found:
            before, sign, part, rel, after = found.groups()
            if rel == "=":
                exact = Decimal(before) + (Decimal(part) if sign == "+" else -Decimal(part))
                assert _rounds_to(exact, after), f"{label} step {step.number}: {text}"
                sums += 1
    return products, sums


@pytest.mark.parametrize("decimals", [2, 4])
def test_every_product_and_sum_of_every_scenario_checks_out_exactly(decimals):
    products = sums = 0
    for label, trace in _all_traces():
        trace.set_decimals(decimals)
        p, s = _checked(trace, f"{label} at {decimals} decimals")
        products, sums = products + p, sums + s
    assert products > 2000 and sums > 100  # the walk really reached the catalogue's steps


@pytest.mark.parametrize("text", ["[0.01] × [1.50] = 0.01", "[0.46] × [0.25] = 0.11", "[-0.25] × [2.22] = -0.55"])
def test_the_ties_issue_26_found_no_longer_check_out(text):
    a, b, _, c = re.match(rf"\[({NUMBER})\] × \[({NUMBER})\] (=) ({NUMBER})", text).groups()
    assert not _rounds_to(_product(a, b), c)


@pytest.mark.parametrize("scenario_id, expected", [
    ("prelu-regularised", "[0.01] × [1.50] = 0.015"),
    ("mlp-xor", "[-0.25] × [2.218] = -0.555"),
    ("mlp-xor", "[0.46] × [0.248] = 0.114"),
])
def test_the_tie_scenarios_now_write_enough_digits(scenario_id, expected):
    texts = [s.text for s in load_scenario(scenario_id).trace().steps]
    assert any(t.startswith(expected) for t in texts)
    assert not any(t.startswith(bad) for t in texts for bad in
                   ("[0.01] × [1.50] = 0.01 ", "[0.46] × [0.25] = 0.11 ", "[-0.25] × [2.22] = -0.55 "))


TRAINING = [i for i in catalogue_ids() if load_scenario(i).training is not None
            and (load_scenario(i).kind == "expression" or load_scenario(i).model.engine == "scalar")]


@pytest.mark.parametrize("scenario_id", TRAINING)
def test_every_update_step_checks_out_exactly(scenario_id):
    trainer = load_scenario(scenario_id).trainer()
    trace = trainer.trace_iteration()
    updates = [s for s in trace.steps if s.phase == "update"]
    assert updates
    for step in updates:
        match = UPDATE.search(step.text)
        assert match, step.text
        old, lr, grad, rel, new = match.groups()
        if rel == "=":
            with localcontext() as context:
                context.prec = 80
                exact = Decimal(old) - Decimal(lr) * Decimal(grad)
            assert _rounds_to(exact, new), f"{scenario_id} step {step.number}: {step.text}"


# ---- every gate's local gradient, with its numbers, once ----------------------------------

def _clean(local: str, value_text: str, label: str):
    assert local, f"{label}: no local formula"
    parts = local.split(" = ")
    assert all(a != b for a, b in zip(parts, parts[1:])), f"{label}: repeated part in {local!r}"
    assert len(parts) >= 2 or re.fullmatch(NUMBER, parts[0]), f"{label}: a formula without its numbers: {local!r}"
    assert re.search(r"\d", local), f"{label}: no number in {local!r}"
    assert sum(p.split(" (")[0] == value_text for p in parts) <= 1, f"{label}: the value twice in {local!r}"
    assert not re.search(rf"= ({NUMBER}) (\(x = {NUMBER}\) )?= \1\b", local), f"{label}: the value twice in {local!r}"


def test_every_backward_step_of_every_scenario_shows_its_local_formula_once():
    seen = set()
    for label, trace in _all_traces():
        rows = table(trace)
        for step in trace.steps:
            if step.phase != "backward" or step.input_index is None:
                continue
            if step.local is None:  # a tensor gate: the step's text is its VJP formula with its value
                assert re.match(r"\S+ = .+ = ", step.text), f"{label} step {step.number}: {step.text}"
                continue
            local = step.local_text
            _clean(local, number(step.local, trace.decimals), f"{label} step {step.number}")
            assert f"local: {local}" in rows, f"{label} step {step.number}: `show` leaves out {local!r}"
            seen.add(trace.node(step.node).op)
    assert {"relu", "leaky_relu", "elu", "prelu", "sigmoid", "tanh", "mul", "add"} <= seen


SAMPLES = {1: [(-2.0,), (0.5,), (1.7,)], 2: [(-0.5, 0.25), (1.5, 0.25), (2.0, -3.0), (-1.0, -1.0)]}
CONSTS = {"add_const": 2.0, "mul_const": 3.0, "rsub_const": 1.0, "rdiv_const": 1.0, "pow": 3.0,
          "leaky_relu": 0.1, "elu": 1.0, "rpow_const": 2.0}


@pytest.mark.parametrize("name", sorted(n for n, op in OPS.items() if op.scalar is not None))
def test_every_scalar_op_of_the_rule_table_shows_its_local_formula_once(name):
    op = OPS[name]
    const = CONSTS.get(name, op.default)
    checked = 0
    for xs in SAMPLES[op.arity]:
        out = apply(name, [Value(x, label=f"x{i}") for i, x in enumerate(xs)], const)
        if not all(math.isfinite(v) for v in (out.data, *out.local_grads)):
            continue  # outside the op's domain (log of a negative number, a negative base's real power)
        checked += 1
        trace = build_trace(out, fill_grads=False)
        steps = [s for s in trace.steps if s.phase == "backward" and s.input_index is not None]
        assert len(steps) == op.arity
        for step in steps:
            label = f"{name}{xs} input {step.input_index}"
            local = step.local_text
            _clean(local, number(step.local, trace.decimals), label)
            formula = op.local_formula(const)[step.input_index]
            assert local.startswith(formula.replace("a", "x0").replace("b", "x1") if formula in ("a", "b")
                                    else formula), f"{label}: {local!r} does not start with {formula!r}"
            value = re.sub(r" \([^()]*\)$", "", local).rsplit(" = ", 1)[-1]  # a branch's "(x = -2.00)"
            assert float(value) == pytest.approx(step.local, abs=0.5 * 10 ** -trace.decimals), f"{label}: {local!r}"
            assert f"local: {local}" in table(trace)
    assert checked >= 2, f"{name}: too few inputs in its domain were checked"
