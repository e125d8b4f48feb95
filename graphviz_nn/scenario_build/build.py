"""Turning a validated ``Scenario`` into engine nodes: leaves, outputs, models, trainers.

Each call records a fresh graph, so a view can rebuild (after training, or to start over)
without any state leaking between builds.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ..arguments import number, whole
from .. import datasets, graph, metrics
from ..debugger.training import Trainer
from ..gradcheck import gradcheck as check
from ..nn import MLP
from ..nn.tensor import running_statistics, set_running_statistics
from ..optim import SGD
from ..tensor import Tensor
from ..value import Value
from ..scenario_format.budget import check_gradcheck, check_training
from ..scenario_format.errors import ExpressionError, OutputBuildError, ScenarioError
from ..scenario_format.expression import evaluate
from ..scenario_format.functions import is_node, is_vector
from ..scenario_format.semantics import NodeSemantics
from ..scenario_format.spec import TrainingSpec, find_start, model_output_names, start_parameters
from .tensor_build import build_tensor_model, tensor_fresh_outputs, tensor_loss


class Built(dict):
    """The outputs of one build (name -> node), plus what views and trainers need.

    leaves: name -> leaf node (a list of nodes for a vector leaf); parameters: the nodes a
    trainer updates; backward_from: the node backward starts from; model, loss, data: for
    model scenarios (``None`` otherwise).
    """

    def __init__(self, outputs: dict, *, leaves: dict, parameters: list, backward_from, model=None,
                 loss=None, data=None):
        super().__init__(outputs)
        self.leaves = leaves
        self.parameters = parameters
        self.backward_from = backward_from
        self.model = model
        self.loss = loss
        self.data = data


def _leaf_nodes(leaves: dict, engine: str = "scalar", data: tuple = ()) -> dict:
    """The leaves as engine nodes; those named in ``data`` want no gradient (requires_grad=False)."""
    if engine == "tensor":
        return _tensor_leaves(leaves, data)
    nodes = {}
    for name, value in leaves.items():
        wants = name not in data
        if isinstance(value, tuple):
            nodes[name] = [Value(v, label=f"{name}[{i}]", requires_grad=wants) for i, v in enumerate(value)]
        else:
            nodes[name] = Value(value, label=name, requires_grad=wants)
    return nodes


def _tensor_leaves(leaves: dict, data: tuple = ()) -> dict:
    nodes = {}
    for name, value in leaves.items():
        if hasattr(value, "shape"):  # a GeneratedLeaf
            values = np.random.default_rng(value.seed).uniform(value.low, value.high, value.shape)
        else:
            values = np.asarray(value, dtype=np.float64)
        nodes[name] = Tensor(values, label=name, requires_grad=name not in data)
    return nodes


def evaluate_outputs(scenario, leaf_nodes: dict) -> dict:
    """Every output expression evaluated over the given leaf nodes, in file order."""
    names = dict(leaf_nodes)
    semantics = NodeSemantics(names, scenario.expand)
    outputs = {}
    for name, program in scenario.expressions.items():
        try:
            result = evaluate(program, semantics)
        except ExpressionError as error:
            raise OutputBuildError(error, ("outputs", name)) from None
        if is_vector(result):
            # a vector output is one output per element: softmax[0], softmax[1], ...
            for i, item in enumerate(result):
                node = item if is_node(item) else Value(item)
                _name_output(node, f"{name}[{i}]")
                outputs[f"{name}[{i}]"] = node
        else:
            node = result if is_node(result) else Value(result)
            _name_output(node, name)
            outputs[name] = node
        names[name] = result  # later outputs may read earlier ones (output_2 = root(output_1))
    return outputs


def _name_output(node, name: str) -> None:
    if not node.label:
        node.label = name


def build(scenario, start=None) -> Built:
    if scenario.kind == "expression":
        if start is not None and not scenario.starts:  # silently drawing the only graph there is would mislead
            raise ScenarioError(f"there is no start {str(start)[:40]!r}: {scenario.id} is an expression scenario "
                                f"with one graph", file="<command line>",
                                expected="no --start (this file has no [[starts]])")
        return _build_expression(scenario, start=start)
    return _build_model(scenario, start)


def expression_leaf_values(scenario, start=None) -> dict:
    """The [leaves] values, with a ``[[starts]]`` entry's values in place (by index or name)."""
    values = dict(scenario.leaves)
    if start is not None:
        chosen = find_start(scenario, start)
        values.update(chosen.leaves or {})
    return values


