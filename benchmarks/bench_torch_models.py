"""Recording and stepping real models (issue 27): the tiny GPT and the small CNN of tests/torch.

For each model, timed in alternation in one process (machine noise hits every row alike):
plain PyTorch (forward + backward), ``record`` + ``rec.output.backward()``, ``build_trace``,
stepping the whole trace in a ``Session`` (every step's text made, as the app shows it),
stepping into the attention gate's backward (GPTs), and drawing the default picture (SVG: the
level that fits a page, folded). Prints medians, each row's ratio to plain PyTorch, and the
default picture's level and width : height. Run: ``python benchmarks/bench_torch_models.py [rounds]``.
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import re  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "torch"))
from torch_models import nano_gpt, small_cnn, tiny_gpt  # noqa: E402

from graphviz_nn.debugger import Session, build_trace  # noqa: E402
from graphviz_nn.render import render_bytes  # noqa: E402
from graphviz_nn.render.fit import default_level  # noqa: E402
from graphviz_nn.torch import record  # noqa: E402


def step_all(trace) -> int:
    session = Session(trace)
    while session.k < len(trace.steps):
        session.next()
        session.state.step.text  # the line the app shows
    return session.k


def step_into_attention(trace) -> int:
    session = Session(trace)
    gate = next(n for n in trace.nodes if n.op == "attention")
    step = next(s for s in trace.steps if s.phase == "backward" and s.node == gate.id)
    session.goto(step.number)
    session.step_into()
    inner = session.trace
    while session.k < len(inner.steps):
        session.next()
        session.state.step.text
    return len(inner.steps)


def rows(name, model, loss_fn, args):
    def plain():
        model.zero_grad()
        loss_fn(*args).backward()

    def recorded():
        rec = record(loss_fn, *args)
        rec.output.backward()
        return rec

    rec = recorded()
    assert rec.opaque == () and rec.notes == (), (rec.opaque, rec.notes)
    trace = build_trace(rec.output, fill_grads=False)
    out = {"PyTorch forward + backward": plain, "record + backward": recorded,
           "build_trace": lambda: build_trace(rec.output, fill_grads=False),
           f"step all {len(trace.steps)} steps (texts made)": lambda: step_all(build_trace(rec.output, fill_grads=False))}
    if any(n.op == "attention" for n in trace.nodes):
        out["step into attention's backward and through it"] = lambda: step_into_attention(trace)
    out["default picture (SVG, fitted to a page)"] = lambda: render_bytes(trace, "svg")
    svg = render_bytes(trace, "svg")
    width, height = (float(v) for v in re.search(rb'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    name += f"; default picture at {default_level(trace)} level, {width:.0f} × {height:.0f} pt = {width / height:.2f} : 1"
    return name, len(trace.nodes), len(trace.steps), out


def main(rounds: int = 15) -> None:
    torch.set_num_threads(1)
    gpt, idx, targets = tiny_gpt()
    cnn, X, y = small_cnn()
    nano, nano_idx, nano_targets = nano_gpt()
    models = [rows("tiny GPT (2 blocks, width 16, 2×8 tokens)", gpt, lambda i, t: gpt(i, t), (idx, targets)),
              rows("CNN (Conv-BN-ReLU-MaxPool-Dropout-Linear, 2×3×8×8)", cnn,
                   lambda X, y: F.cross_entropy(cnn(X), y), (X, y)),
              rows("nanoGPT's model (1 layer, width 16, 2×8 tokens)", nano, lambda i, t: nano(i, t)[1],
                   (nano_idx, nano_targets))]
    times = {(m[0], label): [] for m in models for label in m[3]}
    for _ in range(rounds):
        for name, _, _, fns in models:
            for label, fn in fns.items():
                start = time.perf_counter()
                fn()
                times[name, label].append(time.perf_counter() - start)
    for name, nodes, steps, fns in models:
        print(f"{name}: {nodes} nodes, {steps} steps")
        base = statistics.median(times[name, "PyTorch forward + backward"])
        for label in fns:
            median = statistics.median(times[name, label])
            print(f"  {label:<52} {median * 1000:9.1f} ms  {median / base:7.1f}× PyTorch")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
