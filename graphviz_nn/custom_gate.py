"""A gate written micrograd's way: ``Value(t, (x,), 'tanh')`` plus an assigned ``_backward``.

The node is recorded as a gate of its own (rule ``custom``/``custom2``): its inputs are the
distinct children, and its local gradients are read from the closure once, when it is
assigned, by running it with the output's gradient set to 1 and every input's gradient set to
0 (then restoring them). From there it is drawn, stepped and gradient-checked like any gate::

    >>> from graphviz_nn import Value
    >>> import math
    >>> x = Value(0.5, label="x")
    >>> t = math.tanh(x.data)
    >>> out = Value(t, (x,), 'tanh')
    >>> def _backward():
    ...     x.grad += (1 - t ** 2) * out.grad
    >>> out._backward = _backward
    >>> out.backward(); round(x.grad, 6)
    0.786448

The closure must be linear in ``out.grad`` (every chain-rule step is). A gate of three or more
distinct children is recorded as a chain of two-input links (``fma·1`` feeding ``fma``) whose
local gradients multiply back to the closure's: the graph model keeps at most two inputs per
node, and the chain gives each child its own edge and its exact gradient.

``micrograd_op(node)`` is any node's ``_op`` string: a user gate's own, or the one micrograd
gives the last node of the same expression for a built-in gate.
"""
from __future__ import annotations

from .errors import UserError, foreign_node_error
from .ops import CALL, Op
from .recording import next_ticket


class CustomGateError(UserError, TypeError):
    """A micrograd-style gate was built or given a ``_backward`` that cannot be read."""


class UserOp:
    """What a user-built gate keeps in ``_const``: micrograd's op string, the closure, the
    distinct children in order and the chain links before the gate (3+ children)."""

    __slots__ = ("op", "closure", "children", "links")

    def __init__(self, op: str, children: tuple):
        self.op = op
        self.closure = None
        self.children = children
        self.links = ()

    @property
    def symbol(self) -> str:
        return self.op or "f"

    def __repr__(self):
        return repr(self.op)


class LinkOf:
    """``_const`` of chain link ``index`` (1-based) of a gate with 3+ children."""

    __slots__ = ("owner", "index")

    def __init__(self, owner: UserOp, index: int):
        self.owner = owner
        self.index = index

    @property
    def symbol(self) -> str:
        return f"{self.owner.symbol}·{self.index}"  # fma·1 feeds fma (no brackets: views add the inputs)

    def __repr__(self):
        return repr(self.symbol)


def micrograd_op(node) -> str:
    """micrograd's ``_op`` string for a node: '+', '*', '**2', 'ReLU', 'exp', 'tanh'; '' for a leaf."""
    rule, c = node._rule, node._const
    if rule is None:
        return c.op if type(c) is UserOp else ""
    if type(c) is UserOp:
        return c.op
    if type(c) is LinkOf:
        return c.owner.op
    # the table says what micrograd calls the gate; ops micrograd lacks show their gate symbol
    return rule.micrograd_op(c) if rule.micrograd_op is not None else rule.symbol(c)


def _local_formulas(c, n: int) -> tuple:
    if isinstance(c, LinkOf) and c.index > 1:
        return ("1 (chain link)", "read from _backward")[:n]
    return ("read from _backward",) * n


def _user_rule(name: str, arity: int) -> Op:
    """The ``_rule`` of a user gate. Not an entry of ``ops.OPS``: the table holds the library's
    derivatives, and this one's is the user's closure. No forward and no array rule (the
    forward ran in the user's code); the symbol is the user's op string."""
    return Op(name, arity, symbol=lambda c: c.symbol,
              formula=lambda c: f"{c.symbol}(x)" if arity == 1 else f"{c.symbol}(a, b)",
              local_formula=lambda c: _local_formulas(c, arity), scalar=None, array=None, vjp=None,
              vjp_formula=lambda c: ("dL/dx = dL/dy · (read from _backward)",) * arity,
              vjp_factors=lambda c, out, shapes: ("",) * len(shapes), notation=CALL)


CUSTOM1, CUSTOM2 = _user_rule("custom", 1), _user_rule("custom2", 2)


