"""Text on diagrams: numbers to a fixed number of decimals, tensor summaries, escaping.

Every label the renderer writes is an HTML-like Graphviz label, so user text goes through
``html_text`` (``&``, ``<``, ``>``, quotes and newlines made safe); nothing else is quoted.

>>> number(0.7310585786, 2), number(None, 2), number(-1e-9, 2)
('0.73', '', '-1.00e-09')
>>> html_text('a<b & "c"')
'a&lt;b &amp; &quot;c&quot;'
"""
from __future__ import annotations

import re

import numpy as np

from ..debugger import format as fmt

# C0/C1 control characters (except newline and tab), which SVG/XML cannot carry.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Graphviz turns "\\" into "\" even inside HTML-like labels, so each backslash is doubled.
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "\\": "\\\\"}
_HTML_RE = re.compile(r"[&<>\"'\\]")
_NEEDS_WORK = re.compile(r"[&<>\"'\\\t\n\r\x00-\x08\x0b-\x1f\x7f-\x9f]")


def number(x, decimals: int = 2) -> str:
    """A scalar as the lecture writes it; ``""`` when unknown (never ``0``).

    Numbers too small to show at this precision switch to scientific notation, so a
    vanishing gradient never reads as a misleading ``0.00``.
    """
    if x is None:
        return ""
    if isinstance(x, np.ndarray):
        return summary(x, decimals)
    return fmt.number(x, decimals)  # the one formatter every view shares


def summary(a: np.ndarray, decimals: int = 2) -> str:
    """A tensor as its shape and a compact summary: ``(128, 10) mean 0.02 |max| 3.10``."""
    a = np.asarray(a)
    if a.ndim == 0:
        return number(float(a), decimals)
    if a.size == 0:
        return f"{tuple(a.shape)} empty"
    return (f"{tuple(a.shape)} mean {number(float(np.mean(a)), decimals)} "
            f"|max| {number(float(np.max(np.abs(a))), decimals)}")


def shape_text(shape) -> str:
    """A shape as ``(128, 10)``; ``()`` for a scalar."""
    return str(tuple(int(n) for n in shape)) if shape is not None else ""


def plain(text) -> str:
    """User text with unprintable control characters shown as ``\\xNN`` (XML cannot hold them)
    and tabs as spaces (Graphviz drops them)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text)).replace("\t", " ")


def html_text(text) -> str:
    """User text escaped for a Graphviz HTML-like label; newlines become line breaks."""
    text = str(text)
    if not _NEEDS_WORK.search(text):
        return _brackets(text)  # most labels (x0, w1, *, exp) need nothing
    escaped = _HTML_RE.sub(lambda m: _HTML[m.group()], plain(text))
    # Graphviz collapses nothing inside HTML labels, but a bare newline is not a break.
    lines = escaped.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return '<br align="center"/>'.join(map(_brackets, lines))


def _brackets(line: str) -> str:
    """Graphviz's HTML lexer fails on (or drops) a text run of nothing but "]": write those as entities."""
    return "&#93;" * len(line) if line and not line.strip("]") else line


def contribution_text(upstream, local, contribution, decimals: int = 2) -> str:
    """The lecture's ``[upstream] × [local] = contribution``, digits chosen so it checks out."""
    return fmt.product(upstream, local, contribution, decimals)
