"""Networks: micrograd's ``Neuron``/``Layer``/``MLP`` on scalar Values (``scalar.py``) and the
tensor layers on numpy batches (``tensor.py``); ``MLP(..., engine=...)`` picks one.

    >>> from graphviz_nn.nn import MLP
    >>> type(MLP(2, [3, 1], seed=0)).__name__, type(MLP(2, [3, 1], seed=0, engine="tensor")).__name__
    ('ScalarMLP', 'TensorMLP')
"""
from __future__ import annotations

from .scalar import ACTIVATIONS, Layer, Module, Neuron, ScalarMLP, activate
from .tensor import (INITS, Activation, BatchNorm1d, Dropout, Linear, Maxout, PReLU, Sequential, TensorMLP,
                     TensorModule, uniform_weights)

ENGINES = ("scalar", "tensor")


def MLP(nin: int, nouts: list, activation: str = "relu", output_activation: str | None = None,
        seed: int | None = None, engine: str = "scalar"):
    """Layers L1, L2, ...: ``activation`` between them, ``output_activation`` at the end.

    ``engine="scalar"`` builds micrograd's network of Values (a ``ScalarMLP``); ``"tensor"`` a
    ``TensorMLP`` (one matrix per layer) with the very same initial weights for the same seed.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    cls = TensorMLP if engine == "tensor" else ScalarMLP
    return cls(nin, nouts, activation, output_activation, seed)


__all__ = ["ACTIVATIONS", "ENGINES", "INITS", "MLP", "Activation", "BatchNorm1d", "Dropout", "Layer", "Linear",
           "Maxout", "Module", "Neuron", "PReLU", "ScalarMLP", "Sequential", "TensorMLP", "TensorModule",
           "activate", "uniform_weights"]
