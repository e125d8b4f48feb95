"""SGD: PyTorch's step/zero_grad on both engines, with recorded updates."""
import numpy as np
import pytest

from graphviz_nn import SGD, Tensor, Value
from graphviz_nn.optim import OptimizerError


def test_plain_sgd_moves_against_the_gradient_and_records_the_update():
    w = Value(2.0, label="w")
    (w * w).backward()
    opt = SGD([w], lr=0.1)
    opt.step()
    assert w.data == pytest.approx(1.6)
    (param, old, grad, new), = opt.last_updates
    assert param is w and (old, grad, new) == (2.0, 4.0, pytest.approx(1.6))
    opt.zero_grad()
    assert w.grad == 0.0


def test_momentum_accumulates_velocity():
    w = Value(0.0)
    opt = SGD([w], lr=1.0, momentum=0.5)
    for _ in range(3):
        w.grad = 1.0
        opt.step()
    # velocities 1, 1.5, 1.75
    assert w.data == pytest.approx(-(1 + 1.5 + 1.75))


def test_tensor_parameters_update_in_place():
    p = Tensor(np.array([1.0, -2.0]))
    data = p.data
    p.grad = np.array([0.5, 0.5])
    opt = SGD([p], lr=0.2)
    opt.step()
    assert p.data is data and np.allclose(p.data, [0.9, -2.1])
    _, old, grad, new = opt.last_updates[0]
    assert np.allclose(old, [1.0, -2.0]) and np.allclose(new, [0.9, -2.1])
    opt.zero_grad()
    assert np.array_equal(p.grad, np.zeros(2))


@pytest.mark.parametrize("kwargs, message", [({"lr": 0}, "learning rate"), ({"lr": 0.1, "momentum": 1.0}, "momentum")])
def test_bad_settings_are_user_errors(kwargs, message):
    with pytest.raises(OptimizerError, match=message):
        SGD([Value(1.0)], **kwargs)
    with pytest.raises(OptimizerError, match="no parameters"):
        SGD([], lr=0.1)
