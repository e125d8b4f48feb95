"""The work budget of a scenario, estimated from the spec alone (nothing is built).

A valid file of a few kilobytes can still ask for hours of work or gigabytes of memory: a
vector leaf times itself a thousand times, a model of 512-wide layers over 2,000 samples.
``estimate`` counts what one build would record (engine nodes, and the numbers they hold) by
running the scenario's expressions over *sizes* instead of values; ``check_load`` refuses,
with a located ``ScenarioError``, what exceeds the limits below, and ``check_gradcheck`` /
``check_training`` do the same for the work those commands would do. The limits are
documented in docs/scenarios.md ("Limits").

    >>> from graphviz_nn import load_scenario
    >>> estimate(load_scenario("sigmoid-neuron")).nodes
    13
"""
from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..graph import reachable
from ..nn import Activation, BatchNorm1d, Dropout, Linear
from ..ops import OPS
from ..tensor import Tensor
from .errors import ExpressionError, ScenarioError
from .expression import evaluate
from .semantics import NodeSemantics

# One graph: about 1 s to build and trace, ~150 MB at the node limit on the scalar engine.
MAX_GRAPH_NODES = 50_000
# Numbers (float64) held by one graph's nodes: 40 MB of values, as much again in gradients.
MAX_GRAPH_NUMBERS = 5_000_000
# Gradient check: graph rebuilt twice per checked leaf (tensor leaves: at most 20 elements each).
MAX_GRADCHECK_NODES = 2_000_000
MAX_GRADCHECK_NUMBERS = 200_000_000
# Training: one forward and backward pass per iteration.
MAX_TRAINING_NODES = 5_000_000
MAX_TRAINING_NUMBERS = 500_000_000
GRADCHECK_ELEMENTS_PER_LEAF = 20  # as graphviz_nn.gradcheck checks them
# All the training runs of a [compare] table together (starts × rates × batch sizes, and the
# compared scenarios): four runs at the one-run limit, a few minutes of work.
MAX_COMPARE_NODES = 4 * MAX_TRAINING_NODES
MAX_COMPARE_NUMBERS = 4 * MAX_TRAINING_NUMBERS
MAX_STARTS = 32  # [[starts]] entries of one file

# gates per element of the functions that are more than one gate (losses: a generous bound)
_LOSS_GATES = 8
_LOSSES = ("mse", "mae", "huber", "hinge", "squared_hinge", "multiclass_hinge", "bce", "cce", "nll", "l1", "l2")
_REDUCTIONS = ("sum", "mean")


@dataclass(frozen=True)
class Estimate:
    """What one build records: ``nodes``, the ``numbers`` they hold, how many leaf elements a
    gradient check perturbs (``checked``), and the key path that costs the most (``culprit``)."""

    nodes: int
    numbers: int
    checked: int
    culprit: tuple

    @property
    def gradcheck_evaluations(self) -> int:
        return 1 + 2 * self.checked


class _Size:
    """An engine value reduced to its size: ``count`` scalar nodes (a ``Value`` or a vector
    of them, ``vector`` its length or None) or one tensor node of ``shape``."""

    __slots__ = ("vector", "shape")

    def __init__(self, vector=None, shape=None):
        self.vector = vector
        self.shape = shape

    @property
    def elements(self) -> int:
        if self.shape is not None:
            return math.prod(self.shape)
        return self.vector or 1


def _is_size(x) -> bool:
    return isinstance(x, _Size)


class _Tally:
    def __init__(self):
        self.nodes = 0
        self.numbers = 0

    def scalar(self, count: int) -> None:
        self.nodes += count
        self.numbers += count

    def tensor(self, shape: tuple, gates: int = 1) -> None:
        self.nodes += gates
        self.numbers += gates * math.prod(shape)


