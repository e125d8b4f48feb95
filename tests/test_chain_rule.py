"""One chain-rule step: micrograd's ``node._backward()`` by hand and ``backward()`` run the same
function (``chain_rule.run_gates``), so they agree on every op, data leaves and parameters mixed."""
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from graphviz_nn import Tensor, Value
from graphviz_nn.graph import reachable
from graphviz_nn.ops import OPS
from graphviz_nn.value import apply

SCALAR_OPS = sorted(name for name, op in OPS.items() if op.scalar is not None)
H = 1e-6


def test_the_issue_s_example_a_data_leaf_gets_nothing_from_backward_by_hand():
    w, x = Value(3.0), Value(2.0, requires_grad=False)
    y = w * x
    y.grad = 1.0
    y._backward()
    assert (w.grad, x.grad) == (2.0, 0.0)  # micrograd would give x.grad = 3; data gets no gradient


def _program(name, xs, flags, const, scale):
    """Leaves (data where the flag is false), the op, then * a parameter so the upstream is not 1."""
    leaves = [Value(x, requires_grad=f) for x, f in zip(xs, flags)]
    s = Value(scale)
    y = apply(name, leaves, const)
    return y * s + y, leaves + [s]


def _by_hand(out):
    out.grad = 1.0
    for node in reversed(reachable(out)):  # creation order is topological
        node._backward()


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SCALAR_OPS), st.lists(st.floats(0.3, 3.0), min_size=2, max_size=2),
       st.lists(st.booleans(), min_size=2, max_size=2), st.floats(-2.0, 2.0).filter(lambda c: abs(c) > 0.1),
       st.floats(-2.0, 2.0))
def test_backward_by_hand_equals_backward_on_every_op(name, xs, flags, const, scale):
    op = OPS[name]
    xs, flags = xs[:op.arity], flags[:op.arity]
    assume(op.arity == 1 or abs(xs[0] - xs[1]) > 1e-3)  # max's kink at a tie has no derivative to check
    const = op.default if op.default is not None else const
    out1, leaves1 = _program(name, xs, flags, const, scale)
    out1.backward()
    out2, leaves2 = _program(name, xs, flags, const, scale)
    _by_hand(out2)
    # the same arithmetic: bit for bit (nan where the op leaves its domain, e.g. (-1) ** x)
    assert [repr(leaf.grad) for leaf in leaves2] == [repr(leaf.grad) for leaf in leaves1]
    for leaf, flag in zip(leaves1, flags):
        if not flag:
            assert leaf.grad == 0.0  # data gets no gradient either way
    # and the parameters' gradients are the derivative: central differences of the same program
    if not math.isfinite(out1.data):
        return
    for i, flag in enumerate(flags):
        if flag:
            hi = _program(name, [x + H if j == i else x for j, x in enumerate(xs)], flags, const, scale)[0].data
            lo = _program(name, [x - H if j == i else x for j, x in enumerate(xs)], flags, const, scale)[0].data
            if math.isfinite(hi) and math.isfinite(lo):  # (-1) ** x is defined at whole x only
                assert leaves1[i].grad == pytest.approx((hi - lo) / (2 * H), rel=1e-4, abs=1e-6)


def test_a_gate_made_only_from_data_sends_nothing_by_hand():
    x, t = Value(2.0, requires_grad=False), Value(5.0, requires_grad=False)
    d = x - t  # data too
    w = Value(0.5)
    out = w * d
    _by_hand(out)
    assert (w.grad, x.grad, t.grad, d.grad) == (-3.0, 0.0, 0.0, 0.0)


@pytest.mark.parametrize("flags", [(True, True), (True, False), (False, True)])
@pytest.mark.parametrize("make", [lambda a, b: a * b, lambda a, b: a + b, lambda a, b: a @ b.T,
                                  lambda a, b: (a - b).tanh()], ids=["mul", "add", "matmul", "sub-tanh"])
def test_tensor_backward_by_hand_equals_backward(make, flags):
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))

    def program():
        a, b = Tensor(A, requires_grad=flags[0]), Tensor(B, requires_grad=flags[1])
        return (make(a, b) * 2.0).sum(), (a, b)

    out1, (a1, b1) = program()
    out1.backward()
    out2, (a2, b2) = program()
    out2.grad = np.ones(())
    for node in reversed(reachable(out2)):
        node._backward()
    for got, want, flag in ((a2, a1, flags[0]), (b2, b1, flags[1])):
        np.testing.assert_array_equal(np.asarray(got.grad), np.asarray(want.grad))
        if not flag:
            assert not np.any(np.asarray(got.grad))


def test_the_lecture_neuron_by_hand_with_data_inputs():
    # Karpathy's neuron with x1, x2 as data: the weights get the lecture's gradients, the inputs none
    x1, x2 = Value(2.0, requires_grad=False), Value(0.0, requires_grad=False)
    w1, w2, b = Value(-3.0), Value(1.0), Value(6.8813735870195432)
    o = (x1 * w1 + x2 * w2 + b).tanh()
    _by_hand(o)
    expected_w1 = (1 - math.tanh(-6.0 + 6.8813735870195432) ** 2) * 2.0
    assert (w1.grad, w2.grad, x1.grad, x2.grad) == (pytest.approx(expected_w1, abs=1e-12), 0.0, 0.0, 0.0)
