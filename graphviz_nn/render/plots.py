"""The pictures the slides draw, with matplotlib: what ``graphviz-nn plot`` writes.

- a scenario that trains: loss (and the recorded output, and a classifier's accuracy) against
  the iteration for every run its ``[compare]`` table sets side by side; for a binary
  classifier also the decision boundary (two inputs) and the ROC and PR curves;
- an expression scenario that does not train: each output as a function of its first scalar
  leaf, and beside it the derivative, computed by backprop at every point (the activation
  zoo and its derivatives, ReLU'(0) as the engine defines it).

matplotlib is imported here only, on its non-interactive Agg backend, and only when a plot
is asked for, so the other commands start as fast as before. The figure is rendered into
memory and written atomically like every other export.
"""
from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .export import ExportError, atomic_write

PLOT_FORMATS = ("svg", "png", "pdf")
MAX_CURVES = 12  # outputs drawn as functions; more would be an unreadable tangle


@dataclass(frozen=True)
class Style:
    """Figure size, font and line sizes: ``screen`` for a laptop, ``projector`` for a lecture hall."""

    name: str
    panel: tuple  # inches per panel (width, height)
    font: float
    line: float
    dpi: int


STYLES = {
    "screen": Style("screen", (5.0, 3.6), 9.0, 1.6, 110),
    "projector": Style("projector", (6.4, 4.6), 15.0, 3.0, 120),
}


class PlotError(ExportError):
    """A plot that cannot be drawn (nothing to plot, unknown format)."""


def plot_format(path) -> str:
    suffix = Path(str(path)).suffix.lower().lstrip(".")
    if suffix not in PLOT_FORMATS:
        raise PlotError(f"cannot tell the image format of {str(path)!r}; use a name ending in .svg, .png or .pdf")
    return suffix


# ---- what to draw (plain data, no matplotlib) ---------------------------------------------

@dataclass
class Panel:
    title: str
    xlabel: str
    ylabel: str
    lines: list  # (label, xs, ys, style dict)
    kind: str = "lines"  # or "boundary" (then ``extra`` holds the grid and the points)
    extra: dict | None = None
    log_y: bool = False
    diagonal: bool = False  # the chance line of a ROC curve


def panels_for(scenario, iterations: int | None = None) -> list:
    """The panels a scenario's plot holds; ``PlotError`` when there is nothing to plot."""
    if scenario.training is not None:
        return _training_panels(scenario, iterations)
    if scenario.kind == "expression" and scenario.engine == "scalar":
        return _function_panels(scenario)
    raise PlotError(f"the scenario {scenario.id!r} neither trains nor is a function of a scalar leaf, so there is "
                    "nothing to plot; try 'graphviz-nn render' for its graph")


def _training_panels(scenario, iterations) -> list:
    from ..scenario_build.runs import runs
    every = runs(scenario, iterations)  # the whole comparison's work is checked before the first run
    dashes = ["-", "--", ":", "-."]
    colours = [f"C{i}" for i in range(10)]
    scenario_ids = list(dict.fromkeys(r.scenario.id for r in every))
    start_names = list(dict.fromkeys(str(r.start) for r in every))
    prefix = _common_prefix(scenario_ids)
    loss, accuracy = [], []
    series: dict = {}  # recorded outputs (the neuron's output a, w - 3, ...) by name
    trainers = []
    for i, run in enumerate(every):
        trainer = run.scenario.trainer(run.start, iterations, run.lr, run.batch_size)
        records = trainer.train()
        trainers.append(trainer)
        if len(scenario_ids) > 1:  # the two costs: a colour each, the starts dashed apart
            style = {"color": colours[scenario_ids.index(run.scenario.id) % 10],
                     "linestyle": dashes[start_names.index(str(run.start)) % 4]}
        else:
            style = {"color": colours[i % 10], "linestyle": "-"}
        label = run.label.replace(prefix, "", 1) if prefix else run.label
        xs = [r["iteration"] for r in records]
        loss.append((label, xs, [r["loss"] for r in records], style))
        for name in records[0]:
            if name not in ("iteration", "loss", "accuracy") and all(isinstance(r.get(name), float) for r in records):
                series.setdefault(name, []).append((label, xs, [r[name] for r in records], style))
        if all("accuracy" in r for r in records):
            accuracy.append((label, xs, [r["accuracy"] for r in records], style))
    finite = [abs(v) for _, _, ys, _ in loss for v in ys if math.isfinite(v) and v > 0]
    spread = max(finite) / min(finite) if finite else 1.0
    panels = []
    for name, lines in series.items():
        what = "output a" if name == "output" else name
        panels.append(Panel(f"{what} vs iteration", "iteration (epoch)", what, lines))
    panels.append(Panel("Loss vs iteration" + (" (log scale)" if spread > 1e3 else ""), "iteration", "loss", loss,
                        log_y=spread > 1e3))
    if accuracy:
        panels.append(Panel("Training accuracy", "iteration", "accuracy", accuracy))
    main = trainers[0]
    if main.classifies:
        panels.extend(_classifier_panels(scenario, main))
    return panels


