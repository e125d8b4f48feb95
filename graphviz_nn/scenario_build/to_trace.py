"""The one way from anything a user hands a view to a trace.

A view (a diagram, the frames, the player, the app, ``show``) may be given a ``Value`` or
``Tensor`` output (or a list of them), a debugger ``Trace``, a ``Scenario``, a PyTorch
``Recording``, a scenario file's path or a catalogue id. ``to_trace`` tells them apart by their
class, reads a scenario file once and builds a graph once, and never writes into a user's
nodes: their ``data``, ``grad`` and ``label`` stay as they were.

>>> from graphviz_nn import Value
>>> x = Value(3.0, label="x")
>>> to_trace(x * x).trace.steps[-1].text
'[1.00] × [3.00] = 3.00 → x.grad = 3.00 + 3.00 = 6.00 (2 of 2)'
>>> x.grad                    # the trace holds the gradient; the user's node is untouched
0.0
>>> to_trace("sigmoid-neuron").title
'The sigmoid neuron, gate by gate [sigmoid-neuron]'
"""
from __future__ import annotations

import os
import sys
from typing import Callable, NamedTuple, Optional

from .. import graph
from ..debugger import Trace, build_trace
from ..errors import UserError
from ..node import RecordedNode
from ..scenario_format.loader import load_scenario
from .scenario import Scenario


class ViewTrace(NamedTuple):
    """What a view draws: the trace, a title (a scenario's, else None), and for a scenario the
    scenario and its one build (every output, also those ``[view] draw`` leaves out)."""

    trace: Trace
    title: Optional[str] = None
    scenario: Optional[Scenario] = None
    built: Optional[dict] = None


def scenario_of(source) -> Scenario:
    """A ``Scenario`` as it is, or the one a catalogue id or file path names (read once, here)."""
    if isinstance(source, Scenario):
        return source
    return load_scenario(os.fspath(source) if isinstance(source, os.PathLike) else source)


def to_trace(source, *, start=None, check: Optional[Callable] = None, who: str = "",
             error: Optional[type] = None) -> ViewTrace:
    """The trace of ``source`` for a view named ``who`` (it names the view in error sentences).

    ``start``: a scenario's starting point (index or name); anything else refuses it.
    ``check(output nodes)``: called on the recorded graph before it is traced (tracing is the
    costly part), e.g. to refuse a graph too big to draw. ``error``: the view's own error class
    for a source of the wrong kind (default: the engine's ``ForeignNodeError`` sentence).
    """
    # fill_grads=False throughout: a view reads the trace, and every node's grad stays as it was
    if isinstance(source, (str, os.PathLike)):
        source = scenario_of(source)
    if isinstance(source, Scenario):
        built = source.build(start)
        outputs, backward_from = source.outputs_for_view(start, built)
        if check is not None:
            check(outputs)
        return ViewTrace(build_trace(outputs, backward_from=backward_from, fill_grads=False),
                         f"{source.title} [{source.id}]", source, built)
    if start is not None:
        raise (error or UserError)("start= chooses a scenario's starting point; give a scenario id or path with it")
    if isinstance(source, Trace):
        return ViewTrace(source)
    if _is_recording(source):
        source = source.output
    nodes = source if isinstance(source, (list, tuple)) else [source]
    if error is not None and (not nodes or not all(isinstance(n, RecordedNode) for n in nodes)):
        for n in nodes:
            if hasattr(n, "data") and hasattr(n, "grad"):
                graph.check_node(n, who)  # a micrograd Value: named, with the import to use instead
        raise error(f"{who}() takes a Value or Tensor output, a trace, a Scenario, a PyTorch recording, or a "
                    f"scenario id or .toml path; got {type(source).__name__}")
    outputs = graph.as_outputs(source, who)  # a foreign class is one sentence naming it
    if check is not None:
        check(outputs)
    return ViewTrace(build_trace(outputs, fill_grads=False))


def _is_recording(source) -> bool:
    """A PyTorch ``Recording``, asked without importing torch (no recording exists before it is)."""
    record = sys.modules.get("graphviz_nn.torch.record")
    return record is not None and isinstance(source, record.Recording)
