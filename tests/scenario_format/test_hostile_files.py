"""Hostile scenario files: every one is a located ScenarioError, and a trap proves no code ran."""
import builtins
import json
import os
import subprocess

import pytest

from graphviz_nn import ScenarioError, load_scenario

HEADER = """id = "hostile"
title = "Hostile"
kind = "expression"
explanation = "e"
lecture = { seed = "none", slide = "none" }

[leaves]
x = 1.0

[outputs]
"""
EXPRESSION_LINE = HEADER.count("\n") + 1  # the line `f = ...` lands on


def expression_file(text: str) -> str:
    return HEADER + "f = " + json.dumps(text, ensure_ascii=False) + "\n"


SENTINEL = "gvnn_sentinel_created"
EXPRESSIONS = {
    "dunder import": f"__import__('os').system('touch {SENTINEL}')",
    "attribute access": "gvnn_trap.__class__",
    "subclass walk": "().__class__.__bases__[0].__subclasses__()",
    "builtins name": "__builtins__",
    "lambda": "(lambda: gvnn_trap())()",
    "comprehension": "[gvnn_trap() for _ in 'a']",
    "f-string": 'f"{gvnn_trap()}"',
    "format trick": '"{0.__class__}".format(gvnn_trap)',
    "tower of powers": "9**9**9",
    "huge power": "2**10**8",
    "200 nested parentheses": "(" * 200 + "x" + ")" * 200,
    "100,000 unary minuses": "-" * 100_000 + "x",
    "1+ repeated 3000 times": "1+" * 3000,
    "5,000-digit number": "1" * 5000,
    "full-width letters": "ｅｘｐ(x)",
    "exec call": "exec('gvnn_trap()')",
    "eval call": "eval('1')",
    "unknown function": "gvnn_trap()",
    "conditional": "x if x else gvnn_trap()",
    "statement separator": "x; gvnn_trap()",
    "open a file": "open('/etc/passwd')",
    "matrix multiply": "x @ x",
    "call a result": "exp(x)(1)",
    "variable exponent": "x ** x",
    "walrus": "(y := gvnn_trap())",
    "string literal": "'abc'",
    "subscript": "x[0]",
    "keyword argument": "leaky_relu(x, alpha=gvnn_trap())",
    "empty": "",
}

FILES = {
    "1 MB file": (HEADER + "# " + "a" * (1 << 20) + "\n").encode(),
    "invalid UTF-8": HEADER.encode() + b'f = "x \xff\xfe"\n',
    "binary file": bytes(range(256)) * 8,
    "NUL in text": HEADER.encode() + b'f = "x"\x00\n',
    "TOML bomb of nested arrays": (HEADER + "g = " + "[" * 5000 + "]" * 5000 + "\n").encode(),
    "TOML bomb of inline tables": ("a = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n").encode(),
    "TOML bomb of dotted tables": ("[" + ".".join(["a"] * 5000) + "]\n").encode(),
    "TOML syntax error": b'id = "x\n',
    "wrong type for title": HEADER.replace('title = "Hostile"', "title = 3").encode() + b'f = "x"\n',
    "missing id": HEADER.replace('id = "hostile"\n', "").encode() + b'f = "x"\n',
    "leaves not a table": HEADER.replace("[leaves]\nx = 1.0", 'leaves = "x"').encode() + b'f = "x"\n',
    "unknown kind": HEADER.replace('"expression"', '"python"').encode() + b'f = "x"\n',
    "code as a leaf value": HEADER.replace("x = 1.0", "x = \"__import__('os')\"").encode() + b'f = "x"\n',
    "path-like id": HEADER.replace('"hostile"', '"../../etc/passwd"').encode() + b'f = "x"\n',
    "unknown top-level key": (HEADER + 'f = "x"\n').replace("kind =", "code = 'gvnn_trap()'\nkind =").encode(),
    "empty file": b"",
    "5,000-digit integer leaf": HEADER.replace("x = 1.0", "x = " + "1" * 5000).encode() + b'f = "x"\n',
    "huge hexadecimal leaf": HEADER.replace("x = 1.0", "x = 0x" + "f" * 5000).encode() + b'f = "x"\n',
    "infinite leaf": HEADER.replace("x = 1.0", "x = inf").encode() + b'f = "x"\n',
    "nan in a vector leaf": HEADER.replace("x = 1.0", "x = [1.0, nan]").encode() + b'f = "x"\n',
}


@pytest.fixture
def trap(monkeypatch, tmp_path):
    """Record any attempt to run code: a trap function, eval/exec/compile, os.system, subprocesses."""
    fired = []

    def record(*args, **kwargs):
        fired.append(args)
        raise AssertionError("code ran")

    monkeypatch.setattr(builtins, "gvnn_trap", record, raising=False)
    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, record)
    monkeypatch.setattr(os, "system", record)
    monkeypatch.setattr(subprocess, "Popen", record)
    monkeypatch.chdir(tmp_path)
    yield fired
    assert not fired
    assert not (tmp_path / SENTINEL).exists()


def _load_bytes(tmp_path, data: bytes):
    path = tmp_path / "hostile.toml"
    path.write_bytes(data)
    return load_scenario(str(path))


def _assert_located(error: ScenarioError, path):
    assert error.file == str(path)
    assert error.line >= 1 and error.column >= 1
    text = str(error)
    assert f"line {error.line}, column {error.column}" in text and "expected" in text
    assert "\n" not in text and len(text) < 600


@pytest.mark.parametrize("name", list(EXPRESSIONS))
def test_hostile_expression_is_a_located_error(name, tmp_path, trap):
    with pytest.raises(ScenarioError) as info:
        _load_bytes(tmp_path, expression_file(EXPRESSIONS[name]).encode())
    _assert_located(info.value, tmp_path / "hostile.toml")
    assert info.value.line == EXPRESSION_LINE
    assert info.value.column >= len("f = ") + 1


@pytest.mark.parametrize("name", list(FILES))
def test_hostile_file_is_a_located_error(name, tmp_path, trap):
    with pytest.raises(ScenarioError) as info:
        _load_bytes(tmp_path, FILES[name])
    _assert_located(info.value, tmp_path / "hostile.toml")


def test_the_table_is_large_enough():
    assert len(EXPRESSIONS) + len(FILES) >= 25


def test_the_trap_would_fire_if_code_ran(trap):
    # the trap itself works: calling the function it installs is recorded
    with pytest.raises(AssertionError):
        builtins.gvnn_trap()
    assert trap == [()]
    trap.clear()


def test_column_points_at_the_bad_character(tmp_path):
    with pytest.raises(ScenarioError) as info:
        _load_bytes(tmp_path, expression_file("x + ｙ").encode())
    # f = "x + ｙ": the quote is column 5, so 'ｙ' (a full-width letter, one character) is column 10
    assert (info.value.line, info.value.column) == (EXPRESSION_LINE, 10)


def test_invalid_utf8_is_located_in_characters(tmp_path):
    with pytest.raises(ScenarioError) as info:
        _load_bytes(tmp_path, "é = 1\n".encode() + b'x = "\xff"\n')
    assert (info.value.line, info.value.column) == (2, 6)


def test_column_counts_escapes_in_basic_strings(tmp_path):
    # f = "\u0078 + \"": the escape \u0078 is 'x' (6 characters in the file, 1 in the expression)
    data = HEADER + 'f = "\\u0078 + \\""\n'
    with pytest.raises(ScenarioError) as info:
        _load_bytes(tmp_path, data.encode())
    assert (info.value.line, info.value.column) == (EXPRESSION_LINE, len('f = "\\u0078 + ') + 1)
