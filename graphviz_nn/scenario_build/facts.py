"""What ``show`` prints beside the step table: every number a lesson states, computed.

- the value of every output (a table: ``cross-entropy-vs-log-likelihood``'s four numbers);
- the named starts an expression scenario can be opened at (``--start``);
- the size and the structure of a Jacobian (``[view] jacobian``): its shape, and a corner of
  it computed row by row with backprop, which shows the diagonal of an element-wise layer;
- a classifier's metrics at its current parameters, the normal equation's solution, and
  for dropout and batch norm what changes at inference.
"""
from __future__ import annotations

import numpy as np

from .. import graph
from ..debugger import TraceError, build_trace
from ..nn.tensor import batchnorm_layers, running_statistics_kept
from ..ops import OPS
from .build import expression_leaf_values, is_classifier, predict, samples, scenario_metrics
from .to_trace import to_trace

CORNER = 4  # rows and columns of the Jacobian corner that is printed
INFERENCE_ITERATIONS = 50  # batch norm's running statistics are shown after this many training steps


def _number(x: float) -> str:
    return f"{x:.6g}" if abs(x) >= 1e-4 or x == 0 else f"{x:.3e}"


def leaves_text(scenario, start=None) -> str:
    """The leaves' values (vectors in full up to 12 elements), so every input a lesson quotes is printed."""
    values = expression_leaf_values(scenario, start)
    parts = []
    for name, value in values.items():
        if isinstance(value, float):
            parts.append(f"{name} = {value:g}")
        elif isinstance(value, tuple) and len(value) <= 12:
            parts.append(f"{name} = [{', '.join(f'{v:g}' for v in value)}]")
    return "Leaves: " + "; ".join(parts) if parts else ""


def values_table(view) -> str:
    """Each output's value (a tensor output: its shape and its first elements), read from the
    trace; an output ``[view] draw`` leaves out of it is read from the same build."""
    trace, built = view.trace, view.built
    width = max(len(name) for name in built) + 2
    lines = ["Values:"]
    for name, node in built.items():
        try:
            value = trace.forward_value(trace.id_of(node))
        except TraceError:  # not drawn, so not traced: the build's own forward value
            value = node.data
        data = np.asarray(value, dtype=np.float64)
        if data.size == 1:
            lines.append(f"  {name:<{width}}{_number(float(data.reshape(())))}")
        else:
            head = ", ".join(_number(float(v)) for v in data.reshape(-1)[:3])
            lines.append(f"  {name:<{width}}shape {' × '.join(map(str, data.shape))}: [{head}, …]")
    return "\n".join(lines)


def starts_text(scenario) -> str:
    if not scenario.starts:
        return ""
    lines = ["Starts (open one with --start NAME):"]
    for s in scenario.starts:
        given = s.leaves if s.leaves is not None else None
        what = ", ".join(f"{k} = {v:g}" for k, v in given.items()) if given else \
            ", ".join(f"{v:g}" for v in s.parameters)
        lines.append(f"  {s.name}: {what}")
    return "\n".join(lines)


def jacobian_corner(output, leaf, k: int = CORNER) -> tuple:
    """(corner block J[:k, :k], non-zeros per row over all inputs) for rows 0..k-1 by backprop:
    row i of ∂output/∂leaf is the leaf's gradient when output is seeded with the unit vector eᵢ.
    Each row is read from a trace, so no node's gradient is written."""
    flat_out = np.asarray(output.data).size
    rows = []
    nonzeros = []
    for i in range(min(k, flat_out)):
        seed = np.zeros(np.shape(output.data))
        seed.reshape(-1)[i] = 1.0
        trace = build_trace(output, seed=seed, fill_grads=False)
        grad = trace.grad_at(trace.id_of(leaf), len(trace.steps))
        row = np.asarray(grad if grad is not None else np.zeros(np.shape(leaf.data)), dtype=np.float64).reshape(-1)
        rows.append(row[:k].copy())
        nonzeros.append(int(np.count_nonzero(row)))
    return np.array(rows), nonzeros


def jacobian_text(scenario, built) -> str:
    if not scenario.jacobian:
        return ""
    leaves = {id(node): name for name, node in built.leaves.items() if not isinstance(node, list)}
    parts = []
    for name in scenario.jacobian:
        output = built[name]
        reached = [n for n in graph.reachable(output) if id(n) in leaves]
        for leaf in reached:
            n_out, n_in = np.asarray(output.data).size, np.asarray(leaf.data).size
            corner, nonzeros = jacobian_corner(output, leaf)
            lines = [f"Jacobian ∂{name}/∂{leaves[id(leaf)]}: {n_out:,} × {n_in:,} "
                     f"({n_out * n_in:,} entries; {name} has shape {' × '.join(map(str, np.shape(output.data)))})",
                     f"  its top-left {len(corner)} × {len(corner)} corner, row i computed by backprop from the unit vector eᵢ:"]
            for row in corner:
                lines.append("    [" + "  ".join(f"{v:8.4f}" for v in row) + " ]")
            if all(n == 1 for n in nonzeros) and np.allclose(corner, np.diag(np.diag(corner))):
                lines.append(f"  each of these rows has exactly 1 non-zero entry among all {n_in:,}: the Jacobian is "
                             f"diagonal, {n_in:,} non-zero numbers out of {n_out * n_in:,}")
            else:
                lines.append(f"  non-zero entries in these rows: {', '.join(map(str, nonzeros))}")
            parts.append("\n".join(lines))
    return "\n\n".join(parts)


