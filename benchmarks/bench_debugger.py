"""Debugger costs, measured side by side in one process (ratios, never lone absolute times).

1. Stepping every step (``session.next()`` plus reading the state of the current node) of an
   MLP 2-16-16-1 trace on one sample, against the engine's own forward + backward per node.
2. ``state_at(k)`` for random k on a 50,000-node graph (creating the state and reading a
   value, a gradient and ``is_partial``), against replaying the steps from zero (the naive
   way); the target is under 1 ms per ``state_at``.
3. Building a trace per node against the engine's forward + backward per node (issue 23: ≤ 2×),
   in interleaved rounds with the garbage collector settled before each timing; median ratio.
4. Training: ``Trainer.run`` (no steps) and ``trace_iteration`` against a hand-written step
   (issue 23: ``trace_iteration`` ≤ 3×), interleaved the same way; median of the per-round ratios.

Run: ``python benchmarks/bench_debugger.py``.
"""
from __future__ import annotations

import gc
import random
import statistics
import time
import tracemalloc

from graphviz_nn import SGD, Value, mse
from graphviz_nn.debugger import Session, build_trace
from graphviz_nn.debugger.training import Trainer
from graphviz_nn.graph import backward
from graphviz_nn.nn import MLP


def best(fn, repeat=5):
    """Best of ``repeat`` wall-clock timings of ``fn()`` in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def mlp_output():
    model = MLP(2, [16, 16, 1], seed=0)
    return model([0.5, -1.5])


def bench_stepping():
    trace = build_trace(mlp_output())
    n = len(trace.steps)

    def walk():
        session = Session(trace)
        while not session.at_end:
            state = session.next()
            node = state.current
            state.value(node), state.grad(node)

    def engine():
        backward(mlp_output())

    t_step = best(walk) / n
    t_engine = best(engine) / trace.n_forward
    print(f"stepping MLP 2-16-16-1 ({n} steps): {t_step * 1e6:.2f} µs/step; "
          f"engine forward+backward {t_engine * 1e6:.2f} µs/node; ratio {t_step / t_engine:.1f}× (no target; a step is a cursor move and two reads)")


def chain(n):
    x = Value(0.5, label="x")
    h = x
    for i in range(n // 2):
        h = (h * 0.999 + x) if i % 2 else (h + 0.001).tanh()
    return h


def replay_state(trace, k, node_id):
    """The naive way: walk steps 0..k-1 and keep what is known (what state_at avoids)."""
    value = grad = None
    for step in trace.steps[:k]:
        if step.phase == "forward" and step.node == node_id:
            value = step.value
        elif step.phase == "backward" and step.input == node_id:
            grad = step.grad_after
    return value, grad


def bench_state_at():
    out = chain(50_000)
    trace = build_trace(out)
    rng = random.Random(0)
    n = len(trace.steps)
    ks = [rng.randrange(n + 1) for _ in range(2000)]
    ids = [f"n{rng.randrange(len(trace.nodes))}" for _ in ks]

    def query():
        for k, node_id in zip(ks, ids):
            s = trace.state_at(k)
            s.value(node_id), s.grad(node_id), s.is_partial(node_id)

    def replay():
        for k, node_id in zip(ks[:20], ids[:20]):
            replay_state(trace, k, node_id)

    t_query = best(query) / len(ks)
    t_replay = best(replay, repeat=2) / 20
    for k, node_id in zip(ks[:50], ids[:50]):  # the fast path answers what replay answers
        s = trace.state_at(k)
        assert (s.value(node_id), s.grad(node_id)) == replay_state(trace, k, node_id)
    print(f"state_at on {len(trace.nodes)} nodes / {n} steps: {t_query * 1e6:.2f} µs per state_at "
          f"(target < 1000 µs); replay from zero {t_replay * 1e6:.0f} µs; ratio {t_replay / t_query:.0f}× faster")
    ratios, t_builds, t_engines = [], [], []
    for _ in range(7):  # interleaved rounds: a busy moment on a shared machine hits both sides alike
        out = chain(50_000)
        gc.collect()  # neither side pays for the other's garbage
        t0 = time.perf_counter()
        traced = build_trace(out)
        t_build = time.perf_counter() - t0
        n = len(traced.nodes)
        del traced, out
        gc.collect()
        t0 = time.perf_counter()
        backward(chain(50_000))  # the engine's forward (building the graph) and backward
        t_engine = time.perf_counter() - t0
        gc.collect()
        ratios.append(t_build / t_engine)
        t_builds.append(t_build / n)
        t_engines.append(t_engine / n)
    print(f"build_trace: {statistics.median(t_builds) * 1e6:.2f} µs/node; engine forward+backward "
          f"{statistics.median(t_engines) * 1e6:.2f} µs/node; ratio {statistics.median(ratios):.1f}× "
          f"(median of {len(ratios)} interleaved rounds, spread {min(ratios):.1f}–{max(ratios):.1f}×; target ≤ 2×)")
    out = chain(50_000)
    tracemalloc.start()
    trace = build_trace(out)
    size, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"trace memory: {size / len(trace.steps):.0f} bytes per step ({size / 2**20:.1f} MiB for "
          f"{len(trace.steps)} steps)")


def bench_training():
    def trainer():
        model = MLP(2, [16, 16, 1], seed=0)
        data = [([0.5, -1.5], 1.0), ([-0.3, 0.8], -1.0), ([1.2, 0.1], 0.5)]

        def forward():
            return mse([model(x) for x, _ in data], [y for _, y in data])

        return Trainer(forward, model.parameters(), SGD(model.parameters(), lr=0.05))

    fast = trainer()
    slow = trainer()
    raw = trainer()  # the same loop written by hand: zero_grad, forward, backward, step

    def by_hand():
        raw.optimizer.zero_grad()
        backward(raw.forward_fn())
        raw.optimizer.step()

    t_raw, t_fast, t_slow, ratios = [], [], [], []
    for _ in range(15):
        # interleaved, each timing after a collection: a trace's garbage (~80,000 objects an
        # iteration) would otherwise trigger collections inside whatever runs next, and timing the
        # two sides minutes apart let the machine's load alone swing the ratio from 3× to 11×
        gc.collect()
        t_raw.append(best(by_hand, repeat=1))
        gc.collect()
        t_fast.append(best(lambda: fast.run(1), repeat=1))
        gc.collect()
        t_slow.append(best(slow.trace_iteration, repeat=1))
        ratios.append(t_slow[-1] / t_raw[-1])
    t_raw, t_fast, t_slow = (statistics.median(t) for t in (t_raw, t_fast, t_slow))
    print(f"training MLP 2-16-16-1 on 3 samples: hand-written loop {t_raw * 1e3:.2f} ms/iteration, "
          f"Trainer.run {t_fast * 1e3:.2f} ms (ratio {t_fast / t_raw:.2f}×), trace_iteration "
          f"{t_slow * 1e3:.2f} ms (ratio {statistics.median(ratios):.1f}×, median of {len(ratios)} interleaved "
          f"rounds, spread {min(ratios):.1f}–{max(ratios):.1f}×; target ≤ 3×)")

if __name__ == "__main__":
    bench_stepping()
    bench_state_at()
    bench_training()
