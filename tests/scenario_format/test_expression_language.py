"""The expression language on its own: grammar, precedence, positions, caps, and a round-trip property."""
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphviz_nn.scenario_format.errors import ExpressionError
from graphviz_nn.scenario_format.expression import MAX_DEPTH, MAX_LENGTH, FloatSemantics, evaluate, parse

NAMES = {"a": 1.5, "b": -2.0, "c": 0.25}
FUNCTIONS = {"exp": lambda x: math.exp(max(min(x, 50), -50)), "max": max, "neg": lambda x: -x}


def value(text):
    return evaluate(parse(text), FloatSemantics(NAMES, FUNCTIONS))


@pytest.mark.parametrize("text, expected", [
    ("1 + 2 * 3", 7.0), ("(1 + 2) * 3", 9.0), ("a - b - c", 1.5 + 2.0 - 0.25), ("8 / 4 / 2", 1.0),
    ("-a ** 2", -2.25), ("(-a) ** 2", 2.25), ("2 * -3", -6.0), ("--a", 1.5), ("+a", 1.5),
    ("a ** -1", 1 / 1.5), ("a ** 0.5", math.sqrt(1.5)), ("max(a, b * 2)", 1.5), ("exp(0)", 1.0),
    ("1e-3 * 1000", 1.0), (".5 + 0.5", 1.0), ("1 / (1 + exp(-(a*b + c)))", 1 / (1 + math.exp(-(1.5 * -2 + 0.25)))),
])
def test_precedence_and_associativity(text, expected):
    assert value(text) == pytest.approx(expected, rel=1e-15)


def test_positions_follow_the_text():
    program = parse("w0*x0 + exp(b)")
    assert [(s.kind, s.offset) for s in program.steps] == [
        ("name", 0), ("name", 3), ("binary", 2), ("name", 12), ("call", 8), ("binary", 6)]
    assert program.names == ("w0", "x0", "b") and program.functions == ("exp",)


@pytest.mark.parametrize("text, offset, words", [
    ("a +", 3, "ends too early"), ("a + * b", 4, "unexpected '*'"), ("(a + b", 0, "never closed"),
    ("max(a, (b)", 3, "never closed"), ("a)", 1, "without a matching"), ("a, b", 1, "comma outside"),
    ("a ** b", 5, "exponent"), ("a ** 2 ** 3", 7, "chained"), ("a $ b", 2, "unexpected character '$'"),
    ("2x", 1, "after the number"), ("é", 0, "U+00E9"),
])
def test_errors_carry_the_offset(text, offset, words):
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert info.value.offset == offset and words in info.value.problem


def test_caps_on_length_and_depth_are_exact():
    parse("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH)
    with pytest.raises(ExpressionError, match="nested more than"):
        parse("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    assert value("-" * MAX_DEPTH + "a") == 1.5
    with pytest.raises(ExpressionError, match="signs in a row"):
        parse("-" * (MAX_DEPTH + 1) + "a")
    parse("a" + " " * (MAX_LENGTH - 1))
    with pytest.raises(ExpressionError, match="characters long"):
        parse("a" + " " * MAX_LENGTH)


def test_long_flat_expressions_need_no_recursion():
    text = "+".join(["a"] * 3000)  # 3,000 terms: far past any recursion limit if parsing recursed
    assert value(text) == pytest.approx(4500.0)
    assert value("-(" * 60 + "a" + ")" * 60) == 1.5


# ---- a round-trip property: random expression trees, printed, parsed and evaluated ----

LEAVES = st.one_of(st.sampled_from(sorted(NAMES)), st.integers(0, 9).map(str),
                   st.sampled_from(["0.5", "2.5", "1e-1"]))


def _trees(children):
    return st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*", "/"]), children, children),
        st.tuples(st.just("neg"), children),
        st.tuples(st.just("pow"), children, st.sampled_from([2, 3, -1])),
        st.tuples(st.just("max"), children, children),
    )


TREES = st.recursive(LEAVES, _trees, max_leaves=25)


def render(tree) -> str:
    if isinstance(tree, str):
        return tree
    if tree[0] == "neg":
        return f"-({render(tree[1])})"
    if tree[0] == "pow":
        return f"({render(tree[1])}) ** {tree[2]}"
    if tree[0] == "max":
        return f"max({render(tree[1])}, {render(tree[2])})"
    return f"({render(tree[1])} {tree[0]} {render(tree[2])})"


def direct(tree) -> float:
    """The same tree computed by walking it in the test, with no parser involved."""
    if isinstance(tree, str):
        return NAMES[tree] if tree in NAMES else float(tree)
    if tree[0] == "neg":
        return -direct(tree[1])
    if tree[0] == "pow":
        return FloatSemantics({}, {}).power(direct(tree[1]), float(tree[2]), 0)
    if tree[0] == "max":
        return max(direct(tree[1]), direct(tree[2]))
    a, b = direct(tree[1]), direct(tree[2])
    return FloatSemantics({}, {}).binary(tree[0], a, b, 0)


@settings(max_examples=200, deadline=None)
@given(TREES)
def test_printed_trees_parse_back_to_the_same_value(tree):
    expected = direct(tree)
    got = value(render(tree))
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == expected
