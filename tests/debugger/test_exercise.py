"""The exercise core: reading answers, the tolerance, the hints, and the right-first-time bookkeeping."""
import math

import pytest
from hypothesis import given, strategies as st

from graphviz_nn import Value, load_scenario
from graphviz_nn.debugger import build_trace
from graphviz_nn.debugger import format as fmt
from graphviz_nn.debugger.exercise import (FIRST, HINTED, REVEALED, AnswerError, Exercise, Question,
                                           check_kinds, parse_answer, questions)


@pytest.fixture(scope="module")
def neuron():
    return load_scenario("sigmoid-neuron").trace()


def _q(qs, key):
    return next(q for q in qs if key in q.keys)


@pytest.mark.parametrize("text", ["-0.2", "-.20", "-2e-1", " -0.200 ", "−0.2", "-2E-1", "-0.2e0"])
def test_every_way_of_writing_minus_a_fifth_reads_the_same(text):
    assert parse_answer(text) == -0.2


@pytest.mark.parametrize("text, words", [
    ("", "empty"), ("abc", "is not a number"), ("0.2.3", "is not a number"), ("1/2", "is not a number"),
    ("nan", "is not a number"), ("inf", "is not a number"), ("1e999", "too large"), ("1" * 50, "50 characters"),
    ("__import__('os')", "is not a number"), (True, "is not a number"), (None, "is not a number"),
])
def test_junk_is_one_sentence(text, words):
    with pytest.raises(AnswerError) as info:
        parse_answer(text)
    message = str(info.value)
    assert words in message and "\n" not in message and "-0.2, -.20 or -2e-1" in message


def test_the_slide_numbers_are_accepted_and_near_misses_are_not(neuron):
    qs = questions(neuron)
    f = _q(qs, "f")
    assert f.shown == "0.73" and f.tolerance == pytest.approx(0.005)
    assert f.accepts(0.73) and f.accepts(0.7311) and f.accepts(0.734) and not f.accepts(0.74)
    assert not f.accepts(0.72)
    w1 = _q(qs, "w1.grad")  # true -0.3932: the slide's -0.39, and [0.20] × [-2.00] = -0.40 from the shown numbers
    assert math.isclose(w1.expected, -0.3932238664829637)
    assert w1.accepts(-0.39) and w1.accepts(-0.3932) and w1.accepts(-0.40) and not w1.accepts(-0.38)
    assert not w1.accepts(0.39) and not w1.accepts(-0.41)


def test_what_the_sigmoid_neuron_asks(neuron):
    qs = questions(neuron)
    # 8 gate values; each of the 12 edges asks its local gradient and then the gradient it makes
    assert [q.kind for q in qs].count("value") == 8
    assert [q.kind for q in qs].count("local") == [q.kind for q in qs].count("grad") == 12
    assert all(q.step > 5 for q in qs)  # leaves are given
    assert 14 not in {q.step for q in qs}  # the seed df/df = 1 is given
    assert _q(qs, "df/dn11").keys == ("df/dn11", "15.local") and _q(qs, "15").key == "n11.grad"
    loc = _q(qs, "df/dn11")
    assert math.isclose(loc.expected, -1 / (1 + math.exp(-1)) ** 2)  # -1/x² at x = 1 + e^-1


def test_the_first_hint_never_gives_the_number(neuron):
    for scenario in ("sigmoid-neuron", "sigmoid-gate", "add-mul", "tanh-from-sigmoid", "dead-relu"):
        for q in questions(load_scenario(scenario).trace()):
            assert q.shown not in q.hints[0], (scenario, q.key, q.hints[0])
            assert q.hints[0] != q.hints[1]


def test_hints_point_at_the_rule(neuron):
    qs = questions(neuron)
    assert _q(qs, "df/dn11").hints == ("the local gradient of 1/x is -1/x²", "df/dn11 = -1/x² = -1/1.37²")
    assert _q(qs, "n9.grad").hints == ("upstream × local: n10.grad × dn10/dn9", "n9.grad = [-0.53] × [0.37]")
    assert _q(qs, "dn5/dw0").hints[0] == "the local gradient of a product with respect to w0 is the other input, x0"
    assert _q(qs, "n10").hints == ("n10 = exp(n9): put in n9 = -1.00", "n10 = exp(-1.00)")


def test_a_fan_out_asks_the_running_sum():
    x = Value(3.0, label="x")
    trace = build_trace(x * x + x)  # x reaches the output three times: 3 + 3 + 1 = 7
    qs = questions(trace, "grad")
    into_x = [q for q in qs if q.prompt.startswith("x.grad")]
    assert [q.expected for q in into_x] == [1.0, 4.0, 7.0]
    assert into_x[-1].keys[0] == "x.grad" and all("x.grad" not in q.keys for q in into_x[:-1])
    assert into_x[1].hints[0].endswith("added to what x.grad already holds")
    assert into_x[1].hints[1] == "x.grad = 1.00 + [1.00] × [3.00]"