def _build_expression(scenario, leaf_nodes: dict | None = None, start=None) -> Built:
    if leaf_nodes is None:
        leaf_nodes = _leaf_nodes(expression_leaf_values(scenario, start), scenario.engine, scenario.data_leaves)
    outputs = evaluate_outputs(scenario, leaf_nodes)
    backward = _backward_node(scenario, outputs)
    params = [leaf_nodes[n] for n in (scenario.training.parameters if scenario.training else ())]
    flat_params = [p for item in params for p in (item if isinstance(item, list) else [item])]
    return Built(outputs, leaves=leaf_nodes, parameters=flat_params, backward_from=backward)


def _backward_node(scenario, outputs: dict):
    name = scenario.backward_from
    if name in outputs:
        return outputs[name]
    return outputs[f"{name}[0]"]  # a vector output: backward from its first element


# ---- model scenarios ---------------------------------------------------------------------

def is_classifier(scenario) -> bool:
    """One sigmoid output neuron, several samples, targets 0 and 1 only (both present)."""
    if scenario.kind != "model" or scenario.model.layers[-1] != 1 or scenario.model.output_activation != "sigmoid":
        return False
    ys = samples(scenario)[1]
    labels = {y[0] for y in ys}
    return len(ys) > 1 and labels == {0.0, 1.0}


def predict(scenario, built: Built, xs=None):
    """The model's outputs on every sample (or on ``xs``) as a numpy array, in inference mode
    (dropout off, batch norm on its running statistics); records nothing the views show."""
    xs = samples(scenario)[0] if xs is None else xs
    model = built.model
    if scenario.model.engine == "scalar":
        return np.array([float(model(list(x)).data) for x in xs])
    model.eval()
    try:
        out = model(Tensor(np.array(xs, dtype=np.float64), label="X", requires_grad=False))
    finally:
        model.train()
    return np.asarray(out.data, dtype=np.float64).reshape(-1)


def scenario_metrics(scenario, built: Built, threshold: float | None = None) -> dict:
    """Every classification metric of the model's current predictions on its data set."""
    xs, ys = samples(scenario)
    labels = [y[0] for y in ys]
    return metrics.classification_metrics(labels, predict(scenario, built, xs),
                                          metrics.THRESHOLD if threshold is None else threshold)


def make_model(scenario, start=None):
    """A fresh scalar ``MLP`` with the scenario's sizes and initial weights."""
    spec = scenario.model
    model = MLP(spec.inputs, list(spec.layers), activation=spec.activation,
                output_activation=spec.output_activation, seed=spec.seed)
    values = start_parameters(scenario, start)
    if values is not None:
        for p, v in zip(model.parameters(), values):
            p.data = float(v)
    return model


def samples(scenario) -> tuple:
    """(xs, ys) as tuples of float tuples: inline data, or the generated data set (its training part)."""
    return _all_samples(scenario, test=False)


def held_out_samples(scenario) -> tuple:
    """(xs, ys) of the held-out test set (``[data] test_samples``), empty tuples when there is none."""
    return _all_samples(scenario, test=True)


