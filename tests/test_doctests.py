"""The examples in the engine's docstrings run and print what they say."""
import doctest
import importlib

import pytest

MODULES = ["graphviz_nn.ops", "graphviz_nn.value", "graphviz_nn.nn", "graphviz_nn.nn.scalar", "graphviz_nn.snapshot",
           "graphviz_nn.gradcheck", "graphviz_nn.custom_gate"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    # importlib, because the package attribute graphviz_nn.gradcheck is the function
    module = importlib.import_module(name)
    assert module.__name__ == name
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted >= 1
