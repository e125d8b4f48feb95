"""The examples in the tensor engine's docstrings run and print what they say."""
import doctest
import importlib

import pytest


@pytest.mark.parametrize("name", ["graphviz_nn.tensor", "graphviz_nn.tensor_losses", "graphviz_nn.datasets"])
def test_tensor_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted >= 1
