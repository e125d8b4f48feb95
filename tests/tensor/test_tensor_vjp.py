"""Every tensor op's VJP against central finite differences, broadcasting cases included."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphviz_nn import Tensor
from graphviz_nn import ops
from graphviz_nn.ops import OPS
from graphviz_nn.tensor import apply, maximum, prelu
from tensor_fd_helpers import check_vjp


def away_from_zero(x):
    return np.where(np.abs(x) < 0.1, 0.1 + np.abs(x), x)


def positive(x):
    return np.abs(x) + 0.5


def leaves(*specs, seed=1):
    rng = np.random.default_rng(seed)
    out = []
    for shape, fix in specs:
        out.append(Tensor(fix(rng.normal(size=shape))))
    return out


same = lambda x: x  # noqa: E731

UNARY = [
    ("neg", lambda x: -x, same),
    ("add_const", lambda x: x + 1.5, same),
    ("radd_const", lambda x: 2 + x, same),
    ("sub_const", lambda x: x - 3, same),
    ("rsub_const", lambda x: 1 - x, same),
    ("mul_const", lambda x: x * -2.5, same),
    ("div_const", lambda x: x / 4, same),
    ("rdiv_const", lambda x: 2 / x, away_from_zero),
    ("pow2", lambda x: x ** 2, same),
    ("pow_half", lambda x: x ** 0.5, positive),
    ("pow_neg", lambda x: x ** -1.5, positive),
    ("exp", lambda x: x.exp(), same),
    ("log", lambda x: x.log(), positive),
    ("sqrt", lambda x: x.sqrt(), positive),
    ("tanh", lambda x: x.tanh(), same),
    ("sigmoid", lambda x: x.sigmoid(), same),
    ("relu", lambda x: x.relu(), away_from_zero),
    ("leaky_relu", lambda x: x.leaky_relu(0.1), away_from_zero),
    ("elu", lambda x: x.elu(0.7), away_from_zero),
    ("abs", lambda x: x.abs(), away_from_zero),
    ("gelu", lambda x: x.gelu(), same),
    ("softplus", lambda x: x.softplus(), same),
    ("sin", lambda x: x.sin(), same),
    ("cos", lambda x: x.cos(), same),
    ("rpow_const", lambda x: apply("rpow_const", [x], 2.0), same),
    ("sum_all", lambda x: x.sum(), same),
    ("sum_axis0", lambda x: x.sum(axis=0), same),
    ("sum_axis1_keep", lambda x: x.sum(axis=1, keepdims=True), same),
    ("sum_neg_axis", lambda x: x.sum(axis=-1), same),
    ("mean_all", lambda x: x.mean(), same),
    ("mean_axis0", lambda x: x.mean(axis=0), same),
    ("mean_axis1_keep", lambda x: x.mean(axis=1, keepdims=True), same),
    ("max_axis1", lambda x: x.max(axis=1), same),
    ("max_axis0_keep", lambda x: x.max(axis=0, keepdims=True), same),
    ("max_all", lambda x: x.max(), same),
    ("reshape", lambda x: x.reshape(4, 3), same),
    ("reshape_flat", lambda x: x.reshape(-1), same),
    ("transpose", lambda x: x.T, same),
    ("softmax", lambda x: x.softmax(), same),
    ("softmax_axis0", lambda x: x.softmax(axis=0), same),
    ("log_softmax", lambda x: x.log_softmax(), same),
    ("log_softmax_axis0", lambda x: x.log_softmax(axis=0), same),
    ("index_rows_labels", lambda x: x[np.arange(3), np.array([0, 3, 1])], same),
    ("index_repeated", lambda x: x[np.array([0, 0, 2])], same),
    ("index_slice", lambda x: x[1:, ::2], same),
    ("index_int", lambda x: x[1], same),
    ("dropout_mask", lambda x: x.dropout_mask(np.array([[2, 0, 2, 2]] * 3)), same),
]


@pytest.mark.parametrize("name,build,fix", UNARY, ids=[u[0] for u in UNARY])
def test_unary_vjp_matches_finite_differences(name, build, fix):
    (x,) = leaves(((3, 4), fix))
    check_vjp(build, [x])


BINARY = [
    # name, build, shape a, shape b, fix a, fix b
    ("add_same", lambda a, b: a + b, (3, 4), (3, 4), same, same),
    ("add_bias", lambda a, b: a + b, (5, 4), (4,), same, same),
    ("add_outer", lambda a, b: a + b, (3, 1), (1, 4), same, same),
    ("add_scalar_tensor", lambda a, b: a + b, (3, 4), (), same, same),
    ("sub_bias", lambda a, b: a - b, (5, 4), (4,), same, same),
    ("sub_outer", lambda a, b: a - b, (3, 1), (1, 4), same, same),
    ("mul_same", lambda a, b: a * b, (3, 4), (3, 4), same, same),
    ("mul_column", lambda a, b: a * b, (3, 4), (3, 1), same, same),
    ("mul_rank3", lambda a, b: a * b, (2, 3, 4), (3, 1), same, same),
    ("div_same", lambda a, b: a / b, (3, 4), (3, 4), same, away_from_zero),
    ("div_bias", lambda a, b: a / b, (3, 4), (4,), same, away_from_zero),
    ("matmul", lambda a, b: a @ b, (5, 3), (3, 4), same, same),
    ("matmul_vec_mat", lambda a, b: a @ b, (3,), (3, 4), same, same),
    ("matmul_mat_vec", lambda a, b: a @ b, (5, 3), (3,), same, same),
    ("matmul_dot", lambda a, b: a @ b, (3,), (3,), same, same),
    ("matmul_T", lambda a, b: a.T @ b, (3, 5), (3, 4), same, same),
    ("maximum", lambda a, b: maximum(a, b), (3, 4), (3, 4), same, same),
    ("maximum_broadcast", lambda a, b: a.maximum(b), (3, 4), (4,), same, same),
    ("prelu_channel", lambda a, b: prelu(a, b), (3, 4), (4,), away_from_zero, same),
    ("x_times_x", lambda a, b: a * a + b, (3, 4), (4,), same, same),
    ("pow_value", lambda a, b: apply("pow_value", [a, b]), (3, 4), (4,), positive, same),
]


@pytest.mark.parametrize("name,build,sa,sb,fa,fb", BINARY, ids=[b[0] for b in BINARY])
def test_binary_vjp_matches_finite_differences(name, build, sa, sb, fa, fb):
    a, b = leaves((sa, fa), (sb, fb), seed=2)
    check_vjp(build, [a, b])


def test_a_two_layer_network_matches_finite_differences():
    X, W1, b1, W2, b2 = leaves(((6, 3), same), ((3, 5), same), ((5,), same), ((5, 4), same), ((4,), same))
    labels = np.array([0, 3, 1, 2, 2, 0])

    def net(X, W1, b1, W2, b2):
        logp = ((X @ W1 + b1).tanh() @ W2 + b2).log_softmax()
        return -logp[np.arange(6), labels].mean()

    check_vjp(net, [X, W1, b1, W2, b2])


CAUSAL = np.tril(np.ones((4, 4), dtype=bool))
# the transformer's and the CNN's ops (issue 27), on the shapes they meet there
MODEL_OPS = [
    ("batched_matmul_4d", lambda a, b: a @ b, [(2, 3, 4, 5), (2, 3, 5, 2)]),
    ("batched_matmul_shared_matrix", lambda a, b: a @ b, [(2, 3, 4), (4, 5)]),
    ("batched_matmul_broadcast_batch", lambda a, b: a @ b, [(2, 1, 3, 4), (3, 4, 2)]),
    ("batched_matmul_stack_vector", lambda a, b: a @ b, [(2, 3, 4), (4,)]),
    ("embedding_repeated_ids", lambda w: apply("embedding", [w], ops.Gather(np.array([[1, 1], [0, 3]]))), [(5, 3)]),
    # (padding_idx zeroes its row's gradient by PyTorch's convention, not by calculus: tests/torch checks it)
    ("gelu_erf", lambda x: apply("gelu", [x]), [(3, 4)]),
    ("gelu_tanh", lambda x: apply("gelu_tanh", [x]), [(3, 4)]),
    ("normalize_layer", lambda x: apply("normalize", [x], ops.Norm("layer_norm", (2,), 1e-5)), [(2, 3, 5)]),
    ("normalize_batch", lambda x: apply("normalize", [x], ops.Norm("batch_norm", (0, 2, 3), 1e-5)), [(3, 2, 2, 2)]),
    ("masked_fill", lambda x: apply("masked_fill", [x], ops.Mask(CAUSAL[0], -2.0)), [(3, 4)]),
    ("attention_causal", lambda q, k: apply("attention", [q, k], ops.Attention(0.4, CAUSAL, 4)),
     [(1, 2, 4, 3), (1, 2, 4, 3)]),
    ("attention_cross", lambda q, k: apply("attention", [q, k], ops.Attention(0.7, None, 3)), [(2, 3, 2), (2, 5, 2)]),
    ("im2col_pad", lambda x: apply("im2col", [x], ops.Window((3, 3), (1, 1), (1, 1))), [(2, 2, 4, 4)]),
    ("im2col_stride_dilation", lambda x: apply("im2col", [x], ops.Window((2, 3), (2, 1), (1, 0), (1, 2))),
     [(1, 2, 5, 6)]),
    ("max_pool2d", lambda x: apply("max_pool2d", [x], ops.Window((2, 2), (2, 2), (0, 0))), [(2, 2, 4, 4)]),
    ("max_pool2d_overlap_pad", lambda x: apply("max_pool2d", [x], ops.Window((3, 3), (2, 2), (1, 1))),
     [(1, 2, 5, 5)]),
    ("avg_pool2d_pad", lambda x: apply("avg_pool2d", [x], ops.Window((3, 3), (2, 2), (1, 1))), [(1, 2, 5, 5)]),
]


@pytest.mark.parametrize("name,build,shapes", MODEL_OPS, ids=[m[0] for m in MODEL_OPS])
def test_model_op_vjp_matches_finite_differences(name, build, shapes):
    check_vjp(build, leaves(*((shape, same) for shape in shapes), seed=3))


def test_every_tensor_rule_in_the_table_is_exercised():
    # a new op with a VJP must get a finite-difference case above
    names = " ".join(u[0] for u in UNARY) + " " + " ".join(b[0] for b in BINARY) + " " + " ".join(
        m[0] for m in MODEL_OPS)
    covered = {"neg": "mul_const", "maximum": "max", "prelu": "prelu", "index": "index", "dropout": "dropout"}
    with_vjp = sorted(n for n, op in OPS.items() if op.vjp is not None)
    missing = [n for n in with_vjp if n not in names and n not in covered.values()]
    assert not missing, f"ops without a finite-difference case: {missing}"


BROADCASTABLE = st.sampled_from([
    ((3, 4), (4,)), ((3, 4), (1, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 4)), ((2, 1, 4), (3, 1)),
    ((4,), (3, 4)), ((), (2, 3)), ((2, 3), ()), ((1,), (5,)),
])


@settings(max_examples=25, deadline=None)
@given(shapes=BROADCASTABLE, op=st.sampled_from(["add", "sub", "mul"]), seed=st.integers(0, 2**16))
def test_broadcast_gradients_sum_back_to_each_input_shape(shapes, op, seed):
    a, b = leaves((shapes[0], same), (shapes[1], same), seed=seed)
    build = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b}[op]
    check_vjp(build, [a, b], seed=seed)
    assert a.grad.shape == a.shape and b.grad.shape == b.shape
