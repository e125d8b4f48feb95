"""Random smooth expressions built on the engine: values match plain floats, gradients match
central finite differences, through load_text like any user's file."""
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from graphviz_nn.scenario_format import load_text

LEAVES = {"a": 0.7, "b": -1.3, "c": 0.25}
TEMPLATE = """
id = "random"
title = "random"
kind = "expression"
explanation = "a random smooth expression"
lecture = {{ seed = "none", slide = "none" }}
[leaves]
a = 0.7
b = -1.3
c = 0.25
[outputs]
f = "{expression}"
"""


def _sigmoid(x):
    return 1 / (1 + math.exp(-x))


UNARY = {"tanh": math.tanh, "sigmoid": _sigmoid, "sq": lambda x: x ** 2}
TREES = st.recursive(
    st.one_of(st.sampled_from(sorted(LEAVES)), st.sampled_from(["2", "0.5", "3"])),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*"]), inner, inner),
        st.tuples(st.sampled_from(sorted(UNARY)), inner),
        st.tuples(st.just("neg"), inner),
        st.tuples(st.just("half"), inner),
    ),
    max_leaves=12)


def render(tree) -> str:
    if isinstance(tree, str):
        return tree
    op = tree[0]
    if op == "sq":
        return f"({render(tree[1])}) ** 2"
    if op == "neg":
        return f"-({render(tree[1])})"
    if op == "half":
        return f"({render(tree[1])}) / 2"
    if op in UNARY:
        return f"{op}({render(tree[1])})"
    return f"({render(tree[1])} {op} {render(tree[2])})"


def direct(tree) -> float:
    if isinstance(tree, str):
        return LEAVES.get(tree, None) if tree in LEAVES else float(tree)
    op = tree[0]
    if op == "neg":
        return -direct(tree[1])
    if op == "half":
        return direct(tree[1]) / 2
    if op in UNARY:
        return UNARY[op](direct(tree[1]))
    a, b = direct(tree[1]), direct(tree[2])
    return a + b if op == "+" else a - b if op == "-" else a * b


@settings(max_examples=120, deadline=None)
@given(TREES)
def test_random_expression_value_and_gradients(tree):
    scenario = load_text(TEMPLATE.format(expression=render(tree)))
    f = scenario.build()["f"]
    assert math.isclose(f.data, direct(tree), rel_tol=1e-12, abs_tol=1e-12)
    report = scenario.gradcheck()
    assert report.passed, str(report)
