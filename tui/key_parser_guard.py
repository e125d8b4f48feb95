"""Contain a defect in Textual's key parser: two short escape sequences used to end the app.

Textual (8.2.8) parses a kitty-protocol key report ``CSI code u`` (and ``CSI number letter``)
with ``chr(code)`` and no range check, so ``ESC [1114112u`` raises ``ValueError`` and
``ESC [99999999999999999999A`` raises ``OverflowError`` inside the driver's input thread; the
app dies with a traceback (once with exit status 0). Such bytes come from a hostile paste, a
broken terminal or a browser under ``serve``. Until upstream checks the range, a report naming
no real character is dropped: no key was pressed.
"""
from __future__ import annotations

from textual._xterm_parser import XTermParser

_GUARDED = "_graphviz_nn_guarded"


def install() -> bool:
    """Wrap the parser's extended-key method once; False when this Textual has no such method."""
    original = getattr(XTermParser, "_parse_extended_key", None)
    if original is None or getattr(original, _GUARDED, False):
        return False

    def parse_extended_key(self, sequence: str):
        try:
            return original(self, sequence)
        except (ValueError, OverflowError):  # a code point beyond U+10FFFF or beyond a C int
            return []

    setattr(parse_extended_key, _GUARDED, True)
    XTermParser._parse_extended_key = parse_extended_key
    return True
