"""Fixtures for the renderer's tests."""
import pytest

from render_helpers import build_sigmoid_neuron


@pytest.fixture
def neuron():
    """A fresh CS231n sigmoid neuron (f = 0.73)."""
    return build_sigmoid_neuron()
