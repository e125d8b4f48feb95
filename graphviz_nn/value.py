"""``Value``: a recording scalar node with micrograd's surface.

Code from micrograd lessons runs by changing the import::

    >>> from graphviz_nn import Value
    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> c = a * b + 1
    >>> c.backward(); (c.data, a.grad, b.grad)
    (-5.0, -3.0, 2.0)

Unlike micrograd, every node keeps its local gradients as numbers (computed in the forward
pass) and its inputs in order, and a plain number on one side of an operator is folded
into one lecture gate (``x + 1`` is a ``+1`` gate, ``1 / x`` a ``1/x`` gate).
"""
from __future__ import annotations

import numbers

from . import chain_rule, custom_gate, graph
from .node import RecordedNode, real_number, too_large
from .ops import OPS
from .recording import Stamp, next_ticket as _ticket

_new = object.__new__

# The rules, looked up once (operators are the hot path of every lesson).
_ADD, _SUB, _MUL, _DIV, _MAX = (OPS[n] for n in ("add", "sub", "mul", "div", "max"))
_ADDC, _MULC, _RSUBC, _RDIVC, _POW = (OPS[n] for n in ("add_const", "mul_const", "rsub_const", "rdiv_const", "pow"))
_PRELU, _POWV, _RPOWC = OPS["prelu"], OPS["pow_value"], OPS["rpow_const"]
_add, _sub, _mul, _div = _ADD.scalar, _SUB.scalar, _MUL.scalar, _DIV.scalar
_addc, _mulc = _ADDC.scalar, _MULC.scalar
_add2, _mul2, _addc1, _mulc1 = _ADD.flat, _MUL.flat, _ADDC.flat, _MULC.flat  # (value, locals...)


_PLAIN_NUMBERS = frozenset((float, int))


def _is_number(x) -> bool:
    # The type lookup first: the abstract-class check alone costs more than a whole gate.
    return type(x) in _PLAIN_NUMBERS or isinstance(x, numbers.Real)


