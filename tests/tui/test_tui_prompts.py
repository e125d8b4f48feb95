"""How the app reads typed answers (tui/prompts.py): numbers in range, watch kinds and thresholds."""
import pytest

from graphviz_nn.tui.prompts import AnswerError, read_iterations, read_step, read_watch


def test_a_step_number_is_a_whole_number_within_the_trace():
    assert read_step("0", 9) == 0 and read_step("9", 9) == 9
    with pytest.raises(AnswerError, match="'ten' is not a step number; type a whole number from 0 to 9"):
        read_step("ten", 9)
    with pytest.raises(AnswerError, match="step 10 is out of range; this trace has steps 0 to 9"):
        read_step("10", 9)


def test_iterations_are_one_to_a_million():
    assert read_iterations("300", "100") == 300
    with pytest.raises(AnswerError, match="such as 100"):
        read_iterations("many", "100")
    with pytest.raises(AnswerError, match="0 iterations is out of range"):
        read_iterations("0", "100")


def test_a_watch_is_a_kind_and_an_optional_threshold():
    assert read_watch("vanishing 1e-6") == ("vanishing", 1e-6)
    assert read_watch("dead relu") == ("dead relu", None)
    assert read_watch("saturated") == ("saturated", None)
    with pytest.raises(AnswerError, match="'tiny' is not a number; write e.g. 'vanishing 1e-6'"):
        read_watch("vanishing tiny")