def _common_prefix(ids: list) -> str:
    """``learning-slowdown-`` for the two learning-slowdown costs: legends say only what differs."""
    if len(ids) < 2:
        return ""
    first, last = min(ids), max(ids)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:first.rfind("-", 0, n) + 1] if "-" in first[:n] else ""


def _classifier_panels(scenario, trainer) -> list:
    from .. import metrics
    from ..scenario_build.build import predict, samples
    xs, ys = samples(scenario)
    labels = np.array([y[0] for y in ys])
    scores = predict(scenario, trainer.built, xs)
    n = len(trainer.history)
    panels = []
    if scenario.model.inputs == 2:
        X = np.array(xs)
        pad = 0.5
        gx = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, 120)
        gy = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, 120)
        mx, my = np.meshgrid(gx, gy)
        grid = predict(scenario, trainer.built, [tuple(p) for p in np.column_stack([mx.ravel(), my.ravel()])])
        panels.append(Panel(f"Decision boundary after {n} iterations", "x₁", "x₂", [], kind="boundary",
                            extra={"mx": mx, "my": my, "p": grid.reshape(mx.shape), "X": X, "y": labels}))
    fpr, tpr = metrics.roc_curve(labels, scores)
    recall, precision = metrics.pr_curve(labels, scores)
    auc, ap = metrics.roc_auc(labels, scores), metrics.pr_auc(labels, scores)
    panels.append(Panel(f"ROC curve (AUC {auc:.3f})", "FPR = FP / (FP + TN)", "TPR = TP / (TP + FN)",
                        [("ROC", fpr, tpr, {"color": "C0", "linestyle": "-", "drawstyle": "default"})], diagonal=True))
    recall, precision = np.concatenate([[0.0], recall]), np.concatenate([[precision[0]], precision])
    panels.append(Panel(f"Precision-recall curve (AP {ap:.3f})", "recall", "precision",
                        [("PR", recall, precision, {"color": "C1", "linestyle": "-"})]))
    return panels


def _function_panels(scenario) -> list:
    """Each scalar output against the first scalar leaf, and its derivative by backprop."""
    from .. import graph
    from ..scenario_build.build import build
    built = build(scenario)
    names = [n for n, v in scenario.leaves.items() if isinstance(v, float)]
    if not names:
        raise PlotError(f"the scenario {scenario.id!r} has no scalar leaf to vary, so there is nothing to plot")
    leaf_name = names[0]
    x0 = scenario.leaves[leaf_name]
    reach = max(4.0, 2 * abs(x0))
    grid = np.linspace(-reach, reach, 241)
    outputs = [n for n, node in built.items() if np.ndim(node.data) == 0][:MAX_CURVES]
    values = {n: [] for n in outputs}
    slopes = {n: [] for n in outputs}
    leaf = built.leaves[leaf_name]
    for x in grid:
        leaf.data = float(x)
        again = _rebuild(scenario, built)
        for name in outputs:
            node = again[name]
            nodes = graph.reachable(node)
            leaf.grad = 0.0
            graph.backward(node, nodes)
            values[name].append(float(node.data))
            slopes[name].append(float(leaf.grad) if leaf in nodes else 0.0)
    style = [{"color": f"C{i % 10}", "linestyle": "-" if i < 10 else "--"} for i in range(len(outputs))]
    return [Panel(f"Outputs as functions of {leaf_name}", leaf_name, "value",
                  [(n, grid, values[n], style[i]) for i, n in enumerate(outputs)]),
            Panel(f"Their derivatives d/d{leaf_name}, by backprop", leaf_name, "derivative",
                  [(n, grid, slopes[n], style[i]) for i, n in enumerate(outputs)])]


