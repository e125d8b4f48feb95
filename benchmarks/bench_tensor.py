"""Tensor engine vs hand-written numpy: one training step of an MLP 784-256-10, interleaved.

One step = forward (X @ W1 + b1, relu, @ W2 + b2), softmax cross-entropy from logits on a
batch of 128, backward, and an SGD update. The engine records every node (13 per step) and
runs ``graph.backward`` over them; the numpy version is the same maths written by hand, on
the same weights, in the same process, the two timed in alternation so machine noise hits
both. Prints the median time ratio (target: at most 1.3x). Run:
``python benchmarks/bench_tensor.py [rounds]``.
"""
from __future__ import annotations

import os

# One BLAS thread unless told otherwise: helpers share two cores, and a multi-threaded matrix
# product under contention makes both columns noise. Override with OPENBLAS_NUM_THREADS=2.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from graphviz_nn import SGD  # noqa: E402
from graphviz_nn.graph import reachable  # noqa: E402
from graphviz_nn.nn import Linear, TensorMLP  # noqa: E402
from graphviz_nn.tensor import Tensor  # noqa: E402
from graphviz_nn.tensor_losses import cce  # noqa: E402

BATCH, NIN, HIDDEN, NOUT, LR = 128, 784, 256, 10, 0.01


def numpy_step(X, y, params, lr=LR):
    """The same training step, written out in plain numpy."""
    W1, b1, W2, b2 = params
    n = X.shape[0]
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0.0)
    Z2 = A1 @ W2 + b2
    shifted = Z2 - Z2.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(n), y].mean()
    dZ2 = np.exp(logp)
    dZ2[np.arange(n), y] -= 1.0
    dZ2 /= n
    dW2 = A1.T @ dZ2
    db2 = dZ2.sum(axis=0)
    dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
    dW1 = X.T @ dZ1
    db1 = dZ1.sum(axis=0)
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
    return loss


def engine_step(X, y, model, opt):
    model.zero_grad()
    loss = cce(model(X), y)
    loss.backward()
    opt.step()
    return float(loss.data)


def build(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(BATCH, NIN))
    y = rng.integers(0, NOUT, size=BATCH)
    W1 = rng.uniform(-1, 1, size=(NIN, HIDDEN)) / np.sqrt(NIN)
    W2 = rng.uniform(-1, 1, size=(HIDDEN, NOUT)) / np.sqrt(HIDDEN)
    b1, b2 = np.zeros(HIDDEN), np.zeros(NOUT)
    model = TensorMLP.__new__(TensorMLP)  # an MLP 784-256-10 with the weights above (no 200k rng draws)
    model.activations = ["relu", "linear"]
    model.layers = [Linear(NIN, HIDDEN, name="L1", weight=W1, bias=b1),
                    Linear(HIDDEN, NOUT, name="L2", weight=W2, bias=b2)]
    return X, y, [W1.copy(), b1.copy(), W2.copy(), b2.copy()], model


def main(rounds: int = 60) -> None:
    X, y, params, model = build()
    opt_plain = SGD(model.parameters(), lr=LR, record=False)
    opt_recorded = SGD(model.parameters(), lr=LR, record=True)

    # both start from the same weights: the first steps must agree
    l_np = numpy_step(X, y, params)
    l_en = engine_step(X, y, model, opt_plain)
    assert abs(l_np - l_en) <= 1e-12 * abs(l_np), (l_np, l_en)
    for p, q in zip(model.parameters(), params):
        assert np.allclose(p.data, q, rtol=1e-12, atol=1e-15)
    nodes = len(reachable(cce(model(X), y)))

    timings = {"numpy": [], "engine": [], "engine+SGD record": []}
    steps = {"numpy": lambda: numpy_step(X, y, params),
             "engine": lambda: engine_step(X, y, model, opt_plain),
             "engine+SGD record": lambda: engine_step(X, y, model, opt_recorded)}
    for _ in range(5):
        for fn in steps.values():
            fn()
    order = list(steps)
    for r in range(rounds):
        for name in (order if r % 2 == 0 else order[::-1]):  # alternate who goes first
            t0 = time.perf_counter()
            steps[name]()
            timings[name].append(time.perf_counter() - t0)

    base = statistics.median(timings["numpy"])
    threads = os.environ.get("OPENBLAS_NUM_THREADS")
    print(f"MLP {NIN}-{HIDDEN}-{NOUT}, batch {BATCH}, softmax cross-entropy, one SGD step; {rounds} interleaved rounds; "
          f"BLAS threads {threads}")
    print(f"engine graph: {nodes} recorded nodes per step")
    print(f"{'version':<20} {'median ms':>10} {'ratio':>7}")
    for name, ts in timings.items():
        med = statistics.median(ts)
        print(f"{name:<20} {med * 1e3:>10.3f} {med / base:>6.2f}x")
    pairs = [e / n for e, n in zip(timings["engine"], timings["numpy"])]
    print(f"median of per-round ratios (engine / numpy): {statistics.median(pairs):.2f}x (target <= 1.30x)")


def per_node_overhead(repeats: int = 20000) -> None:
    """What recording costs on a tiny array, where the numpy work itself is almost nothing."""
    x = Tensor(np.random.default_rng(1).normal(size=(4, 3)))
    raw = x.data
    cases = [("tanh", lambda: x.tanh(), lambda: np.tanh(raw)),
             ("+ 1", lambda: x + 1, lambda: raw + 1.0),
             ("@ W", lambda: x @ x.T, lambda: raw @ raw.T)]
    print(f"recording one node on a 4x3 array ({repeats} times, interleaved):")
    for name, engine, plain in cases:
        te, tp = [], []
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(repeats // 5):
                plain()
            t1 = time.perf_counter()
            for _ in range(repeats // 5):
                engine()
            t2 = time.perf_counter()
            tp.append((t1 - t0) / (repeats // 5))
            te.append((t2 - t1) / (repeats // 5))
        e, p = statistics.median(te), statistics.median(tp)
        print(f"  {name:<6} numpy {p * 1e6:6.2f} us, engine {e * 1e6:6.2f} us (+{(e - p) * 1e6:.2f} us per node)")


if __name__ == "__main__":
    random.seed(0)
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
    per_node_overhead()
