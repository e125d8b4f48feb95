"""Colours of a diagram: the lecture's green values and red gradients, or a colour-blind-safe set.

Colour is never the only cue: values sit above an edge and gradients below it, and the
current node or edge is also drawn thicker.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import UserError


@dataclass(frozen=True)
class Palette:
    """Named colours used by ``render.dot``."""

    name: str
    value: str        # forward values, above each edge
    grad: str         # gradients, below each edge
    highlight: str    # border and edge colour of the current node or edge
    highlight_fill: str
    annotation: str   # "upstream × local = contribution"
    node_border: str = "#333333"
    node_fill: str = "#ffffff"
    edge: str = "#555555"
    group_fill: str = "#eef2f7"


PALETTES = {
    "lecture": Palette("lecture", value="#1a7f37", grad="#c62828", highlight="#1f4e9e",
                       highlight_fill="#fff2a8", annotation="#1f4e9e"),
    # Okabe & Ito's palette: blue and vermillion stay distinct for every common colour-vision type.
    "colorblind": Palette("colorblind", value="#0072b2", grad="#d55e00", highlight="#000000",
                          highlight_fill="#f0e442", annotation="#000000"),
}


class UnknownPaletteError(UserError):
    """A palette name that is not in ``PALETTES``."""


def palette(name_or_palette) -> Palette:
    """A ``Palette`` by name (``lecture`` or ``colorblind``), or the one given."""
    if isinstance(name_or_palette, Palette):
        return name_or_palette
    try:
        return PALETTES[name_or_palette]
    except KeyError:
        raise UnknownPaletteError(
            f"unknown palette {name_or_palette!r}; choose one of {', '.join(PALETTES)}"
        ) from None
