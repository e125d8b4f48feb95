"""record(): the recorded graph's gradients are PyTorch's, to 1e-10 in float64."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch_models import cross_entropy_of, torch_grads, two_layer

from graphviz_nn import Tensor
from graphviz_nn.debugger import build_trace
from graphviz_nn.torch import RecordError, record

TOL = 1e-10


def assert_grads_match(rec, expected: dict) -> None:
    assert set(expected) <= set(rec.leaves), (sorted(expected), sorted(rec.leaves))
    for name, grad in expected.items():
        np.testing.assert_allclose(rec.leaves[name].grad, grad, rtol=0, atol=TOL, err_msg=name)


def test_two_layer_sequential_cross_entropy_matches_pytorch_backward():
    model, X, y = two_layer()
    expected = torch_grads(model, cross_entropy_of(model, X, y))
    rec = record(lambda X, y: F.cross_entropy(model(X), y), X, y)
    assert isinstance(rec.output, Tensor)
    assert rec.output.item() == pytest.approx(F.cross_entropy(model(X), y).item(), abs=1e-12)
    rec.output.backward()
    assert sorted(rec.leaves) == ["0.bias", "0.weight", "2.bias", "2.weight", "X"]
    assert_grads_match(rec, expected)
    assert rec.opaque == () and rec.notes == ()  # every call mapped onto the rule table


def test_common_ops_map_to_the_rule_table_with_the_lecture_formulas():
    model, X, y = two_layer()
    rec = record(lambda X, y: F.cross_entropy(model(X), y), X, y)
    trace = build_trace(rec.output)
    ops = [n.op for n in trace.nodes if not n.is_leaf]
    # linear is x @ Wᵀ + b (three gates), cross_entropy is log_softmax, pick, mean, negate
    assert ops == ["transpose", "matmul", "add", "relu", "transpose", "matmul", "add",
                   "log_softmax", "index", "mean", "mul_const"]
    matmul = next(n for n in trace.nodes if n.op == "matmul")
    assert matmul.local_formulas == ("dL/dX = dL/dY · Wᵀ", "dL/dW = Xᵀ · dL/dY")


def test_modules_become_groups_and_parameters_named_leaves():
    model, X, y = two_layer()
    rec = record(lambda X, y: F.cross_entropy(model(X), y), X, y)
    assert rec.leaves["0.weight"].group == ("0",)
    assert rec.leaves["2.bias"].group == ("2",)
    assert rec.leaves["X"].group == () and not rec.leaves["X"].requires_grad
    trace = build_trace(rec.output)
    relu = next(n for n in trace.nodes if n.op == "relu")
    assert relu.group == ("1",)
    assert trace.node(trace.backward_from).group == ()  # the loss is outside the model


def test_named_submodules_give_their_names():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(3, 4)
            self.fc2 = nn.Linear(4, 2)

        def forward(self, x):
            return self.fc2(torch.tanh(self.fc1(x)))

    torch.manual_seed(1)
    net = Net().double()
    x = torch.randn(5, 3, dtype=torch.float64)
    rec = record(net, x)
    assert sorted(rec.leaves) == ["fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight", "x"]
    assert rec.leaves["fc2.weight"].group == ("fc2",)
    rec.output.backward()
    net(x).sum().backward()
    for name, p in net.named_parameters():
        np.testing.assert_allclose(rec.leaves[name].grad, p.grad.numpy(), rtol=0, atol=TOL)


def test_trace_backward_steps_sum_to_pytorch_gradients():
    model, X, y = two_layer(seed=3)
    expected = torch_grads(model, cross_entropy_of(model, X, y))
    rec = record(lambda X, y: F.cross_entropy(model(X), y), X, y)
    trace = build_trace(rec.output)
    for name, grad in expected.items():
        leaf_id = trace.id_of(rec.leaves[name])
        steps = [trace.steps[k] for k in trace.grad_steps(leaf_id)]
        assert steps, name
        total = sum(np.asarray(s.contribution) for s in steps)
        np.testing.assert_allclose(total, grad, rtol=0, atol=TOL, err_msg=name)
        np.testing.assert_allclose(steps[-1].grad_after, grad, rtol=0, atol=TOL)


def test_torch_output_is_left_untouched_for_comparison():
    model, X, y = two_layer()
    rec = record(cross_entropy_of(model, X, y))
    assert isinstance(rec.torch_output, torch.Tensor) and rec.torch_output.requires_grad
    rec.torch_output.backward()  # PyTorch's own graph still works
    assert model[0].weight.grad is not None


def test_float32_model_records_in_float64_close_to_pytorch():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    X, y = torch.randn(10, 4), torch.randint(0, 3, (10,))
    rec = record(lambda X, y: F.cross_entropy(model(X), y), X, y)
    assert rec.notes == () and rec.opaque == ()
    rec.output.backward()
    F.cross_entropy(model(X), y).backward()
    for name, p in model.named_parameters():
        np.testing.assert_allclose(rec.leaves[name].grad, p.grad.numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("loss", ["mse", "l1", "nll", "bce", "ce_sum", "ce_none", "ce_probs"])
def test_losses_match_pytorch(loss):
    torch.manual_seed(4)
    W = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    x = torch.randn(5, 3, dtype=torch.float64)
    t = torch.randn(5, 4, dtype=torch.float64)
    labels = torch.tensor([0, 3, 1, 1, 2])

    def fn(x):
        z = x @ W
        if loss == "mse":
            return F.mse_loss(z, t)
        if loss == "l1":
            return F.l1_loss(z, t, reduction="sum")
        if loss == "nll":
            return F.nll_loss(F.log_softmax(z, dim=1), labels)
        if loss == "bce":
            return F.binary_cross_entropy_with_logits(z, (t > 0).double())
        if loss == "ce_sum":
            return F.cross_entropy(z, labels, reduction="sum")
        if loss == "ce_none":
            return F.cross_entropy(z, labels, reduction="none").sum()
        return F.cross_entropy(z, t.softmax(dim=1))

    rec = record(fn, x)
    assert rec.opaque == () and rec.notes == ()
    rec.output.backward()
    fn(x).backward()
    np.testing.assert_allclose(rec.leaves["tensor0"].grad, W.grad.numpy(), rtol=0, atol=TOL)


def test_options_the_rules_do_not_cover_fall_back_to_pytorch_vjp():
    torch.manual_seed(5)
    z = torch.randn(6, 3, dtype=torch.float64, requires_grad=True)
    labels = torch.tensor([0, 1, 2, 2, 1, 0])
    weight = torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64)  # class weights: not a rule (issue 27 covers smoothing)
    fn = lambda z: F.cross_entropy(z, labels, weight=weight)  # noqa: E731
    rec = record(fn, z)
    assert rec.opaque == ("cross_entropy",)
    rec.output.backward()
    fn(z).backward()
    np.testing.assert_allclose(rec.leaves["z"].grad, z.grad.numpy(), rtol=0, atol=TOL)


def test_dropout_in_training_uses_the_mask_pytorch_drew():
    torch.manual_seed(6)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 2)).double()
    X = torch.randn(8, 4, dtype=torch.float64)
    torch.manual_seed(7)
    rec = record(lambda X: model(X).pow(2).mean(), X)
    assert "dropout" in [n.op for n in build_trace(rec.output).nodes if n.op] and rec.opaque == ()
    for leaf in rec.leaves.values():
        leaf.zero_grad()  # the trace ran one backward already; leaf gradients accumulate
    torch.manual_seed(7)  # the same draw again for PyTorch's own backward
    model(X).pow(2).mean().backward()
    rec.output.backward()
    for name, p in model.named_parameters():
        np.testing.assert_allclose(rec.leaves[name].grad, p.grad.numpy(), rtol=0, atol=TOL, err_msg=name)


def test_inplace_relu_and_inplace_arithmetic_are_recorded_in_order():
    torch.manual_seed(8)
    model = nn.Sequential(nn.Linear(3, 5), nn.ReLU(inplace=True), nn.Linear(5, 1)).double()
    X = torch.randn(4, 3, dtype=torch.float64)

    def fn(X):
        h = model(X)
        h.mul_(3.0)
        h += 1.0
        return (h * h).sum()

    rec = record(fn, X)
    rec.output.backward()
    fn(X).backward()
    assert rec.output.item() == pytest.approx(fn(X).item(), abs=1e-12)
    for name, p in model.named_parameters():
        np.testing.assert_allclose(rec.leaves[name].grad, p.grad.numpy(), rtol=0, atol=TOL, err_msg=name)


def test_linear_on_a_batch_of_sequences_and_addmm_decompose():
    torch.manual_seed(9)
    lin = nn.Linear(4, 3).double()
    x = torch.randn(2, 5, 4, dtype=torch.float64)
    A = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    c = torch.randn(3, dtype=torch.float64, requires_grad=True)

    def fn(x, A, c):
        return lin(x).tanh().sum() + torch.addmm(c, A, lin.weight.T, beta=0.5, alpha=2.0).sum()

    rec = record(fn, x, A, c)
    assert rec.opaque == () and rec.notes == ()
    rec.output.backward()
    fn(x, A, c).backward()
    for leaf, tensor in ((rec.leaves["weight"], lin.weight), (rec.leaves["bias"], lin.bias),
                         (rec.leaves["A"], A), (rec.leaves["c"], c)):
        np.testing.assert_allclose(leaf.grad, tensor.grad.numpy(), rtol=0, atol=TOL)


def test_several_outputs_and_many_inputs_pass_through_part_and_pack_gates():
    torch.manual_seed(10)
    a, b, c = (torch.randn(4, 3, dtype=torch.float64, requires_grad=True) for _ in range(3))

    def fn(a, b, c):
        joined = torch.cat([a, b.exp(), c], dim=0)  # three recorded inputs: two pack gates
        first, second = torch.tensor_split(joined.sin(), 2, dim=0)  # two outputs: two part gates (chunk has a rule)
        return (first * second).sum()

    rec = record(fn, a, b, c)
    ops = [n.op for n in build_trace(rec.output).nodes if n.op]
    assert ops.count("pack") == 2 and ops.count("part") == 2
    assert set(rec.opaque) == {"cat", "sin", "tensor_split"}
    for leaf in rec.leaves.values():
        leaf.zero_grad()  # the trace ran one backward already; leaf gradients accumulate
    rec.output.backward()
    fn(a, b, c).backward()
    for name, t in zip("abc", (a, b, c)):
        np.testing.assert_allclose(rec.leaves[name].grad, t.grad.numpy(), rtol=0, atol=TOL, err_msg=name)


def test_no_grad_and_detach_are_constants_as_in_pytorch():
    torch.manual_seed(11)
    w = torch.randn(3, dtype=torch.float64, requires_grad=True)

    def fn():
        with torch.no_grad():
            scale = (w * 2).sum()
        return (w * w.detach()).sum() * scale

    rec = record(fn)
    rec.output.backward()
    fn().backward()
    np.testing.assert_allclose(rec.leaves["tensor0"].grad, w.grad.numpy(), rtol=0, atol=TOL)


def test_indexing_views_and_reductions_match():
    torch.manual_seed(12)
    x = torch.randn(3, 4, 2, dtype=torch.float64, requires_grad=True)

    def fn(x):
        y = x.permute(2, 0, 1).reshape(2, 12).T[torch.tensor([0, 3, 3, 7]), 1:]
        z = x.flatten(1).unsqueeze(0).squeeze(0).transpose(0, 1).softmax(dim=0)
        return y.sum() + z.mean(dim=1, keepdim=True).amax() + x.max() + (1 / (x.abs() + 1)).sum() - (2 - x).pow(2).mean()

    rec = record(fn, x)
    assert rec.opaque == () and rec.notes == ()
    rec.output.backward()
    fn(x).backward()
    np.testing.assert_allclose(rec.leaves["x"].grad, x.grad.numpy(), rtol=0, atol=TOL)


def test_something_that_is_not_a_function_is_refused_in_one_sentence():
    with pytest.raises(RecordError, match="record needs a function or an nn.Module"):
        record(torch.zeros(3))


def test_a_loss_turned_into_a_number_is_refused_in_one_sentence():
    w = torch.ones(2, dtype=torch.float64, requires_grad=True)
    with pytest.raises(RecordError, match=r"not loss.item\(\)"):
        record(lambda: (w * 2).sum().item())


def test_a_failing_model_leaves_no_group_behind():
    from graphviz_nn.recording import current_group

    class Broken(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    model = nn.Sequential(nn.Linear(2, 2), Broken())
    with pytest.raises(ValueError, match="boom"):
        record(model, torch.zeros(1, 2))
    assert current_group() == ()


def test_item_assignment_into_a_tensor_is_an_opaque_setitem_gate():
    torch.manual_seed(13)
    a = torch.randn(3, 2, dtype=torch.float64, requires_grad=True)
    w = torch.randn(2, dtype=torch.float64, requires_grad=True)

    def fn(a, w):
        x = a.clone() * 2
        x[0] = w * 3  # overwrites a row of a recorded tensor
        buf = torch.zeros(4, dtype=torch.float64)
        buf[1:3] = w.exp()  # writes into a constant
        return (x ** 2).sum() + (buf * torch.arange(4.0)).sum()

    rec = record(fn, a, w)
    assert rec.opaque == ("setitem",) and rec.notes == ()
    rec.output.backward()
    fn(a, w).backward()
    np.testing.assert_allclose(rec.leaves["a"].grad, a.grad.numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(rec.leaves["w"].grad, w.grad.numpy(), rtol=0, atol=TOL)


def test_in_place_change_of_a_view_is_named_in_the_notes():
    a = torch.randn(3, 2, dtype=torch.float64, requires_grad=True)

    def fn(a):
        y = a * 1.0
        y[:, 0].mul_(2)
        return y.sum()

    assert any("changed a view of another tensor in place" in n for n in record(fn, a).notes)


def test_a_model_mixing_conv_batchnorm_gelu_layernorm_and_an_lstm_keeps_only_the_lstm_opaque():
    class Mixed(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv, self.bn = nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)
            self.lstm, self.ln, self.fc = nn.LSTM(4, 3, batch_first=True), nn.LayerNorm(3), nn.Linear(3, 2)

        def forward(self, x):
            h = F.gelu(self.bn(self.conv(x)))
            out, _ = self.lstm(h.flatten(1).view(x.shape[0], 8, 4))  # 3 outputs: part gates
            return self.fc(self.ln(out[:, -1]))

    torch.manual_seed(14)
    model = Mixed().double()
    x, y = torch.randn(3, 1, 6, 6, dtype=torch.float64), torch.tensor([0, 1, 1])
    running = model.bn.running_mean.clone()
    fn = lambda x: F.cross_entropy(model(x), y)  # noqa: E731
    rec = record(fn, x)
    # conv2d, batch_norm, gelu and layer_norm have rules (issue 27); the LSTM is PyTorch's gate
    assert rec.opaque == ("lstm",) and rec.notes == ()
    # recording updates the model's running statistics once, as PyTorch's own forward does
    assert torch.allclose(model.bn.running_mean, 0.9 * running + 0.1 * model.conv(x).mean((0, 2, 3)))
    rec.output.backward()
    expected = torch_grads(model, lambda: fn(x))
    assert_grads_match(rec, expected)
