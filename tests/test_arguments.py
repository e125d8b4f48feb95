"""Every public call answers misuse with the project's error (issue 25): one sentence naming
the function and the argument, a ``TypeError``/``ValueError`` subclass so ``except TypeError``
still works, and no silent acceptance of NaN thresholds or empty layers."""
import math

import pytest
from hypothesis import example, given, strategies as st

import graphviz_nn as g
from graphviz_nn import Value, nn
from graphviz_nn.arguments import ArgumentTypeError, ArgumentValueError, number, whole
from graphviz_nn.debugger import Session, build_trace
from graphviz_nn.errors import UserError


def square():
    x = Value(2.0, label="x")
    return x * x


@pytest.fixture(scope="module")
def trace():
    return build_trace(square())


def one_sentence(error: BaseException, *fragments) -> None:
    text = str(error)
    assert isinstance(error, UserError) and "\n" not in text and text.strip(), text
    for fragment in fragments:
        assert fragment in text, (fragment, text)


CALLS = [  # (call, the Python error it must still be, fragments the sentence names)
    ("Session(None)", lambda t: Session(None), TypeError, ["Session", "build_trace"]),
    ("goto(2.5)", lambda t: Session(t).goto(2.5), TypeError, ["goto", "k", "2.5"]),
    ('goto("x")', lambda t: Session(t).goto("x"), TypeError, ["goto", "'x'"]),
    ('state_at("3")', lambda t: t.state_at("3"), TypeError, ["state_at", "'3'"]),
    ('player(f, max_bytes="x")', lambda t: g.player(square(), max_bytes="x"), TypeError, ["max_bytes"]),
    ("player(f, max_bytes=0)", lambda t: g.player(square(), max_bytes=0), ValueError, ["max_bytes", "at least 1"]),
    ("player(f).save(123)", lambda t: g.player(square()).save(123), TypeError, ["save", "path", "123"]),
    ('Scenario.train(lr="x")', lambda t: g.load_scenario("linear-regression").train(lr="x"), TypeError, ["lr"]),
    ("Scenario.train(lr=nan)", lambda t: g.load_scenario("linear-regression").train(lr=math.nan), ValueError, ["lr"]),
    ('train(batch_size="a")', lambda t: g.load_scenario("mini-batch-sgd").train(batch_size="a"), TypeError,
     ["batch_size"]),
    ("train(iterations=2.5)", lambda t: g.load_scenario("mini-batch-sgd").train(iterations=2.5), TypeError,
     ["iterations"]),
    ('add_watch("vanishing", "x")', lambda t: Session(t).add_watch("vanishing", "x"), ValueError, ["threshold"]),
    ('add_watch("vanishing", nan)', lambda t: Session(t).add_watch("vanishing", math.nan), ValueError,
     ["threshold", "finite"]),
    ('add_watch("exploding", -1)', lambda t: Session(t).add_watch("exploding", -1), ValueError, ["greater than 0"]),
    ("gradcheck(None, [])", lambda t: g.gradcheck(None, []), TypeError, ["gradcheck", "output_fn"]),
    ("gradcheck(fn, 5)", lambda t: g.gradcheck(square, 5), TypeError, ["gradcheck", "leaves"]),
    ("SGD(None, 0.1)", lambda t: g.SGD(None, 0.1), TypeError, ["SGD", "parameters()"]),
    ("SGD([1.0], 0.1)", lambda t: g.SGD([1.0], 0.1), TypeError, ["SGD"]),
    ('nn.MLP("a", [1])', lambda t: nn.MLP("a", [1]), TypeError, ["MLP", "nin"]),
    ("nn.MLP(2, 5)", lambda t: nn.MLP(2, 5), TypeError, ["MLP", "nouts", "[5]"]),
    ("nn.MLP(2, [0])", lambda t: nn.MLP(2, [0]), ValueError, ["nouts[0]", "at least 1"]),
    ("nn.MLP(2, [-1])", lambda t: nn.MLP(2, [-1]), ValueError, ["nouts[0]"]),
    ("nn.MLP(2, [])", lambda t: nn.MLP(2, []), ValueError, ["nouts"]),
    ("tensor MLP(2, [0])", lambda t: nn.MLP(2, [4, 0], engine="tensor"), ValueError, ["nouts[1]"]),
    ("nn.MLP(2, [10**6, 10**6])", lambda t: nn.MLP(2, [10 ** 6, 10 ** 6], engine="tensor"), ValueError,
     ["weights and biases"]),
    ("Value(2) ** (10**400)", lambda t: Value(2) ** (10 ** 400), OverflowError, ["about 401 digits"]),
    ("(10**400) ** Value(2)", lambda t: (10 ** 400) ** Value(2), OverflowError, ["about 401 digits"]),
    ("Value(10**4500)", lambda t: Value(10 ** 4500), OverflowError, ["about 4,501 digits"]),
    ('explain("sigmoid-neuron")', lambda t: g.explain("sigmoid-neuron"), TypeError, ["'sigmoid-neuron'"]),
    ('draw_dot("x")', lambda t: g.draw_dot("sigmoid-neuron"), TypeError, ["'sigmoid-neuron'"]),
]


@pytest.mark.parametrize("name, call, python_error, fragments", CALLS, ids=[c[0] for c in CALLS])
def test_misuse_is_one_sentence(trace, name, call, python_error, fragments, memory_capped):
    with pytest.raises(python_error) as raised:
        call(trace)
    one_sentence(raised.value, *fragments)


def test_good_calls_still_work(trace):
    session = Session(trace)
    assert session.goto(2).k == 2 and trace.state_at(3).k == 3
    session.add_watch("vanishing", 1e-3)
    session.add_watch("exploding", "1e4")  # typed in the app
    assert session.watches["vanishing"] == 1e-3 and session.watches["exploding"] == 1e4
    assert len(nn.MLP(2, [3, 1]).parameters()) == (2 + 1) * 3 + (3 + 1) * 1
    assert (Value(2) ** 10).data == 1024.0


@given(st.one_of(st.integers(), st.floats(allow_nan=True), st.text(max_size=5), st.none(), st.booleans()))
@example(2 ** 53 + 1)  # a float would hold 2**53: refused, never silently changed (found by Hypothesis)
def test_whole_and_number_accept_or_refuse_in_one_sentence(x):
    for check in (whole, number):
        try:
            got = check(x, "n", "f")
        except (ArgumentTypeError, ArgumentValueError) as error:
            assert str(error).startswith("f: n ") and "\n" not in str(error)
        else:
            assert not isinstance(x, (bool, str)) and x is not None
            assert got == x and math.isfinite(got)