class Value(RecordedNode):
    """A scalar node: ``data``, ``grad`` and what produced it (op, inputs, local gradients)."""

    # Inputs and local gradients sit in slots (_a, _b, _la, _lb) instead of tuples: every
    # op has at most two inputs, and one object per node halves memory and GC work.
    # ``__dict__`` (made on first use) takes what micrograd's plain object takes: ``p.m = 0``,
    # ``n._vis_color = c``, and the label, which few nodes have.
    __slots__ = ("data", "grad", "_a", "_b", "_la", "_lb", "_rule", "_stamp", "_k", "__dict__")
    # class attributes, not slots: a parameter pays no memory for the flag, a node none for no label
    requires_grad = True
    label = ""  # the lecture's class gives every node label='', which its draw_dot prints
    _pair_const = None  # a two-input gate's constant (only a user gate has one), in the instance dict

    def __init__(self, data, _children=(), _op: str = "", label: str | None = "", *, requires_grad: bool = True):
        """micrograd's constructor and order. With ``_children`` (micrograd's way of writing a new
        op) the node is a gate of its own whose rule comes from the ``_backward`` assigned next.
        ``requires_grad=False`` (keyword only, PyTorch's name) makes a leaf data: an input, a
        target, a label, which backward sends no gradient."""
        self.data = data if type(data) is float else real_number(data, "Value(data)")
        self.grad = 0.0
        if type(_op) is not str:
            raise custom_gate.CustomGateError(
                f"Value's third argument is _op, micrograd's op string such as '+' or 'tanh', "
                f"got {type(_op).__name__}; write Value(data, (a, b), '+')")
        if label is not None and not isinstance(label, str):
            raise custom_gate.CustomGateError(f"Value(label=...) must be a string, got {type(label).__name__}")
        if label:
            self.label = label  # into the instance dict: an unlabelled node makes none
        empty = type(_children) is tuple and not _children  # the leaf case, checked without a loop
        children = () if empty else custom_gate.distinct_children(_children, Value)
        if not children:
            self._a = self._b = self._la = self._lb = self._rule = None
            self._stamp, self._k = _ticket()
            if not requires_grad:
                self.__class__ = DataValue  # same slots: the flag is the class's, no memory per node
            if _op:  # micrograd lets a leaf carry an op string; it is only shown
                self._const = custom_gate.UserOp(_op, ())
            return
        custom_gate.record_gate(self, children, _op)

    def _attach_backward(self, fn) -> None:
        custom_gate.attach(self, fn)

    # A one-input gate has no second local gradient, so its constant (the 1 of ``+1``) sits in
    # ``_lb``: one slot less on every node (memory, and the cyclic GC visits every slot).
    @property
    def _const(self):
        """The constant folded into this gate (``None`` when it has none)."""
        return self._lb if self._b is None else self._pair_const

    @_const.setter
    def _const(self, c) -> None:
        if self._b is None:
            self._lb = c
        else:
            self._pair_const = c

    # The creation number and the group come from the stamp this node shares with the nodes
    # made just before and after it (recording.Stamp): no int object and one slot less per node.
    @property
    def _order(self) -> int:
        """Creation number: a node is numbered after its inputs (ids and backward order)."""
        return self._stamp.base + self._k

    @property
    def group(self) -> tuple:
        """The group path this node was made in, e.g. ("L1", "N3")."""
        return self._stamp.group

    @group.setter
    def group(self, path: tuple) -> None:
        self._stamp, self._k = Stamp(self._order, path), 0  # a stamp of its own, same number

    @property
    def local_grads(self) -> tuple:
        """d(this)/d(input) for each input, as numbers computed in the forward pass."""
        return () if self._a is None else (self._la,) if self._b is None else (self._la, self._lb)

    def _zero_grad(self):
        return 0.0

    def _seed_grad(self):
        return 1.0

    # ---- operators ----
    # Each records its node inline (no helper call): operators are the hot path of every
    # lesson. The numbers come from the rule table's flat rule; only the stamping is here.
    # A gate is data (DataValue) only when all its inputs are: told by the class, which is
    # cheaper than reading requires_grad through the instance.
    def __add__(self, other):
        if isinstance(other, Value):
            v = _new(DataValue if type(self) is DataValue is type(other) else Value)
            v.data, v._la, v._lb = _add2(self.data, other.data)
            v._b = other
            v._rule = _ADD
        else:
            if type(other) is float:
                c = other
            elif type(other) is int or _is_number(other):
                c = float(other)
            else:
                return NotImplemented
            v = _new(DataValue if type(self) is DataValue else Value)
            v.data, v._la = _addc1(self.data, c)
            v._b = None
            v._lb = c  # the constant (see _const)
            v._rule = _ADDC
        v.grad = 0.0
        v._a = self
        v._stamp, v._k = _ticket()
        return v

    __radd__ = __add__  # 0 + x (sum() starts from the int 0) and 1 + x are +c gates

    def __mul__(self, other):
        if isinstance(other, Value):
            v = _new(DataValue if type(self) is DataValue is type(other) else Value)
            v.data, v._la, v._lb = _mul2(self.data, other.data)
            v._b = other
            v._rule = _MUL
        else:
            if type(other) is float:
                c = other
            elif type(other) is int or _is_number(other):
                c = float(other)
            else:
                return NotImplemented
            v = _new(DataValue if type(self) is DataValue else Value)
            v.data, v._la = _mulc1(self.data, c)
            v._b = None
            v._lb = c  # the constant (see _const)
            v._rule = _MULC
        v.grad = 0.0
        v._a = self
        v._stamp, v._k = _ticket()
        return v

    __rmul__ = __mul__

    def __sub__(self, other):
        if isinstance(other, Value):
            out, loc = _sub(self.data, other.data, None)
            return _record(out, self, other, loc, _SUB, None)
        if _is_number(other):
            c = -float(other)
            out, loc = _addc(self.data, c)
            return _record(out, self, None, loc, _ADDC, c)
        return NotImplemented

    def __rsub__(self, other):
        if _is_number(other):
            return self._gate(_RSUBC, float(other))
        return NotImplemented

    def __truediv__(self, other):
        if isinstance(other, Value):
            out, loc = _div(self.data, other.data, None)
            return _record(out, self, other, loc, _DIV, None)
        if _is_number(other):
            # x / c is the gate *(1/c); dividing by zero still records (inf or nan)
            return self._gate(_MULC, _div(1.0, float(other), None)[0])
        return NotImplemented

    def __rtruediv__(self, other):
        if _is_number(other):
            return self._gate(_RDIVC, float(other))
        return NotImplemented

    def __pow__(self, other):
        if isinstance(other, Value):
            out, loc = _POWV.scalar(self.data, other.data, None)
            return _record(out, self, other, loc, _POWV, None)
        if _is_number(other):
            # an int exponent stays an int, so _op reads '**2' as micrograd's f'**{other}' does
            try:
                return self._gate(_POW, other if type(other) in _PLAIN_NUMBERS else float(other))
            except OverflowError:
                if isinstance(other, int) and not -2 ** 1024 < other < 2 ** 1024:
                    raise too_large(other, "x ** n") from None
                raise
        return NotImplemented

    def __rpow__(self, other):
        if _is_number(other):  # 2 ** x, e ** x: one gate c^x
            return _unary(_RPOWC, self, real_number(other, "c ** x"))
        return NotImplemented

    def __neg__(self):
        return self._gate(_MULC, -1.0)

    def _gate(self, op, const):
        """A one-input gate of the table (tanh, relu, exp, +c...), recorded inline."""
        out, (la,) = op.scalar(self.data, const)
        v = _new(DataValue if type(self) is DataValue else Value)
        v.data = out
        v.grad = 0.0
        v._a = self
        v._b = None
        v._la = la
        v._lb = const  # the constant (see _const)
        v._rule = op
        v._stamp, v._k = _ticket()
        return v

    # ---- reading the number, as PyTorch's .item() does: compare, sort, max(a, b), float(x) ----
    # == stays identity (micrograd's, and what sets and dicts of nodes rely on)
    def __lt__(self, other):
        o = _number_of(other)
        return NotImplemented if o is NotImplemented else self.data < o

    def __le__(self, other):
        o = _number_of(other)
        return NotImplemented if o is NotImplemented else self.data <= o

    def __gt__(self, other):
        o = _number_of(other)
        return NotImplemented if o is NotImplemented else self.data > o

    def __ge__(self, other):
        o = _number_of(other)
        return NotImplemented if o is NotImplemented else self.data >= o

    def __float__(self):
        return float(self.data)

    def __int__(self):
        return int(self.data)

    def item(self) -> float:
        """The number itself (PyTorch's name)."""
        return self.data

    def backward(self):
        """Backpropagate from this node: every node it depends on gets its ``grad``."""
        graph.backward(self)

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"  # micrograd's, character for character


