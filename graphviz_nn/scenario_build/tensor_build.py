"""Model scenarios on the tensor engine: one matrix per layer, optional batch norm and dropout.

The whole data set is one batch: ``X`` (n, inputs) and ``target`` (n, outputs) are constant
Tensors, the loss expression is evaluated on whole batches and averaged over its elements.
"""
from __future__ import annotations

import random

import numpy as np

from ..node import RecordedNode
from ..nn import MLP, Activation, BatchNorm1d, Dropout, Linear, Sequential
from ..tensor import Tensor
from ..scenario_format.errors import ExpressionError, OutputBuildError
from ..scenario_format.expression import evaluate
from ..scenario_format.semantics import NodeSemantics
from ..scenario_format.spec import model_output_names


def make_tensor_model(spec):
    """``MLP(..., engine="tensor")``, or a ``Sequential`` when batch norm or dropout is asked for.

    Hidden layer i is Linear → (BatchNorm1d) → activation → (Dropout); the last is Linear →
    output activation. Seeds give the scalar engine's initial weights.
    """
    if not spec.batchnorm and not spec.dropout:
        return MLP(spec.inputs, list(spec.layers), activation=spec.activation,
                   output_activation=spec.output_activation, seed=spec.seed, engine="tensor")
    rng = random.Random(spec.seed)
    sizes = [spec.inputs] + list(spec.layers)
    modules = []
    last = len(spec.layers) - 1
    for i in range(len(spec.layers)):
        modules.append(Linear(sizes[i], sizes[i + 1], rng, name=f"L{i + 1}"))
        if i < last:
            if spec.batchnorm:
                modules.append(BatchNorm1d(sizes[i + 1], name=f"BN{i + 1}"))
            modules.append(Activation(spec.activation, group_name=f"L{i + 1}"))
            if spec.dropout:
                modules.append(Dropout(spec.dropout, seed=spec.seed, name=f"Dropout{i + 1}"))
        else:
            modules.append(Activation(spec.output_activation, group_name=f"L{i + 1}"))
    return Sequential(*modules)


def set_parameters(model, values) -> None:
    """Explicit parameters in the scalar engine's order (each neuron's weights, then its bias)."""
    values = list(values)
    at = 0
    for module in getattr(model, "layers", None) or getattr(model, "modules", []):
        if not isinstance(module, Linear):
            continue
        nin, nout = module.W.shape
        for j in range(nout):
            module.W.data[:, j] = values[at:at + nin]
            module.b.data[j] = values[at + nin]
            at += nin + 1


def dropout_layers(model) -> list:
    return [m for m in getattr(model, "modules", []) if isinstance(m, Dropout)]


def tensor_loss(scenario, model, X: Tensor, target: Tensor):
    """(prediction, mean loss) for the whole batch."""
    prediction = model(X)
    names = {"output": prediction, "target": target}
    try:
        loss = evaluate(scenario.model.loss, NodeSemantics(names))
    except ExpressionError as error:
        raise OutputBuildError(error, ("model", "loss")) from None
    if not isinstance(loss, RecordedNode):
        raise OutputBuildError(ExpressionError("the loss does not depend on the output", 0,
                                               "an expression using output"), ("model", "loss"))
    if loss.shape != ():
        loss = loss.mean()
    return prediction, loss


def build_tensor_model(scenario, values, xs, ys):
    """(model, prediction, loss, (X, target)): the model with ``values`` as its initial
    parameters (None: its seed's), on samples ``xs``, ``ys`` as one batch."""
    model = make_tensor_model(scenario.model)
    if values is not None:
        set_parameters(model, values)
    X = Tensor(np.array(xs, dtype=np.float64), label="X", requires_grad=False)
    target = Tensor(np.array(ys, dtype=np.float64), label="target", requires_grad=False)
    prediction, loss = tensor_loss(scenario, model, X, target)
    return model, prediction, loss, (X, target)


def tensor_fresh_outputs(scenario, built, fixed_masks: bool = False, rows=None):
    """A fresh forward pass of the same model; ``fixed_masks`` replays the first dropout masks
    (so finite differences see the same function on every evaluation)."""
    if fixed_masks:
        for layer in dropout_layers(built.model):
            layer.rng = np.random.default_rng(scenario.model.seed)
    X, target = built.data
    if rows is not None:  # a mini-batch: the same constant leaves' rows
        X = Tensor(X.data[rows], label="X", requires_grad=False)
        target = Tensor(target.data[rows], label="target", requires_grad=False)
    prediction, loss = tensor_loss(scenario, built.model, X, target)
    outputs = {"output": prediction, "loss": loss} if "output" in model_output_names(scenario) else {"loss": loss}
    return loss, outputs
