"""Notebook entry points: ``draw_dot`` (micrograd's lesson name) and ``show``.

>>> from graphviz_nn import Value, draw_dot
>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
>>> d = draw_dot(a * b)        # in Jupyter the returned object draws itself inline
>>> "digraph" in d.source
True
"""
from __future__ import annotations


def draw_dot(output, **options):
    """The final-state diagram of ``output`` as a ``graphviz.Digraph``.

    In Jupyter the returned object displays inline as SVG (``_repr_mimebundle_``). Gradients
    are those of one backward pass from ``output``; the nodes' own ``grad`` fields are left
    as they were. ``options`` are those of ``graphviz_nn.render.to_dot`` (``level``,
    ``decimals``, ``palette``, ``show_grads``, ...).
    """
    from .dot import to_dot
    return to_dot(output, **options)


def show(value_or_tensor, **options):
    """Display the diagram of a Value or Tensor inline in Jupyter/IPython.

    Outside IPython there is nowhere to draw inline, so the diagram is returned instead
    (save it with ``graphviz_nn.render.export``).
    """
    from .dot import to_dot
    diagram = to_dot(value_or_tensor, **options)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # IPython is not a dependency
        return diagram
    if get_ipython() is None:
        return diagram
    display(diagram)
    return None
