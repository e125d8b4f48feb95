"""Every level works for every recording (issue 27): random nestings of ModuleList, ModuleDict and
Sequential, with tied weights, shared modules and a parameter used in several groups at
different shapes. A collapsed edge never adds unlike shapes: in a tensor graph there is one edge
per distinct tensor crossing between two boxes, and its gradient is that tensor's."""
from __future__ import annotations

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from graphviz_nn.debugger import build_trace, collapse
from graphviz_nn.debugger.levels import levels_of
from graphviz_nn.render import to_dot
from graphviz_nn.torch import record

WIDTH = 3
KINDS = ("sequential", "list", "dict")


def nest(module, kinds):
    """``module`` wrapped in containers, outermost first (a ModuleList/ModuleDict gets a forward)."""
    for kind in reversed(kinds):
        if kind == "sequential":
            module = nn.Sequential(module)
        elif kind == "list":
            module = Listed(module)
        else:
            module = Named(module)
    return module


class Listed(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.items = nn.ModuleList([inner])

    def forward(self, x):
        for item in self.items:
            x = item(x)
        return x


class Named(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.parts = nn.ModuleDict({"inner": inner})

    def forward(self, x):
        return self.parts["inner"](x)


class Net(nn.Module):
    def __init__(self, plan):
        super().__init__()
        linears = []
        blocks = []
        for kinds, share in plan:
            if share[0] == "module" and linears:
                linear = linears[share[1] % len(linears)]  # the same module called twice
            else:
                linear = nn.Linear(WIDTH, WIDTH).double()
                if share[0] == "weight" and linears:
                    linear.weight = linears[share[1] % len(linears)].weight  # tied weights
            linears.append(linear)
            # the activation inside the block: a block feeds the next one directly, so a box can
            # send two tensors to another (its output, and a weight the other is tied to)
            blocks.append(nest(nn.Sequential(linear, nn.Tanh()), kinds))
        self.blocks = nn.ModuleList(blocks)
        self.first = linears[0]

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        # the first weight again, outside its group and at another shape (its column means)
        return (x + self.first.weight.mean(0)).pow(2).mean()


plans = st.lists(st.tuples(st.lists(st.sampled_from(KINDS), min_size=0, max_size=3),
                           st.tuples(st.sampled_from(["own", "weight", "module"]), st.integers(0, 5))),
                 min_size=1, max_size=4)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(plan=plans, seed=st.integers(0, 999))
def test_every_level_of_any_nesting_with_sharing_carries_each_tensor_s_own_gradient(plan, seed):
    torch.manual_seed(seed)
    model = Net(plan)
    X = torch.randn(4, WIDTH, dtype=torch.float64)
    rec = record(lambda X: model(X), X)
    assert rec.opaque == ()
    trace = build_trace(rec.output, fill_grads=False)
    end = trace.state_at(len(trace.steps))
    for level in levels_of(trace):
        view = collapse(trace, level)
        crossing: dict = {}
        for ve in view.edges:
            assert len(ve.sources) == 1  # one tensor per collapsed edge
            (src,) = ve.sources
            grad = ve.grad(end)
            if grad is not None:
                assert np.shape(grad) == trace.node(src).shape
                crossing[src] = crossing.get(src, 0) + grad
            assert np.shape(ve.value(end)) == trace.node(src).shape
        # a node's gradient is its edges' contributions: those inside its box plus the collapsed ones
        inside: dict = {}
        for step in trace.steps:
            if step.phase == "backward" and not step.is_seed and step.input_index is not None:
                src = trace.node(step.node).inputs[step.input_index]
                if view.view_of(src) == view.view_of(step.node):
                    inside[src] = inside.get(src, 0) + step.contribution
        for info in trace.nodes:
            if info.requires_grad and (info.id in crossing or info.id in inside):
                total = crossing.get(info.id, 0) + inside.get(info.id, 0)
                np.testing.assert_allclose(total, end.grad(info.id), rtol=1e-12, atol=1e-12)
        assert to_dot(trace, step="end", level=level).source  # draws without error
    # and the gradients are PyTorch's, however the parameters are shared
    rec.output.backward()
    model.zero_grad()
    model(X).backward()
    for name, p in model.named_parameters():
        np.testing.assert_allclose(rec.leaves[name].grad, p.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)
