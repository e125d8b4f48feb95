"""The check of each browser message (issue 25): anything is either a clean (type, data) within the
limits or a ``MalformedMessage``, never another exception."""
import json

from hypothesis import given, strategies as st
import pytest

from graphviz_nn.cli import classroom_limits as limits

json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=12)


@given(st.one_of(st.text(max_size=200), json_values.map(json.dumps),
                 st.tuples(st.sampled_from(limits.KNOWN_TYPES), json_values).map(lambda t: json.dumps(list(t)))))
def test_any_text_is_read_or_refused_in_one_sentence(text):
    try:
        kind, data = limits.read_message(text)
    except limits.MalformedMessage as error:
        assert str(error) and "\n" not in str(error)
        return
    assert kind in limits.KNOWN_TYPES
    if kind == "resize":
        width, height = data
        assert 1 <= width <= limits.MAX_COLUMNS and 1 <= height <= limits.MAX_ROWS


@given(st.one_of(st.integers(), st.floats()), st.one_of(st.integers(), st.floats()))
def test_sizes_are_clamped(width, height):
    try:
        got = limits.clamp_size(width, height)
    except ValueError:
        assert width != width or height != height  # NaN only
        return
    assert 1 <= got[0] <= limits.MAX_COLUMNS and 1 <= got[1] <= limits.MAX_ROWS
    assert got[0] == max(1, min(limits.MAX_COLUMNS, int(max(-1e9, min(1e9, width)))))


def test_the_issues_sizes_are_clamped_to_the_maximum():
    assert limits.read_message(json.dumps(["resize", {"width": 30000, "height": 30000}])) == \
        ("resize", (limits.MAX_COLUMNS, limits.MAX_ROWS))
    assert limits.size_from_query({"width": "100000", "height": "100000"}) == (limits.MAX_COLUMNS, limits.MAX_ROWS)
    assert limits.size_from_query({"width": "9" * 5000, "height": "-3"}) == (80, 24)
    assert limits.read_message(json.dumps(["stdin", "q"])) == ("stdin", "q")


@pytest.mark.parametrize("text", ['["resize", {"width": true, "height": 3}]', '["stdin"]', '"stdin"',
                                  '["stdin", "' + "n" * (limits.MAX_STDIN_CHARS + 100) + '"]', "[" * 5000])
def test_malformed(text):
    with pytest.raises(limits.MalformedMessage):
        limits.read_message(text)
