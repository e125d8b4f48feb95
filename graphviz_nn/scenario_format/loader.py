"""Reading a scenario: a catalogue id or a path, through size/encoding/nesting caps and TOML.

Every failure is a ``ScenarioError`` naming the file, the line and the column::

    >>> from graphviz_nn import load_scenario
    >>> load_scenario("sigmoid-neuron").build()["f"].data   # doctest: +ELLIPSIS
    0.731...
"""
from __future__ import annotations

import re
import sys
from importlib import resources
from pathlib import Path

from .catalogue import catalogue_ids
from .errors import ScenarioError
from .schema import scenario_from_dict
from .source import Source

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

DEFAULT_SCENARIO = "sigmoid-neuron"
# Catalogue files are a few kilobytes; this leaves room for inline data without letting a
# huge file reach the TOML parser.
MAX_FILE_BYTES = 256 * 1024
MAX_TOML_NESTING = 16
# Longer than any expression (10,000 characters) plus its key; the TOML parser is slow on
# very long strings, so such lines are refused before it sees them.
MAX_LINE_CHARS = 12_000
_LONG_DIGITS = re.compile(r"[0-9_]{100,}")
_LONG_LINE = re.compile(r"[^\n]{%d}" % (MAX_LINE_CHARS + 1))
_TOML_POSITION = re.compile(r"^(.*?)\s*\(at line (\d+), column (\d+)\)\s*$", re.S)
_TOML_END = re.compile(r"^(.*?)\s*\(at end of document\)\s*$", re.S)


MAX_NAME_CHARS = 1024  # longer than any real path a teacher types; the OS refuses beyond 4,096


def _is_file(path: Path) -> bool:
    """``Path.is_file`` without the traceback for a name the system refuses (too long, a NUL)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def resolve(id_or_path) -> tuple:
    """(display name, bytes) for a catalogue id or a path to a .toml file."""
    text = str(id_or_path)
    if len(text) > MAX_NAME_CHARS or "\x00" in text:
        raise ScenarioError(f"the scenario name or path {text[:60]!r}... is {len(text):,} characters long"
                            if len(text) > MAX_NAME_CHARS else "the scenario name contains a NUL character",
                            file="<command line>",
                            expected=f"a catalogue id or a path of at most {MAX_NAME_CHARS:,} characters")
    is_path = isinstance(id_or_path, Path) or "/" in text or "\\" in text or text.endswith(".toml") \
        or _is_file(Path(text))
    if not is_path:
        ids = catalogue_ids()
        if text not in ids:
            raise ScenarioError(f"there is no scenario called {text[:80]!r}", file="<command line>",
                                expected=f"a catalogue id ({', '.join(ids)}) or a path to a .toml file")
        resource = resources.files("graphviz_nn.scenarios").joinpath(text + ".toml")
        return f"{text}.toml", _read_capped(resource, f"{text}.toml")
    path = Path(text)
    if not _is_file(path):
        hint = f" or the catalogue id {path.stem!r} (ids have no .toml)" if path.stem in catalogue_ids() else ""
        raise ScenarioError(f"the file {text!r} does not exist or is not a file", file=text,
                            expected=f"the path of a scenario .toml file{hint}")
    return text, _read_capped(path, text)


def _read_capped(path, name: str) -> bytes:
    if isinstance(path, Path):
        return _read_regular_file(path, name)
    try:
        with path.open("rb") as handle:  # a packaged catalogue file
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ScenarioError(f"the file cannot be read ({error.strerror or error})", file=name,
                            expected="a readable scenario .toml file") from None
    return _capped(data, name)


def _read_regular_file(path: Path, name: str) -> bytes:
    """A regular file's bytes, at most ``MAX_FILE_BYTES``; never blocks on a FIFO, a device or
    a kernel file such as /proc/kmsg (those report a size of 0 and are refused)."""
    import os
    import stat
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        raise ScenarioError(f"the file cannot be read ({error.strerror or error})", file=name,
                            expected="a readable scenario .toml file") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size == 0:
            raise ScenarioError("the file is empty or not a regular file (a device, a pipe or a kernel file)",
                                file=name, expected="a scenario .toml file")
        try:
            data = handle.read(min(info.st_size, MAX_FILE_BYTES) + 1)
        except OSError as error:
            raise ScenarioError(f"the file cannot be read ({error.strerror or error})", file=name,
                                expected="a readable scenario .toml file") from None
    return _capped(data, name)


def _capped(data: bytes, name: str) -> bytes:
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(f"the file is larger than {MAX_FILE_BYTES:,} bytes", file=name,
                            expected="a scenario file of at most 256 KiB (generate large data sets with `dataset = ...`)")
    return data


def decode(data: bytes, name: str) -> Source:
    """UTF-8 text without NUL bytes, or an error at the first bad byte's line and column."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        good = data[:error.start].decode("utf-8")
        line, column = _position(good, len(good))
        raise ScenarioError(f"byte 0x{data[error.start]:02x} is not valid UTF-8", file=name, line=line,
                            column=column, expected="a text file saved as UTF-8") from None
    if text.startswith("\ufeff"):
        text = text[1:]  # a byte-order mark some editors add
    nul = text.find("\x00")
    if nul >= 0:
        line, column = _position(text, nul)
        raise ScenarioError("the file contains a NUL character (is it a binary file?)", file=name,
                            line=line, column=column, expected="a TOML text file")
    return Source(name, text)