class SizeSemantics:
    """Runs an expression over sizes: constants are folded exactly (with the engine's checks,
    so ``log(-1)`` is an error here too), every gate is counted instead of recorded."""

    def __init__(self, names: dict, tally: _Tally, expand=frozenset()):
        self.names = names
        self.tally = tally
        self.expand = frozenset(expand)
        self.constants = NodeSemantics({}, expand)

    def number(self, value, offset):
        return value

    def name(self, name, offset):
        if name not in self.names:
            return self.constants.name(name, offset)  # the engine's own "unknown name" error
        return self.names[name]

    def _elementwise(self, args: list, gates: int = 1) -> _Size:
        sizes = [a for a in args if _is_size(a)]
        shapes = [a.shape for a in sizes if a.shape is not None]
        if shapes:
            try:
                shape = _broadcast(shapes)
            except ValueError:
                shape = max(shapes, key=math.prod)  # the build reports the mismatch, located
            self.tally.tensor(shape, gates)
            return _Size(shape=shape)
        vector = max((a.vector or 0 for a in sizes), default=0) or None
        self.tally.scalar(gates * (vector or 1))
        return _Size(vector=vector)

    def unary(self, op, x, offset):
        if not _is_size(x):
            return self.constants.unary(op, x, offset)
        return self._elementwise([x]) if op == "-" else x

    def binary(self, op, a, b, offset):
        if not _is_size(a) and not _is_size(b):
            return self.constants.binary(op, a, b, offset)
        return self._elementwise([a, b])

    def power(self, x, exponent, offset):
        if not _is_size(x):
            return self.constants.power(x, exponent, offset)
        return self._elementwise([x])

    def call(self, name, args, offset):
        if not any(_is_size(a) for a in args):
            return self.constants.call(name, args, offset)  # folded, with the engine's checks
        sizes = [a for a in args if _is_size(a)]
        tensor = any(a.shape is not None for a in sizes)
        total = sum(a.elements for a in sizes)
        if name in _REDUCTIONS or name in _LOSSES:
            gates = _LOSS_GATES if name in _LOSSES else 1
            if tensor:
                self.tally.tensor((total,), gates)
                return _Size(shape=())
            self.tally.scalar(gates * total)
            return _Size()
        if name == "softmax":
            (z,) = sizes
            if tensor:
                self.tally.tensor(z.shape, 3)
                return _Size(shape=z.shape)
            self.tally.scalar(3 * z.elements)
            return _Size(vector=z.vector or 1)
        if name in ("max", "min"):  # a chain of pairwise gates (min is -max(-a, -b))
            out = args[0]
            for b in args[1:]:
                out = self._elementwise([out, b] if _is_size(out) else [b], 4 if name == "min" else 1)
            return out
        op = OPS.get(name)
        gates = 1
        if op is not None and op.composite and name in self.expand and not tensor:
            gates = len(op.expansion(0.5))
        return self._elementwise(list(args), gates)


def _broadcast(shapes: list) -> tuple:
    return tuple(np.broadcast_shapes(*shapes))


def estimate(scenario) -> Estimate:
    """The cost of one build of ``scenario``, from its spec alone (never builds)."""
    cost = _ESTIMATES.get(scenario)
    if cost is None:
        cost = _ESTIMATES[scenario] = _expression_estimate(scenario) if scenario.kind == "expression" \
            else _model_estimate(scenario)
    return cost


# a scenario is estimated once (loading, then the app deciding how to open it); weak keys: a
# scenario no longer used is not kept alive here with the graph its loader built
_ESTIMATES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _leaf_size(value, engine: str):
    if hasattr(value, "shape"):  # a GeneratedLeaf (tensor engine only)
        return _Size(shape=tuple(value.shape))
    if engine == "tensor":
        return _Size(shape=(len(value),) if isinstance(value, tuple) else ())
    return _Size(vector=len(value)) if isinstance(value, tuple) else _Size()


def _expression_estimate(scenario) -> Estimate:
    tally = _Tally()
    names = {}
    checked = 0
    for name, value in scenario.leaves.items():
        size = _leaf_size(value, scenario.engine)
        names[name] = size
        if size.shape is not None:
            tally.tensor(size.shape)
            checked += min(size.elements, GRADCHECK_ELEMENTS_PER_LEAF)
        else:
            tally.scalar(size.elements)
            checked += size.elements
    semantics = SizeSemantics(names, tally, scenario.expand)
    costliest, culprit = -1, ("outputs",)
    for name, program in scenario.expressions.items():
        before = (tally.nodes, tally.numbers)
        try:
            result = evaluate(program, semantics)
        except ExpressionError as error:
            raise _Located(error, ("outputs", name)) from None
        cost = (tally.nodes - before[0]) + (tally.numbers - before[1]) // 100
        if cost > costliest:
            costliest, culprit = cost, ("outputs", name)
        if not _is_size(result):  # a constant output is one leaf
            tally.scalar(1)
            result = _Size()
        names[name] = result
    return Estimate(tally.nodes, tally.numbers, checked, culprit)


