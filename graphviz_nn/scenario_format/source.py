"""Where a key or value sits in a TOML file's text, so errors can name the line and column.

``tomllib`` returns plain dicts without positions; this scanner finds a key path such as
``("outputs", "f")`` in the text (under its ``[table]`` header, or dotted, or at the top) and
maps a character offset inside a string value back to the file's line and column.
Columns are counted in characters, not bytes. When a key cannot be found (an unusual
layout), the nearest enclosing header is used, and failing that line 1, column 1.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ScenarioError

_HEADER = re.compile(r'^\s*(\[\[?)\s*([^\]]*?)\s*\]\]?\s*(#.*)?$')


def _key_parts(text: str) -> tuple:
    return tuple(p.strip().strip('"').strip("'") for p in text.split("."))


@dataclass
class Source:
    """The text of one scenario file and its display name (the path as the user gave it)."""

    file: str
    text: str

    def __post_init__(self):
        self.lines = self.text.split("\n")
        # (line index, header path, is array table) for every [table] / [[array]] line
        self.headers = []
        for i, line in enumerate(self.lines):
            m = _HEADER.match(line)
            if m and not line.lstrip().startswith("#"):
                self.headers.append((i, _key_parts(m.group(2)), m.group(1) == "[["))

    # ---- errors ----
    def error(self, path: tuple, problem: str, expected: str | None = None, *, at_value: bool = False,
              offset: int | None = None) -> ScenarioError:
        """A ``ScenarioError`` located at the key ``path`` (or its value, or a character in it)."""
        line, column = self.locate(path, at_value=at_value, offset=offset)
        return ScenarioError(problem, file=self.file, line=line, column=column, expected=expected)

    # ---- positions ----
    def locate(self, path: tuple, *, at_value: bool = False, offset: int | None = None) -> tuple:
        """1-based (line, column) of a key path; ints in the path index ``[[array]]`` tables."""
        found = self._find_key(path)
        if found is None:
            if path and not isinstance(path[-1], int):
                section = self._section(path)
                if section is not None:
                    return section[0], 1  # the [table] header itself
            return self._find_table(path[:-1]) if path else (1, 1)
        line, col = found
        if not at_value and offset is None:
            return line + 1, col + 1
        text = self.lines[line]
        eq = text.find("=", col)
        if eq < 0:
            return line + 1, col + 1
        vcol = eq + 1
        while vcol < len(text) and text[vcol] in " \t":
            vcol += 1
        if offset is None:
            return line + 1, vcol + 1
        return self._offset_in_string(line, vcol, offset)

    def _offset_in_string(self, line: int, vcol: int, offset: int) -> tuple:
        """The position of character ``offset`` of the string value starting at (line, vcol)."""
        text = self.lines[line]
        for quote in ('"""', "'''", '"', "'"):
            if text.startswith(quote, vcol):
                break
        else:
            return line + 1, vcol + 1
        start = vcol + len(quote)
        if len(quote) == 3:
            if start == len(text):  # a newline right after the opening quotes is not content
                line, start = line + 1, 0
            # walk the characters of a multi-line string, counting line breaks
            remaining = offset
            while line < len(self.lines):
                rest = len(self.lines[line]) - start
                if remaining <= rest:
                    return line + 1, start + remaining + 1
                remaining -= rest + 1
                line, start = line + 1, 0
            return len(self.lines), 1
        if quote == "'":
            return line + 1, start + offset + 1
        # a basic string: an escape such as \" or \u00e9 is several characters in the file
        raw = start
        for _ in range(offset):
            if raw >= len(text):
                break
            if text[raw] == "\\":
                raw += {"u": 6, "U": 10}.get(text[raw + 1:raw + 2], 2)
            else:
                raw += 1
        return line + 1, raw + 1

    def _section(self, table: tuple):
        """Line range (start, end) of the body of ``[table]`` (an int picks an array element)."""
        names = tuple(p for p in table if not isinstance(p, int))
        index = next((p for p in table if isinstance(p, int)), None)
        count = -1
        for h, (i, path, is_array) in enumerate(self.headers):
            if path != names:
                continue
            count += 1
            if index is not None and count != index:
                continue
            end = self.headers[h + 1][0] if h + 1 < len(self.headers) else len(self.lines)
            return i + 1, end
        return None

    def _find_key(self, path: tuple):
        if not path:
            return None
        key = path[-1]
        if isinstance(key, int):
            return self._find_key(path[:-1])
        candidates = []
        section = self._section(path[:-1]) if len(path) > 1 else None
        if section is not None:
            candidates.append((section, (key,)))
        top_end = self.headers[0][0] if self.headers else len(self.lines)
        names = tuple(p for p in path if not isinstance(p, int))
        candidates.append(((0, top_end), names))  # dotted keys at the top: outputs.f = ...
        for (start, end), parts in candidates:
            pattern = re.compile(r"^(\s*)" + r"\s*\.\s*".join(
                r"""(?:%s|"%s"|'%s')""" % ((re.escape(p),) * 3) for p in parts) + r"\s*=")
            for i in range(start, end):
                m = pattern.match(self.lines[i])
                if m:
                    return i, len(m.group(1))
        # an inline table on the parent's line: lecture = { seed = "..." }
        if len(path) > 1 and not isinstance(path[-2], int):
            parent = self._find_key(path[:-1])
            if parent is not None:
                line = self.lines[parent[0]]
                m = re.search(r"[{,]\s*(" + re.escape(key) + r")\s*=", line)
                if m:
                    return parent[0], m.start(1)
                return parent
        return None

    def _find_table(self, table: tuple) -> tuple:
        while table:
            section = self._section(table)
            if section is not None:
                return section[0], 1  # the header line (1-based: start is the line after it)
            key = self._find_key(table)
            if key is not None:
                return key[0] + 1, key[1] + 1
            table = table[:-1]
        return 1, 1
