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
from ..arguments import layer_sizes

MAX_SCALAR_PARAMETERS = 1_000_000  # a Value each: ~0.5 GB of Python objects

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


# micrograd's repr names a neuron by its nonlinearity: ReLUNeuron(2), LinearNeuron(2)
_REPR_NAMES = {"relu": "ReLU", "linear": "Linear", "tanh": "Tanh", "sigmoid": "Sigmoid",
               "leaky_relu": "LeakyReLU", "elu": "ELU"}


def _activation(activation: str | None, nonlin) -> str:
    """The activation from micrograd's ``nonlin`` flag or the ``activation`` keyword (relu if neither)."""
    if isinstance(activation, bool) and nonlin is None:
        activation, nonlin = None, activation  # micrograd's positional Neuron(nin, False)
    if nonlin is None:
        return "relu" if activation is None else activation
    if not isinstance(nonlin, bool):
        raise ValueError(f"nonlin must be True (ReLU) or False (linear), got {nonlin!r}; "
                         f"for another nonlinearity pass activation='tanh' (or sigmoid, ...)")
    from_flag = "relu" if nonlin else "linear"
    if activation is not None and activation != from_flag:
        raise ValueError(f"nonlin={nonlin} means activation={from_flag!r} but activation={activation!r} "
                         f"was given too; pass only one of them")
    return from_flag


class Neuron(Module):
    """act(w · x + b); weights uniform in [-1, 1) from ``rng`` (micrograd's initialisation).

    micrograd's ``Neuron(nin, nonlin=True)`` (ReLU, or linear for ``nonlin=False``) and
    ``Neuron(nin, activation="tanh")`` both work.
    """

    def __init__(self, nin: int, activation: str | None = None, rng: random.Random | None = None,
                 name: str = "N", weights=None, bias: float = 0.0, *, nonlin: bool | None = None):
        activation = _activation(activation, nonlin)
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

    @property
    def nonlin(self) -> bool:
        """micrograd's flag: whether the neuron applies a nonlinearity."""
        return self.activation != "linear"

    def __repr__(self):
        return f"{_REPR_NAMES.get(self.activation, self.activation)}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons reading the same inputs; group path ``(layer name, neuron name)``."""

    def __init__(self, nin: int, nout: int, activation: str | None = None, rng=None, name: str = "L",
                 **kwargs):
        """micrograd's ``Layer(nin, nout, **kwargs)``: ``kwargs`` go to every Neuron (``nonlin=False``)."""
        self.name = name
        with group(name):
            self.neurons = [Neuron(nin, activation, rng, name=f"N{j + 1}", **kwargs) for j in range(nout)]

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
        sizes = layer_sizes(nin, nouts, "MLP", MAX_SCALAR_PARAMETERS)
        rng = random.Random(seed) if seed is not None else None
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
