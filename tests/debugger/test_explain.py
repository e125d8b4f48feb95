"""The text view reads like one equation per step."""
from graphviz_nn import Value, explain


def test_explain_lists_every_step_with_the_lecture_equations():
    w0, x0 = Value(2.0, label="w0"), Value(-1.0, label="x0")
    w1, x1 = Value(-3.0, label="w1"), Value(-2.0, label="x1")
    w2 = Value(-3.0, label="w2")
    text = explain((w0 * x0 + w1 * x1 + w2).sigmoid())
    lines = text.splitlines()
    assert len(lines) == 1 + 19
    assert lines[6] == "   6  forward   n5    *          n5 = n0 * n1 = -2.00"
    assert lines[10] == "  10  forward   n9    sigmoid    n9 = sigmoid(n8) = 0.73"
    assert "[0.20] × [-1.00] = -0.20 → w0.grad = -0.20" in lines[14]
    assert "[0.20] × [2.00] = 0.39 → x0.grad = 0.39" in lines[15]


def test_explain_shows_fan_out_partial_sums():
    x = Value(3.0, label="x")
    text = explain(x * x + x)
    assert [line.split("= ")[-1] for line in text.splitlines() if "→ x.grad" in line] == ["3.00", "6.00", "7.00"]
