"""Scalar engine vs micrograd: the same demo training step, interleaved in one process.

Plays micrograd's demo (MLP 2-16-16-1, 100 two-dimensional samples, max-margin loss plus
L2 regularisation, SGD update) with one copy of the code, run on ``micrograd.engine.Value``
and on ``graphviz_nn.Value``, two ways:

1. micrograd's own ``nn.py`` (the bias starts ``sum``, ``V(0)``);
2. the way lecture code is often written: ``sum(...)`` from the int 0 (so every neuron goes
   through ``__radd__``), a ``V(0.0)`` bias added after, the engines alternating which runs
   first, and ``gc.collect()`` before every round (so neither pays for the other's garbage).

Prints each issue-23 target beside its figure: the time ratio (target >= 10x), bytes per
node after forward+backward (tracemalloc; target <= 150 B) and the time per node of a
1,000,000-node chain (target <= 1 us). Under each, the floor this Python sets for it, measured
on bare objects of ``Value``'s own layout (no arithmetic, no recording): what a node object
costs in bytes, what allocating and linking one costs with the cyclic collector on and off, and
the step's ratio with the collector off in both engines (how much of the gap is the collector).
Run: ``python benchmarks/bench_engine.py [--quick]``.
"""
from __future__ import annotations

import gc
import random
import statistics
import sys
import time
import tracemalloc

from micrograd.engine import Value as MicroValue

from graphviz_nn import Value as NNValue
from graphviz_nn.graph import reachable


