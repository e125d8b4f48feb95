"""Notebook entry points: ``draw_dot`` (micrograd's lesson function, micrograd's picture) and
``show`` (the lecture's picture).

>>> from graphviz_nn import Value, draw_dot
>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
>>> d = draw_dot(a * b)        # in Jupyter the returned object draws itself inline (SVG)
>>> "grad 0.0000" in d.source, d.format
(True, 'svg')
"""
from __future__ import annotations

STYLES = ("micrograd", "lecture")


def draw_dot(root, format: str = "svg", rankdir: str = "LR", *, style: str = "micrograd", **options):
    """micrograd's ``draw_dot(root, format='svg', rankdir='LR')``: a ``graphviz.Digraph``.

    ``style="micrograd"`` (default): a record ``label | data | grad`` per value and an oval per
    operation, with ``data`` and ``grad`` as they are now (nothing runs backward); options:
    ``decimals`` (4), ``max_nodes``. ``style="lecture"``: the lecture's picture that ``show``,
    ``render`` and frames draw (values above and gradients below each edge, from one backward
    pass; the nodes' own ``grad`` fields are left as they were); options are those of
    ``graphviz_nn.render.to_dot``. A ``level`` of ``"neuron"`` or ``"layer"`` draws the lecture's
    collapsed picture (micrograd's has no boxes). ``format`` is what ``.render()`` writes.
    """
    import graphviz

    from .dot import RenderError
    if style not in STYLES:
        raise RenderError(f"unknown style {style!r}; choose micrograd or lecture")
    if format not in graphviz.FORMATS:
        raise RenderError(f"unknown format {format!r}; choose svg, png or pdf (any Graphviz output format)")
    if style == "lecture" or options.get("level", "gate") != "gate":
        from ..scenario_build.to_trace import to_trace
        from .dot import to_dot
        # a micrograd Value is named here ("draw_dot expected ..."), not as a TypeError deeper down
        diagram = to_dot(to_trace(root, who="draw_dot").trace, rankdir=rankdir, **options)
        diagram.format = format
        return diagram
    from .micrograd_style import micrograd_dot
    return micrograd_dot(root, format, rankdir, **options)


def show(value_or_tensor, **options):
    """Display the lecture's diagram of a Value or Tensor inline in Jupyter/IPython.

    Outside IPython there is nowhere to draw inline, so the diagram is returned instead
    (save it with ``graphviz_nn.render.export``).
    """
    from ..scenario_build.to_trace import to_trace
    from .dot import to_dot
    diagram = to_dot(to_trace(value_or_tensor, who="show").trace, **options)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # IPython is not a dependency
        return diagram
    if get_ipython() is None:
        return diagram
    display(diagram)
    return None
