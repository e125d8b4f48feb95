"""Numbers and escaping on diagram labels."""
import html
import math
from decimal import Decimal

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from graphviz_nn.render.labels import contribution_text, html_text, number, plain, summary


def test_lecture_numbers_two_decimals():
    assert [number(x) for x in (0.7310585786, -0.5344466, 1.0, -0.19661193, 2.0)] == \
        ["0.73", "-0.53", "1.00", "-0.20", "2.00"]
    assert number(0.7310585786, 3) == "0.731"
    assert number(3.0, 0) == "3"


def test_unknown_is_blank_and_special_values_are_words():
    assert number(None) == ""
    assert (number(math.nan), number(math.inf), number(-math.inf)) == ("nan", "inf", "-inf")
    assert number(-0.0) == "0.00"


def test_vanishing_numbers_never_read_as_zero():
    assert number(1.27e-4) == "1.27e-04"
    assert number(-3e-9) == "-3.00e-09"
    assert number(0.004) == "4.00e-03" and number(0.005) == "0.01"


@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(0, 6))
def test_number_reads_back_close_to_the_value(x, decimals):
    text = number(x, decimals)
    assert text != ""
    back = Decimal(text)  # not float: 1.8e+308 would overflow
    assert not (text.startswith("-") and back == 0)  # never a negative zero such as -0.00
    x = Decimal(x)
    if x == 0:
        assert back == 0
    else:
        assert back.is_signed() == x.is_signed() or back == 0
        assert abs(back - x) <= max(Decimal(0.5) * Decimal(10) ** -decimals, abs(x) * Decimal("0.06"))


def test_tensor_summary():
    assert summary(np.array([[1.0, -3.0], [2.0, 0.0]])) == "(2, 2) mean 0.00 |max| 3.00"
    assert summary(np.zeros((0, 3))) == "(0, 3) empty"
    assert summary(np.array(2.5)) == "2.50"
    assert number(np.ones(3)) == "(3,) mean 1.00 |max| 1.00"


def test_contribution_text_is_the_lecture_line():
    assert contribution_text(0.19661193, -1.0, -0.19661193) == "[0.20] × [-1.00] = -0.20"


@given(st.text())
def test_html_text_round_trips_to_what_the_user_wrote(text):
    escaped = html_text(text)
    assert "<" not in escaped.replace('<br align="center"/>', "")
    assert '"' not in escaped.replace('<br align="center"/>', "")
    lines = escaped.split('<br align="center"/>')
    # what Graphviz then shows: entities decoded, each doubled backslash back to one
    shown = "\n".join(html.unescape(line).replace("\\\\", "\\") for line in lines)
    assert shown == plain(text).replace("\r\n", "\n").replace("\r", "\n")


def test_control_characters_are_shown_not_dropped():
    assert plain("a\x00b\x1b") == "a\\x00b\\x1b"
    assert plain("tab\there") == "tab here"