def _all_samples(scenario, test: bool) -> tuple:
    data = scenario.data
    if data.dataset is None:
        return ((), ()) if test else (data.x, data.y)
    # one draw of samples + test_samples points: the first train, the rest are held out
    x, y = datasets.load(data.dataset, n=data.samples + data.test_samples, seed=data.seed, noise=data.noise)[:2]
    part = slice(data.samples, None) if test else slice(0, data.samples)
    xs = tuple(tuple(float(v) for v in (row if hasattr(row, "__len__") else [row])) for row in x[part])
    ys = tuple(tuple(float(v) for v in (row if hasattr(row, "__len__") else [row])) for row in y[part])
    return xs, ys


def held_out_loss(scenario, built: Built) -> float | None:
    """The mean loss on the held-out test set at the current parameters, in inference mode (dropout
    off, batch norm on its running statistics); ``None`` without a test set."""
    xs, ys = held_out_samples(scenario)
    if not xs:
        return None
    return _loss_on(scenario, built, xs, ys)


def training_set_loss(scenario, built: Built) -> float:
    """The mean loss on every training sample at the current parameters, in inference mode: what
    a mini-batch run's last record (one batch's loss) does not say."""
    return _loss_on(scenario, built, *samples(scenario))


def _loss_on(scenario, built: Built, xs, ys) -> float:
    model = built.model
    if scenario.model.engine == "scalar":
        return float(model_loss(scenario, model, xs, ys)[1].data)
    X = Tensor(np.array(xs, dtype=np.float64), label="X", requires_grad=False)
    target = Tensor(np.array(ys, dtype=np.float64), label="target", requires_grad=False)
    model.eval()
    try:
        return float(tensor_loss(scenario, model, X, target)[1].data)
    finally:
        model.train()


def model_loss(scenario, model, xs, ys):
    """(first prediction, mean loss over the samples) recorded on the scalar engine."""
    semantics_names = {}
    semantics = NodeSemantics(semantics_names)
    total = None
    first = None
    for x, y in zip(xs, ys):
        out = model(list(x))
        first = out if first is None else first
        semantics_names["output"] = out if isinstance(out, (Value, list)) else out
        semantics_names["target"] = y[0] if len(y) == 1 else list(y)
        try:
            sample_loss = evaluate(scenario.model.loss, semantics)
        except ExpressionError as error:
            raise OutputBuildError(error, ("model", "loss")) from None
        if not isinstance(sample_loss, Value):  # a number (no output in it) or a vector
            raise OutputBuildError(ExpressionError("the loss must be one number that depends on the output", 0,
                                                   "a scalar expression using output, e.g. mse(output, target)"),
                                   ("model", "loss"))
        total = sample_loss if total is None else total + sample_loss
    loss = total if len(xs) == 1 else total * (1.0 / len(xs))
    return first, loss


def _build_model(scenario, start=None) -> Built:
    xs, ys = samples(scenario)
    if scenario.model.engine != "scalar":
        model, prediction, loss, data = build_tensor_model(scenario, start_parameters(scenario, start), xs, ys)
        return built_model(scenario, model, prediction, loss, data)
    model = make_model(scenario, start)
    first, loss = model_loss(scenario, model, xs, ys)
    return built_model(scenario, model, first, loss, (xs, ys))


def built_model(scenario, model, prediction, loss, data) -> Built:
    """The outputs of a model scenario (``output`` when recorded, then ``loss``), either engine."""
    loss.label = loss.label or "loss"
    outputs = {}
    if "output" in model_output_names(scenario):
        prediction.label = prediction.label or "output"
        outputs["output"] = prediction
    outputs["loss"] = loss
    params = model.parameters()
    return Built(outputs, leaves={p.label: p for p in params}, parameters=params, backward_from=loss,
                 model=model, loss=loss, data=data)


# ---- checking and training -----------------------------------------------------------------

