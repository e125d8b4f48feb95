"""Random compositions of PyTorch calls: the recording's gradients are PyTorch's, to 1e-10 in float64."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from graphviz_nn.debugger import build_trace
from graphviz_nn.torch import record

# Each step takes one or two tensors of shape (3, 4) from the pool and adds one of shape (3, 4).
# Arguments stay in the domain of each function (log of |x| + 1, division by |x| + 1), so every
# value is finite and comparing gradients is meaningful.
UNARY = [
    lambda x: x.tanh(), lambda x: torch.sigmoid(x), lambda x: F.relu(x), lambda x: x.tanh().exp(),
    lambda x: (x.abs() + 1).log(), lambda x: (x.abs() + 1).sqrt(), lambda x: F.leaky_relu(x, 0.1),
    lambda x: F.elu(x), lambda x: x.softmax(dim=1), lambda x: F.log_softmax(x, dim=0), lambda x: -x,
    lambda x: 2.5 * x, lambda x: x - 0.5, lambda x: 1.5 - x, lambda x: 1 / (x.abs() + 1),
    lambda x: x.tanh() ** 2, lambda x: x.sum(dim=0, keepdim=True) + x, lambda x: x.mean(1, keepdim=True) * x,
    lambda x: x.T.reshape(3, 4), lambda x: x[:, [0, 2, 1, 3]], lambda x: x.reshape(12).flip(0).view(3, 4),
    # opaque: no rule in the table, PyTorch's VJP
    lambda x: torch.erf(x), lambda x: torch.sin(x), lambda x: x.clamp(-0.7, 0.9),
    lambda x: torch.cumsum(x, dim=1), lambda x: torch.where(x > 0, x, 0.3 * x),
]
BINARY = [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / (b.abs() + 1),
    lambda a, b: (a @ b.T) @ a / 4, lambda a, b: F.linear(a, b.T @ b / 4, b[0]),
    lambda a, b: torch.addmm(b, a, torch.eye(4, dtype=torch.float64) * 0.5, beta=2.0),
    lambda a, b: torch.maximum(a, b), lambda a, b: torch.cat([a, b], dim=1)[:, 2:6],
    lambda a, b: torch.stack([a, b, a * b]).sum(0),
]


def run(program, a, b, W):
    pool = [a, b, F.linear(a, W)]
    for kind, i, j in program:
        x, y = pool[i % len(pool)], pool[j % len(pool)]
        if kind < len(UNARY):
            pool.append(UNARY[kind](x))
        else:
            pool.append(BINARY[(kind - len(UNARY)) % len(BINARY)](x, y))
    return pool[-1].sum() + pool[-2].pow(2).mean()


programs = st.lists(st.tuples(st.integers(0, len(UNARY) + len(BINARY) - 1), st.integers(0, 30), st.integers(0, 30)),
                    min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(program=programs, seed=st.integers(0, 2**16))
def test_random_compositions_match_pytorch_backward(program, seed):
    gen = torch.Generator().manual_seed(seed)
    a, b = (torch.randn(3, 4, dtype=torch.float64, generator=gen, requires_grad=True) for _ in range(2))
    W = torch.randn(4, 4, dtype=torch.float64, generator=gen, requires_grad=True)

    rec = record(run, program, a, b, W)
    assert rec.notes == ()  # every mapped call agreed with PyTorch's value
    rec.output.backward()
    run(program, a, b, W).backward()
    np.testing.assert_allclose(rec.output.item(), rec.torch_output.item(), rtol=1e-12)
    expected = {name: np.zeros((3, 4) if name != "W" else (4, 4)) if t.grad is None else t.grad.numpy()
                for name, t in (("a", a), ("b", b), ("W", W))}  # None: the loss does not depend on it
    for name, grad in expected.items():
        np.testing.assert_allclose(rec.leaves[name].grad, grad, rtol=1e-10, atol=1e-10, err_msg=name)

    # the trace's backward steps into each leaf add up to the same gradient
    trace = build_trace(rec.output)
    ids = {trace.engine_node(info.id): info.id for info in trace.nodes}
    for name, grad in expected.items():
        if rec.leaves[name] not in ids:
            assert not grad.any()  # not in the graph: no step, and PyTorch gave no gradient either
            continue
        steps = trace.grad_steps(ids[rec.leaves[name]])
        total = sum((np.asarray(trace.steps[k].contribution) for k in steps), np.zeros(grad.shape))
        np.testing.assert_allclose(total, grad, rtol=1e-10, atol=1e-10, err_msg=name)