def model_text(scenario, built) -> str:
    """Metrics of a classifier, the normal equation, and inference-mode facts."""
    parts = []
    if "output" in built and scenario.model.output_activation == "sigmoid" and len(built.parameters) == 2:
        w, b = (float(p.data) for p in built.parameters)
        x = float(samples(scenario)[0][0][0])
        output = built["output"]
        a = float(output.data)
        z = float(np.ravel(output.inputs[0].data)[0])
        slope = OPS["sigmoid"].scalar(z, None)[1][0]  # σ′(z) from the rule table, on either engine
        parts.append(f"The neuron at this start: z = w·x + b = {w:g}·{x:g} + {b:g} = {w * x + b:g}, "
                     f"a = σ(z) = {a:.6f}, σ′(z) = a(1 - a) = {slope:.6f} (σ′ is at most 0.25)")
    if is_classifier(scenario):
        from ..metrics import metrics_text
        m = scenario_metrics(scenario, built)
        parts.append("Classification metrics at the starting parameters (`graphviz-nn train` prints them "
                     "after training):\n" + metrics_text(m))
    if scenario.compare is not None and scenario.compare.normal_equation:
        from .normal_equation import CONVENTION, FORMULA, normal_equation
        w = normal_equation(scenario)
        names = [f"w{i + 1}" for i in range(len(w) - 1)] + ["b"]
        parts.append(f"Normal equation {FORMULA}: " + ", ".join(f"{n} = {v:.4f}" for n, v in zip(names, w))
                     + f"\n  ({CONVENTION}; `graphviz-nn train` sets gradient descent beside it)")
    if scenario.data.test_samples:
        from .build import held_out_loss
        parts.append(f"Held-out test set: {scenario.data.test_samples} samples of the same data set, never trained on; "
                     f"loss at the starting parameters: training {float(built.loss.data):.4f}, "
                     f"test {held_out_loss(scenario, built):.4f}  (`graphviz-nn train` prints both every iteration)")
    if scenario.model.engine == "tensor" and (scenario.model.dropout or scenario.model.batchnorm):
        parts.append(_inference_text(scenario, built))
    return "\n\n".join(parts)


def _inference_text(scenario, built) -> str:
    """Dropout's expectation and batch norm's running statistics: training vs inference outputs."""
    from ..tensor import Tensor
    xs = samples(scenario)[0]
    X = Tensor(np.array(xs, dtype=np.float64), label="X", requires_grad=False)
    model = built.model
    lines = []
    if scenario.model.dropout:
        p = scenario.model.dropout
        draws = 2000
        saved = [layer.rng for layer in _dropouts(model)]
        for layer in _dropouts(model):
            layer.rng = np.random.default_rng(0)
        with running_statistics_kept(model):  # draws that only show the expectation move no statistics
            mean = np.mean([np.asarray(model(X).data)[0, 0] for _ in range(draws)])
        for layer, rng in zip(_dropouts(model), saved):
            layer.rng = rng
        lines.append(f"Dropout at inference (p = {p:g}, the probability of dropping; the slide's p is the keep "
                     f"probability, 1 - p = {1 - p:g} here): each kept unit is scaled by 1/(1 - p) = {1 / (1 - p):g} while "
                     f"training, so no scaling is needed at inference.")
        lines.append(f"  first sample's output, mean over {draws:,} training-mode masks: {mean:.4f}; "
                     f"inference mode (no mask): {predict(scenario, built)[0]:.4f}")
        lines.append("  the slide's neuron h = w₁x₁ + w₂x₂ with each input kept with probability 0.5 has "
                     "E[h] = ½(w₁x₁ + w₂x₂) without that scaling, hence the slide's test-time scaling by p.")
    if scenario.model.batchnorm:
        trainer = scenario.trainer(None, INFERENCE_ITERATIONS)
        trainer.train()
        model = trainer.built.model
        bn = batchnorm_layers(model)[0]
        lines.append("Batch norm at inference normalises with running statistics, updated once by each training "
                     f"step (momentum {bn.momentum:g}) instead of the batch's own mean and variance.")
        lines.append(f"  after {INFERENCE_ITERATIONS} training iterations, {bn.name} running mean of the first 3 "
                     "features: " + ", ".join(f"{v:.4f}" for v in bn.running_mean[:3])
                     + "; running variance: " + ", ".join(f"{v:.4f}" for v in bn.running_var[:3]))
        with running_statistics_kept(model):  # showing the training-mode outputs is not a training step
            out_train = np.asarray(model(X).data).reshape(-1)[:3]
        out_eval = predict(scenario, trainer.built)[:3]
        lines.append("  outputs of the first 3 samples, batch statistics: " + ", ".join(f"{v:.4f}" for v in out_train)
                     + "; running statistics (inference): " + ", ".join(f"{v:.4f}" for v in out_eval))
    return "\n".join(lines)


def _dropouts(model) -> list:
    return [m for m in getattr(model, "modules", []) if hasattr(m, "last_mask")]


def facts(scenario, start=None, view=None) -> str:
    """Everything above that applies to this scenario, as text blocks separated by blank lines.

    ``view``: the scenario's ``to_trace`` (its trace and its one build), made here when not given.
    """
    if view is None:
        view = to_trace(scenario, start=start)
    if scenario.kind == "expression":
        blocks = [leaves_text(scenario, start) + "\n" + values_table(view), starts_text(scenario),
                  jacobian_text(scenario, view.built)]
    else:
        blocks = [starts_text(scenario), model_text(scenario, view.built)]
    return "\n\n".join(b for b in blocks if b)


__all__ = ["facts", "values_table", "jacobian_corner", "expression_leaf_values"]
