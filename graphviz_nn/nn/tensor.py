"""The tensor layers: one node per layer operation, on whole batches of numpy data.

``Linear``, ``Activation``, ``PReLU``, ``Maxout``, ``Dropout``, ``BatchNorm1d``, ``Sequential``
and ``TensorMLP`` (what ``MLP(..., engine="tensor")`` builds).
"""
from __future__ import annotations

import contextlib
import random

import numpy as np

from ..recording import group
from ..tensor import ShapeError, Tensor
from ..tensor import prelu as tensor_prelu
from .scalar import ACTIVATIONS, Module, activate
from ..arguments import layer_sizes

MAX_TENSOR_PARAMETERS = 50_000_000  # 400 MB of float64 weights, as much again in gradients

INITS = ("uniform", "scaled")


class TensorModule(Module):
    """Base of the tensor layers: parameters are Tensors; ``train()``/``eval()`` switch modes."""

    training = True

    def zero_grad(self):
        for p in self.parameters():
            p.zero_grad()

    def children(self) -> list:
        return []

    def train(self, mode: bool = True):
        """Training mode (dropout drops, batch norm uses batch statistics); returns self."""
        self.training = bool(mode)
        for child in self.children():
            child.train(mode)
        return self

    def eval(self):
        """Evaluation mode (dropout is the identity, batch norm uses running statistics)."""
        return self.train(False)


def _as_input(x, label: str = "X") -> Tensor:
    # a batch of data wants no gradient: backward then skips the largest matrix product
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray) and x.dtype == np.float64:
        return Tensor.wrap(x, label=label)  # no copy: the engine never writes to a data batch
    return Tensor(x, label=label, requires_grad=False)


def uniform_weights(nin: int, nout: int, rng: random.Random | None = None) -> np.ndarray:
    """A (nin, nout) matrix whose column j is what the scalar ``Neuron`` j would draw.

    Neuron by neuron, ``nin`` draws of ``rng.uniform(-1, 1)`` each: the scalar engine's order,
    so both engines start from the same numbers for the same seed.
    """
    rng = rng or random._inst
    uniform = rng.uniform
    return np.array([[uniform(-1, 1) for _ in range(nin)] for _ in range(nout)], dtype=np.float64).T.copy()


class Linear(TensorModule):
    """y = x @ W + b for a batch x of shape (n, nin): W (nin, nout), b (nout,).

    Column j of W holds the weights of the scalar engine's neuron j. ``init="uniform"`` draws
    them as micrograd does (U(-1, 1)); ``"scaled"`` divides those by √nin for wide layers.
    """

    def __init__(self, nin: int, nout: int, rng: random.Random | None = None, name: str = "L",
                 weight=None, bias=None, init: str = "uniform"):
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}; expected one of {', '.join(INITS)}")
        self.name = name
        if weight is None:
            weight = uniform_weights(nin, nout, rng)
            if init == "scaled":
                weight = weight / np.sqrt(nin)
        bias = np.zeros(nout) if bias is None else bias
        with group(name):
            self.W = Tensor(weight, label=f"{name}.W")
            self.b = Tensor(bias, label=f"{name}.b")
        if self.W.shape != (nin, nout) or self.b.shape != (nout,):
            raise ShapeError(f"layer {name} needs W of shape {(nin, nout)} and b of shape {(nout,)}, "
                             f"got {self.W.shape} and {self.b.shape}")

    def __call__(self, x):
        x = _as_input(x)
        if x.shape[-1] != self.W.shape[0]:
            raise ShapeError(f"layer {self.name} takes inputs with {self.W.shape[0]} features, "
                             f"got shape {x.shape}")
        with group(self.name):
            return x @ self.W + self.b

    def parameters(self) -> list:
        return [self.W, self.b]

    def __repr__(self):
        return f"Linear({self.W.shape[0]}, {self.W.shape[1]})"


class Activation(TensorModule):
    """An element-wise activation by name (``linear`` is the identity), as a module."""

    def __init__(self, name: str = "relu", group_name: str | None = None):
        if name not in ACTIVATIONS:
            raise ValueError(f"unknown activation {name!r}; expected one of {', '.join(ACTIVATIONS)}")
        self.name = name
        self.group_name = group_name

    def __call__(self, x):
        x = _as_input(x)
        if self.group_name is None:
            return activate(x, self.name)
        with group(self.group_name):
            return activate(x, self.name)

    def __repr__(self):
        return f"Activation({self.name!r})"