# ---- micrograd's nn.py, written once against whichever Value class is given ----
class Neuron:
    def __init__(self, V, nin, nonlin=True):
        self.w = [V(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = V(0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, V, nin, nout, **kw):
        self.neurons = [Neuron(V, nin, **kw) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class LectureNeuron(Neuron):
    """The lecture's way: a V(0.0) bias added after a sum() that starts from the int 0."""

    def __init__(self, V, nin, nonlin=True):
        super().__init__(V, nin, nonlin)
        self.b = V(0.0)

    def __call__(self, x):
        act = sum(wi * xi for wi, xi in zip(self.w, x)) + self.b
        return act.relu() if self.nonlin else act


class MLP:
    def __init__(self, V, nin, nouts, neuron=Neuron):
        sz = [nin] + nouts
        self.layers = [Layer(V, sz[i], sz[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))]
        if neuron is not Neuron:
            for layer in self.layers:
                layer.neurons = [neuron(V, len(n.w), n.nonlin) for n in layer.neurons]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def make_moons(n: int, seed: int = 1):
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        import math
        t = math.pi * rng.random()
        if i % 2:
            X.append((math.cos(t) + rng.gauss(0, 0.1), math.sin(t) + rng.gauss(0, 0.1))); y.append(1.0)
        else:
            X.append((1 - math.cos(t) + rng.gauss(0, 0.1), 0.5 - math.sin(t) + rng.gauss(0, 0.1))); y.append(-1.0)
    return X, y


def training_step(V, model, X, y):
    """micrograd demo.ipynb's loss() and one SGD step, verbatim in structure."""
    inputs = [list(map(V, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum(p * p for p in model.parameters())
    total_loss = data_loss + reg_loss
    for p in model.parameters():
        p.grad = 0.0
    total_loss.backward()
    for p in model.parameters():
        p.data -= 0.1 * p.grad
    return total_loss


def bytes_per_node(V, model_seed: int, X, y):
    random.seed(model_seed)
    model = MLP(V, 2, [16, 16, 1])
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    loss = training_step(V, model, X, y)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    n = count_nodes(loss)
    return (after - before) / n, n


def count_nodes(out) -> int:
    if isinstance(out, NNValue):
        return len(reachable(out))
    seen, stack = {out}, [out]  # micrograd keeps children in a set, _prev
    while stack:
        for c in stack.pop()._prev:
            if c not in seen:
                seen.add(c)
                stack.append(c)
    return len(seen)


def chain_time(n: int) -> float:
    gc.collect()
    t0 = time.perf_counter()
    x = NNValue(0.5)
    y = x
    for _ in range(n):
        y = y * 1.0000001 + 0.0
    y.backward()
    return (time.perf_counter() - t0) / len(reachable(y))


# ---- floors: bare objects with Value's layout, so the figures above can be read against them ----
class _BareNode:
    """An object of Value's layout (its slots and, since issue 28, a ``__dict__``), doing nothing."""

    __slots__ = NNValue.__slots__


class _BareNodeNoDict:
    __slots__ = tuple(s for s in NNValue.__slots__ if s != "__dict__")


def floor_bytes(cls) -> float:
    """Bytes tracemalloc counts for one bare object of ``cls`` (a node's object, before its floats)."""
    new = object.__new__
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    objs = [new(cls) for _ in range(10_000)]
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before) / len(objs) - 8  # less the list's pointer to each


def floor_chain(n: int, collector: bool) -> float:
    """Seconds per node to allocate bare Value-layout objects and link each to the one before."""
    new = object.__new__
    gc.collect()
    if not collector:
        gc.disable()
    try:
        t0 = time.perf_counter()
        prev = None
        for _ in range(n):
            node = new(_BareNode)
            node._a = prev
            prev = node
        return (time.perf_counter() - t0) / n
    finally:
        gc.enable()


def interleaved(X, y, neuron, rounds: int, collector: bool = True):
    """Median seconds per training step on (micrograd, graphviz_nn), alternating who runs first."""
    random.seed(1337)
    micro_model = MLP(MicroValue, 2, [16, 16, 1], neuron)
    random.seed(1337)
    nn_model = MLP(NNValue, 2, [16, 16, 1], neuron)
    runs = {MicroValue: (micro_model, []), NNValue: (nn_model, [])}
    for r in range(rounds):  # interleaved, so both see the same machine noise
        for V in ((MicroValue, NNValue) if r % 2 == 0 else (NNValue, MicroValue)):
            model, times = runs[V]
            gc.collect()
            if not collector:
                gc.disable()
            t0 = time.perf_counter()
            training_step(V, model, X, y)
            times.append(time.perf_counter() - t0)
            gc.enable()
    return statistics.median(runs[MicroValue][1]), statistics.median(runs[NNValue][1])


def main(repeats: int = 7):
    X, y = make_moons(100)
    for name, neuron in (("micrograd's nn.py", Neuron), ("lecture style: sum() from 0, V(0.0) bias", LectureNeuron)):
        m, g = interleaved(X, y, neuron, repeats)
        print(f"demo training step, {name} (MLP 2-16-16-1, 100 samples): micrograd {m * 1e3:.1f} ms, "
              f"graphviz_nn {g * 1e3:.1f} ms -> {m / g:.2f}x faster (target >= 10x)")
    m, g = interleaved(X, y, Neuron, repeats, collector=False)
    print(f"  the same nn.py step with the cyclic collector off in both engines: micrograd {m * 1e3:.1f} ms, "
          f"graphviz_nn {g * 1e3:.1f} ms -> {m / g:.2f}x (the rest of the gap is the collector's)")
    mb, mn = bytes_per_node(MicroValue, 1337, X, y)
    gb, gn = bytes_per_node(NNValue, 1337, X, y)
    print(f"bytes per node after forward+backward: micrograd {mb:.0f} B ({mn} Values), "
          f"graphviz_nn {gb:.0f} B ({gn} nodes) (target <= 150 B)")
    with_dict, without = floor_bytes(_BareNode), floor_bytes(_BareNodeNoDict)
    print(f"  floor on this Python: a bare object of Value's layout is {with_dict:.0f} B ({without:.0f} B "
          f"without the __dict__ users' attributes need), + 24 B for the float of a new value "
          f"= {with_dict + 24:.0f} B before any gradient")
    n = 1_000_000 if "--quick" not in sys.argv else 100_000
    per = chain_time(n // 2)  # each link is two gates (*c, +c)
    print(f"chain of {n:,} nodes: {per * 1e9:.0f} ns per node, forward + backward (target <= 1000 ns)")
    on, off = floor_chain(n, True), floor_chain(n, False)
    print(f"  floor on this Python: allocating and linking {n:,} bare objects of Value's layout costs "
          f"{on * 1e9:.0f} ns per node with the cyclic collector on ({off * 1e9:.0f} ns off), "
          f"before any arithmetic, recording or backward")


if __name__ == "__main__":
    main()
