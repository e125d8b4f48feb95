"""The examples in the debugger's, losses' and optimiser's docstrings run and print what they say."""
import doctest
import importlib

import pytest

MODULES = ["graphviz_nn.debugger.trace", "graphviz_nn.debugger.session", "graphviz_nn.debugger.levels",
           "graphviz_nn.debugger.explain", "graphviz_nn.debugger.training", "graphviz_nn.optim",
           "graphviz_nn.debugger.exercise"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
