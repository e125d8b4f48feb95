"""``Tensor``: a recording numpy node, the matrix picture of the same graph ``Value`` records.

One node per layer operation (``X @ W``, ``+ b``, ``relu``, ``softmax``...), each with its
op, ordered inputs, value, gradient and group path, so every debugger view works on both
engines. Backward is a vector-Jacobian product per node, taken from the rule table::

    >>> from graphviz_nn import Tensor
    >>> X = Tensor([[1.0, 2.0], [3.0, 4.0]], label="X")
    >>> W = Tensor([[1.0], [-1.0]], label="W")
    >>> loss = (X @ W).sum()
    >>> loss.backward(); W.grad.tolist()
    [[4.0], [6.0]]

A plain number on one side of an operator folds into one gate (``x + 1`` is a ``+1`` gate);
an array on one side becomes a constant leaf that wants no gradient.
"""
from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from . import graph
from .node import RecordedNode
from .errors import UserError
from .ops import OPS
from .recording import _current_group, creation_counter
from .value import Value

_new = object.__new__
_next = creation_counter.__next__

_ADD, _SUB, _MUL, _DIV, _MAX, _PRELU = (OPS[n] for n in ("add", "sub", "mul", "div", "max", "prelu"))
_ADDC, _MULC, _RSUBC, _RDIVC, _POW = (OPS[n] for n in ("add_const", "mul_const", "rsub_const", "rdiv_const", "pow"))
_MATMUL, _SUM, _MEAN, _MAX_AXIS = (OPS[n] for n in ("matmul", "sum", "mean", "max_axis"))
_RESHAPE, _TRANSPOSE, _SOFTMAX, _LOG_SOFTMAX, _INDEX, _DROPOUT = (
    OPS[n] for n in ("reshape", "transpose", "softmax", "log_softmax", "index", "dropout"))
_BATCHED_MATMUL = OPS["batched_matmul"]

_NO_GRADS = (None, None)
_PLAIN_NUMBERS = frozenset((float, int))


DEFAULT_MAX_JACOBIAN = 10_000  # entries; a 100 × 100 matrix is still readable in a view


class ShapeError(UserError, ValueError):
    """Two shapes an op cannot combine (the message names the op and both shapes)."""


class JacobianTooLarge(UserError, ValueError):
    """An explicit Jacobian was asked for a node whose Jacobian has too many entries."""


def _is_number(x) -> bool:
    return type(x) in _PLAIN_NUMBERS or (isinstance(x, numbers.Real) and not isinstance(x, np.ndarray))


def as_array(data, where: str = "Tensor(data)") -> np.ndarray:
    """``data`` as a new float64 array; integers and booleans convert, anything else is refused."""
    if isinstance(data, Tensor):
        return np.array(data.data, dtype=np.float64)
    if isinstance(data, Value):
        raise TypeError(f"{where} got a scalar Value; Value and Tensor do not mix, use Tensor(value.data)")
    try:
        arr = np.asarray(data)
    except ValueError:
        raise ValueError(f"{where} needs a rectangular array of numbers (rows of equal length), "
                         f"got {type(data).__name__}") from None
    if arr.dtype.kind in "biuf":
        return np.array(arr, dtype=np.float64)
    if arr.dtype.kind == "O" and any(isinstance(v, (Value, Tensor)) for v in arr.reshape(-1)):
        raise TypeError(f"{where} got Value or Tensor objects inside a list; Value and Tensor do not mix, "
                        f"pass plain numbers")
    raise TypeError(f"{where} needs numbers, got an array of dtype {arr.dtype}; "
                    f"convert it with np.asarray(data, dtype=float) first")


class VJPTerm(NamedTuple):
    """How one input's gradient is made: the formula, and the shapes a view can print beside it."""

    formula: str
    grad_shape: tuple
    upstream_shape: tuple
    factors: str  # the formula with each factor's shape (matrix product only), else ""


