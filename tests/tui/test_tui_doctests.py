"""The example in graphviz_nn.tui.picture.layout's docstring runs and prints what it says."""
import doctest
import importlib


def test_layout_docstring_example():
    module = importlib.import_module("graphviz_nn.tui.picture.layout")
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted >= 1
