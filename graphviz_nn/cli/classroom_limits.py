"""What one browser session of ``graphviz-nn serve`` may ask for: the limits, and the check of
each websocket message against them (plain Python, no web framework, so it is tested alone).

A message from the browser is a JSON list ``[type, data]``; anything else is malformed and
dropped by the server with one log line (``MalformedMessage``'s sentence, never a traceback).
"""
from __future__ import annotations

import json
import re
from typing import Optional, Tuple

# A 4K screen at a 9-pixel-wide font is ~430 columns: nobody needs more; the app's memory grows with the area.
MAX_COLUMNS = 500
MAX_ROWS = 200
# One websocket message (aiohttp closes the connection above this) and one stdin message (dropped above this).
MAX_MESSAGE_BYTES = 256 * 1024
MAX_STDIN_CHARS = 64 * 1024
# Input waiting for a busy session process: more is dropped rather than buffered in the server.
MAX_QUEUED_BYTES = 256 * 1024
# What the server keeps of a session's stderr (textual-serve would keep all of it, in memory, until the session ends).
MAX_STDERR_BYTES = 64 * 1024
# Address space of each session process (RLIMIT_AS): an idle app session uses ~0.3 GB of it.
SESSION_ADDRESS_SPACE = 1024 ** 3
# A leaving client's process: asked to quit, then TERM after QUIT_GRACE, then KILL after TERM_GRACE.
QUIT_GRACE = 1.0
TERM_GRACE = 2.0
# Malformed messages logged per session; later ones are dropped without a line (no log flooding).
MAX_LOGGED_PER_SESSION = 10

# A real message is nested 2 deep; deep nesting would make the JSON parser recurse.
MAX_NESTING = 4
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')

KNOWN_TYPES = ("stdin", "resize", "ping", "blur", "focus")


class MalformedMessage(ValueError):
    """A websocket message the server drops; ``str()`` is the one log line."""


def clamp_size(width, height) -> Tuple[int, int]:
    """A terminal size the session may have: whole numbers, at least 1×1, at most MAX_COLUMNS×MAX_ROWS."""
    return (max(1, min(MAX_COLUMNS, _whole(width, "width", 80))),
            max(1, min(MAX_ROWS, _whole(height, "height", 24))))


def size_from_query(query) -> Tuple[int, int]:
    """The clamped size a new session asks for in ``/ws?width=..&height=..`` (bad numbers: 80×24)."""
    def number(name, default):
        text = str(query.get(name, default))
        return int(text) if text.isdigit() and len(text) <= 9 else default  # no 10**4000-digit parsing
    return clamp_size(number("width", 80), number("height", 24))


def read_message(text) -> Tuple[str, Optional[object]]:
    """``(type, data)`` of a browser message, data checked and sizes clamped; else ``MalformedMessage``."""
    if not isinstance(text, str):
        raise MalformedMessage("a binary message (the page sends text)")
    if len(text) > MAX_STDIN_CHARS + 64:
        raise MalformedMessage(f"a message of {len(text)} characters (at most {MAX_STDIN_CHARS} of input at once)")
    if _nesting(text) > MAX_NESTING:
        raise MalformedMessage(f"a message nested more than {MAX_NESTING} deep")
    try:
        envelope = json.loads(text)
    except (ValueError, RecursionError):
        raise MalformedMessage("a message that is not JSON") from None
    if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
        raise MalformedMessage("a message that is not a list starting with its type")
    kind, data = envelope[0], (envelope[1] if len(envelope) > 1 else None)
    if kind not in KNOWN_TYPES:
        raise MalformedMessage(f"a message of unknown type {kind[:20]!r}")
    if kind == "stdin":
        if not isinstance(data, str):
            raise MalformedMessage("a stdin message without text")
        return kind, data
    if kind == "resize":
        if not isinstance(data, dict) or not {"width", "height"} <= data.keys():
            raise MalformedMessage("a resize message without width and height")
        try:
            return kind, clamp_size(data["width"], data["height"])
        except ValueError as error:
            raise MalformedMessage(f"a resize message with {error}") from None
    if kind == "ping":
        if not isinstance(data, (str, int, float)) or isinstance(data, bool) or len(str(data)) > 64:
            raise MalformedMessage("a ping message whose data is not a short string or number")
        return kind, data
    return kind, None


def _nesting(text: str) -> int:
    """How deep brackets nest outside string literals (counted before parsing, without recursion)."""
    depth = deepest = 0
    for char in _STRINGS.sub("", text):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _whole(value, name: str, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise ValueError(f"a {name} that is not a number")
    if isinstance(value, float):
        value = int(max(-1e9, min(1e9, value)))
    return int(value)
