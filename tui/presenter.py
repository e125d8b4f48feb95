"""Words and numbers for the widgets, read from a trace and its state (never computed here).

Every function takes what the debugger core already knows (``NodeInfo``, ``State``, ``Step``)
and returns text: a box's lines, the inspector's paragraphs, a step-list row.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Iterable, Optional

import numpy as np

from graphviz_nn.debugger import format as fmt, quiz
from graphviz_nn.ops import OPS, POSTFIX, TEMPLATE

from .picture.box import Box


# Digits come from the trace being shown (``trace.decimals``, set through ``Session.set_decimals``):
# one setting, owned by the session, never a process-wide one.


def number(x, decimals: int) -> str:
    """``x`` at the trace's digits (the one formatter: no -0.00)."""
    return fmt.number(x, decimals)


def product(step, decimals: int) -> str:
    """``[upstream] × [local] = contribution`` with digits that check out as displayed (the trace's formatter)."""
    return fmt.product(step.upstream, step.local, step.contribution, decimals)


def box_number(x, decimals: int) -> str:
    """A number short enough for a box: an array with more than one entry is its norm ``‖2.21‖``."""
    if isinstance(x, np.ndarray) and x.size > 1:
        return "‖" + number(float(np.linalg.norm(x)), decimals) + "‖"
    return number(x, decimals)


def step_digits(trace, step) -> dict:
    """``{node id: decimals}``: how the step's own line writes its gate's upstream gradient and its
    input's new gradient (``[0.1966] × [2.00] = 0.3932 → x0.grad = 0.3932``), so the inspector,
    the picture and the presentation line write those numbers the same way at this step."""
    if step is None or step.phase != "backward" or step.is_seed or step.local is None:
        return {}
    key = (id(trace), step.index, trace.decimals)
    if _LAST_DIGITS[0] != key:  # one entry: every box of a repaint asks about the same step
        _LAST_DIGITS[:] = [key, _digits(trace, step)]
    return _LAST_DIGITS[1]


_LAST_DIGITS: list = [None, {}]


def _digits(trace, step) -> dict:
    head, _, tail = step.text.partition(" → ")
    shown = {}
    if head.startswith("["):
        shown[step.node] = fmt.digits_of(head[1:head.index("]")])
    grad = _GRAD_SHOWN.search(tail)
    if grad:
        shown[step.input] = fmt.digits_of(grad.group(1))
    return {node: max(d, trace.decimals) for node, d in shown.items()}


# the gradient a step's line ends with: "x0.grad = 0.3932", "x.grad = 1.00 + 3.00 = 4.00 (2 of 3)"
_GRAD_SHOWN = re.compile(r"= (-?[\d.]+)(?: \(\d+ of \d+\))?$")


def widest_grad_digits(trace, max_steps: int = 20000) -> dict:
    """``{node id: decimals}``: the most digits any step's line writes the node's gradient with,
    so a box is measured wide enough for every step ({} for a trace too long to read through)."""
    if len(trace.steps) > max_steps:
        return {}
    widest: dict = {}
    for step in trace.steps:
        for node, digits in step_digits(trace, step).items():
            if digits > widest.get(node, trace.decimals):
                widest[node] = digits
    return widest


def step_tail(step) -> str:
    """What a backward step's line says after its product: ``x0.grad = 0.3932`` (its digits)."""
    return step.text.partition(" → ")[2]


def box_title(info) -> str:
    """A leaf's label; a gate's symbol, after the user's label if it has one (``f: 1/x``)."""
    if info.is_leaf:
        return info.label
    if info.user_label:
        return f"{info.user_label}: {info.symbol}"
    return info.symbol or info.op or info.id


def node_box(info, state, decimals: int, breakpoints=(), flagged=(), grad_decimals: Optional[int] = None) -> Box:
    """One gate-level box at a state: value once known, gradient (maybe partial) once known
    (``grad_decimals``: the digits the current step's line writes this gradient with)."""
    value = state.value(info.id)
    grad = state.grad(info.id)
    return Box(
        title=box_title(info),
        value=None if value is None else box_number(value, decimals),
        grad=None if grad is None else box_number(grad, grad_decimals or decimals),
        partial=grad is not None and state.is_partial(info.id),
        breakpoint=info.id in breakpoints,
        flagged=info.id in flagged,
        gate=not info.is_leaf,
    )


