"""graphviz_nn.losses hands Tensors to tensor_losses: one sample gives the scalar engine's number."""
from __future__ import annotations

import numpy as np
import pytest

from graphviz_nn import Tensor, Value
from graphviz_nn import losses

SCORES = [0.3, -1.2, 2.0]


@pytest.mark.parametrize("name,target", [
    ("mse", [0.5, 0.0, 1.0]),
    ("mae", [0.5, 0.0, 1.0]),
    ("huber", [0.5, 0.0, -1.0]),
    ("hinge", [1.0, -1.0, 1.0]),
    ("squared_hinge", [1.0, -1.0, -1.0]),
    ("cce", 2),
    ("multiclass_hinge", 1),
])
def test_one_sample_loss_and_gradient_agree_between_engines(name, target):
    fn = getattr(losses, name)
    values = [Value(v) for v in SCORES]
    scalar = fn(values, target)
    scalar.backward()
    z = Tensor(SCORES) if not isinstance(target, int) or name == "cce" else Tensor([SCORES])
    tensor_target = target if not isinstance(target, int) or name == "cce" else np.array([target])
    out = fn(z, tensor_target)
    out.backward()
    assert float(out.data) == pytest.approx(scalar.data, rel=1e-12)
    np.testing.assert_allclose(z.grad.reshape(-1), [v.grad for v in values], rtol=1e-12, atol=1e-15)


def test_probability_losses_and_regularisers_dispatch():
    p = [0.7, 0.2, 0.1]
    assert float(losses.nll(Tensor(p), 0).data) == pytest.approx(losses.nll([Value(v) for v in p], 0).data)
    bce_scalar = losses.bce([Value(0.9), Value(0.2)], [1.0, 0.0]).data
    assert float(losses.bce(Tensor([0.9, 0.2]), [1.0, 0.0]).data) == pytest.approx(bce_scalar)
    w = [Tensor([[1.0, -2.0]]), Tensor([3.0])]
    assert float(losses.l1(w).data) == 6.0 and float(losses.l2(w).data) == 14.0
