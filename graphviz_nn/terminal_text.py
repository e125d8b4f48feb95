"""Text that is safe to print on a terminal: no control characters, no escape sequences.

Scenario files come from strangers; a title holding ``ESC [2J`` would clear the screen and an
OSC 52 sequence would write the reader's clipboard. The loader refuses such characters
(``first_control``); everything printed goes through ``terminal_safe`` as well.

    >>> terminal_safe("ok\\x1b[2J")
    'ok\\\\x1b[2J'
"""
from __future__ import annotations

import re

# C0 and C1 controls and DEL, and the invisible bidirectional overrides that can make text
# read differently from what it is; newline and tab are kept where multi-line text is allowed.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_OR_NEWLINE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def first_control(text: str, newlines: bool = True):
    """The index of the first control character in ``text`` (``\\n``/``\\t`` allowed when
    ``newlines``), or ``None``."""
    match = (_CONTROL if newlines else _CONTROL_OR_NEWLINE).search(text)
    return None if match is None else match.start()


def describe(ch: str) -> str:
    """A control character as the escape a reader can type: ``\\x1b``, ``\\u202e``."""
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str, newlines: bool = True) -> str:
    """``text`` with every control character shown as its escape (``\\x1b``) instead."""
    pattern = _CONTROL if newlines else _CONTROL_OR_NEWLINE
    return pattern.sub(lambda m: describe(m.group()), str(text))
