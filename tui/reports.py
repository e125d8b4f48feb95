"""Text of the ``x`` (gradient check) and ``d`` (diagnostics) reports, from library calls only."""
from __future__ import annotations

from graphviz_nn.gradcheck import gradcheck
from graphviz_nn.scenario_format.budget import MAX_GRADCHECK_NODES, check_gradcheck
from graphviz_nn.debugger.expand import replay


class Cancelled(Exception):
    """Raised by a progress callback to stop a running check."""


def gradient_check_text(trace, scenario=None, progress=None) -> str:
    """Backprop against central differences for every leaf, at the leaves' current values.

    A scalar graph is replayed by the debugger (``debugger.expand.replay``) on fresh leaves
    holding the trace's values, so the check needs no model code and never touches the
    user's nodes: the same gates run again with each leaf nudged by ±eps. Data leaves
    are not checked (they get no gradient). A tensor graph is checked through its scenario
    (``Scenario.gradcheck``) when it has one.
    ``progress(done, total)`` follows the graph evaluations (and may raise ``Cancelled``).
    A check beyond the work budget is refused with one sentence before it starts.
    """
    infos = trace.nodes
    if scenario is not None:
        check_gradcheck(scenario)
    if any(info.is_tensor for info in infos):
        if scenario is not None:
            return _HEAD + "(checked on the scenario's starting parameters)\n" + str(scenario.gradcheck(progress=progress))
        return ("This graph holds tensor nodes; the gradient check here replays scalar graphs only.\n"
                "Use graphviz_nn.gradcheck(output_fn, leaves) on the model in Python instead.")
    fresh, run = replay(trace)
    leaves = [leaf for leaf in fresh.values() if leaf.requires_grad]
    _name_samples(leaves)
    if not leaves:
        return ("This graph has no parameters to check (every leaf is data)." if fresh else
                "This graph has no leaves to check.")
    runs = 1 + 2 * len(leaves)
    if runs * len(infos) > MAX_GRADCHECK_NODES:
        return (f"A gradient check would rebuild this graph of {len(infos):,} nodes {runs:,} times, more than "
                f"the limit of {MAX_GRADCHECK_NODES:,} nodes in all; check a smaller graph with fewer leaves.")
    return _HEAD + str(gradcheck(run, leaves, progress=progress))


def _name_samples(leaves) -> None:
    """A batch repeats its inputs once per sample (x0, x1, x0, ...): each row says which sample."""
    counts: dict = {}
    for leaf in leaves:
        counts[leaf.label] = counts.get(leaf.label, 0) + 1
    seen: dict = {}
    for leaf in leaves:
        if counts[leaf.label] > 1:
            seen[leaf.label] = seen.get(leaf.label, 0) + 1
            leaf.label = f"{leaf.label} (sample {seen[leaf.label]})"


_HEAD = ("Gradient check: each leaf's backprop gradient against the finite difference "
         "(f(x+eps) - f(x-eps)) / 2eps.\n\n")


def training_report_text(target) -> str:
    """The training so far: loss, the accuracy of every iteration for a classifier, and the
    final precision, recall, F1, TPR, FPR, confusion matrix and ROC/PR AUC (``train``'s numbers)."""
    from graphviz_nn.metrics import metrics_text

    trainer = getattr(target, "trainer", None) if target is not None else None
    if trainer is None:
        return "This scenario does not train; open a training scenario with o (e.g. mlp-moons or metrics)."
    records = trainer.records()
    if not records:
        return "No iteration has run yet: press t to train one iteration, then open this report again."
    settings = trainer.settings
    lines = [f"{len(records)} iteration(s) of {settings.optimizer}, lr {settings.lr:g}"
             + (f", batch size {settings.batch_size}" if settings.batch_size else ""),
             f"loss {records[0]['loss']:.6g} at iteration {records[0]['iteration']}, "
             f"{records[-1]['loss']:.6g} at iteration {records[-1]['iteration']}"]
    if "accuracy" in records[-1]:
        lines.append("")
        lines.append("accuracy by iteration (last 10): " + ", ".join(
            f"{r['iteration']}: {r['accuracy']:.4f}" for r in records[-10:]))
    final = trainer.metrics()
    if final is not None:
        lines += ["", "Now, after the updates so far:", metrics_text(final)]
    return "\n".join(lines)


def diagnostics_text(trace) -> str:
    """One line per diagnostic flag (saturation, vanishing/exploding gradients, dead ReLUs)."""
    flags = diagnose(trace)
    if not flags:
        return "No problems found: no saturated units, no vanishing or exploding gradients, no dead ReLUs."
    lines = [f"{len(flags)} flag(s):", ""]
    for flag in flags:
        info = trace.node(flag.node)
        lines.append(f"{flag.node} ({info.label}) — {flag.kind}")
        lines.append(f"    {flag.sentence}")
    return "\n".join(lines)


def diagnose(trace) -> list:
    """The core's diagnostics, or none while that module is not available."""
    try:
        from graphviz_nn.debugger.diagnostics import diagnose as core_diagnose
    except ImportError:
        return []
    return list(core_diagnose(trace))

