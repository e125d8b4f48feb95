"""Diagnostics of a finished trace: flagged nodes, each with one sentence in the lecture's words.

``diagnose`` flags the origin of a NaN/inf, saturated sigmoid/tanh gates (they "kill" the
gradient), dead ReLUs (they never update), sigmoid outputs feeding weights (not
zero-centred, so those weights' gradients all share one sign) and vanishing or exploding
parameter gradients. ``layer_report`` summarises an MLP over a batch per layer.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..ops import OPS
from . import breakpoints as bp
from . import format as fmt
from .trace import Trace, is_finite, magnitude


@dataclass(frozen=True)
class Flag:
    """A node worth a look: ``kind`` is a watch kind or ``"not_zero_centred"``."""

    node: str
    kind: str
    sentence: str


def diagnose(trace: Trace, vanishing: float = 1e-5, exploding: float = 1e3,
             saturated: float = bp.SATURATION_THRESHOLD) -> list:
    """Flagged nodes of a finished trace, in step order, at most one flag per node and kind."""
    flags: list = []
    seen: set = set()

    def add(node, kind, sentence):
        if (node, kind) not in seen:
            seen.add((node, kind))
            flags.append(Flag(node, kind, sentence))

    origin_found = {"forward": False, "backward": False}
    for step in trace.steps:
        if step.phase in origin_found and not origin_found[step.phase]:
            sentence = bp.check_watch("not_finite", None, trace, step)
            if sentence is not None:
                origin_found[step.phase] = True
                add(step.node, "not_finite", sentence)
        if step.phase == "forward":
            for kind, threshold in (("saturated", saturated), ("dead_relu", None)):
                sentence = bp.check_watch(kind, threshold, trace, step)
                if sentence is not None:
                    add(step.node, kind, sentence)
    end = len(trace.steps)
    flags[:] = [_saturation_settled(trace, f, end, saturated) if f.kind == "saturated" else f for f in flags]
    _not_zero_centred(trace, add)
    for info in trace.nodes:
        if not info.is_leaf:
            continue
        g = trace.grad_at(info.id, end)
        if g is None or not is_finite(g):
            continue
        m = magnitude(g)
        if 0 < m < vanishing:
            add(info.id, "vanishing", _vanishing_sentence(trace, info, g, m))
        elif m > exploding:
            add(info.id, "exploding", f"{info.name}.grad = {fmt.number(g)} is huge: one update with it "
                                      f"will overshoot; lower the learning rate")
    return flags


def _saturation_settled(trace: Trace, flag: Flag, end: int, threshold: float) -> Flag:
    """The watch's "kills it unless the gradient from above is large", settled by the finished
    trace: a saturated gate whose input still gets a gradient of at least ``threshold`` (in units
    of the output's own gradient, 1) did not kill it, as the cross-entropy cost makes up for a
    sigmoid (σ' cancels). No gradient number in the sentence: quiz mode shows a saturation flag
    once the gate's value is known."""
    info = trace.node(flag.node)
    g_in = trace.grad_at(info.inputs[0], end)
    head = flag.sentence.split("): it multiplies")[0]
    if g_in is None or not is_finite(g_in) or magnitude(g_in) < threshold:
        return Flag(flag.node, flag.kind, f"{head}): it kills the gradient flowing back through it")
    return Flag(flag.node, flag.kind,
                f"{head}), but the gradient arriving from above is large enough to make up for it, "
                f"so here it does not kill the gradient flowing back through it")


def _vanishing_sentence(trace: Trace, info, g, m: float) -> str:
    """Why a finished gradient is tiny: small local gradients multiplied it away, or larger terms
    summed into it cancel (a bias right before batch normalisation: the batch mean removes it)."""
    largest = 0.0
    for i in trace.grad_steps(info.id):
        step = trace.steps[i]
        largest = max(largest, magnitude(step.contribution))
        if _passes_unchanged(trace.node(step.node)):  # the upstream is summed in unchanged
            largest = max(largest, magnitude(step.upstream))
    if largest > 1e3 * m:
        return (f"{info.name}.grad = {fmt.number(g)} is vanishingly small, though the terms summed into it "
                f"are not (up to {fmt.number(largest)}): they cancel, so it barely learns (as a bias right "
                f"before batch normalisation does: subtracting the batch mean removes it)")
    return (f"{info.name}.grad = {fmt.number(g)} is vanishingly small: "
            f"the local gradients on its path multiplied it away, so it barely learns")


def _passes_unchanged(info) -> bool:
    """Whether a gate hands its upstream gradient on as it is (every local gradient ±1, as for + and
    -), read from the rule table at one point: a tensor gate of it only sums over broadcast axes."""
    rule = OPS.get(info.op)
    if rule is None or rule.scalar is None:
        return False
    const = info.const if isinstance(info.const, (int, float)) else rule.default
    _, local = rule.scalar(*(0.7, 1.3)[:rule.arity], const)
    return all(abs(v) == 1 for v in local)


def _not_zero_centred(trace: Trace, add) -> None:
    """A neuron whose weights multiply only sigmoid outputs (always > 0): its weights' gradients share a sign."""
    by_neuron: dict = {}
    for info in trace.nodes:
        if info.op != "mul":
            continue
        a, b = (trace.node(i) for i in info.inputs)
        if a.is_leaf == b.is_leaf:
            continue  # not a weight times an input
        x = b if a.is_leaf else a
        by_neuron.setdefault(info.group, []).append((info.id, x.op == "sigmoid"))
    for path, gates in by_neuron.items():
        if all(from_sigmoid for _, from_sigmoid in gates):
            first = gates[0][0]
            where = f"neuron {'.'.join(path)}" if path else f"gate {first}"
            add(first, "not_zero_centred",
                f"{where} takes only sigmoid outputs, which are always positive (not zero-centred), so "
                f"the gradients on its weights all share one sign and their updates zig-zag")


@dataclass(frozen=True)
class LayerStats:
    """One layer over a batch: ReLU activity and the norm of its parameters' gradients."""

    layer: str
    relus: int  # ReLU gates evaluated (neurons × samples)
    inactive_fraction: float  # of those, the fraction with input ≤ 0
    neurons: int
    dead_neurons: int  # neurons whose ReLU is inactive on every sample
    grad_norm: float  # √(Σ grad²) over the layer's parameter leaves

    @property
    def dead_fraction(self) -> float:
        return self.dead_neurons / self.neurons if self.neurons else 0.0


def layer_report(trace: Trace) -> list:
    """Per layer (depth-1 group): dead ReLU fraction and gradient norm, for an MLP traced over a batch."""
    end = len(trace.steps)
    layers: dict = {}
    for info in trace.nodes:
        if not info.group:
            continue
        entry = layers.setdefault(info.group[0], {"relus": 0, "inactive": 0, "neurons": {}, "sq": 0.0})
        if info.op == "relu":
            x = np.asarray(trace.forward_value(info.inputs[0]), dtype=float)
            off = x <= 0
            entry["relus"] += x.size
            entry["inactive"] += int(off.sum())
            neuron = info.group[:2]
            alive = entry["neurons"].get(neuron, False)
            entry["neurons"][neuron] = alive or not bool(off.all())
        if info.is_leaf:
            g = trace.grad_at(info.id, end)
            if g is not None:
                entry["sq"] += float(np.sum(np.square(g)))
    return [LayerStats(name, e["relus"], e["inactive"] / e["relus"] if e["relus"] else 0.0,
                       len(e["neurons"]), sum(1 for alive in e["neurons"].values() if not alive),
                       math.sqrt(e["sq"]))
            for name, e in layers.items()]


def report(trace: Trace) -> str:
    """The diagnostics as text: one line per flag, then one line per layer when there are groups."""
    lines = [f"{f.node:>6}  {f.kind:<16} {f.sentence}" for f in diagnose(trace)] or ["no problems found"]
    for s in layer_report(trace):
        lines.append(f"layer {s.layer}: gradient norm {fmt.number(s.grad_norm)}, "
                     f"dead ReLUs {s.dead_neurons}/{s.neurons} neurons, inactive {s.inactive_fraction:.0%}")
    return "\n".join(lines)