def phase_name(state) -> str:
    return {"start": "start", "end": "end"}.get(state.phase, state.phase)


def header_text(title: str, state, n_steps: int, iteration: Optional[int], level: str, depth: int = 0,
                inside: Optional[str] = None, sample: str = "", width: Optional[int] = None) -> str:
    """The header line: scenario, phase, step k of N, iteration, level, which gate we are inside,
    and the sample a network view shows. Within ``width`` columns the separators narrow and
    then the title (which the picker showed) gives way, so where you are is never cut off."""
    parts = [phase_name(state), f"step {state.k} of {n_steps}"]
    if iteration is not None:
        parts.append(f"iteration {iteration}")
    parts.append(f"level {level}")
    if depth:
        parts.append(f"inside a gate: {inside}" if inside else f"inside a gate, depth {depth}")
    if sample:
        parts.append(sample)
    line = "  │  ".join([title, *parts])
    if width is None or len(line) <= width:
        return line
    rest = " │ ".join(parts)
    room = width - len(rest) - 3  # what the title may take, with its separator
    if room >= len(title):
        return f"{title} │ {rest}"
    return f"{title[:room - 1]}… │ {rest}" if room >= 8 else rest


def step_row(step, reveal: bool = True, trace=None) -> str:
    """One line of the step list: number, phase letter, the step's sentence.

    Not yet reached in quiz mode (``reveal`` False): what will happen, without its numbers
    (``14 B  1/x → n11``), so the class can be asked before the screen answers.
    """
    head = f"{step.index + 1:>6} {step.phase[0].upper()}  "
    if reveal or trace is None:
        return head + step.text
    return head + future_text(step, trace)


def future_text(step, trace) -> str:
    """A step's action without its numbers."""
    info = trace.node(step.node)
    if step.phase == "backward" and step.input is not None:
        return f"{_short(info)} → {trace.node(step.input).name}.grad   ?"
    if step.phase == "update":
        return f"update {info.name}   ?"
    if info.is_leaf:
        return f"{info.name} = ?"
    return f"{info.id} = {info.formula} = ?"


def _short(info) -> str:
    """A gate as the lecture names it: its label, else its symbol and id."""
    if info.user_label:
        return info.user_label
    return f"{info.symbol} {info.id}" if info.symbol else info.id


def spoken_line(trace, state) -> str:
    """Presentation mode's one line: the current step with names, as a lecturer would say it."""
    step = state.step
    if step is None:
        return "Press n to take the first step."
    if step.phase == "backward" and step.local is not None and step.input is not None:
        gate = _short(trace.node(step.node))
        target = trace.node(step.input).name
        said = "upstream " + product(step, trace.decimals).replace("] × [", "] × local [", 1)
        return f"step {state.k}: {gate} → {target}:  {said}   →  {step_tail(step)}"  # the step list's digits
    return f"step {state.k}: {step.text}"


_CANDIDATES_MAX = 24  # ways to write one sub-expression, kept small (parentheses multiply them)


def formula_span(trace, node_id: Optional[str], text: str) -> Optional[tuple]:
    """Where a node's sub-expression is written in a formula (``(start, end)``), if it is found.

    The sub-expression is rebuilt from the node's inputs with their names (``w0*x0 + w1*x1``)
    and looked for with spaces ignored; a node the formula writes differently is not marked.
    """
    if node_id is None or not text:
        return None
    keep = [i for i, ch in enumerate(text) if not ch.isspace()]
    squeezed = "".join(text[i] for i in keep)
    memo: dict = {}
    wanted = _written(trace, node_id, memo, squeezed)
    if not wanted:
        return None
    for candidate in sorted(wanted, key=len, reverse=True):
        at = squeezed.find(candidate)
        if at >= 0 and candidate:
            return keep[at], keep[at + len(candidate) - 1] + 1
    return None