def fresh_outputs(scenario, built: Built, fixed_masks: bool = False, rows=None, step: bool = False) -> tuple:
    """(backward node, outputs dict) recorded afresh from the same leaves or model.

    ``rows`` (sample indexes) trains on a mini-batch instead of the whole data set; ``step``
    marks a training step's forward (the only one that moves batch norm's running statistics).
    """
    if scenario.kind == "expression":
        again = _build_expression(scenario, built.leaves)
        return again.backward_from, dict(again)
    if scenario.model.engine != "scalar":
        return tensor_fresh_outputs(scenario, built, fixed_masks, rows, step)
    xs, ys = built.data
    if rows is not None:
        xs, ys = tuple(xs[i] for i in rows), tuple(ys[i] for i in rows)
    first, loss = model_loss(scenario, built.model, xs, ys)
    outputs = {"output": first, "loss": loss} if "output" in model_output_names(scenario) else {"loss": loss}
    return loss, outputs


def rebuild_fn(scenario, built: Built):
    """A function recording a fresh graph from the same leaves/parameters; returns the node
    backward runs from (what gradcheck calls; dropout replays the same masks)."""
    return lambda: fresh_outputs(scenario, built, fixed_masks=True)[0]


def gradcheck(scenario, start=None, progress=None, one_sided: bool = False):
    check_gradcheck(scenario)  # before building: a refusal costs nothing
    built = build(scenario, start)
    if scenario.kind == "expression":
        # only leaves the backward output depends on, and not data (declared in data_leaves)
        reached = set(graph.reachable(built.backward_from))
        leaves = [n for item in built.leaves.values() for n in (item if isinstance(item, list) else [item])
                  if n in reached and n.requires_grad]
    else:
        leaves = built.parameters
    return check(rebuild_fn(scenario, built), leaves, progress=progress, one_sided=one_sided)