class Tensor(RecordedNode):
    """A float64 array node: ``data``, ``grad`` (same shape after backward) and what produced it.

    ``requires_grad=False`` marks data that wants no gradient (a batch of inputs, targets):
    its grad stays zero and no work is spent on it, e.g. ``dL/dX`` of the input batch.
    Until a backward reaches it, ``grad`` is a read-only array of zeros that takes no memory;
    backward stores a new, writable array there.
    """

    __slots__ = ("data", "grad", "_a", "_b", "_la", "_lb", "_rule", "_const", "label", "group", "_order",
                 "requires_grad")
    __array_ufunc__ = None  # ``ndarray + Tensor`` defers to Tensor.__radd__ instead of looping

    def __init__(self, data, label: str | None = None, requires_grad: bool = True):
        self.data = as_array(data)
        self.grad = _zeros_view(self.data.shape)
        self._record_leaf(label)
        self.requires_grad = bool(requires_grad)

    @classmethod
    def wrap(cls, array: np.ndarray, label: str | None = None) -> "Tensor":
        """A leaf that wants no gradient around a float64 array, without copying it (data batches)."""
        if not isinstance(array, np.ndarray) or array.dtype != np.float64:
            return cls(array, label=label, requires_grad=False)
        t = _new(cls)
        t.data = array
        t.grad = _zeros_view(array.shape)
        t._record_leaf(label)
        t.requires_grad = False
        return t

    @property
    def local_grads(self) -> tuple:
        """Empty: a tensor node has a vector-Jacobian product, not local gradient numbers."""
        return ()

    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    def __len__(self) -> int:
        return len(self.data)

    def item(self) -> float:
        """The value of a one-element tensor as a float."""
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """A copy of the value."""
        return self.data.copy()

    def _zero_grad(self):
        """Zeros of the value's shape, as a read-only view of one number (allocates nothing)."""
        return _zeros_view(self.data.shape)

    def _seed_grad(self):
        return np.ones(self.data.shape)

    def zero_grad(self):
        """Reset this node's gradient to zeros (leaf gradients accumulate until this is called).

        The zeros are a read-only view that costs no memory (like PyTorch's ``grad = None``);
        the next backward stores a new, writable array.
        """
        self.grad = _zeros_view(self.data.shape)

    def _vjp(self, upstream):
        """(dL/d input a, dL/d input b) from dL/d self, by this node's rule; None where not wanted."""
        if not self.requires_grad:
            return _NO_GRADS
        a, b = self._a, self._b
        with np.errstate(all="ignore"):  # inf·0 gives nan on the node, never an exception
            if b is None:
                (ga,) = self._rule.vjp(upstream, self.data, (a.data,), self._const)
                _check_shape(ga, a, self)
                return _owned(ga, upstream), None
            ga, gb = self._rule.vjp(upstream, self.data, (a.data, b.data), self._const,
                                  (a.requires_grad, b.requires_grad))
        _check_shape(ga, a, self)
        _check_shape(gb, b, self)
        # one fresh array must not be handed to two inputs: only the first gets it as its own
        return _owned(ga, upstream), (gb if gb is ga and gb is not upstream else _owned(gb, upstream))

    def _attach_backward(self, fn) -> None:
        from .custom_gate import CustomGateError
        raise CustomGateError("a Tensor's _backward cannot be replaced: write a new op micrograd's way "
                              "with Value, or compose it from Tensor operations")

    def backward(self):
        """Backpropagate from this node (a non-scalar output is seeded with ones)."""
        graph.backward(self)

    # ---- operators ----
    def __add__(self, other):
        if isinstance(other, Tensor):
            return _binary(_ADD, self, other)
        if _is_number(other):
            return _unary(_ADDC, self, float(other))
        return _binary(_ADD, self, _constant(other, "+"))

    def __radd__(self, other):
        if _is_number(other):
            return _unary(_ADDC, self, float(other))
        return _binary(_ADD, _constant(other, "+"), self)

    def __sub__(self, other):
        if isinstance(other, Tensor):
            return _binary(_SUB, self, other)
        if _is_number(other):
            return _unary(_ADDC, self, -float(other))
        return _binary(_SUB, self, _constant(other, "-"))

    def __rsub__(self, other):
        if _is_number(other):
            return _unary(_RSUBC, self, float(other))
        return _binary(_SUB, _constant(other, "-"), self)

    def __mul__(self, other):
        if isinstance(other, Tensor):
            return _binary(_MUL, self, other)
        if _is_number(other):
            return _unary(_MULC, self, float(other))
        return _binary(_MUL, self, _constant(other, "*"))

    def __rmul__(self, other):
        if _is_number(other):
            return _unary(_MULC, self, float(other))
        return _binary(_MUL, _constant(other, "*"), self)

    def __truediv__(self, other):
        if isinstance(other, Tensor):
            return _binary(_DIV, self, other)
        if _is_number(other):
            # x / c is the gate *(1/c); dividing by zero still records (inf or nan), like Value
            return _unary(_MULC, self, _DIV.scalar(1.0, float(other), None)[0])
        return _binary(_DIV, self, _constant(other, "/"))

    def __rtruediv__(self, other):
        if _is_number(other):
            return _unary(_RDIVC, self, float(other))
        return _binary(_DIV, _constant(other, "/"), self)

    def __matmul__(self, other):
        return _matmul(self, other if isinstance(other, Tensor) else _constant(other, "@"))

    def __rmatmul__(self, other):
        return _matmul(_constant(other, "@"), self)

    def __pow__(self, other):
        if _is_number(other):
            return _unary(_POW, self, float(other))
        raise TypeError(f"Tensor ** {type(other).__name__} is not supported: only number exponents are "
                        f"(write x ** 2)")

    def __rpow__(self, other):
        raise TypeError(f"{type(other).__name__} ** Tensor is not supported: only number exponents are "
                        f"(for e ** x write x.exp())")

    def __neg__(self):
        return _unary(_MULC, self, -1.0)

    def __getitem__(self, key):
        """Pick elements: integers, slices, or integer arrays (``logits[rows, labels]``)."""
        key = _index_key(key)
        try:
            out = self.data[key]
        except IndexError as e:
            raise IndexError(f"index {_key_text(key)} does not fit a tensor of shape {self.shape}: {e}") from None
        return _record(np.array(out, dtype=np.float64), self, None, _INDEX, key)

    def _gate(self, op, const):
        return _unary(op, self, const)

    def maximum(self, other):
        """Element-wise max(self, other) as one gate (maxout of two pieces)."""
        return maximum(self, other)

    # ---- reductions and shapes ----
    def sum(self, axis=None, keepdims: bool = False):
        """Sum over ``axis`` (an int, a tuple, or None for all)."""
        return _unary(_SUM, self, (_axes(axis, self.ndim, "sum"), bool(keepdims)))

    def mean(self, axis=None, keepdims: bool = False):
        """Mean over ``axis`` (an int, a tuple, or None for all)."""
        return _unary(_MEAN, self, (_axes(axis, self.ndim, "mean"), bool(keepdims)))

    def max(self, axis=None, keepdims: bool = False):
        """Maximum over ``axis``; the gradient goes to the maximum (shared between ties)."""
        return _unary(_MAX_AXIS, self, (_axes(axis, self.ndim, "max"), bool(keepdims)))

    def reshape(self, *shape):
        """The same numbers in a new shape (``reshape(2, 3)`` or ``reshape((2, 3))``; -1 allowed)."""
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        try:
            out = self.data.reshape(shape)
        except (ValueError, TypeError):
            raise ShapeError(f"reshape cannot turn shape {self.shape} into {shape}; "
                             f"the sizes must match ({self.size} elements)") from None
        return _record(out, self, None, _RESHAPE, out.shape)

    def transpose(self, *axes):
        """Axes reversed (``.T``) or permuted as given."""
        axes = tuple(axes[0]) if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        if axes and sorted(_axis(a, self.ndim, "transpose") for a in axes) != list(range(self.ndim)):
            raise ValueError(f"transpose{axes} is not a permutation of the {self.ndim} axes of shape {self.shape}")
        axes = tuple(_axis(a, self.ndim, "transpose") for a in axes) or None
        return _unary(_TRANSPOSE, self, axes)

    @property
    def T(self):
        return self.transpose()

    def softmax(self, axis: int = -1):
        """e^x / Σ e^x along ``axis``, stable for any finite logits."""
        return _unary(_SOFTMAX, self, _axis(axis, self.ndim, "softmax"))

    def log_softmax(self, axis: int = -1):
        """x - log Σ e^x along ``axis``, stable for any finite logits."""
        return _unary(_LOG_SOFTMAX, self, _axis(axis, self.ndim, "log_softmax"))

    def dropout_mask(self, mask):
        """x ⊙ mask as one ``dropout`` gate; ``mask`` holds 0 or 1/(1-p) (used by nn.Dropout)."""
        mask = as_array(mask, "dropout mask")
        if mask.shape != self.shape:
            raise ShapeError(f"dropout mask of shape {mask.shape} does not match the input's shape {self.shape}")
        return _unary(_DROPOUT, self, mask)

    def __repr__(self):
        name = f", label={self.label!r}" if self.label else ""
        body = np.array2string(self.data, precision=4, threshold=20, separator=", ")
        return f"Tensor({body}, shape={self.shape}{name})"


