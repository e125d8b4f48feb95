"""The text view reads like one equation per step."""
from graphviz_nn import Value, explain


def test_explain_lists_every_step_with_the_lecture_equations():
    w0, x0 = Value(2.0, label="w0"), Value(-1.0, label="x0")
    w1, x1 = Value(-3.0, label="w1"), Value(-2.0, label="x1")
    w2 = Value(-3.0, label="w2")
    text = explain((w0 * x0 + w1 * x1 + w2).sigmoid())
    lines = text.splitlines()
    assert len(lines) == 1 + 20  # 10 forward steps, the seed, 9 edges
    assert lines[6].startswith("   6  forward   n5    *          n5 = w0 * x0 = -2.00")
    assert lines[10].startswith("  10  forward   n9    sigmoid    n9 = sigmoid(n8) = 0.73")
    assert "seed: n9.grad = 1.00" in lines[11]
    assert "[0.20] × [-1.00] = -0.20 → w0.grad = -0.20" in lines[19]
    # 0.20 × 2.00 would not make the 0.39 it shows: four digits make the product check out
    assert "[0.1966] × [2.00] = 0.3932 → x0.grad = 0.3932" in lines[20]


def test_explain_shows_fan_out_partial_sums():
    x = Value(3.0, label="x")
    text = explain(x * x + x)
    sums = [line.split("→ x.grad = ")[1] for line in text.splitlines() if "→ x.grad" in line]
    assert [s.split("  ")[0] for s in sums] == ["1.00 (1 of 3)", "1.00 + 3.00 = 4.00 (2 of 3)", "4.00 + 3.00 = 7.00 (3 of 3)"]