def _written(trace, node_id: str, memo: dict, squeezed: str) -> set:
    if node_id in memo:
        return memo[node_id]
    memo[node_id] = set()  # a cycle cannot happen; this also stops deep recursion on repeats
    info = trace.node(node_id)
    out: set = set()
    if info.is_leaf:
        out = {info.label} if info.label else set()
    else:
        args = [_written(trace, i, memo, squeezed) for i in info.inputs]
        wrapped = [a | {f"({x})" for x in a} for a in args]
        const = _const_text(info.const)
        rule = OPS.get(info.op)
        sym = rule.operator if rule is not None else None  # how the scenario language writes the gate
        if sym and len(wrapped) == 2:
            out = {f"{a}{sym}{b}" for a in wrapped[0] for b in wrapped[1]}
        elif sym == "*" and const == "-1" and wrapped:
            out = {f"-{a}" for a in wrapped[0]}
        elif sym and rule.notation == POSTFIX and wrapped and const:  # x + 1, and 1 + x for + and *
            out = {f"{a}{sym}{const}" for a in wrapped[0]}
            if sym in "+*":
                out |= {f"{const}{sym}{a}" for a in wrapped[0]}
        elif sym and rule.notation == TEMPLATE and wrapped and const:  # 1 - x, 1/x
            out = {f"{const}{sym}{a}" for a in wrapped[0]}
        elif info.op and len(args) == 1 and args[0]:
            out = {f"{info.op}({a})" for a in args[0]}
    out = set(sorted((c for c in out if c in squeezed), key=len)[:_CANDIDATES_MAX])  # only what is written
    memo[node_id] = out
    return out


def _const_text(const) -> str:
    try:
        c = float(const)
    except (TypeError, ValueError):
        return ""
    return str(int(c)) if c == int(c) else repr(c)


def lecture_formulas(target) -> list[tuple[str, str]]:
    """``(name, formula text)`` of an expression scenario's outputs."""
    scenario = getattr(target, "scenario", None)
    return [(name, getattr(program, "text", "")) for name, program in
            (getattr(scenario, "expressions", None) or {}).items()]


def lecture_text(target) -> str:
    """The lecture pane: title, the formula(s) (always in view: the current step is marked there),
    then the scenario's explanation."""
    scenario = getattr(target, "scenario", None)
    formulas = [f"{name} = {source}" for name, source in lecture_formulas(target) if source]
    model = getattr(scenario, "model", None)
    loss = getattr(model, "loss", None) if model is not None else None
    if loss:
        formulas.append(f"loss = {getattr(loss, 'text', loss)}")  # the source as written, never a repr
    lines = [target.title, ""]
    if formulas:
        lines += formulas + [""]
    if target.explanation:
        lines += [" ".join(target.explanation.split()), ""]
    lines.append("(L hides this pane)")
    return "\n".join(lines)


def quiz_numbers(text: str, trace) -> list[tuple[int, int, int]]:
    """``(start, end, step number)`` of each number in ``text`` that the trace computes
    (``debugger.quiz.secret_numbers``); in the app a leaf's value waits for its own step too."""
    return quiz.secret_numbers(text, trace, leaves_given=False)


hide_numbers = quiz.hide_numbers