# ---- recording -----------------------------------------------------------------------

_ZERO = np.zeros(())


_ZERO_VIEWS: dict = {}  # shape -> its zero view; read-only, so every node of that shape can share it


def _zeros_view(shape: tuple) -> np.ndarray:
    """Zeros of ``shape`` as a read-only broadcast of one number: no memory, no page faults."""
    view = _ZERO_VIEWS.get(shape)
    if view is None:
        if len(_ZERO_VIEWS) > 4096:  # many distinct shapes: start over rather than grow forever
            _ZERO_VIEWS.clear()
        view = _ZERO_VIEWS[shape] = np.broadcast_to(_ZERO, shape)
    return view


class _Owned(np.ndarray):
    """A gradient array the VJP just allocated, which nothing else holds.

    ``graph.backward`` adds each contribution with ``a.grad = a.grad + g``; when ``a.grad`` is
    still one of our zero views, the sum is ``g`` itself, so ``__radd__`` (which Python tries
    first for a subclass on the right) hands ``g`` over instead of adding it to zeros: for a
    784 × 256 weight that saves a full pass over memory per step. Everything else behaves as
    a plain array, and every result is a plain array.
    """

    def __radd__(self, left):
        plain = self.view(np.ndarray)
        if type(left) is np.ndarray and left.base is _ZERO and left.shape == plain.shape:
            return plain
        total = np.add(left, plain)
        return total if type(total) is np.ndarray else np.asarray(total)  # numpy gives 0-d sums as scalars

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = tuple(x.view(np.ndarray) if isinstance(x, _Owned) else x for x in inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(x.view(np.ndarray) if isinstance(x, _Owned) else x for x in kwargs["out"])
        return getattr(ufunc, method)(*inputs, **kwargs)


def _check_shape(g, src: Tensor, node: Tensor) -> None:
    # a rule that forgot to sum a broadcast gradient back would corrupt every grad below it
    if g is not None and np.shape(g) != src.data.shape:
        raise RuntimeError(f"the {node._rule.name} rule gave a gradient of shape {np.shape(g)} for an input of "
                           f"shape {src.data.shape}; this is a bug in graphviz_nn.ops, please report it")


def _owned(g, upstream):
    """Mark a gradient as owned when the rule allocated it (not the upstream array, not a view)."""
    if type(g) is np.ndarray and g.base is None and g is not upstream and g.flags.writeable:
        return g.view(_Owned)
    if getattr(g, "ndim", None) == 0:
        return np.array(g).view(_Owned)  # a copy costs nothing here, and keeps 0-d gradients arrays
    return g


def _record(data, a, b, op, const) -> Tensor:
    """A new recorded node; bypasses ``__init__`` because this is the hot path."""
    t = _new(Tensor)
    t.data = data
    t.grad = _zeros_view(data.shape)
    t._a = a
    t._b = b
    t._la = t._lb = None
    t._rule = op
    t._const = const
    t.label = None
    t.group = _current_group[-1]
    t._order = _next()
    t.requires_grad = a.requires_grad or (b is not None and b.requires_grad)
    return t


def _unary(op, x: Tensor, const) -> Tensor:
    with np.errstate(all="ignore"):  # like the scalar rules: inf/nan on the node, never an exception
        out = op.array(x.data, const)
    return _record(np.asarray(out, dtype=np.float64), x, None, op, const)


def _binary(op, a: Tensor, b: Tensor, const=None) -> Tensor:
    try:
        with np.errstate(all="ignore"):
            out = op.array(a.data, b.data, const)
    except ValueError:
        raise ShapeError(f"{op.name} cannot combine shapes {a.shape} and {b.shape}: they do not broadcast; "
                         f"reshape one of them (a bias of shape (n,) adds to a batch of shape (m, n))") from None
    return _record(np.asarray(out, dtype=np.float64), a, b, op, const)


def _matmul(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul takes vectors, matrices or stacks of matrices, got shapes {a.shape} and "
                         f"{b.shape}; multiply by a number with * instead")
    if a.ndim > 2 or b.ndim > 2:
        return _batched_matmul(a, b)
    if a.shape[-1] != b.shape[0]:
        raise ShapeError(f"matmul cannot multiply shapes {a.shape} and {b.shape}: inner sizes "
                         f"{a.shape[-1]} and {b.shape[0]} differ; transpose one of them (.T)")
    out = _MATMUL.array(a.data, b.data, None)
    return _record(np.asarray(out, dtype=np.float64), a, b, _MATMUL, None)


def _batched_matmul(a: Tensor, b: Tensor) -> Tensor:
    """A stack of matrix products (attention's (B, H, T, d) @ (B, H, d, T)), batch axes broadcast."""
    inner = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if a.shape[-1] != inner:
        raise ShapeError(f"matmul cannot multiply shapes {a.shape} and {b.shape}: inner sizes {a.shape[-1]} and "
                         f"{inner} differ; transpose one of them (swap its last two axes)")
    try:
        out = np.matmul(a.data, b.data)
    except ValueError:
        raise ShapeError(f"matmul cannot stack shapes {a.shape} and {b.shape}: their batch axes do not "
                         f"broadcast; reshape one of them") from None
    return _record(out, a, b, _BATCHED_MATMUL, None)


def _constant(x, where: str) -> Tensor:
    """A non-number operand as a constant leaf that wants no gradient."""
    if isinstance(x, Value):
        raise TypeError(f"Tensor {where} Value is not supported: Value and Tensor do not mix; "
                        f"use Tensor(value.data) or a plain number")
    return Tensor(as_array(x, f"Tensor {where} operand"), requires_grad=False)


def _axis(axis, ndim: int, where: str) -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{where}(axis={axis!r}) needs an integer axis")
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(f"{where}(axis={axis}) is out of range for a tensor with {ndim} dimension(s)")
    return int(axis) % max(ndim, 1)


def _axes(axis, ndim: int, where: str):
    """None, or the axes as a sorted tuple of non-negative ints (hashable, shown in the gate)."""
    if axis is None:
        return None
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    norm = tuple(sorted(_axis(a, ndim, where) for a in axes))
    if len(set(norm)) != len(norm):
        raise ValueError(f"{where}(axis={axis}) repeats an axis")
    return norm


def _index_key(key):
    """An index with lists and integer Tensors turned into integer arrays; float indices refused."""
    parts = key if isinstance(key, tuple) else (key,)
    out = []
    for k in parts:
        if isinstance(k, Tensor):
            k = k.data
        if isinstance(k, (list, np.ndarray)):
            arr = np.asarray(k)
            if arr.dtype.kind == "f" and np.all(arr == np.round(arr)):
                arr = arr.astype(np.intp)  # class labels often arrive as floats
            if arr.dtype.kind not in "biu":
                raise TypeError(f"index arrays must hold integers (or booleans), got dtype {arr.dtype}")
            k = arr
        elif not (k is None or k is Ellipsis or isinstance(k, (slice, int, np.integer))):
            raise TypeError(f"cannot index a Tensor with {type(k).__name__}; use integers, slices or integer arrays")
        out.append(k)
    return tuple(out) if isinstance(key, tuple) else out[0]


def _key_text(key) -> str:
    return repr(key) if not isinstance(key, np.ndarray) else f"array{key.shape}"


# ---- functions of two tensors ----------------------------------------------------------

def _tensor(x, where: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if _is_number(x):
        return Tensor(float(x), requires_grad=False)
    return _constant(x, where)


def maximum(a, b) -> Tensor:
    """Element-wise max(a, b) as one gate; the gradient goes to the larger input (ties: to ``a``)."""
    return _binary(_MAX, _tensor(a, "maximum"), _tensor(b, "maximum"))


def prelu(x, alpha) -> Tensor:
    """Parametric ReLU: x where x > 0 else alpha·x; ``alpha`` (broadcast) is a Tensor that learns."""
    return _binary(_PRELU, _tensor(x, "prelu"), _tensor(alpha, "prelu"))


def apply(op_name: str, inputs, const=None) -> Tensor:
    """Apply any op of the rule table by name to Tensors (used to build composite expansions)."""
    if op_name not in OPS or OPS[op_name].array is None:
        raise ValueError(f"{op_name!r} is not an op the tensor engine has; see graphviz_nn.ops.OPS")
    op = OPS[op_name]
    args = [_tensor(x, op_name) for x in inputs]
    if len(args) != op.arity:
        raise ValueError(f"{op_name} takes {op.arity} input(s), got {len(args)}")
    if op_name in ("matmul", "batched_matmul"):
        return _matmul(*args) if op_name == "matmul" else _batched_matmul(*args)
    return _binary(op, *args, const) if op.arity == 2 else _unary(op, args[0], const)


# ---- Jacobians for the views: explicit when small, only the size when large -------------

def jacobian_shape(node: Tensor, input: int = 0) -> tuple:
    """(outputs, inputs) of d node / d input, without building anything.

    The lecture's sigmoid on 2048 inputs gives (2048, 2048); on a batch of 100, (204800, 204800).
    """
    src = _input(node, input)
    return (node.data.size, src.data.size)


def is_diagonal(node: Tensor, input: int = 0) -> bool:
    """True when output element i depends on input element i alone (an element-wise gate)."""
    src = _input(node, input)
    op = node._rule
    # a binary element-wise gate is diagonal only where numpy did not broadcast the input
    return op.elementwise and (op.arity == 1 or src.shape == node.shape)


def jacobian_diagonal(node: Tensor, input: int = 0) -> np.ndarray:
    """The diagonal of an element-wise node's Jacobian, shaped like the node (never the matrix)."""
    if not is_diagonal(node, input):
        raise ValueError(f"the Jacobian of a {node._rule.name} node is not diagonal; use jacobian(node)")
    return _vjp_of(node, np.ones(node.shape), input)


def jacobian(node: Tensor, input: int = 0, max_size: int = DEFAULT_MAX_JACOBIAN) -> np.ndarray:
    """The explicit Jacobian d node / d input as a (outputs, inputs) matrix, if at most ``max_size`` entries.

    Built from the node's VJP (one row per output element; a diagonal gate from one VJP),
    so it is exactly what backward uses. Larger ones raise ``JacobianTooLarge``: ask
    ``jacobian_shape`` and ``jacobian_diagonal`` instead.
    """
    rows, cols = jacobian_shape(node, input)
    if rows * cols > max_size:
        raise JacobianTooLarge(
            f"the Jacobian of this {node._rule.name} node is {rows:,} × {cols:,} = {rows * cols:,} entries, more "
            f"than max_size={max_size:,}; use jacobian_shape(node) and jacobian_diagonal(node) instead")
    if is_diagonal(node, input):
        return np.diag(jacobian_diagonal(node, input).reshape(-1))
    jac = np.empty((rows, cols))
    seed = np.zeros(rows)
    for i in range(rows):
        seed[i] = 1.0
        jac[i] = _vjp_of(node, seed.reshape(node.shape), input).reshape(-1)
        seed[i] = 0.0
    return jac


def _input(node: Tensor, input: int) -> Tensor:
    if not isinstance(node, Tensor) or node._rule is None:
        raise ValueError("a Jacobian needs a Tensor node made by an op, not a leaf")
    ins = graph.inputs(node)
    if not 0 <= input < len(ins):
        raise ValueError(f"a {node._rule.name} node has {len(ins)} input(s); input={input} does not exist")
    return ins[input]


def _vjp_of(node: Tensor, upstream: np.ndarray, input: int) -> np.ndarray:
    ins = graph.inputs(node)
    needs = tuple(i == input for i in range(len(ins)))
    grads = node._rule.vjp(upstream, node.data, tuple(x.data for x in ins), node._const, needs)
    return np.broadcast_to(grads[input], ins[input].shape)


def vjp_terms(node: Tensor) -> tuple:
    """Per input, the VJP formula with the shapes of its terms, for the inspector.

    For ``Y = X @ W`` with X (128, 784), W (784, 256): ``dL/dW = Xᵀ · dL/dY`` has factors
    ``Xᵀ (784, 128) · dL/dY (128, 256)`` and gradient shape (784, 256).
    """
    if node._rule is None:
        return ()
    ins = graph.inputs(node)
    op = node._rule
    formulas = op.vjp_formula(node._const)
    up = node.shape
    factors = op.vjp_factors(node._const, up, tuple(x.shape for x in ins))
    return tuple(VJPTerm(f, x.shape, up, factors[i]) for i, (f, x) in enumerate(zip(formulas, ins)))