def test_bookkeeping_first_time_after_a_hint_revealed(neuron):
    ex = Exercise.of(neuron, "value")
    assert ex.asks(6) == [0] and ex.asks(1) == [] and ex.step_outcome(6) is None
    assert ex.answer(0, "-2").outcome == FIRST and ex.step_outcome(6) == FIRST
    malformed = ex.answer(1, "six")
    assert malformed.malformed and not malformed.right and ex.wrong[1] == 0  # junk is not a try
    first = ex.answer(1, "5")
    assert not first.right and first.hint == ex.questions[1].hints[0] and "6.00" not in first.message
    second = ex.answer(1, "7")
    assert second.hint == ex.questions[1].hints[1]
    assert ex.answer(1, "6.0").outcome == HINTED and ex.step_outcome(7) == HINTED
    for wrong in ("1", "2", "3"):  # the third wrong answer shows the number
        verdict = ex.answer(2, wrong)
    assert verdict.outcome == REVEALED and "n7 = 4.00" in verdict.message
    ex.reveal(3)
    assert ex.step_outcome(9) == REVEALED and not ex.done
    assert ex.summary_text() == "1 of 8 right first time, 1 after a hint, 2 revealed, 4 not answered"
    assert ex.summary() == {FIRST: 1, HINTED: 1, REVEALED: 2, "open": 4}


def test_a_step_is_right_first_time_only_when_all_its_questions_are(neuron):
    ex = Exercise.of(neuron)
    local, grad = ex.asks(15)
    ex.answer(local, "-0.53")
    assert ex.step_outcome(15) is None and ex.pending(15) == [grad]
    ex.answer(grad, "0.53")
    ex.answer(grad, "-0.53")
    assert ex.step_outcome(15) == HINTED


def test_ask_is_checked():
    assert check_kinds("local, grad") == ("local", "grad")
    with pytest.raises(AnswerError, match="'slope' is not a kind"):
        check_kinds(["slope"])
    with pytest.raises(AnswerError, match="nothing is not a kind"):
        check_kinds("")


def test_training_steps_ask_the_update():
    w = Value(1.0, label="w")
    loss = (w * 2.0 - 1.0) ** 2
    trace = build_trace(loss)
    trace.add_updates([(w, 1.0, trace.engine_node("n0").grad, 1.0 - 0.1 * 4.0)], 0.1)
    q = questions(trace, "update")[0]
    assert q.keys == ("w.new", str(len(trace.steps))) and q.expected == pytest.approx(0.6)
    assert q.hints[1] == "w ← 1.00 − 0.10 × 4.00"


def test_more_decimals_make_the_tolerance_tighter():
    x = Value(0.123456, label="x")
    trace = build_trace(x * 2.0, decimals=4)
    q = questions(trace, "value")[0]
    assert q.shown == "0.2469" and q.accepts(0.2469) and not q.accepts(0.2475)
    assert q.accepts(0.247)  # 2 × the shown 0.1235: the arithmetic on the displayed input


@given(st.floats(-1e4, 1e4, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-300), st.integers(0, 6))
def test_the_displayed_number_is_always_accepted_and_two_half_units_off_never(x, decimals):
    shown = fmt.number(x, decimals)
    q = Question(1, "value", ("y",), "y = ?", x, shown, None, ("", ""))
    assert q.accepts(parse_answer(shown))
    assert not q.accepts(x + 2.5 * q.tolerance) and not q.accepts(x - 2.5 * q.tolerance)


def test_a_view_may_go_up_to_the_step_that_asks(neuron):
    ex = Exercise.of(neuron, "value")
    assert ex.reachable() == 5 and ex.asking(5) == 0 and ex.asking(4) is None
    ex.answer(0, "-2")
    assert ex.reachable() == 6 and ex.asking(6) == 1
    for i in range(1, len(ex.questions)):
        ex.reveal(i)
    assert ex.done and ex.reachable() >= len(neuron.steps) and ex.asking(12) is None


def test_fewer_decimals_on_screen_rewrite_the_questions_and_keep_the_progress(neuron):
    ex = Exercise.of(neuron)  # the neuron's two decimals: n10 = exp(n9) = 0.37
    i = next(i for i, q in enumerate(ex.questions) if q.key == "n10")
    assert ex.questions[i].shown == "0.37" and not ex.questions[i].accepts(0.4)
    ex.answer(0, "-2")  # right first time
    ex.answer(1, "5"); ex.answer(1, "6")  # right after a hint
    ex.answer(2, "1")  # one miss, still open
    before = [(q.shown, q.hints) for q in ex.questions], ex.summary()
    one = ex
    one.set_decimals(neuron, 1)
    assert one.decimals == 1 and one.ask == ("value", "local", "grad", "update")
    assert one.questions[i].shown == "0.4" and one.questions[i].accepts(0.4)  # what the screen shows is right
    assert before[0][i][1][1] == "n10 = exp(-1.00)" and one.questions[i].hints[1] == "n10 = exp(-1.0)"
    assert (one.outcome[:3], one.wrong[:3]) == ([FIRST, HINTED, None], [0, 1, 1])
    assert one.summary() == before[1]
    one.set_decimals(neuron, 2)  # and back: the same questions as an exercise made at two decimals
    assert [(q.shown, q.hints) for q in one.questions] == before[0]