def _model_estimate(scenario) -> Estimate:
    model, data = scenario.model, scenario.data
    samples = data.samples if data.dataset is not None else len(data.x)
    sizes = [model.inputs] + list(model.layers)
    parameters = sum((sizes[i] + 1) * sizes[i + 1] for i in range(len(model.layers)))
    activation_gates = 1
    tally = _Tally()
    if model.engine == "scalar":
        # per sample and neuron: one product and one sum per input, the bias, the activation
        per_sample = sum(sizes[i + 1] * (2 * sizes[i] + 1 + activation_gates) for i in range(len(model.layers)))
        tally.scalar(parameters + samples * per_sample + samples)
        output = _Size(vector=model.layers[-1] if model.layers[-1] > 1 else None)
        target = _Size(vector=model.layers[-1] if model.layers[-1] > 1 else None)
        loss_tally = _Tally()
        _run_loss(scenario, output, target, loss_tally)
        tally.scalar(samples * loss_tally.nodes)
        checked = parameters
    else:
        tally.tensor((samples, model.inputs))
        checked = 0
        for i, width in enumerate(model.layers):
            tally.tensor((sizes[i], width))  # weights
            tally.tensor((width,))  # bias
            checked += min(sizes[i] * width, GRADCHECK_ELEMENTS_PER_LEAF) + min(width, GRADCHECK_ELEMENTS_PER_LEAF)
            tally.tensor((samples, width), _tensor_layer_gates(bool(model.dropout), bool(model.batchnorm)))
        shape = (samples, model.layers[-1])
        _run_loss(scenario, _Size(shape=shape), _Size(shape=shape), tally)
    culprit = ("data", "samples") if data.dataset is not None and samples > 100 else ("model", "layers")
    return Estimate(tally.nodes, tally.numbers, checked, culprit)


@lru_cache(maxsize=None)
def _tensor_layer_gates(dropout: bool, batchnorm: bool) -> int:
    """The gates one tensor layer records (Linear, batch norm, activation, dropout), counted on
    a one-unit layer built by the real modules, so the estimate never drifts from what they record."""
    modules = [Linear(1, 1)] + ([BatchNorm1d(1)] if batchnorm else []) + [Activation("sigmoid")]
    modules += [Dropout(0.5, seed=0)] if dropout else []
    y = Tensor(np.ones((2, 1)), requires_grad=False)  # batch norm needs two samples
    for module in modules:
        y = module(y)
    return sum(1 for node in reachable([y]) if node.op is not None)


def _run_loss(scenario, output, target, tally: _Tally) -> None:
    semantics = SizeSemantics({"output": output, "target": target}, tally)
    try:
        evaluate(scenario.model.loss, semantics)
    except ExpressionError as error:
        raise _Located(error, ("model", "loss")) from None


class _Located(Exception):
    """An expression error found while estimating, with the key path of its expression."""

    def __init__(self, error: ExpressionError, path: tuple):
        super().__init__(str(error))
        self.error = error
        self.path = path


# ---- the checks ---------------------------------------------------------------------------

def check_load(scenario, source=None) -> Estimate:
    """Refuse a scenario whose one build, or whose training, exceeds the limits."""
    try:
        cost = estimate(scenario)
    except _Located as located:
        raise _locate(scenario, located.error, located.path) from None
    where = _where(scenario, cost.culprit)
    if cost.nodes > MAX_GRAPH_NODES:
        raise where(f"this scenario would record about {cost.nodes:,} nodes",
                    f"at most {MAX_GRAPH_NODES:,} (fewer samples, narrower layers or shorter vectors)")
    if cost.numbers > MAX_GRAPH_NUMBERS:
        raise where(f"this scenario's graph would hold about {cost.numbers:,} numbers",
                    f"at most {MAX_GRAPH_NUMBERS:,} (smaller tensors or fewer operations on them)")
    if scenario.training is not None:
        check_training(scenario, scenario.training.iterations, at=("training", "iterations"))
        check_compare(scenario)  # its own runs; the compared scenarios are added where they are loaded
    return cost