def _rebuild(scenario, built):
    """The outputs recorded afresh on the same leaf nodes (the builder's public way to do it)."""
    from ..scenario_build.build import fresh_outputs
    return fresh_outputs(scenario, built)[1]


# ---- drawing ------------------------------------------------------------------------------

def figure_bytes(panels: list, title: str, fmt: str, style: Style) -> bytes:
    import matplotlib
    matplotlib.use("Agg", force=True)  # no display: plots are files
    from matplotlib.figure import Figure

    columns = min(len(panels), 3 if len(panels) > 4 else 2)
    rows = math.ceil(len(panels) / columns)
    width, height = style.panel
    fig = Figure(figsize=(width * columns, height * rows + 0.6), dpi=style.dpi, layout="constrained")
    # a one-panel figure is narrow: the title wraps instead of running off the edges
    characters = int(width * columns * 72 / (style.font * 1.2 * 0.6))
    fig.suptitle("\n".join(textwrap.wrap(title, max(20, characters))), fontsize=style.font * 1.2)
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax, panel in zip(axes, panels):
        _draw(ax, panel, style)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else ({"CreationDate": None} if fmt == "pdf" else None)
    fig.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()


def _draw(ax, panel: Panel, style: Style) -> None:
    ax.set_title(panel.title, fontsize=style.font * 1.05)
    ax.set_xlabel(panel.xlabel, fontsize=style.font)
    ax.set_ylabel(panel.ylabel, fontsize=style.font)
    ax.tick_params(labelsize=style.font * 0.9)
    ax.grid(True, alpha=0.3)
    if panel.kind == "boundary":
        e = panel.extra
        ax.contourf(e["mx"], e["my"], e["p"], levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.35)
        ax.contour(e["mx"], e["my"], e["p"], levels=[0.5], colors="k", linewidths=style.line)
        for label, marker, colour in ((1.0, "o", "C3"), (0.0, "s", "C0")):
            pick = e["y"] == label
            ax.scatter(e["X"][pick, 0], e["X"][pick, 1], marker=marker, c=colour, edgecolors="k",
                       s=style.line * 12, label=f"y = {label:g}")
        ax.legend(fontsize=style.font * 0.8)
        return
    for label, xs, ys, line_style in panel.lines:
        ys = np.array(ys, dtype=np.float64)
        ys[~np.isfinite(ys)] = np.nan  # a diverging run stops where it overflows
        ax.plot(xs, ys, label=label, linewidth=style.line, **line_style)
    if panel.diagonal:
        ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=style.line * 0.7, label="chance")
    if panel.log_y:
        ax.set_yscale("log")
    if len(panel.lines) > 1 or panel.diagonal:
        ax.legend(fontsize=style.font * 0.75)


def write_plot(scenario, path, style: str = "screen", iterations: int | None = None) -> Path:
    """Draw the scenario's plot into ``path`` (.svg, .png or .pdf), written atomically."""
    fmt = plot_format(path)
    if style not in STYLES:
        raise PlotError(f"unknown style {style!r}; choose one of {', '.join(STYLES)}")
    panels = panels_for(scenario, iterations)
    data = figure_bytes(panels, f"{scenario.title}  [{scenario.id}]", fmt, STYLES[style])
    return atomic_write(path, data)
