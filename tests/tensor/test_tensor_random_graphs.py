"""Hypothesis: random tensor expressions (element-wise gates, broadcasting, reductions, shapes)
backpropagate what central finite differences measure, and every gradient has its value's shape."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from graphviz_nn import Tensor
from tensor_fd_helpers import check_vjp

# smooth gates only, so a random point is never at a kink
UNARY = {
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "exp_small": lambda x: (x * 0.3).exp(),
    "square": lambda x: x ** 2,
    "softplus": lambda x: (x.exp() + 1).log(),
    "softmax": lambda x: x.softmax(),
    "log_softmax": lambda x: x.log_softmax(),
    "affine": lambda x: 1.5 - x * 0.5,
    "T": lambda x: (x.T * 2.0).T,
    "sum_keep0": lambda x: x.sum(axis=0, keepdims=True),
    "mean_keep1": lambda x: x.mean(axis=-1, keepdims=True),
    "sqrt_pos": lambda x: (x * x + 1).sqrt(),
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div_pos": lambda a, b: a / (b * b + 1),
}


@st.composite
def programs(draw):
    steps = draw(st.lists(st.tuples(st.sampled_from(sorted(UNARY)), st.sampled_from(sorted(BINARY)),
                                    st.sampled_from(["row", "col", "full", "scalar"])), min_size=1, max_size=4))
    rows, cols = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return steps, rows, cols


@settings(max_examples=40, deadline=None)
@given(program=programs(), seed=st.integers(0, 2**16))
def test_random_tensor_expressions_match_finite_differences(program, seed):
    steps, rows, cols = program
    rng = np.random.default_rng(seed)
    x = Tensor(rng.normal(size=(rows, cols)))
    others = {"row": Tensor(rng.normal(size=(cols,))), "col": Tensor(rng.normal(size=(rows, 1))),
              "full": Tensor(rng.normal(size=(rows, cols))), "scalar": Tensor(rng.normal(size=()))}

    def build(x, *leaves):
        h = x
        for unary, binary, kind in steps:
            h = UNARY[unary](h)
            if h.shape != x.shape:  # a shape-changing gate: bring it back by broadcasting
                h = h * Tensor(np.ones(x.shape), requires_grad=False)
            h = BINARY[binary](h, others[kind])
        return h

    check_vjp(build, [x] + list(others.values()), seed=seed, rtol=1e-4, atol=1e-6)
