"""Recording a PyTorch step vs plain PyTorch: an MLP 784-256-10 on a batch of 128, interleaved.

Plain: ``F.cross_entropy(model(X), y).backward()`` (float32, as a user trains). Recorded:
``record(...)`` of the same forward (PyTorch runs it as usual, and the recorder builds the
float64 graph beside it, checking each gate's value against PyTorch's) and then
``rec.output.backward()`` on the recorded graph. The two are timed in alternation in one
process so machine noise hits both; prints the median of each and the ratio. Run:
``python benchmarks/bench_torch.py [rounds]``.
"""
from __future__ import annotations

import os

# One thread for both libraries: helpers share two cores, and threads under contention are noise.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from graphviz_nn.tensor import Tensor  # noqa: E402
from graphviz_nn.tensor_losses import cce  # noqa: E402
from graphviz_nn.torch import record  # noqa: E402

BATCH, NIN, HIDDEN, NOUT = 128, 784, 256, 10


def plain_step(model, X, y):
    model.zero_grad()
    F.cross_entropy(model(X), y).backward()


def recorded_step(model, X, y):
    rec = record(lambda X, y: F.cross_entropy(model(X), y), X, y)
    rec.output.backward()
    return rec


def engine_step(weights, X, y):
    """The same graph built by hand on graphviz-nn's tensor engine (float64): where the time goes."""
    W1, b1, W2, b2 = (Tensor(w) for w in weights)
    loss = cce((X @ W1.T + b1).relu() @ W2.T + b2, y)
    loss.backward()


def main(rounds: int = 40) -> None:
    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(NIN, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, NOUT))
    X, y = torch.randn(BATCH, NIN), torch.randint(0, NOUT, (BATCH,))
    rec = recorded_step(model, X, y)
    assert rec.opaque == () and rec.notes == (), (rec.opaque, rec.notes)
    for _ in range(3):  # warm up both paths
        plain_step(model, X, y)
        recorded_step(model, X, y)
    weights = [p.detach().double().numpy() for p in model.parameters()]
    Xe, ye = Tensor.wrap(X.double().numpy()), y.numpy()
    plain, recorded, engine = [], [], []
    for _ in range(rounds):
        t = time.perf_counter()
        plain_step(model, X, y)
        plain.append(time.perf_counter() - t)
        t = time.perf_counter()
        recorded_step(model, X, y)
        recorded.append(time.perf_counter() - t)
        t = time.perf_counter()
        engine_step(weights, Xe, ye)
        engine.append(time.perf_counter() - t)
    p, r, e = statistics.median(plain), statistics.median(recorded), statistics.median(engine)
    print(f"MLP {NIN}-{HIDDEN}-{NOUT}, batch {BATCH}, {rounds} rounds, median of each:")
    print(f"  plain PyTorch forward + backward (float32):   {p * 1e3:7.2f} ms")
    print(f"  record + backward of the recorded graph:      {r * 1e3:7.2f} ms")
    print(f"  the same graph on graphviz-nn's engine alone: {e * 1e3:7.2f} ms")
    print(f"  ratio recorded / plain PyTorch: {r / p:.1f}x (recorded / engine alone: {r / e:.2f}x)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