def _position(text: str, index: int) -> tuple:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


_INTERESTING = re.compile(r"[#\"'\[\]{}.\n=,]")
_BASIC_BODY = re.compile(r'(?:[^"\\\n]|\\.)*')
_LITERAL_BODY = re.compile(r"[^'\n]*")


def check_nesting(source: Source) -> None:
    """Reject arrays/inline tables nested, or keys dotted, deeper than ``MAX_TOML_NESTING``
    before parsing (the TOML parser is slow or recursive on such input)."""
    text = source.text
    depth = 0
    dots = 0  # dots since the last newline, '=', ',' or '{': the parts of a dotted key
    n = len(text)
    match = _INTERESTING.search(text, 0)
    while match:
        i = match.start()
        ch = text[i]
        if ch == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif ch in "\"'":
            i = _skip_string(text, i) - 1
        elif ch == ".":
            dots += 1
            if dots >= MAX_TOML_NESTING:
                _nesting_error(source, i, f"a dotted key has more than {MAX_TOML_NESTING} parts",
                               "a key such as outputs.f or [model]")
        elif ch in "[{":
            dots = 0 if ch == "{" else dots
            depth += 1
            if depth > MAX_TOML_NESTING:
                _nesting_error(source, i, f"arrays or tables are nested more than {MAX_TOML_NESTING} deep",
                               f"at most {MAX_TOML_NESTING} levels of [ ] and {{ }}")
        elif ch in "]}":
            depth = max(0, depth - 1)
        else:  # newline, '=' or ','
            dots = 0
        match = _INTERESTING.search(text, i + 1)


def _nesting_error(source: Source, index: int, problem: str, expected: str):
    line, column = _position(source.text, index)
    raise ScenarioError(problem, file=source.file, line=line, column=column, expected=expected)


def _skip_string(text: str, i: int) -> int:
    """Index just past the TOML string starting at ``i`` (or the end of the line if unclosed)."""
    quote = text[i]
    if text.startswith(quote * 3, i):
        end = text.find(quote * 3, i + 3)
        return len(text) if end < 0 else end + 3
    body = (_BASIC_BODY if quote == '"' else _LITERAL_BODY).match(text, i + 1)
    return body.end() + 1


def parse_toml(source: Source) -> dict:
    """The TOML document as a dict, or a ``ScenarioError`` with the parser's line and column."""
    long_line = _LONG_LINE.search(source.text)
    if long_line:
        _nesting_error(source, long_line.end() - 1, f"a line is longer than {MAX_LINE_CHARS:,} characters",
                       f"lines of at most {MAX_LINE_CHARS:,} characters (split long arrays over several lines)")
    check_nesting(source)
    try:
        return tomllib.loads(source.text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        m = _TOML_POSITION.match(message)
        if m:
            line, column = int(m.group(2)), int(m.group(3))
            problem = m.group(1)
        else:
            m = _TOML_END.match(message)
            problem = m.group(1) if m else message
            line, column = _position(source.text, len(source.text))
        problem = problem[:1].lower() + problem[1:] if problem else "invalid TOML"
        raise ScenarioError(f"TOML syntax error: {problem}", file=source.file, line=line, column=column,
                            expected="valid TOML (see docs/scenarios.md)") from None
    except ValueError as error:  # an integer of more than 4,300 digits (Python's conversion limit)
        digits = _LONG_DIGITS.search(source.text)
        line, column = _position(source.text, digits.start()) if digits else (1, 1)
        length = len(digits.group(0)) if digits else None
        what = f"a number {length:,} digits long" if length else "a number too long to read"
        raise ScenarioError(f"{what} (a float holds about 17 significant digits)", file=source.file, line=line,
                            column=column, expected="numbers of at most a few dozen digits") from None
    except (RecursionError, MemoryError):
        raise ScenarioError("the TOML document is too deeply nested", file=source.file,
                            expected="a flat scenario file") from None


def load_scenario(id_or_path=DEFAULT_SCENARIO):
    """Load a scenario by catalogue id (``"sigmoid-neuron"``) or by the path of a .toml file.

    Returns a validated ``Scenario``; any problem is a ``ScenarioError`` naming the file, line
    and column. Scenario files are data: nothing in them is ever run as code.
    """
    name, data = resolve(id_or_path)
    source = decode(data, name)
    return scenario_from_dict(parse_toml(source), source)


def load_text(text: str, name: str = "<text>"):
    """Load a scenario from TOML text (for tests and notebooks)."""
    if not isinstance(text, str):
        raise ScenarioError("scenario text must be a string", file=name, expected="TOML text")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise ScenarioError(f"the text is larger than {MAX_FILE_BYTES:,} bytes", file=name,
                            expected="a scenario of at most 256 KiB")
    source = decode(text.encode("utf-8", "surrogatepass"), name)
    return scenario_from_dict(parse_toml(source), source)
