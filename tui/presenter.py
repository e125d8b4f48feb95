"""Words and numbers for the widgets, read from a trace and its state (never computed here).

Every function takes what the debugger core already knows (``NodeInfo``, ``State``, ``Step``)
and returns text: a box's lines, the inspector's paragraphs, a step-list row.
"""
from __future__ import annotations

from typing import Iterable, Optional

import numpy as np

from graphviz_nn.debugger import format as fmt

from .picture.box import Box


def number(x) -> str:
    """Two decimals as the lecture writes them; a big array as its shape and norm."""
    return fmt.number(x)


def box_number(x) -> str:
    """A number short enough for a box: an array with more than one entry is its norm ``‖2.21‖``."""
    if isinstance(x, np.ndarray) and x.size > 1:
        return "‖" + fmt.number(float(np.linalg.norm(x))) + "‖"
    return fmt.number(x)


def box_title(info) -> str:
    """A leaf's label; a gate's symbol, after the user's label if it has one (``f: 1/x``)."""
    if info.is_leaf:
        return info.label
    if info.user_label:
        return f"{info.user_label}: {info.symbol}"
    return info.symbol or info.op or info.id


def node_box(info, state, breakpoints=(), flagged=()) -> Box:
    """One gate-level box at a state: value once known, gradient (maybe partial) once known."""
    value = state.value(info.id)
    grad = state.grad(info.id)
    return Box(
        title=box_title(info),
        value=None if value is None else box_number(value),
        grad=None if grad is None else box_number(grad),
        partial=grad is not None and state.is_partial(info.id),
        breakpoint=info.id in breakpoints,
        flagged=info.id in flagged,
    )


def phase_name(state) -> str:
    return {"start": "start", "end": "end"}.get(state.phase, state.phase)


def header_text(title: str, state, n_steps: int, iteration: Optional[int], level: str, depth: int = 0,
                inside: Optional[str] = None) -> str:
    """The header line: scenario, phase, step k of N, iteration, level, and which gate we are inside."""
    parts = [title, phase_name(state), f"step {state.k} of {n_steps}"]
    if iteration is not None:
        parts.append(f"iteration {iteration}")
    parts.append(f"level {level}")
    if depth:
        parts.append(f"inside a gate: {inside}" if inside else f"inside a gate, depth {depth}")
    return "  │  ".join(parts)


def step_row(step) -> str:
    """One line of the step list: number, phase letter, the step's own sentence."""
    return f"{step.index + 1:>6} {step.phase[0].upper()}  {step.text}"


def inspector_lines(trace, state, node_id: Optional[str], flags: Iterable = ()) -> list[tuple[str, str]]:
    """The inspector as ``(style, text)`` lines for one node at a state."""
    if node_id is None:
        step = state.step
        return [("bold", "Nothing selected yet."),
                ("", "Press n (or →) to take the first step, or click a box.")] if step is None else []
    info = trace.node(node_id)
    out: list[tuple[str, str]] = []
    head = f"{info.id}  {box_title(info)}"
    if info.group:
        head += "   in " + ".".join(info.group)
    out.append(("bold", head))
    value = state.value(node_id)
    if info.is_leaf:
        out.append(("", f"leaf {info.user_label or info.id} = {number(value) if value is not None else '? (not yet computed)'}"))
    else:
        # a gate written micrograd's way is named by the user's op string, not the rule's name
        op = f"{info.symbol} (your own op)" if info.op in ("custom", "custom2") else info.op
        out.append(("", f"op {op}: {info.formula}"))
        out.append(("", f"value = {number(value) if value is not None else '? (not yet computed)'}"))
        out.append(("bold", "inputs"))
        for i, src in enumerate(info.inputs):
            v = state.value(src)
            out.append(("", f"  {i}: {_name(trace, src)} = {number(v) if v is not None else '?'}"))
        out.append(("bold", "local gradients"))
        locals_ = _local_numbers(info)
        for i, src in enumerate(info.inputs):
            formula = info.local_formulas[i] if i < len(info.local_formulas) else "?"
            known = value is not None and locals_ is not None
            num = f" = {number(locals_[i])}" if known and i < len(locals_) else ""
            out.append(("", f"  ∂out/∂{_name(trace, src)}: {formula}{num}"))
    step = state.step
    if step is not None and step.phase == "backward" and step.node == node_id:
        out.append(("bold yellow", "this step"))
        if step.local is not None:
            out.append(("yellow", f"  upstream × local = contribution: [{number(step.upstream)}] × "
                                  f"[{number(step.local)}] = {number(step.contribution)}"))
        else:
            out.append(("yellow", f"  upstream {number(step.upstream)} → contribution {number(step.contribution)}"))
        out.append(("yellow", f"  → {_name(trace, step.input)}.grad = {number(step.grad_after)}"))
        if step.local_text:
            out.append(("yellow", f"  local gradient: {step.local_text}"))
    elif step is not None and step.phase == "backward" and step.input == node_id:
        out.append(("bold yellow", "this step"))
        out.append(("yellow", f"  {step.text}"))
    elif step is not None and step.phase in ("forward", "update") and step.node == node_id:
        out.append(("bold yellow", "this step"))
        out.append(("yellow", f"  {step.text}"))
    out.extend(_gradient_lines(trace, state, node_id))
    for flag in flags:
        out.append(("bold magenta", f"! {flag.kind}"))
        out.append(("magenta", f"  {flag.sentence}"))
    return out


def _gradient_lines(trace, state, node_id) -> list[tuple[str, str]]:
    """The gradient, and at fan-out the running sum of contributions that have arrived."""
    grad = state.grad(node_id)
    indices = trace.grad_steps(node_id)
    arrived = [i for i in indices if i < state.k]
    if not trace.node(node_id).requires_grad:
        return [("", "gradient: none (data, not a parameter)")]
    if grad is None:
        return [("", "gradient: ? (not yet computed)")]
    if len(indices) > 1:
        parts = " + ".join(number(trace.steps[i].contribution) for i in arrived)
        label = "partial gradient" if len(arrived) < len(indices) else "gradient"
        return [("", f"{label}: {parts} = {number(grad)}  ({len(arrived)} of {len(indices)} contributions)")]
    return [("", f"gradient: {number(grad)}")]


def _local_numbers(info) -> Optional[tuple]:
    """The local gradients the engine stored on the node in the forward pass (from the trace)."""
    return info.local_grads


def _name(trace, node_id: str) -> str:
    info = trace.node(node_id)
    return info.user_label or (f"{info.id} ({info.symbol})" if info.symbol else info.id)
