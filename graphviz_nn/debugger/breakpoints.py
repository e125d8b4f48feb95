"""Breakpoints and watches: when a step should stop the debugger, and one sentence saying why.

A watch is a condition checked on every step taken by ``continue``/``step over``/``step out``:

- ``not_finite``: the first value or gradient that is inf/nan (its origin, not what follows)
- ``vanishing``: a finished gradient with 0 < |grad| < threshold (default 1e-4: saturated-sigmoid's 4.5e-05 is caught)
- ``exploding``: a finished gradient with |grad| > threshold (default 1e3)
- ``saturated``: a sigmoid/tanh/elu gate whose local gradient is below threshold (default 0.025:
  a tenth of σ′'s maximum 0.25, so the lecture's w = 2, b = 2 neuron with σ′ = 0.0177 is flagged)
- ``dead_relu``: a ReLU gate whose local gradient is 0 (its input is ≤ 0), so no gradient passes

Both activation watches read the local gradient the trace recorded from the rule table
(``Trace.local_gradient``); nothing here knows a derivative.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..arguments import ArgumentValueError, number
from ..errors import UserError
from ..ops import OPS
from . import format as fmt
from .trace import Step, Trace, is_finite, magnitude

# A sigmoid's local gradient is at most 0.25 (at z = 0); below a tenth of that the gate passes back
# less than 2.5% of its upstream gradient: the lecture's saturation (σ′ = 0.0177 at w = 2, b = 2).
SATURATION_THRESHOLD = 0.1 * 0.25
WATCH_DEFAULTS = {"not_finite": None, "vanishing": 1e-4, "exploding": 1e3, "saturated": SATURATION_THRESHOLD,
                  "dead_relu": None}
WATCH_KINDS = tuple(WATCH_DEFAULTS)


class BreakpointError(UserError):
    """A breakpoint or watch that cannot be set."""


@dataclass(frozen=True)
class Break:
    """Why the debugger stopped: ``reason`` ("breakpoint", "group", or a watch kind), the node
    it is about, one sentence, and ``k`` (the state index where it stopped)."""

    reason: str
    node: Optional[str]
    sentence: str
    k: int


def watch_kind(text: str) -> str:
    """A watch kind as people type it: ``dead relu``, ``dead-relu`` and ``Dead_ReLU`` are ``dead_relu``."""
    return "_".join(text.strip().lower().replace("-", " ").replace("_", " ").split())


def watch_threshold(kind: str, threshold=None):
    """Validate a watch kind and return its threshold (the default when none is given)."""
    kind = watch_kind(kind)
    if kind not in WATCH_DEFAULTS:
        raise BreakpointError(f"unknown watch {kind!r}; choose one of {', '.join(WATCH_KINDS)}")
    if threshold is None:
        return WATCH_DEFAULTS[kind]
    where = f"add_watch({kind!r})"
    if isinstance(threshold, str):  # typed in the app
        try:
            threshold = float(threshold)
        except ValueError:
            raise ArgumentValueError(f"{where}: the threshold must be a number such as 1e-5, "
                                     f"got {threshold!r:.40}") from None
    if WATCH_DEFAULTS[kind] is None:
        raise ArgumentValueError(f"{where}: this watch takes no threshold; call add_watch({kind!r}) alone")
    return number(threshold, "the threshold", where, positive=True, hint=" (a gradient or activation size)")


def _all(x, predicate) -> bool:
    return bool(np.all(predicate(np.asarray(x))))


def check_watch(kind: str, threshold, trace: Trace, step: Step) -> Optional[str]:
    """The sentence explaining why ``step`` triggers watch ``kind``, or None."""
    if kind == "not_finite":
        return _not_finite(trace, step)
    if step.phase == "backward" and kind in ("vanishing", "exploding"):
        if trace.grad_steps(step.input)[-1] != step.index:
            return None  # only a finished gradient says anything about vanishing/exploding
        g = magnitude(step.grad_after)
        name = trace.node(step.input).name
        if kind == "vanishing" and 0 < g < threshold:
            return (f"{name}.grad = {fmt.number(step.grad_after)} has vanished below {threshold:g}: "
                    f"each gate on the way multiplied it by a small local gradient, so {name} barely learns")
        if kind == "exploding" and g > threshold and is_finite(step.grad_after):
            return (f"{name}.grad = {fmt.number(step.grad_after)} exceeds {threshold:g}: large local "
                    f"gradients multiplied along the path; lower the learning rate or rescale the inputs")
        return None
    if step.phase != "forward":
        return None
    info = trace.node(step.node)
    if kind == "saturated" and info.op in OPS and OPS[info.op].saturating:
        local = trace.local_gradient(info.id)
        if _all(local, lambda v: v < threshold):
            return (f"{info.op} gate {info.name} is saturated (output {fmt.number(step.value)}, local gradient "
                    f"{fmt.number(local)} < {threshold:g}): it multiplies the gradient flowing back through "
                    f"it by that, which kills it unless the gradient from above is large")
    if kind == "dead_relu" and info.op == "relu":
        x = trace.forward_value(info.inputs[0])
        if _all(trace.local_gradient(info.id), lambda v: v == 0):
            # one input off is not yet dead: the lecture's dead ReLU is off for every input
            dead = ("off for every sample here: a dead ReLU" if np.size(x) > 1
                    else "a dead ReLU unless another input turns it on")
            return (f"ReLU {info.name} has input {fmt.number(x)} ≤ 0: its local gradient is 0, so no "
                    f"gradient passes and the weights before it do not update ({dead})")
    return None


def _not_finite(trace: Trace, step: Step) -> Optional[str]:
    if step.phase == "forward":
        if is_finite(step.value):
            return None
        info = trace.node(step.node)
        if not all(is_finite(trace.forward_value(i)) for i in info.inputs):
            return None  # inherited from an input: the origin was reported there
        what = info.formula or info.label
        return (f"{info.id} = {what} = {fmt.number(step.value)} is the first non-finite value (its inputs "
                f"are finite): everything downstream inherits it; check this gate's input domain")
    if step.phase == "backward":
        if is_finite(step.contribution) or not is_finite(step.upstream):
            return None
        info = trace.node(step.node)
        if not all(is_finite(trace.forward_value(i)) for i in info.inputs):
            return None  # a non-finite input value: the forward pass already showed the origin
        return (f"the gradient becomes non-finite at {info.id} ({info.label}): upstream "
                f"{fmt.number(step.upstream)} is finite but the local gradient "
                f"{fmt.number(step.local)} is not, so {trace.node(step.input).name}.grad = "
                f"{fmt.number(step.contribution)}")
    if step.phase == "update" and not is_finite(step.new_value):
        return f"the update of {trace.node(step.node).name} produced {fmt.number(step.new_value)}"
    return None
