"""The Tensor surface: the node contract, gates folded like Value, conversions and clear errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from graphviz_nn import Tensor, Value, group
from graphviz_nn.errors import UserError
from graphviz_nn.graph import backward, node_ids, reachable
from graphviz_nn.ops import OPS
from graphviz_nn.tensor import ShapeError, vjp_terms


def test_node_contract_fields():
    x = Tensor([[1.0, 2.0]], label="x")
    with group("L1"):
        y = x * 2
    assert y.op is OPS["mul_const"] and y.const == 2.0
    assert y.inputs == (x,) and y._a is x and y._b is None
    assert y._la is None and y._lb is None and y.local_grads == ()
    assert y.group == ("L1",) and x.group == ()
    assert y._order > x._order
    assert x.op is None and x.label == "x" and y.label is None
    assert y._zero_grad().shape == (1, 2) and not y._zero_grad().any()
    assert np.array_equal(y._seed_grad(), np.ones((1, 2)))


@pytest.mark.parametrize("expr,op,const", [
    (lambda x: x + 1, "add_const", 1.0),
    (lambda x: 1 + x, "add_const", 1.0),
    (lambda x: x - 1, "add_const", -1.0),
    (lambda x: 3 - x, "rsub_const", 3.0),
    (lambda x: 2 * x, "mul_const", 2.0),
    (lambda x: x / 4, "mul_const", 0.25),
    (lambda x: 1 / x, "rdiv_const", 1.0),
    (lambda x: -x, "mul_const", -1.0),
    (lambda x: x ** 3, "pow", 3.0),
])
def test_a_number_on_one_side_folds_into_a_lecture_gate(expr, op, const):
    x = Tensor([1.0, 2.0])
    y = expr(x)
    assert y.op.name == op and y.const == const and y.inputs == (x,)
    assert y.op.symbol(y.const) == OPS[op].symbol(const)


def test_an_array_operand_becomes_a_constant_leaf_in_the_right_position():
    x = Tensor([1.0, 2.0])
    y = np.array([10.0, 20.0]) - x
    assert y.op.name == "sub" and y.inputs[1] is x
    assert np.array_equal(y.data, [9.0, 18.0])
    assert y.inputs[0].requires_grad is False
    y.sum().backward()
    assert np.array_equal(x.grad, [-1.0, -1.0])
    assert not y.inputs[0].grad.any()


def test_integers_and_booleans_convert_to_float64_and_data_is_copied():
    source = np.array([[1, 2], [3, 4]])
    t = Tensor(source)
    assert t.data.dtype == np.float64 and t.shape == (2, 2)
    t.data += 1
    assert source[0, 0] == 1
    assert Tensor([True, False]).data.tolist() == [1.0, 0.0]


@pytest.mark.parametrize("bad", [np.array(["a", "b"]), np.array([object(), 1], dtype=object), [1 + 2j]])
def test_non_numeric_arrays_are_rejected_with_a_clear_message(bad):
    with pytest.raises(TypeError, match="needs numbers"):
        Tensor(bad)


def test_ragged_lists_are_rejected():
    with pytest.raises(ValueError, match="rectangular"):
        Tensor([[1.0, 2.0], [3.0]])


def test_value_and_tensor_do_not_mix():
    with pytest.raises(TypeError, match="do not mix"):
        Tensor([1.0]) + Value(1.0)
    with pytest.raises(TypeError, match="do not mix"):
        Tensor([Value(1.0), Value(2.0)])


@pytest.mark.parametrize("expr,shapes", [
    (lambda a, b: a + b, ((3, 4), (3,))),
    (lambda a, b: a * b, ((2, 3), (4, 3))),
    (lambda a, b: a @ b, ((3, 4), (3, 4))),
    (lambda a, b: a / b, ((5,), (4,))),
])
def test_shape_mismatches_name_the_op_and_both_shapes(expr, shapes):
    a, b = Tensor(np.ones(shapes[0])), Tensor(np.ones(shapes[1]))
    with pytest.raises(ShapeError) as err:
        expr(a, b)
    message = str(err.value)
    assert str(shapes[0]) in message and str(shapes[1]) in message
    assert any(name in message for name in ("add", "mul", "matmul", "div"))
    assert isinstance(err.value, UserError) and isinstance(err.value, ValueError)


def test_bad_reshape_axis_and_index_errors():
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(ShapeError, match=r"\(2, 3\)"):
        x.reshape(4, 2)
    with pytest.raises(ValueError, match="out of range"):
        x.sum(axis=2)
    with pytest.raises(TypeError, match="integers"):
        x[np.array([0.5])]
    with pytest.raises(IndexError, match=r"\(2, 3\)"):
        x[np.array([5])]
    with pytest.raises(TypeError, match="exponent"):
        x ** x


def test_backward_from_a_non_scalar_output_seeds_ones():
    x = Tensor([1.0, 2.0, 3.0])
    y = x * 3
    y.backward()
    assert np.array_equal(y.grad, np.ones(3)) and np.array_equal(x.grad, [3.0, 3.0, 3.0])


def test_leaf_gradients_accumulate_until_zeroed_interior_ones_do_not():
    w = Tensor([1.0, -2.0])
    y = (w * w).sum()
    y.backward()
    y.backward()
    assert np.array_equal(w.grad, [4.0, -8.0])
    assert np.array_equal(y.inputs[0].grad, [1.0, 1.0])
    w.zero_grad()
    y.backward()
    assert np.array_equal(w.grad, [2.0, -4.0])


def test_requires_grad_false_inputs_get_no_work_and_stay_zero():
    X = Tensor(np.ones((4, 3)), requires_grad=False)
    W = Tensor(np.full((3, 2), 0.5))
    out = (X @ W).sum()
    nodes = backward(out)
    assert not X.grad.any() and np.array_equal(W.grad, np.full((3, 2), 4.0))
    assert all(n.grad.shape == n.data.shape for n in nodes)
    assert (X * 2).requires_grad is False and (X @ W).requires_grad is True


def test_the_same_input_twice_keeps_both_edges():
    x = Tensor([3.0])
    y = x * x
    assert y.inputs == (x, x)
    y.backward()
    assert x.grad.tolist() == [6.0]


def test_reachable_and_ids_are_deterministic_in_creation_order():
    x = Tensor(np.ones((2, 2)), label="x")
    y = (x @ x.T).relu().sum()
    nodes = reachable(y)
    assert [n.op.name if n.op else "leaf" for n in nodes] == ["leaf", "transpose", "matmul", "relu", "sum"]
    assert list(node_ids(nodes).values()) == ["n0", "n1", "n2", "n3", "n4"]


def test_gates_read_like_the_lecture():
    x = Tensor(np.ones((2, 3)))
    assert (x.sum(axis=0)).op.symbol(x.sum(axis=0).const) == "sum(axis=0)"
    assert (x + 1).op.symbol(1.0) == "+1"
    assert (x @ np.ones((3, 1))).op.symbol(None) == "@"
    assert x.T.op.symbol(x.T.const) == "ᵀ"


def test_vjp_terms_give_formula_and_shapes_for_the_inspector():
    X = Tensor(np.ones((128, 784)))
    W = Tensor(np.ones((784, 256)))
    terms = vjp_terms(X @ W)
    assert terms[0].formula == "dL/dX = dL/dY · Wᵀ" and terms[1].formula == "dL/dW = Xᵀ · dL/dY"
    assert terms[1].grad_shape == (784, 256) and terms[1].upstream_shape == (128, 256)
    assert terms[1].factors == "Xᵀ (784, 128) · dL/dY (128, 256)"
    assert terms[0].factors == "dL/dY (128, 256) · Wᵀ (256, 784)"
    assert vjp_terms(X) == ()
    for name, op in OPS.items():
        if op.vjp is not None:
            assert len(op.vjp_formula(1.0 if op.arity == 1 else None)) == op.arity, name


def test_forward_of_a_bad_domain_returns_nan_or_inf_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            x = Tensor([-1.0, 0.0, 1000.0])
            assert np.isnan(x.log().data[0]) and x.log().data[1] == -np.inf
            assert x.exp().data[2] == np.inf
            assert (1 / x).data[1] == np.inf
            assert np.isnan(x.sqrt().data[0])
            assert (x / 0).data[2] == np.inf


def test_tensor_rules_agree_with_the_scalar_rules_element_by_element():
    # one rule table: the tensor forward and VJP give what the scalar rule gives, per element
    xs = np.array([-2.5, -0.7, 0.0, 0.3, 1.9])
    for name, const in [("exp", None), ("tanh", None), ("sigmoid", None), ("relu", None), ("abs", None),
                        ("leaky_relu", 0.1), ("elu", 0.8), ("add_const", 2.0), ("mul_const", -3.0),
                        ("rsub_const", 1.0), ("pow", 2.0), ("pow", 0.0), ("pow", 3.0)]:
        op = OPS[name]
        y = op.array(xs, const)
        (slope,) = op.vjp(np.ones_like(xs), y, (xs,), const)
        for i, x in enumerate(xs):
            value, (local,) = op.scalar(float(x), const)
            assert y[i] == pytest.approx(value, rel=1e-14, abs=1e-300), (name, x)
            assert slope[i] == pytest.approx(local, rel=1e-14, abs=1e-300), (name, x)


def test_after_backward_every_gradient_is_a_plain_array_of_its_own():
    # backward hands freshly computed arrays over instead of adding them to zeros; no two
    # nodes may end up sharing gradient memory, and no helper type may leak out
    rng = np.random.default_rng(0)
    X = Tensor(rng.normal(size=(4, 3)), requires_grad=False)
    W, b = Tensor(rng.normal(size=(3, 3))), Tensor(rng.normal(size=3))
    h = (X @ W + b).tanh()
    out = ((h + h) * h - h @ W.T).reshape(-1).sum() + (W * W).sum()
    out.backward()
    nodes = [n for n in reachable(out) if n.requires_grad]
    for n in nodes:
        assert type(n.grad) is np.ndarray and n.grad.shape == n.data.shape
    arrays = [n.grad for n in nodes if n.grad.ndim]
    for i, g in enumerate(arrays):
        for h2 in arrays[i + 1:]:
            assert not np.shares_memory(g, h2)
    w_grad = W.grad.copy()
    out.backward()  # a leaf accumulates: twice the gradient, computed afresh
    np.testing.assert_allclose(W.grad, 2 * w_grad)


def test_a_zeroed_gradient_is_read_only_zeros_until_the_next_backward():
    w = Tensor(np.ones((2, 3)))
    assert w.grad.shape == (2, 3) and not w.grad.any() and not w.grad.flags.writeable
    (w * 2).sum().backward()
    assert w.grad.flags.writeable and np.array_equal(w.grad, np.full((2, 3), 2.0))
    w.grad *= 0.5  # after backward the gradient is the user's to change
    w.zero_grad()
    assert not w.grad.any() and w.grad.shape == (2, 3)


def test_boolean_masks_and_wrapped_batches():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    picked = x[x.data > 2]
    picked.sum().backward()
    assert picked.data.tolist() == [3.0, 4.0, 5.0]
    assert x.grad.tolist() == [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]
    batch = np.ones((4, 2))
    wrapped = Tensor.wrap(batch, label="X")
    assert wrapped.data is batch and not wrapped.requires_grad and wrapped.label == "X"
    assert Tensor.wrap([1, 2]).data.dtype == np.float64  # anything else is converted (a copy)


def test_a_rule_that_returns_a_wrongly_shaped_gradient_is_caught():
    from dataclasses import replace

    from graphviz_nn import tensor as T

    broken = replace(OPS["add"], vjp=lambda g, y, xs, c, needs=(True, True): (g, g))  # forgot to sum b's
    a, b = Tensor(np.ones((3, 2))), Tensor(np.ones(2))
    out = T._binary(broken, a, b)
    with pytest.raises(RuntimeError, match=r"gradient of shape \(3, 2\) for an input of shape \(2,\)"):
        out.backward()


def test_vjp_terms_explain_where_a_bias_gradient_comes_from():
    Z, b = Tensor(np.ones((128, 256))), Tensor(np.ones(256))
    terms = vjp_terms(Z + b)
    assert terms[0].factors == "" and terms[1].grad_shape == (256,)
    assert terms[1].factors == "dL/dy (128, 256) summed over axis 0 → (256,)"
    col = vjp_terms(Tensor(np.ones((3, 4))) * Tensor(np.ones((3, 1))))[1]
    assert col.factors == "dL/dy (3, 4) summed over axis 1 → (3, 1)"
    assert vjp_terms(Z.mean(axis=0))[0].factors == "dL/dy (256,) copied back to (128, 256) / n"


@pytest.mark.parametrize("name,const", [("sigmoid", None), ("tanh", None), ("leaky_relu", 0.1), ("elu", 0.7),
                                        ("prelu", None)])
def test_composite_tensor_gates_equal_their_primitive_expansion(name, const):
    # one rule table: stepping into a tensor gate would show the same numbers as the gate
    from graphviz_nn.tensor import apply

    rng = np.random.default_rng(0)
    data = rng.normal(size=(3, 4))
    data[np.abs(data) < 0.1] = 0.5
    op = OPS[name]
    ins = [Tensor(data)] + ([Tensor(rng.uniform(0.1, 0.5, size=4))] if op.arity == 2 else [])
    gate = apply(name, ins, const)
    weights = rng.normal(size=gate.shape)
    (gate * weights).sum().backward()
    gate_grads = [x.grad.copy() for x in ins]
    for x in ins:
        x.zero_grad()
    refs = list(ins)
    for op_name, c, args in op.expansion(const):
        refs.append(apply(op_name, [refs[r] for r in args], c))
    np.testing.assert_allclose(refs[-1].data, gate.data, rtol=1e-12, atol=1e-15)
    (refs[-1] * weights).sum().backward()
    for x, g in zip(ins, gate_grads):
        np.testing.assert_allclose(x.grad, g, rtol=1e-12, atol=1e-15)


def test_apply_refuses_unknown_ops_and_wrong_arity():
    from graphviz_nn.tensor import apply

    with pytest.raises(ValueError, match="not an op"):
        apply("conv2d", [Tensor([1.0])])
    with pytest.raises(ValueError, match="takes 2"):
        apply("add", [Tensor([1.0])])


def test_stacks_of_matrices_multiply_per_batch_and_mismatches_are_one_sentence():
    a, b = Tensor(np.ones((2, 3, 4))), Tensor(np.ones((4, 5)))
    y = a @ b
    assert y.shape == (2, 3, 5) and y.op.name == "batched_matmul"
    np.testing.assert_allclose(y.data, np.matmul(a.data, b.data))
    with pytest.raises(ShapeError, match=r"inner sizes 4 and 3 differ; transpose one of them") as err:
        a @ Tensor(np.ones((2, 3, 5)))
    assert str(err.value).count(". ") == 0
    with pytest.raises(ShapeError, match="batch axes do not broadcast"):
        a @ Tensor(np.ones((3, 4, 5)))
    with pytest.raises(ShapeError, match="multiply by a number with \\* instead"):
        a @ Tensor(2.0)