class PReLU(TensorModule):
    """Parametric ReLU with one learnable slope per feature: x if x > 0 else α·x."""

    def __init__(self, n: int, alpha: float = 0.25, name: str = "PReLU"):
        self.name = name
        with group(name):
            self.alpha = Tensor(np.full(n, float(alpha)), label=f"{name}.alpha")

    def __call__(self, x):
        x = _as_input(x)
        if x.shape[-1] != self.alpha.shape[0]:
            raise ShapeError(f"{self.name} has {self.alpha.shape[0]} slopes but the input has shape {x.shape}")
        with group(self.name):
            return tensor_prelu(x, self.alpha)

    def parameters(self) -> list:
        return [self.alpha]

    def __repr__(self):
        return f"PReLU({self.alpha.shape[0]})"


class Maxout(TensorModule):
    """Maxout: ``pieces`` linear units per output, keep the largest (x @ W + b, then max over pieces)."""

    def __init__(self, nin: int, nout: int, pieces: int = 2, rng: random.Random | None = None,
                 name: str = "Maxout", init: str = "uniform"):
        if pieces < 1:
            raise ValueError(f"Maxout needs at least one piece per output, got pieces={pieces}")
        self.name, self.nout, self.pieces = name, nout, pieces
        self.linear = Linear(nin, nout * pieces, rng, name=name, init=init)

    def __call__(self, x):
        z = self.linear(x)
        with group(self.name):
            # columns j·pieces .. j·pieces + pieces - 1 are output j's pieces
            return z.reshape(z.shape[:-1] + (self.nout, self.pieces)).max(axis=-1)

    def parameters(self) -> list:
        return self.linear.parameters()

    def __repr__(self):
        return f"Maxout({self.linear.W.shape[0]}, {self.nout}, pieces={self.pieces})"


class Dropout(TensorModule):
    """Inverted dropout: in training, each element is zeroed with probability ``p`` and the rest
    scaled by 1/(1-p), so eval mode is the plain identity. The masks come from a numpy generator
    seeded with ``seed``: the same seed gives the same masks, call after call."""

    def __init__(self, p: float = 0.5, seed: int | None = None, name: str = "Dropout"):
        if not 0.0 <= p < 1.0:
            raise ValueError(f"Dropout(p={p}) needs 0 <= p < 1 (p is the probability of dropping)")
        self.p = float(p)
        self.name = name
        self.rng = np.random.default_rng(seed)
        self.last_mask = None

    def __call__(self, x):
        x = _as_input(x)
        if not self.training or self.p == 0.0:
            return x
        mask = (self.rng.random(x.shape) >= self.p) / (1.0 - self.p)
        self.last_mask = mask
        with group(self.name):
            return x.dropout_mask(mask)

    def __repr__(self):
        return f"Dropout(p={self.p})"


class BatchNorm1d(TensorModule):
    """Batch normalisation of (n, features) inputs: x̂ = (x - mean) / √(var + eps), y = γ·x̂ + β.

    Training uses the batch's mean and (biased) variance, built from primitive gates so each
    step is visible, and updates running statistics (unbiased variance, ``momentum``);
    eval mode normalises with the running statistics instead.
    """

    def __init__(self, n: int, eps: float = 1e-5, momentum: float = 0.1, name: str = "BN"):
        self.n = n
        self.eps = float(eps)
        self.momentum = float(momentum)
        self.name = name
        with group(name):
            self.gamma = Tensor(np.ones(n), label=f"{name}.gamma")
            self.beta = Tensor(np.zeros(n), label=f"{name}.beta")
        self.running_mean = np.zeros(n)
        self.running_var = np.ones(n)

    def __call__(self, x):
        x = _as_input(x)
        if x.ndim != 2 or x.shape[1] != self.n:
            raise ShapeError(f"{self.name} (BatchNorm1d({self.n})) needs inputs of shape (batch, {self.n}), "
                             f"got {x.shape}")
        with group(self.name):
            if self.training:
                if x.shape[0] < 2:
                    raise ValueError(f"{self.name} needs a batch of at least 2 samples in training mode, "
                                     f"got {x.shape[0]}; call .eval() to use running statistics")
                mean = x.mean(axis=0, keepdims=True)
                centred = x - mean
                var = (centred ** 2).mean(axis=0, keepdims=True)
                xhat = centred / (var + self.eps).sqrt()
                m, count = self.momentum, x.shape[0]
                self.running_mean = (1 - m) * self.running_mean + m * mean.data[0]
                self.running_var = (1 - m) * self.running_var + m * var.data[0] * count / (count - 1)
            else:
                xhat = (x - self.running_mean) * (1.0 / np.sqrt(self.running_var + self.eps))
            return xhat * self.gamma + self.beta

    def parameters(self) -> list:
        return [self.gamma, self.beta]

    def __repr__(self):
        return f"BatchNorm1d({self.n})"


