"""A scenario's parts as plain data: lecture, leaves, model, data, training, starts.

What the validator (``schema``) produces and the builders (``build``, ``tensor_build``)
read. Nothing here records a node or reads a file, so every other scenario module can
import it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .errors import ScenarioError
from .expression import Program


@dataclass(frozen=True)
class Lecture:
    """Where the scenario comes from: a seed file and the slide's title."""

    seed: str
    slide: str

    def __str__(self) -> str:
        return f"{self.seed}: {self.slide}"


@dataclass(frozen=True)
class GeneratedLeaf:
    """A tensor leaf of uniform random numbers: ``{ shape = [100, 2048], seed = 0 }``."""

    shape: tuple
    seed: int = 0
    low: float = -1.0
    high: float = 1.0


@dataclass(frozen=True)
class ModelSpec:
    """An MLP: engine, sizes, activations, loss (an expression in ``output`` and ``target``)."""

    engine: str
    inputs: int
    layers: tuple
    activation: str
    output_activation: str
    loss: Program
    seed: int
    parameters: Optional[tuple]
    dropout: float = 0.0
    batchnorm: bool = False


@dataclass(frozen=True)
class DataSpec:
    """Inline samples (``x``, ``y``) or a generated data set with its seed; ``test_samples`` more
    points of a generated set are held out: never trained on, their loss recorded beside."""

    x: Optional[tuple]
    y: Optional[tuple]
    dataset: Optional[str] = None
    samples: int = 0
    noise: float = 0.0
    seed: int = 0
    test_samples: int = 0


@dataclass(frozen=True)
class TrainingSpec:
    """Optimiser settings and which outputs each history record keeps."""

    optimizer: str = "sgd"
    lr: float = 0.1
    momentum: float = 0.0
    iterations: int = 100
    record: tuple = ()
    parameters: Optional[tuple] = None  # expression scenarios: the leaves that learn
    batch_size: int = 0  # model scenarios: samples per update (0: the whole data set, full-batch GD)


@dataclass(frozen=True)
class Start:
    """A named set of initial parameters (``learning-slowdown-*`` has two), or for an
    expression scenario a named set of leaf values (``leaves``: name -> number)."""

    name: str
    parameters: tuple
    leaves: Optional[dict] = None


def model_output_names(scenario) -> tuple:
    """The outputs a model scenario records: ``output`` too when one neuron sees one sample."""
    one_output = scenario.model.layers[-1] == 1
    one_sample = scenario.data.dataset is None and len(scenario.data.x) == 1
    return ("output", "loss") if one_output and one_sample else ("loss",)


def start_parameters(scenario, start):
    """The initial parameter values of start ``start`` (index or name; None: the first, or the model's)."""
    if start is None:
        return scenario.starts[0].parameters if scenario.starts else scenario.model.parameters
    return find_start(scenario, start).parameters


def find_start(scenario, start) -> Start:
    """The ``Start`` named ``start`` or at index ``start``; one sentence when there is none."""
    if isinstance(start, int) and not isinstance(start, bool):
        if not 0 <= start < len(scenario.starts):
            raise ScenarioError(f"there is no start number {start}", file=scenario.file,
                                expected=f"0 to {len(scenario.starts) - 1}" if scenario.starts else "no start")
        return scenario.starts[start]
    for s in scenario.starts:
        if s.name == start:
            return s
    raise ScenarioError(f"there is no start called {str(start)!r}", file=scenario.file,
                        expected="one of " + (", ".join(repr(s.name) for s in scenario.starts) or "none"))
