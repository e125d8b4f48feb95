"""The calls transformers and CNNs make are rules, not opaque gates (issue 27): each is recorded on
random shapes and options, and its gradients are PyTorch's own (float64, to 1e-9)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from graphviz_nn.debugger import build_trace
from graphviz_nn.torch import record

TOL = 1e-9
SETTINGS = settings(max_examples=8, deadline=None, derandomize=True)


def check(fn, *inputs, op: str, seed: int = 0):
    """Record Σ fn(*inputs) ⊙ w and compare every input's gradient with torch.autograd.grad."""
    inputs = [x.detach().clone().requires_grad_(True) for x in inputs]
    out = fn(*inputs)
    weights = torch.randn(out.shape, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    rec = record(lambda *xs: (fn(*xs) * weights).sum(), *inputs)
    assert rec.opaque == () and rec.notes == (), (rec.opaque, rec.notes)
    assert op in [n.op for n in build_trace(rec.output, fill_grads=False).nodes if n.op], op
    rec.output.backward()
    expected = torch.autograd.grad((fn(*inputs) * weights).sum(), inputs, allow_unused=True)
    for i, g in enumerate(expected):
        ours = rec.leaves[f"xs{i}"].grad
        theirs = np.zeros(ours.shape) if g is None else g.numpy()
        np.testing.assert_allclose(ours, theirs, rtol=TOL, atol=TOL, err_msg=f"input {i}")
    return rec


def randn(*shape, seed=0):
    return torch.randn(*shape, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))


@SETTINGS
@given(vocab=st.integers(2, 7), width=st.integers(1, 4), tokens=st.integers(1, 6), seed=st.integers(0, 99),
       padding=st.sampled_from([None, 0, -1]))
def test_embedding_is_a_gather_whose_gradient_scatter_adds(vocab, width, tokens, seed, padding):
    ids = torch.randint(0, vocab, (2, tokens), generator=torch.Generator().manual_seed(seed))
    check(lambda w: F.embedding(ids, w, padding_idx=padding), randn(vocab, width, seed=seed), op="embedding")


@SETTINGS
@given(shape=st.sampled_from([(3, 5), (2, 3, 4), (2, 2, 3, 4)]), last=st.integers(1, 2), affine=st.booleans(),
       eps=st.sampled_from([1e-5, 1e-2]), seed=st.integers(0, 99))
def test_layer_norm_is_normalize_times_gamma_plus_beta(shape, last, affine, eps, seed):
    norm_shape = shape[-last:]
    x = randn(*shape, seed=seed)
    if affine:
        w, b = randn(*norm_shape, seed=seed + 1), randn(*norm_shape, seed=seed + 2)
        rec = check(lambda x, w, b: F.layer_norm(x, norm_shape, w, b, eps), x, w, b, op="normalize")
    else:
        rec = check(lambda x: F.layer_norm(x, norm_shape, eps=eps), x, op="normalize")
    (gate,) = [n for n in build_trace(rec.output).nodes if n.op == "normalize"]
    assert gate.symbol == "layer_norm" and gate.composite


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_in_both_forms(approximate):
    check(lambda x: F.gelu(x, approximate=approximate), randn(4, 6) * 3, op="gelu" if approximate == "none" else "gelu_tanh")


@pytest.mark.parametrize("call", [lambda x: x.split(2, dim=1), lambda x: x.split([1, 3, 1], dim=-1),
                                  lambda x: torch.chunk(x, 3, dim=0), lambda x: x.unbind(1)])
def test_split_chunk_and_unbind_are_slices(call):
    def fn(x):
        pieces = call(x)
        return sum((p * (i + 1)).sum() for i, p in enumerate(pieces)).reshape(1)
    check(fn, randn(3, 5), op="index")


@SETTINGS
@given(a=st.sampled_from([(2, 3, 4), (2, 2, 3, 4), (1, 3, 4), (3, 4)]),
       b=st.sampled_from([(2, 4, 5), (4, 5), (2, 2, 4, 1), (4,)]), seed=st.integers(0, 99))
def test_batched_matmul_of_any_rank(a, b, seed):
    try:
        torch.matmul(torch.zeros(a), torch.zeros(b))
    except RuntimeError:
        return  # shapes PyTorch itself refuses
    if len(a) <= 2 and len(b) <= 2:
        return  # the lecture's 2-D product, tested in test_torch_record
    check(torch.matmul, randn(*a, seed=seed), randn(*b, seed=seed + 1), op="batched_matmul")


def test_masked_fill_with_a_boolean_mask():
    mask = torch.tensor([[True, False, False], [False, True, False]])
    check(lambda x: x.masked_fill(mask, -5.0), randn(2, 3), op="masked_fill")


@SETTINGS
@given(heads=st.integers(1, 3), steps=st.integers(1, 5), dim=st.integers(1, 4), causal=st.booleans(),
       scale=st.sampled_from([None, 0.3]), boolmask=st.booleans(), seed=st.integers(0, 99))
def test_scaled_dot_product_attention_is_the_attention_composite_then_a_product(heads, steps, dim, causal, scale,
                                                                                  boolmask, seed):
    mask = None
    if boolmask and not causal:
        mask = torch.rand(steps, steps, generator=torch.Generator().manual_seed(seed)) > 0.3
        mask[:, 0] = True  # every query sees at least one key
    q, k, v = (randn(2, heads, steps, dim, seed=seed + i) for i in range(3))
    rec = check(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal,
                                                               scale=scale), q, k, v, op="attention")
    (gate,) = [n for n in build_trace(rec.output).nodes if n.op == "attention"]
    assert gate.composite


