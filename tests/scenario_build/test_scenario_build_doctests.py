"""The examples in the scenario builder's docstrings run and print what they say."""
import doctest
import importlib

import pytest

MODULES = ["graphviz_nn.scenario_build", "graphviz_nn.scenario_build.scenario", "graphviz_nn.scenario_build.to_trace"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted >= 1