def batchnorm_layers(model) -> list:
    """The ``BatchNorm1d`` modules of a model (itself, or among a ``Sequential``'s modules)."""
    if isinstance(model, BatchNorm1d):
        return [model]
    return [m for m in getattr(model, "modules", []) if isinstance(m, BatchNorm1d)]


def running_statistics(model) -> list:
    """A copy of every batch norm layer's (running mean, running variance), in module order."""
    return [(bn.running_mean.copy(), bn.running_var.copy()) for bn in batchnorm_layers(model)]


def set_running_statistics(model, saved: list) -> None:
    """Put back what ``running_statistics`` returned."""
    for bn, (mean, var) in zip(batchnorm_layers(model), saved):
        bn.running_mean, bn.running_var = mean.copy(), var.copy()


@contextlib.contextmanager
def running_statistics_kept(model):
    """A forward pass that only shows something (a graph, a check) leaves the running statistics
    as they were: only a training step may move them.

    >>> bn = BatchNorm1d(2)
    >>> with running_statistics_kept(bn):
    ...     _ = bn(np.array([[0.0, 1.0], [2.0, 5.0]]))
    >>> bn.running_mean.tolist(), bn.running_var.tolist()
    ([0.0, 0.0], [1.0, 1.0])
    """
    saved = running_statistics(model)
    try:
        yield model
    finally:
        set_running_statistics(model, saved)


class Sequential(TensorModule):
    """Modules applied in order; parameters in order; ``train()``/``eval()`` reach them all."""

    def __init__(self, *modules):
        self.modules = list(modules)

    def __call__(self, x):
        for module in self.modules:
            x = module(x)
        return x

    def children(self) -> list:
        return [m for m in self.modules if isinstance(m, TensorModule)]

    def parameters(self) -> list:
        return [p for m in self.modules for p in m.parameters()]

    def __repr__(self):
        return f"Sequential({', '.join(map(repr, self.modules))})"


class TensorMLP(TensorModule):
    """``MLP(..., engine="tensor")``: a ``Linear`` per layer (groups L1, L2, ...), activations between.

    The same seed gives the same initial weights as the scalar MLP (column j of ``L1.W`` is
    neuron ``L1.N{j+1}``'s weights). Input: an array or Tensor of shape (n, nin) or (nin,);
    output: a Tensor of shape (n, nout). ``parameters()`` is [L1.W, L1.b, L2.W, L2.b, ...].
    """

    def __init__(self, nin: int, nouts: list, activation: str = "relu",
                 output_activation: str | None = None, seed: int | None = None):
        sizes = layer_sizes(nin, nouts, "MLP", MAX_TENSOR_PARAMETERS)
        rng = random.Random(seed) if seed is not None else None
        for name in (activation, output_activation or "linear"):
            if name not in ACTIVATIONS:
                raise ValueError(f"unknown activation {name!r}; expected one of {', '.join(ACTIVATIONS)}")
        self.activations = [activation if i < len(nouts) - 1 else (output_activation or "linear")
                            for i in range(len(nouts))]
        self.layers = [Linear(sizes[i], sizes[i + 1], rng, name=f"L{i + 1}") for i in range(len(nouts))]

    def __call__(self, x):
        x = _as_input(x)
        for layer, act in zip(self.layers, self.activations):
            x = layer(x)
            with group(layer.name):
                x = activate(x, act)
        return x

    def children(self) -> list:
        return list(self.layers)

    def parameters(self) -> list:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        return f"TensorMLP of [{', '.join(f'{layer!r} {act}' for layer, act in zip(self.layers, self.activations))}]"
