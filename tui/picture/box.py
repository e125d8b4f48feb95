"""What one box of the terminal picture says: a plain model the app's widgets draw (no Textual here)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Box:
    """What one box shows: ``value``/``grad`` are text or ``None`` while not yet known."""

    title: str
    value: Optional[str] = None
    grad: Optional[str] = None
    partial: bool = False
    breakpoint: bool = False
    flagged: bool = False
    gate: bool = False  # a gate or a group (drawn as the lecture's circle in the compact style)
