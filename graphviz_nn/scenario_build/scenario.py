"""``Scenario``: a validated lecture scenario, and what a view does with it (build, trace, train).

The validator (``schema``) makes one from a TOML document; each method records a fresh
graph through ``build``, so nothing leaks between builds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ..debugger import build_trace
from . import build
from ..scenario_format.spec import DataSpec, Lecture, ModelSpec, TrainingSpec, model_output_names


@dataclass(frozen=True, eq=False)
class Scenario:
    """A validated lecture scenario. ``build()`` records a fresh graph each time it is called.

    >>> from graphviz_nn import load_scenario
    >>> s = load_scenario("sigmoid-neuron")
    >>> round(s.build()["f"].data, 2), s.kind, s.output_names
    (0.73, 'expression', ('f',))
    """

    id: str
    title: str
    lecture: Lecture
    explanation: str
    kind: str
    file: str
    engine: str = "scalar"
    leaves: dict = field(default_factory=dict)  # name -> float or tuple of floats
    data_leaves: tuple = ()  # leaves that are data (inputs, targets, labels): they get no gradient
    expressions: dict = field(default_factory=dict)  # output name -> Program
    backward_from: str = ""
    expand: tuple = ()
    model: Optional[ModelSpec] = None
    data: Optional[DataSpec] = None
    training: Optional[TrainingSpec] = None
    starts: tuple = ()
    compare: Any = None  # a CompareSpec: runs drawn and summed up side by side
    draw: tuple = ()  # expression scenarios: the outputs the graph views draw (default: all)
    jacobian: tuple = ()  # expression scenarios: outputs whose Jacobian ``show`` describes
    source: Any = field(default=None, repr=False)
    # the graph the loader built to check an expression scenario, handed to the first build()
    # so that opening a file builds it once (a list: the dataclass is frozen, the slot is not)
    checked_build: list = field(default_factory=list, repr=False, init=False)

    def __repr__(self) -> str:
        return f"Scenario({self.id!r}, kind={self.kind!r}, outputs={list(self.output_names)!r}, file={self.file!r})"

    @property
    def output_names(self) -> tuple:
        if self.kind == "expression":
            return tuple(self.expressions)
        return model_output_names(self)

    @property
    def outputs(self) -> dict:
        """A freshly built outputs dict (name -> engine node); same as ``build()``."""
        return self.build()

    def build(self, start=None):
        """Record the scenario's graph; returns a ``Built`` dict of outputs (name -> node).

        ``Built`` also carries ``leaves`` (name -> leaf node), ``parameters``, ``model`` and
        ``loss`` (model scenarios), and ``backward_from`` (the node backward starts from).
        ``start`` picks one of ``starts`` by index or name (model scenarios).
        """
        if start is None and self.checked_build:
            return self.checked_build.pop()  # fresh: recorded by the loader, never handed out before
        return build.build(self, start)

    def outputs_for_view(self, start=None, built=None) -> tuple:
        """(list of output nodes, the node backward runs from): what every view passes on.

        ``[view] draw`` limits the graph to some outputs (the others are still computed and
        listed by ``show``'s table of values). ``built``: a build to use (default: a fresh one).
        """
        if built is None:
            built = self.build(start)
        if self.draw:
            drawn = [node for name, node in built.items() if name in self.draw or name.split("[")[0] in self.draw]
            return drawn, built.backward_from
        return list(built.values()), built.backward_from

    @property
    def classifies(self) -> bool:
        """A binary classifier: one sigmoid output trained on several samples labelled 0 and 1."""
        return build.is_classifier(self)

    def trace(self, start=None):
        """The debugger's trace of a fresh build: forward over every output, backward from one."""
        outputs, backward_from = self.outputs_for_view(start)
        return build_trace(outputs, backward_from=backward_from)

    def gradcheck(self, start=None, progress=None, one_sided: bool = False):
        """Finite differences against backprop for every leaf (or parameter); ``one_sided``
        uses the slide's (f(x+ε) - f(x)) / ε instead of the central difference.

        ``progress(done, total)`` is called after each rebuild of the graph (see ``gradcheck``)."""
        return build.gradcheck(self, start, progress, one_sided)

    def trainer(self, start=None, iterations: int | None = None, lr: float | None = None,
                batch_size: int | None = None):
        """A ``Trainer`` set up with the scenario's optimiser, learning rate and records
        (``lr`` and ``batch_size`` override the file's)."""
        return build.make_trainer(self, start, iterations, lr, batch_size)

    def train(self, start=None, iterations: int | None = None, lr: float | None = None,
              batch_size: int | None = None):
        """Train with the scenario's settings; returns the per-iteration history."""
        return build.train(self, start, iterations, lr, batch_size)

    @property
    def start_names(self) -> tuple:
        return tuple(s.name for s in self.starts)