class ScenarioTrainer(Trainer):
    """The debugger's ``Trainer`` set up from a scenario's optimiser settings and records.

    Everything of ``Trainer`` works (``trace_iteration``, ``next``, ``goto_iteration``, ``run(n)``
    on the fast path, ``history``); ``train()`` runs the scenario's iterations and returns
    records for the command line; ``record`` names the outputs kept in each history entry.
    """

    def __init__(self, scenario, start=None, iterations: int | None = None, lr: float | None = None,
                 batch_size: int | None = None):
        self.scenario = scenario
        defaults = tuple(n for n in scenario.output_names if n == "output") if scenario.kind == "model" else ()
        self.settings = scenario.training or TrainingSpec(record=defaults)
        if lr is not None:
            lr = number(lr, "lr", "train", positive=True, hint=" (the learning rate, e.g. 0.1)")
        if batch_size is not None:
            batch_size = whole(batch_size, "batch_size", "train", low=1, hint=" of samples")
        if iterations is not None:
            iterations = whole(iterations, "iterations", "train", low=1)
        if lr is not None:
            self.settings = dataclasses.replace(self.settings, lr=float(lr))
        if batch_size is not None:
            if scenario.kind != "model":
                raise ScenarioError("a batch size applies to a scenario that trains on a data set", file=scenario.file,
                                    expected="a model scenario with [data] (such as mlp-moons or mini-batch-sgd)")
            count = len(samples(scenario)[0])
            if not 1 <= batch_size <= count:
                raise ScenarioError(f"the batch size {batch_size} does not fit the data set of {count} samples",
                                    file=scenario.file, expected=f"a batch size from 1 to {count}")
            self.settings = dataclasses.replace(self.settings, batch_size=int(batch_size))
        self.classifies = is_classifier(scenario)
        self.accuracies: dict = {}  # iteration -> accuracy on the whole data set, before its update
        self.test_losses: dict = {}  # iteration -> loss on the held-out test set, before its update
        self.iterations = iterations if iterations is not None else self.settings.iterations
        if iterations is not None:  # the file's own iterations were checked at load
            check_training(scenario, iterations)
        self.built = build(scenario, start)
        self._statistics: list = []  # batch norm's running statistics at the start of each iteration
        params = self.built.parameters
        if not params:
            raise ScenarioError("this scenario has nothing to train", file=scenario.file,
                                expected="a [training] table listing parameters = [leaf names]")
        # a vector output is recorded element by element (softmax_z[0], softmax_z[1], ...)
        self.record = tuple(key for n in self.settings.record if n != "loss"
                            for key in ([n] if n in self.built else [k for k in self.built if k.startswith(n + "[")]))
        super().__init__(self._forward, params, SGD(params, lr=self.settings.lr, momentum=self.settings.momentum))

    def batch_rows(self, iteration: int):
        """The sample indexes of an iteration's mini-batch (``None``: the whole data set).

        Each epoch visits every sample once in an order drawn from the model's seed and the
        epoch number, so any iteration's batch can be recomputed (``goto_iteration``).
        """
        size = self.settings.batch_size
        count = len(self.built.data[0]) if self.scenario.kind == "model" else 0
        if not size or size >= count:
            return None
        per_epoch = -(-count // size)
        epoch, k = divmod(iteration, per_epoch)
        order = np.random.default_rng([self.scenario.model.seed, epoch]).permutation(count)
        return [int(i) for i in order[k * size:(k + 1) * size]]

    def _forward(self):
        index = len(self.history)
        if self.classifies:
            labels = [y[0] for y in samples(self.scenario)[1]]
            self.accuracies[index] = metrics.accuracy(labels, predict(self.scenario, self.built))
        if self.scenario.kind == "model" and self.scenario.data.test_samples:
            self.test_losses[index] = held_out_loss(self.scenario, self.built)
        loss, outputs = fresh_outputs(self.scenario, self.built, rows=self.batch_rows(index), step=True)
        return loss, [outputs[n] for n in self.record]

    def _begin(self):
        # batch norm's running statistics are training state too: going back restores them
        self._statistics.append(running_statistics(self.built.model) if self.built.model is not None else [])
        super()._begin()

    def goto_iteration(self, n: int):
        if 0 <= n < len(self._statistics):
            if self.built.model is not None:
                set_running_statistics(self.built.model, self._statistics[n])
            del self._statistics[n:]
        return super().goto_iteration(n)

    def metrics(self) -> dict | None:
        """Precision, recall, F1, TPR, FPR, the confusion matrix and ROC/PR AUC of the current
        parameters (``None`` when the scenario is not a binary classifier)."""
        return scenario_metrics(self.scenario, self.built) if self.classifies else None

    def train(self, n: int | None = None, progress=None) -> list:
        """Run ``n`` iterations (default: the scenario's) on the fast path; returns ``records()``.

        ``progress(done, total)`` is called about fifty times along the way when given.
        """
        total = self.iterations if n is None else n
        chunk = max(1, total // 50)
        done = 0
        while done < total:
            step = min(chunk, total - done)
            self.run(step)
            done += step
            if progress is not None:
                progress(done, total)
        return self.records()

    def records(self) -> list:
        """One dict per iteration so far: ``iteration`` (counted from 1, as the app counts), ``loss``
        and each recorded output (``accuracy`` for a classifier, ``test_loss`` with a test set)."""
        out = []
        for entry in self.history:
            record = {"iteration": entry.number, "loss": entry.loss}
            for name, value in zip(self.record, entry.outputs):
                record[name] = float(value) if not hasattr(value, "size") or value.size == 1 else value.tolist()
            if entry.index in self.accuracies:
                record["accuracy"] = self.accuracies[entry.index]
            if entry.index in self.test_losses:
                record["test_loss"] = self.test_losses[entry.index]
            out.append(record)
        return out


def make_trainer(scenario, start=None, iterations: int | None = None, lr: float | None = None,
                 batch_size: int | None = None) -> ScenarioTrainer:
    return ScenarioTrainer(scenario, start, iterations, lr, batch_size)


def train(scenario, start=None, iterations: int | None = None, lr: float | None = None,
          batch_size: int | None = None) -> list:
    return ScenarioTrainer(scenario, start, iterations, lr, batch_size).train()
