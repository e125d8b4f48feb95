"""``gradcheck``: passes on correct graphs, fails on a wrong local gradient, restores the leaves."""
import math
import re

import pytest

from graphviz_nn import Value, gradcheck
from graphviz_nn.gradcheck import ATOL, EPS, RTOL


def _leaves():
    return [Value(v, label=n) for v, n in ((2.0, "w0"), (-1.0, "x0"), (-3.0, "w1"), (-2.0, "x1"), (-3.0, "w2"))]


def _neuron(w0, x0, w1, x1, w2, corrupt=None):
    z = -(w0 * x0 + w1 * x1 + w2)
    e = z.exp()
    if corrupt is not None:
        e._la = corrupt(e._la)
    return 1 / (1 + e)


def test_documented_tolerances():
    assert (EPS, ATOL, RTOL) == (1e-6, 1e-5, 1e-3)
    x = Value(1.0)
    report = gradcheck(lambda: x * x, [x])
    assert (report.eps, report.atol, report.rtol) == (1e-6, 1e-5, 1e-3)


def test_passes_on_the_sigmoid_neuron_with_the_slide_s_gradients():
    leaves = _leaves()
    report = gradcheck(lambda: _neuron(*leaves), leaves)
    assert report.passed and report.failures == []
    assert [r.label for r in report.rows] == ["w0", "x0", "w1", "x1", "w2"]
    s = 1 / (1 + math.exp(-1.0))
    expected = [s * (1 - s) * k for k in (-1.0, 2.0, -2.0, -3.0, 1.0)]
    for row, e in zip(report.rows, expected):
        assert row.analytic == pytest.approx(e, abs=1e-12)
        assert row.numeric == pytest.approx(e, abs=1e-8)
        assert row.passed
        assert row.abs_error == pytest.approx(abs(row.analytic - row.numeric))
        assert row.abs_error <= 1e-5 + 1e-3 * abs(row.numeric)


def test_numeric_gradient_is_a_central_difference():
    x = Value(0.5)
    report = gradcheck(lambda: x.exp(), [x])
    expected = (math.exp(0.5 + 1e-6) - math.exp(0.5 - 1e-6)) / 2e-6
    assert report.rows[0].numeric == pytest.approx(expected, rel=1e-12)


def test_fails_when_a_recorded_local_gradient_is_wrong():
    leaves = _leaves()
    # the exp gate's local gradient doubled on every rebuild: forward values stay right,
    # so only backprop disagrees with the finite differences
    report = gradcheck(lambda: _neuron(*leaves, corrupt=lambda g: 2 * g), leaves)
    assert not report.passed
    assert [r.label for r in report.failures] == ["w0", "x0", "w1", "x1", "w2"]
    for row in report.rows:
        assert row.analytic == pytest.approx(2 * row.numeric, rel=1e-5)
        assert row.rel_error == pytest.approx(0.5, rel=1e-4)


def test_a_wrong_gradient_on_one_input_fails_only_that_leaf():
    a, b = Value(2.0, label="a"), Value(5.0, label="b")

    def build():
        y = a * b
        y._lb = y._lb + 1.0  # d/db wrong, d/da right
        return y

    report = gradcheck(build, [a, b])
    assert [r.passed for r in report.rows] == [True, False]
    assert report.rows[1].analytic == pytest.approx(3.0) and report.rows[1].numeric == pytest.approx(2.0)


@pytest.mark.parametrize("delta, passes", [(0.0029, True), (-0.0029, True), (0.0031, False), (-0.0031, False)])
def test_tolerance_boundary(delta, passes):
    # numeric = 3, so the allowed error is 1e-5 + 1e-3 * 3 = 0.00301
    x = Value(2.0, label="x")

    def build():
        y = x * 3
        y._la = 3.0 + delta
        return y

    report = gradcheck(build, [x])
    assert report.rows[0].numeric == pytest.approx(3.0, abs=1e-8)
    assert report.passed is passes


def test_absolute_tolerance_near_zero():
    x = Value(0.0, label="x")

    def build(delta):
        def f():
            y = x * x  # slope 0 at 0
            y._la = y._lb = delta / 2
            return y
        return f

    assert gradcheck(build(0.9e-5), [x]).passed
    assert not gradcheck(build(1.1e-5), [x]).passed


def test_restores_leaf_data_and_grads():
    leaves = _leaves()
    for i, leaf in enumerate(leaves):
        leaf.grad = 10.0 + i
    data = [leaf.data for leaf in leaves]
    gradcheck(lambda: _neuron(*leaves), leaves)
    assert [leaf.data for leaf in leaves] == data
    assert [leaf.grad for leaf in leaves] == [10.0 + i for i in range(5)]


def test_restores_leaf_data_when_the_output_function_raises():
    x = Value(1.5, label="x")
    x.grad = 4.0
    calls = []

    def build():
        calls.append(x.data)
        if len(calls) == 2:  # the first perturbed rebuild
            raise RuntimeError("boom")
        return x * x

    with pytest.raises(RuntimeError, match="boom"):
        gradcheck(build, [x])
    assert calls[1] == 1.5 + 1e-6
    assert x.data == 1.5 and x.grad == 4.0


def test_unlabelled_leaves_are_named_by_position():
    a, b = Value(1.0), Value(2.0)
    report = gradcheck(lambda: a * b, [a, b])
    assert [r.label for r in report.rows] == ["leaf0", "leaf1"]


def test_report_prints_a_readable_table():
    leaves = _leaves()
    good = str(gradcheck(lambda: _neuron(*leaves), leaves))
    lines = good.splitlines()
    assert lines[0].split() == ["leaf", "analytic", "numeric", "rel.", "error", "result"]
    assert set(lines[1]) == {"-"}
    rows = lines[2:-1]
    assert [r.split()[0] for r in rows] == ["w0", "x0", "w1", "x1", "w2"]
    assert all(r.split()[-1] == "ok" for r in rows)
    # columns line up under the header: numbers end where their heading ends, the result
    # starts where "result" does
    head = lines[0]
    ends = [head.index(h) + len(h) for h in ("analytic", "numeric", "rel. error")]
    for r in rows:
        cells = list(re.finditer(r"\S+", r))
        assert [c.end() for c in cells[1:4]] == ends, r
        assert cells[4].start() == head.index("result")
    assert rows[1].split()[1] == "0.393224"  # x0's analytic gradient, 6 significant digits
    assert "1e-05" in lines[-1] and "0.001" in lines[-1] and "all passed" in lines[-1]
    bad = str(gradcheck(lambda: _neuron(*leaves, corrupt=lambda g: 2 * g), leaves))
    assert bad.count("FAIL") == 5 and bad.splitlines()[-1].endswith("5 failed")


def test_leaves_not_being_checked_keep_their_gradients():
    # a learner inspects w.grad after backward, then checks only x: w.grad must not change
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    loss = (x * w).tanh()
    loss.backward()
    before = (x.grad, w.grad)
    report = gradcheck(lambda: (x * w).tanh(), [x])
    assert report.passed and [r.label for r in report.rows] == ["x"]
    assert (x.grad, w.grad) == before
