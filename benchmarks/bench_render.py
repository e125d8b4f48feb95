"""Renderer costs, measured side by side in one process.

1. DOT source for a 20,000-node scalar graph (target under 300 ms), next to building the
   debugger trace of the same graph (the step before it), so the ratio travels across machines.
2. End-to-end SVG of an MLP 784-256-10 on the tensor engine at layer level (batch of 128):
   our own time (trace + DOT) against the time ``dot`` takes to lay it out.
3. Frames of the CS231n neuron: 26 pinned-layout frames, per frame.

Run: ``python benchmarks/bench_render.py``.
"""
from __future__ import annotations

import random
import time

import numpy as np

from graphviz_nn import Value
from graphviz_nn.debugger import build_trace
from graphviz_nn.losses import cce
from graphviz_nn.nn import TensorMLP
from graphviz_nn.render import render_frames, run_dot, to_dot


def best(fn, repeat=5):
    """Best of ``repeat`` wall-clock timings of ``fn()`` in seconds, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def scalar_graph(n_leaves: int = 6_666, n_terms: int = 6_667):
    """A wide scalar graph of n_leaves + 2·n_terms = 20,000 nodes: a running sum of products
    of labelled leaves (every leaf used, many twice: fan-out)."""
    rng = random.Random(0)
    leaves = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(n_leaves)]
    total = leaves[0]
    for i in range(n_terms):
        total = total + leaves[i % n_leaves] * leaves[(7 * i + 1) % n_leaves]
    return total


def main() -> None:
    out = scalar_graph()
    t_trace, trace = best(lambda: build_trace(out), repeat=3)
    t_dot, source = best(lambda: to_dot(trace, max_nodes=None).source)
    print(f"1. scalar graph, {len(trace.nodes):,} nodes, {len(trace.edges):,} edges")
    print(f"   DOT source: {t_dot * 1e3:.0f} ms (target < 300 ms), {len(source) / 1e6:.1f} MB; "
          f"building the trace: {t_trace * 1e3:.0f} ms; DOT / trace = {t_dot / t_trace:.2f}")

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(128, 784)), rng.integers(0, 10, size=128)
    model = TensorMLP(784, [256, 10], seed=0)

    def ours():
        trace = build_trace(cce(model(X), y))
        return to_dot(trace, level="layer").source

    t_ours, source = best(ours)
    t_layout, svg = best(lambda: run_dot(source, "svg"))
    print("2. MLP 784-256-10 (tensor engine, batch 128) at layer level, end to end to SVG")
    print(f"   ours (forward+backward trace + DOT): {t_ours * 1e3:.0f} ms; dot layout: {t_layout * 1e3:.0f} ms; "
          f"total {(t_ours + t_layout) * 1e3:.0f} ms; SVG {len(svg) / 1e3:.0f} kB")

    w0, x0, w1, x1, w2 = (Value(v, label=n) for v, n in
                          ((2.0, "w0"), (-1.0, "x0"), (-3.0, "w1"), (-2.0, "x1"), (-3.0, "w2")))
    f = 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())
    neuron = build_trace(f)
    t_single, _ = best(lambda: run_dot(to_dot(neuron).source, "svg"), repeat=3)
    t_frames, frames = best(lambda: render_frames(neuron, "svg"), repeat=2)
    print(f"3. CS231n neuron: {len(frames)} pinned frames in {t_frames * 1e3:.0f} ms "
          f"({t_frames / len(frames) * 1e3:.0f} ms per frame; one single SVG: {t_single * 1e3:.0f} ms; "
          f"frames / single = {t_frames / t_single:.1f})")


if __name__ == "__main__":
    main()
