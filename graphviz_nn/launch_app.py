"""``graphviz_nn.debug(output)``: open the step debugger on a graph built in your own code.

The backprop equivalent of ``breakpoint()``: it blocks until you quit the app (``q``)::

    >>> from graphviz_nn import Value, debug
    >>> x = Value(3.0, label="x")
    >>> debug(x * x + x)   # doctest: +SKIP
"""
from __future__ import annotations


def debug(output, title: str = "your graph") -> None:
    """Step through the forward and backward pass of ``output`` (a node, or a list of nodes).

    Runs the terminal app in the foreground and returns when it quits. The app reads a trace:
    ``output``'s data, gradients and labels are left as they were (call ``backward()`` for those).
    """
    from .scenario_build.to_trace import to_trace
    # traced once, here, before Textual loads: a bad graph (a micrograd Value) is one sentence
    debug_trace(to_trace(output, who="debug").trace, title)


def debug_trace(trace, title: str, explanation: str | None = None, layout_engine: str = "auto") -> int:
    """Step through a trace (``debug()``, ``graphviz-nn debug script.py``); returns the app's exit code."""
    from .tui.app import DebuggerApp  # Textual loads only when debugging is asked for
    from .tui.target import from_outputs

    target = from_outputs(trace, title) if explanation is None else from_outputs(trace, title, explanation)
    app = DebuggerApp(target=target, layout_engine=layout_engine)
    app.run()
    return int(app.return_code or 0)
