"""Neurons, layers and MLPs on the scalar engine, with micrograd's names and order.

Every node a neuron creates carries its group path (``("L1", "N3")``), so views can
collapse a neuron or a layer into one box::

    >>> from graphviz_nn.nn import MLP
    >>> model = MLP(2, [3, 1], seed=0)
    >>> out = model([1.0, -2.0])
    >>> len(model.parameters())
    13
"""
from __future__ import annotations

import random

from ..recording import group
from ..value import Value

ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu")


def activate(x, name: str):
    """Apply an activation by name to a Value (``linear`` is the identity)."""
    if name == "linear":
        return x
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of {', '.join(ACTIVATIONS)}")
    return getattr(x, name)()


class Module:
    """micrograd's base: ``parameters()`` and ``zero_grad()``."""

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self) -> list:
        return []


class Neuron(Module):
    """act(w · x + b); weights uniform in [-1, 1) from ``rng`` (micrograd's initialisation)."""

    def __init__(self, nin: int, activation: str = "relu", rng: random.Random | None = None,
                 name: str = "N", weights=None, bias: float = 0.0):
        rng = rng or random._inst  # the module-level generator, so random.seed(...) works
        if weights is None:
            weights = [rng.uniform(-1, 1) for _ in range(nin)]
        if len(weights) != nin:
            raise ValueError(f"neuron {name} has {nin} inputs but {len(weights)} weights were given")
        self.name = name
        with group(name) as path:
            prefix = ".".join(path)  # L1.N3.w0: unique across layers
            self.w = [Value(wi, label=f"{prefix}.w{i}") for i, wi in enumerate(weights)]
            self.b = Value(bias, label=f"{prefix}.b")
        self.activation = activation
        activate(Value(0.0), activation)  # rejects an unknown name now, not at the first call

    def __call__(self, x):
        if len(x) != len(self.w):
            raise ValueError(f"neuron {self.name} takes {len(self.w)} inputs, got {len(x)}")
        with group(self.name):
            act = self.b
            for wi, xi in zip(self.w, x):
                act = act + wi * xi
            return activate(act, self.activation)

    def parameters(self) -> list:
        return self.w + [self.b]

    def __repr__(self):
        return f"Neuron({len(self.w)}, {self.activation})"


class Layer(Module):
    """``nout`` neurons reading the same inputs; group path ``(layer name, neuron name)``."""

    def __init__(self, nin: int, nout: int, activation: str = "relu", rng=None, name: str = "L"):
        self.name = name
        with group(name):
            self.neurons = [Neuron(nin, activation, rng, name=f"N{j + 1}") for j in range(nout)]

    def __call__(self, x):
        with group(self.name):
            out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self):
        return f"Layer of [{', '.join(map(repr, self.neurons))}]"


class ScalarMLP(Module):
    """Layers L1, L2, ...: ``activation`` between them, ``output_activation`` at the end.

    ``seed`` makes the initial weights reproducible; without it, ``random.seed`` does.
    """

    def __init__(self, nin: int, nouts: list, activation: str = "relu",
                 output_activation: str | None = None, seed: int | None = None):
        rng = random.Random(seed) if seed is not None else None
        sizes = [nin] + list(nouts)
        self.layers = [
            Layer(sizes[i], sizes[i + 1],
                  activation if i < len(nouts) - 1 else (output_activation or "linear"),
                  rng, name=f"L{i + 1}")
            for i in range(len(nouts))
        ]

    def __call__(self, x):
        x = [xi if isinstance(xi, Value) else Value(xi, label=f"x{i}") for i, xi in enumerate(x)]
        for layer in self.layers:
            x = layer(x)
            x = x if isinstance(x, list) else [x]
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        return f"MLP of [{', '.join(map(repr, self.layers))}]"