def distinct_children(children, node_class) -> tuple:
    """The children as a tuple of distinct nodes in order (micrograd keeps them in a set)."""
    if isinstance(children, str):
        raise CustomGateError(
            f"Value's second argument is _children (micrograd's order: Value(data, _children, _op, label)), "
            f"got the string {children!r}; write the name as label={children!r}")
    try:
        items = tuple(children)
    except TypeError:
        raise CustomGateError(
            f"Value(data, _children) needs a tuple of the Values this one is made from, got "
            f"{type(children).__name__}; write Value(data, (a, b), '+')") from None
    for child in items:
        if isinstance(child, node_class):
            continue
        if hasattr(child, "data") and hasattr(child, "grad"):
            raise foreign_node_error(child, "Value(data, _children)")  # micrograd's Value: named, with the import to use
        raise CustomGateError(f"Value(data, _children) needs Values as children, got {type(child).__name__} "
                              f"{child!r:.40}; wrap a number as Value({child!r:.20})")
    return tuple(dict.fromkeys(items))  # distinct, first occurrence first


def _link(node_class, data, a, b, la, lb, const):
    """One recorded two-input node (the hot-path constructor is not needed here)."""
    v = object.__new__(node_class)
    v.data, v.grad = data, 0.0
    v._a, v._b, v._la, v._lb = a, b, la, lb
    v._rule, v._const = CUSTOM2, const
    v._stamp, v._k = next_ticket()  # its creation number and group (no label: no instance dict)
    return v


def record_gate(node, children: tuple, op: str, new_number: bool = True) -> None:
    """Stamp ``node`` (its data set) as a user gate over ``children``; local gradients are 0
    until a ``_backward`` is assigned, as micrograd's no-op default sends nothing back."""
    user = UserOp(op, children)
    if len(children) <= 2:
        node._a = children[0]
        node._b = children[1] if len(children) == 2 else None
        node._la = 0.0
        node._lb = 0.0 if len(children) == 2 else None
        node._rule = CUSTOM2 if len(children) == 2 else CUSTOM1
    else:
        links = [_link(type(node), node.data, children[0], children[1], 0.0, 0.0, LinkOf(user, 1))]
        for j, child in enumerate(children[2:-1], start=2):
            links.append(_link(type(node), node.data, links[-1], child, 1.0, 0.0, LinkOf(user, j)))
        user.links = tuple(links)
        node._a, node._b, node._la, node._lb = links[-1], children[-1], 1.0, 0.0
        node._rule = CUSTOM2
    node._const = user
    # after its links, so creation order stays topological; a built-in gate turned into a user
    # gate keeps its number and group (nodes made from it may exist already)
    if new_number:
        node._stamp, node._k = next_ticket()


def attach(node, fn) -> None:
    """``node._backward = fn``: keep the closure and read the local gradients from it."""
    if not callable(fn):
        raise CustomGateError(f"_backward must be a function of no arguments, got {type(fn).__name__}")
    user = node._const
    if not isinstance(user, UserOp):
        op = micrograd_op(node)
        children = tuple(dict.fromkeys(_inputs(node)))
        if not children:  # a leaf: micrograd calls its _backward too, but it has no inputs to feed
            user = node._const = UserOp(op, ())
            user.closure = fn
            return
        record_gate(node, children, op, new_number=False)  # a built-in gate with the user's own rule
        user = node._const
    user.closure = fn
    if user.children:
        _write_locals(node, user, probe(node, user.children, fn))


def _inputs(node) -> tuple:
    a = node._a
    if a is None:
        return ()
    return (a,) if node._b is None else (a, node._b)


def probe(node, children: tuple, fn) -> list:
    """d node / d child for each child: run ``fn`` with node.grad = 1 and the children at 0."""
    saved_out = node.grad
    saved = [c.grad for c in children]
    try:
        for c in children:
            c.grad = 0.0
        node.grad = 1.0
        try:
            fn()
        except Exception as error:
            raise CustomGateError(
                f"the _backward of this {node._const.symbol!r} gate raised {type(error).__name__}: {error} "
                f"(it is run once with out.grad = 1 to read its local gradients)") from error
        local = []
        for c in children:
            try:
                local.append(float(c.grad))
            except (TypeError, ValueError):
                raise CustomGateError(
                    f"the _backward of this {node._const.symbol!r} gate left a child's grad as "
                    f"{type(c.grad).__name__} {c.grad!r:.40}; it must add a number into each child's grad"
                ) from None
        return local
    finally:
        node.grad = saved_out
        for c, g in zip(children, saved):
            c.grad = g


def _write_locals(node, user: UserOp, local: list) -> None:
    if not user.links:
        node._la = local[0]
        if len(local) == 2:
            node._lb = local[1]
        return
    first = user.links[0]
    first._la, first._lb = local[0], local[1]
    for link, g in zip(user.links[1:], local[2:-1]):
        link._lb = g
    node._lb = local[-1]