class DataValue(Value):
    """A ``Value`` that is data, not a parameter (``Value(x, requires_grad=False)``): an input,
    a target, a label. Backward sends it no gradient; a gate computed only from data is data too."""

    __slots__ = ()
    requires_grad = False


chain_rule.scalar_data_class = DataValue  # run_gates tells data by its class


def _number_of(x):
    """The number a comparison reads: a Value's data, a plain number as it is, else NotImplemented
    (so Python names both types in its own TypeError)."""
    if isinstance(x, Value):
        return x.data
    return x if _is_number(x) else NotImplemented


def _record(data, a, b, local, op, const) -> Value:
    """A new recorded node; bypasses ``__init__`` (the label stays the class's '')."""
    v = _new(DataValue if type(a) is DataValue and (b is None or type(b) is DataValue) else Value)
    v.data = data
    v.grad = 0.0
    v._a = a
    v._b = b
    if b is None:
        v._la = local[0]
        v._lb = const  # the constant (see _const)
    else:
        v._la, v._lb = local
        if const is not None:
            v._pair_const = const
    v._rule = op
    v._stamp, v._k = _ticket()
    return v


def _unary(op, x: Value, const) -> Value:
    return x._gate(op, const)


def _value(x, where: str) -> Value:
    return x if isinstance(x, Value) else Value(real_number(x, where))


def maximum(a, b) -> Value:
    """max(a, b) as one gate (for maxout); the gradient goes to the larger input."""
    a, b = _value(a, "maximum(a, b)"), _value(b, "maximum(a, b)")
    out, loc = _MAX.scalar(a.data, b.data, None)
    return _record(out, a, b, loc, _MAX, None)


def prelu(x, alpha) -> Value:
    """Parametric ReLU: x if x > 0 else alpha·x, where alpha is a Value that learns."""
    x, alpha = _value(x, "prelu(x, alpha)"), _value(alpha, "prelu(x, alpha)")
    out, loc = _PRELU.scalar(x.data, alpha.data, None)
    return _record(out, x, alpha, loc, _PRELU, None)


def apply(op_name: str, inputs, const=None) -> Value:
    """Apply any op of the rule table by name (used to build composite expansions)."""
    op = OPS[op_name]
    args = [_value(x, op_name) for x in inputs]
    if len(args) != op.arity:
        raise ValueError(f"{op_name} takes {op.arity} input(s), got {len(args)}")
    out, loc = op.scalar(*(a.data for a in args), const)
    return _record(out, args[0], args[1] if len(args) == 2 else None, loc, op, const)