@SETTINGS
@given(classes=st.integers(2, 5), rows=st.integers(1, 6), ignore=st.sampled_from([-100, -1, 0]),
       smoothing=st.sampled_from([0.0, 0.1, 0.4]), reduction=st.sampled_from(["mean", "sum", "none"]),
       extra_axis=st.booleans(), seed=st.integers(0, 99))
def test_cross_entropy_with_ignore_index_label_smoothing_and_reduction(classes, rows, ignore, smoothing, reduction,
                                                                       extra_axis, seed):
    gen = torch.Generator().manual_seed(seed)
    shape = (rows, classes, 3) if extra_axis else (rows, classes)
    labels = torch.randint(0, classes, (rows, 3) if extra_axis else (rows,), generator=gen)
    labels.view(-1)[0] = -1 if ignore == -1 else labels.view(-1)[0]  # at least one ignored where -1 is ignored
    if ignore == -1 and labels.numel() == 1:
        labels.view(-1)[0] = 0  # all ignored gives nan in PyTorch too; tested on its own below
    check(lambda z: F.cross_entropy(z, labels, ignore_index=ignore, label_smoothing=smoothing,
                                    reduction=reduction).reshape(-1), randn(*shape, seed=seed), op="log_softmax")


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_with_ignore_index(reduction):
    labels = torch.tensor([2, -1, 0, 1])
    check(lambda z: F.nll_loss(F.log_softmax(z, dim=1), labels, ignore_index=-1, reduction=reduction).reshape(-1),
          randn(4, 3), op="index")


def test_cross_entropy_of_nothing_but_ignored_rows_is_nan_as_in_pytorch():
    z = randn(2, 3).requires_grad_(True)
    labels = torch.tensor([-1, -1])
    rec = record(lambda z: F.cross_entropy(z, labels, ignore_index=-1), z)
    assert rec.opaque == () and np.isnan(rec.output.item()) and torch.isnan(F.cross_entropy(z, labels, ignore_index=-1))


@SETTINGS
@given(channels=st.integers(1, 3), out=st.integers(1, 3), size=st.integers(4, 7), kernel=st.integers(1, 3),
       stride=st.integers(1, 2), padding=st.integers(0, 2), dilation=st.integers(1, 2), bias=st.booleans(),
       seed=st.integers(0, 99))
def test_conv2d_is_im2col_then_one_matrix_product(channels, out, size, kernel, stride, padding, dilation, bias, seed):
    if size + 2 * padding < dilation * (kernel - 1) + 1:
        return  # a kernel wider than the padded image
    x, w = randn(2, channels, size, size + 1, seed=seed), randn(out, channels, kernel, kernel, seed=seed + 1)
    if bias:
        check(lambda x, w, b: F.conv2d(x, w, b, stride, padding, dilation), x, w, randn(out, seed=seed + 2),
              op="im2col")
    else:
        check(lambda x, w: F.conv2d(x, w, None, stride, padding, dilation), x, w, op="im2col")


@SETTINGS
@given(size=st.integers(3, 7), kernel=st.integers(1, 3), stride=st.sampled_from([None, 1, 2]),
       padding=st.integers(0, 1), dilation=st.integers(1, 2), seed=st.integers(0, 99))
def test_max_pool2d_sends_the_gradient_to_each_window_s_maximum(size, kernel, stride, padding, dilation, seed):
    if padding * 2 > kernel or size + 2 * padding < dilation * (kernel - 1) + 1:
        return  # PyTorch refuses padding over half the kernel
    check(lambda x: F.max_pool2d(x, kernel, stride, padding, dilation), randn(2, 2, size, size, seed=seed),
          op="max_pool2d")


@SETTINGS
@given(size=st.integers(3, 7), kernel=st.integers(1, 3), stride=st.sampled_from([None, 1, 2]),
       padding=st.integers(0, 1), seed=st.integers(0, 99))
def test_avg_pool2d_shares_the_gradient_over_each_window(size, kernel, stride, padding, seed):
    if padding * 2 > kernel:
        return
    check(lambda x: F.avg_pool2d(x, kernel, stride, padding), randn(2, 3, size, size, seed=seed), op="avg_pool2d")


def test_max_pool2d_on_ties_picks_one_winner_as_pytorch_does():
    x = torch.zeros(1, 1, 4, 4, dtype=torch.float64)  # a relu's zeros: every window is a tie
    check(lambda x: F.max_pool2d(x, 2), x, op="max_pool2d")


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (4, 3, 2, 2)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_in_training_and_in_eval(shape, training):
    channels = shape[1]
    mean, var = randn(channels, seed=5), randn(channels, seed=6).abs() + 0.5
    check(lambda x, w, b: F.batch_norm(x, mean.clone(), var.clone(), w, b, training=training, eps=1e-3),
          randn(*shape, seed=4), randn(channels, seed=7), randn(channels, seed=8), op="normalize" if training else "sub")


def test_calls_left_to_pytorch_say_so():
    # what stays opaque, and why, is listed in docs/pytorch.md: these are the calls it names
    x = randn(1, 4, 5, 5).requires_grad_(True)
    w = randn(4, 1, 3, 3).requires_grad_(True)
    grouped = record(lambda x, w: F.conv2d(x, w, groups=4).sum(), x, w)
    assert grouped.opaque == ("conv2d",)
    ceil = record(lambda x: F.max_pool2d(x, 2, ceil_mode=True).sum(), x)
    assert ceil.opaque == ("max_pool2d",)
    q = randn(1, 2, 3, 4).requires_grad_(True)
    additive = record(lambda q: F.scaled_dot_product_attention(q, q, q, attn_mask=torch.zeros(3, 3,
                                                                                                dtype=torch.float64)).sum(), q)
    assert additive.opaque == ("scaled_dot_product_attention",)