class KnownFlags(Mapping):
    """``flags`` (node -> flags) as quiz mode shows them at ``state``: a node's flags whose number
    is known, decided on first look at that node (a step asks about the few boxes it draws)."""

    def __init__(self, flags: dict, state):
        self._flags, self._state, self._known = flags, state, {}

    def __getitem__(self, node):
        known = self._known.get(node)
        if known is None:
            known = self._known[node] = [f for f in self._flags[node] if flag_known(f, self._state)]
        if not known:
            raise KeyError(node)
        return known

    def __contains__(self, node) -> bool:
        try:
            self[node]
        except KeyError:
            return False
        return True

    def __iter__(self):
        return (node for node in self._flags if node in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


# A flag about a gradient is known once the gradient is complete; the others once the value is.
GRADIENT_FLAGS = ("vanishing", "exploding", "not_zero_centred")


def flag_known(flag, state) -> bool:
    """Has the step that shows this flag's number been reached? (quiz mode shows it only then)"""
    if flag.kind in GRADIENT_FLAGS:
        return state.grad(flag.node) is not None and not state.is_partial(flag.node)
    return state.value(flag.node) is not None


def inspector_lines(trace, state, node_id: Optional[str], flags: Iterable = (),
                    hide_locals: bool = False) -> list[tuple[str, str]]:
    """The inspector as ``(style, text)`` lines for one node at a state.

    ``hide_locals``: the local gradients as formulas only (exercise mode: a student still has to work them out).
    """
    if node_id is None:
        step = state.step
        return [("bold", "Nothing selected yet."),
                ("", "Press n (or →) to take the first step, or click a box.")] if step is None else []
    info = trace.node(node_id)
    d = trace.decimals
    out: list[tuple[str, str]] = []
    head = f"{info.id}  {box_title(info)}"
    if info.group:
        head += "   in " + ".".join(info.group)
    out.append(("bold", head))
    value = state.value(node_id)
    if info.is_leaf:
        out.append(("", f"leaf {info.user_label or info.id} = {number(value, d) if value is not None else '? (not yet computed)'}"))
    else:
        # a gate written micrograd's way is named by the user's op string, not the rule's name
        op = f"{info.symbol} (your own op)" if info.op in ("custom", "custom2") else info.op
        out.append(("", f"op {op}: {info.formula}"))
        out.append(("", f"value = {number(value, d) if value is not None else '? (not yet computed)'}"))
        out.append(("bold", "inputs"))
        for i, src in enumerate(info.inputs):
            v = state.value(src)
            out.append(("", f"  {i}: {_name(trace, src)} = {number(v, d) if v is not None else '?'}"))
        out.append(("bold", "local gradients"))
        locals_ = _local_numbers(info)
        for i, src in enumerate(info.inputs):
            formula = info.local_formulas[i] if i < len(info.local_formulas) else "?"
            known = value is not None and locals_ is not None and not hide_locals
            num = f" = {number(locals_[i], d)}" if known and i < len(locals_) else ""
            out.append(("", f"  ∂out/∂{_name(trace, src)}: {formula}{num}"))
    step = state.step
    if step is not None and step.phase == "backward" and step.node == node_id:
        out.append(("bold yellow", "this step"))
        if getattr(step, "is_seed", False):  # the seed: df/df = 1, no upstream yet
            out.append(("yellow", f"  {step.text}"))
        else:
            if step.local is not None:
                out.append(("yellow", f"  upstream × local = contribution: {product(step, d)}"))
            else:
                out.append(("yellow", f"  upstream {number(step.upstream, d)} → contribution {number(step.contribution, d)}"))
            tail = step_tail(step) if step.local is not None else ""
            out.append(("yellow", f"  → {tail}" if tail else f"  → {_name(trace, step.input)}.grad = {number(step.grad_after, d)}"))
            if step.local_text:
                out.append(("yellow", f"  local gradient: {step.local_text}"))
    elif step is not None and step.phase == "backward" and step.input == node_id:
        out.append(("bold yellow", "this step"))
        out.append(("yellow", f"  {step.text}"))
    elif step is not None and step.phase in ("forward", "update") and step.node == node_id:
        out.append(("bold yellow", "this step"))
        out.append(("yellow", f"  {step.text}"))
    out.extend(_gradient_lines(trace, state, node_id, step_digits(trace, step).get(node_id, d)))
    for flag in flags:
        out.append(("bold magenta", f"! {flag.kind}"))
        out.append(("magenta", f"  {flag.sentence}"))
    return out


def _gradient_lines(trace, state, node_id, d: int) -> list[tuple[str, str]]:
    """The gradient, and at fan-out the running sum of contributions that have arrived
    (``d`` digits: the trace's, or the ones the current step's line writes this gradient with)."""
    grad = state.grad(node_id)
    indices = trace.grad_steps(node_id)
    arrived = [i for i in indices if i < state.k]
    if not trace.node(node_id).requires_grad:
        return [("", "gradient: none (data, not a parameter)")]
    if grad is None:
        return [("", "gradient: ? (not yet computed)")]
    if len(indices) > 1:
        label = "partial gradient" if len(arrived) < len(indices) else "gradient"
        parts = [trace.steps[i].contribution for i in arrived]
        if all(isinstance(p, float) for p in parts) and isinstance(grad, float):
            summed = fmt.total(parts, grad, d)  # adds up as displayed, or says ≈
        else:
            summed = f"{' + '.join(number(p, d) for p in parts)} = {number(grad, d)}"
        return [("", f"{label}: {summed}  ({len(arrived)} of {len(indices)} contributions)")]
    return [("", f"gradient: {number(grad, d)}")]


def _local_numbers(info) -> Optional[tuple]:
    """The local gradients the engine stored on the node in the forward pass (from the trace)."""
    return info.local_grads


def _name(trace, node_id: str) -> str:
    info = trace.node(node_id)
    return info.user_label or (f"{info.id} ({info.symbol})" if info.symbol else info.id)
