"""The per-gate chain-rule step: the one function that sends a gate's gradient to its inputs.

``graph.backward`` runs it over every gate in reverse creation order; micrograd's
``node._backward()`` runs it over that one node. Both therefore follow the same rules: each
edge adds ``upstream × local`` into its input, data (``requires_grad`` false) gets nothing,
and a gate computed only from data sends nothing.
"""
from __future__ import annotations


def run_gates(gates, emit=None) -> None:
    """For each gate in the order given: add ``gate.grad × local`` into each input's ``grad``.

    Scalar gates read their local gradients ``_la``/``_lb`` (numbers stored in the forward
    pass); tensor gates call their vector-Jacobian product ``_vjp`` once. With ``emit``, every
    edge that carries a gradient is reported as ``(gate, index, input, upstream, local,
    contribution, grad_after)`` (``graph.EVENT_FIELDS``) right after its addition.
    """
    # One loop over many gates, not one call per gate: this is the inner loop of backward.
    # A scalar node is data when its class is ``scalar_data_class`` (DataValue): a type check
    # costs less than reading the class attribute requires_grad through every instance.
    data = scalar_data_class
    for node in gates:
        a = node._a
        if a is None:
            continue
        g = node.grad
        la = node._la
        b = node._b
        if la is not None:
            if type(node) is data:
                continue
            # A first contribution is stored as it is (0 + c is c, except for c = ±0, whose
            # sign 0.0 + c fixes), and through a local gradient of 1 (every +) it is the
            # gate's own gradient object: no new float, so a sum chain shares one number.
            if type(a) is not data:
                c = g if la == 1.0 else g * la
                ag = a.grad
                a.grad = c if not ag and c else ag + c
                if emit is not None:
                    emit((node, 0, a, g, la, c, a.grad))
            if b is not None and type(b) is not data:
                lb = node._lb
                c = g if lb == 1.0 else g * lb
                bg = b.grad
                b.grad = c if not bg and c else bg + c
                if emit is not None:
                    emit((node, 1, b, g, lb, c, b.grad))
        elif node.requires_grad:
            ga, gb = node._vjp(g)
            if ga is not None:
                a.grad = a.grad + ga
                if emit is not None:
                    emit((node, 0, a, g, None, ga, a.grad))
            if gb is not None:
                b.grad = b.grad + gb
                if emit is not None:
                    emit((node, 1, b, g, None, gb, b.grad))


# The scalar engine's data class (value.DataValue, which sets it: this module is below it).
scalar_data_class = None
