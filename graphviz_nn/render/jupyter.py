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

    A tensor graph (a recorded PyTorch model) drawn with no level whose picture would be wider
    than 4:1 is drawn in the lecture's style at the finest level that fits a page, folded into
    rows, with a title saying so (``render.fit``); ``fit=False`` keeps one row. Scalar graphs
    always get micrograd's exact picture.
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
        trace = to_trace(root, who="draw_dot").trace
        if (options.get("level") is None or "fit" in options) and rankdir == "LR":
            from .fit import fitted_options
            trace, options = fitted_options(trace, options)
        diagram = to_dot(trace, rankdir=rankdir, **options)
        diagram.format = format
        return diagram
    from .micrograd_style import micrograd_dot
    diagram = micrograd_dot(root, format, rankdir, **{k: v for k, v in options.items() if k != "fit"})
    if "level" not in options and rankdir == "LR" and options.get("fit") is not False and \
            _is_wide_tensor_picture(root, diagram):
        # a recorded model in micrograd's records is a strip dozens of pages wide: the lecture's
        # picture at the level that fits instead (its title says so); scalar graphs never come here
        return draw_dot(root, format, rankdir, style="lecture",
                        **{k: v for k, v in options.items() if k not in ("max_nodes",)})
    return diagram


def _is_wide_tensor_picture(root, diagram) -> bool:
    """A tensor graph whose micrograd picture is wider than a slide's aspect (laid out once to know)."""
    from .. import graph
    from .fit import MAX_ASPECT, aspect, read_layout
    from .run_dot import DEFAULT_TIMEOUT
    outs = graph.as_outputs(root, "draw_dot")
    if not any(hasattr(node, "shape") for node in outs):
        return False
    return aspect(read_layout(diagram.source, DEFAULT_TIMEOUT)) > MAX_ASPECT


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