def check_training(scenario, iterations: int, at: tuple | None = None) -> None:
    """Refuse ``iterations`` of training when they exceed the training limits."""
    cost = estimate(scenario)
    nodes, numbers = iterations * cost.nodes, iterations * cost.numbers
    if nodes > MAX_TRAINING_NODES or numbers > MAX_TRAINING_NUMBERS:
        most = max(1, min(MAX_TRAINING_NODES // max(cost.nodes, 1), MAX_TRAINING_NUMBERS // max(cost.numbers, 1)))
        where = _where(scenario, at or ("training",)) if at else _command_line(scenario)
        raise where(f"{iterations:,} iterations of training would record about {nodes:,} nodes",
                    f"at most {most:,} iterations for this graph")


def compare_counts(scenario) -> tuple:
    """(starts, learning rates, batch sizes) a ``[compare]`` table multiplies into runs."""
    spec = scenario.compare
    if spec is None:
        return 1, 1, 1
    starts = len(scenario.starts) if spec.starts and len(scenario.starts) > 1 else 1
    return starts, max(1, len(spec.lr)), max(1, len(spec.batch_size))


def run_work(scenario, iterations=None, batch_size=None) -> tuple:
    """(nodes, numbers) one training run records in all: iterations × one pass (a mini-batch
    records its share of the samples)."""
    cost = estimate(scenario)
    if iterations is None:
        iterations = scenario.training.iterations if scenario.training is not None else 1
    nodes, numbers = cost.nodes, cost.numbers
    if batch_size is not None and scenario.kind == "model":
        samples = scenario.data.samples if scenario.data.dataset is not None else len(scenario.data.x)
        share = min(batch_size, samples), max(samples, 1)
        nodes, numbers = max(1, nodes * share[0] // share[1]), max(1, numbers * share[0] // share[1])
    return iterations * nodes, iterations * numbers


def check_compare(scenario, iterations=None, compared=()) -> None:
    """Refuse, before the first run, a ``[compare]`` table whose runs together exceed
    MAX_COMPARE_NODES or MAX_COMPARE_NUMBERS; ``compared`` are the scenarios it lists (loaded
    by the caller; at load time they are counted where they are loaded)."""
    spec = scenario.compare
    if spec is None:
        return
    starts, rates, _ = compare_counts(scenario)
    sizes = list(spec.batch_size) or [None]
    works = [run_work(scenario, iterations, size) for size in sizes for _ in range(starts * rates)]
    works += [run_work(other, iterations) for other in compared for _ in range(starts)]
    nodes, numbers = sum(w[0] for w in works), sum(w[1] for w in works)
    count = starts * rates * len(sizes) + starts * len(spec.scenarios)
    if nodes > MAX_COMPARE_NODES or numbers > MAX_COMPARE_NUMBERS:
        where = _where(scenario, ("compare",)) if iterations is None else _command_line(scenario)
        raise where(f"[compare] asks for {count:,} training runs ({starts:,} starts × {rates} learning rates × "
                    f"{len(sizes)} batch sizes, and {len(spec.scenarios)} compared scenarios), about "
                    f"{nodes:,} recorded nodes holding {numbers:,} numbers in all",
                    f"at most {MAX_COMPARE_NODES:,} nodes and {MAX_COMPARE_NUMBERS:,} numbers in all "
                    f"(fewer starts, rates, batch sizes or iterations)")


def check_gradcheck(scenario) -> None:
    """Refuse a gradient check that would rebuild the graph too many times."""
    cost = estimate(scenario)
    runs = cost.gradcheck_evaluations
    if runs * cost.nodes > MAX_GRADCHECK_NODES or runs * cost.numbers > MAX_GRADCHECK_NUMBERS:
        table = ("leaves",) if scenario.kind == "expression" else ("model", "layers")
        raise _where(scenario, table)(
            f"a gradient check would rebuild this graph of about {cost.nodes:,} nodes {runs:,} times",
            f"at most {MAX_GRADCHECK_NODES:,} nodes in all (fewer leaves or a smaller graph); "
            f"'graphviz-nn show' still works")


def _where(scenario, path: tuple):
    source = scenario.source

    def make(problem: str, expected: str) -> ScenarioError:
        if source is None:
            return ScenarioError(problem, file=scenario.file, expected=expected)
        return source.error(tuple(path), problem, expected, at_value=False)
    return make


def _command_line(scenario):
    def make(problem: str, expected: str) -> ScenarioError:
        return ScenarioError(problem, file="<command line>", expected=expected)
    return make


def _locate(scenario, error: ExpressionError, path: tuple) -> ScenarioError:
    source = scenario.source
    if source is None:
        return ScenarioError(error.problem, file=scenario.file, expected=error.expected)
    line, column = source.locate(path, offset=error.offset)
    return ScenarioError(error.problem, file=source.file, line=line, column=column, expected=error.expected)
