"""The safe expression language of scenario files: a tokenizer, a parser and a stack evaluator.

Expressions are data, never code: there is no ``eval``, no ``ast``, no attribute access and
no way to name anything but the leaves and the allow-listed functions the caller gives.
Length and nesting are capped *before* parsing, the parser is a loop (shunting-yard) and
evaluation runs a flat postfix program on an explicit stack, so no input can reach the
recursion limit::

    >>> program = parse("1 / (1 + exp(-(w0*x0 + w2)))")
    >>> [step.kind for step in program.steps][:5]
    ['number', 'number', 'name', 'name', 'binary']
    >>> program.names, program.functions
    (('w0', 'x0', 'w2'), ('exp',))

Grammar: numbers (``2``, ``0.5``, ``1e-3``), ASCII names, ``+ - * /``, ``x ** N`` where
``N`` is a number (optionally signed), parentheses, unary ``-``/``+`` and calls ``f(a, b)``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
import re
from typing import Any, NamedTuple, Protocol

from .errors import ExpressionError

MAX_LENGTH = 10_000
MAX_DEPTH = 64
# Longer than any float needs (17 significant digits plus sign and exponent).
MAX_NUMBER_CHARS = 40

BINARY_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}
UNARY_PRECEDENCE = 3
_OPERATOR_CHARS = "+-*/(),"
_EXPECT_OPERAND = "a number, a name, '(' or a sign"
_EXPECT_OPERATOR = "an operator (+ - * / **), ',' or ')' or the end of the expression"


class Token(NamedTuple):
    kind: str  # "number", "name", "op" ("+", "**", "(", ...), "end"
    text: str
    offset: int  # 0-based character index in the expression


class Step(NamedTuple):
    """One postfix instruction: what to do and where in the text it came from.

    kind: ``number`` (arg: float), ``name`` (arg: str), ``unary`` (arg: "-" or "+"),
    ``binary`` (arg: operator), ``power`` (arg: float exponent), ``call`` (arg: (name, nargs)).
    """

    kind: str
    arg: Any
    offset: int


@dataclass(frozen=True)
class Program:
    """A parsed expression: postfix steps plus the source text they point into."""

    text: str
    steps: tuple

    def __repr__(self) -> str:
        return f"Program({self.text[:60]!r}{'...' if len(self.text) > 60 else ''})"

    @property
    def names(self) -> tuple:
        """The leaf or output names the expression reads, in order of first use."""
        return tuple(dict.fromkeys(s.arg for s in self.steps if s.kind == "name"))

    @property
    def functions(self) -> tuple:
        return tuple(dict.fromkeys(s.arg[0] for s in self.steps if s.kind == "call"))


def check_caps(text: str) -> None:
    """Reject an expression that is too long or nested too deeply, before any parsing."""
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be a string, not {type(text).__name__}", 0,
                              "text such as \"w0*x0 + b\"")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(text):,} characters long", MAX_LENGTH,
                              f"at most {MAX_LENGTH:,} characters")
    depth = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
            if depth > MAX_DEPTH:
                raise ExpressionError(f"parentheses are nested more than {MAX_DEPTH} deep", i,
                                      f"at most {MAX_DEPTH} levels of nesting")
        elif ch == ")":
            depth -= 1


_TOKEN = re.compile(r"""[ \t\r\n]*(?:
      (?P<number>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>\*\*|[-+*/(),])
    )""", re.VERBOSE)
_SPACE = re.compile(r"[ \t\r\n]*")


def tokenize(text: str) -> list:
    """Split an expression into tokens; anything outside the grammar is an error at its column."""
    check_caps(text)
    tokens = []
    append = tokens.append
    i, n = 0, len(text)
    match = _TOKEN.match
    while True:
        m = match(text, i)
        if m is None or m.lastgroup is None:
            i = _SPACE.match(text, i).end()
            if i >= n:
                break
            raise ExpressionError(f"unexpected character {_describe(text[i])}", i,
                                  "numbers, names, + - * / **, parentheses or commas")
        kind = m.lastgroup
        start, i = m.start(kind), m.end()
        value = m.group(kind)
        if kind == "number":
            _check_number(text, start, i)
        elif kind == "name" and value.startswith("_"):
            raise ExpressionError(f"the name {value[:40]!r} starts with '_'", start,
                                  "a leaf or function name starting with a letter")
        append(Token(kind, value, start))
    append(Token("end", "", n))
    return tokens


def _check_number(text: str, i: int, j: int) -> None:
    """A number literal must be short and must not run into letters, digits or '.'."""
    if j - i > MAX_NUMBER_CHARS:
        raise ExpressionError(f"a number {j - i:,} characters long", i,
                              f"a number of at most {MAX_NUMBER_CHARS} characters")
    if j < len(text) and text[j].isascii() and (text[j].isalnum() or text[j] in "._"):
        raise ExpressionError(f"unexpected character {_describe(text[j])} after the number {text[i:j]}",
                              j, "an operator or ')' after a number")


def _number(token: Token) -> float:
    value = float(token.text)  # the scanner only lets float syntax through
    if not math.isfinite(value):
        raise ExpressionError(f"the number {token.text[:20]} is too large", token.offset,
                              "a number below 1.8e308")
    return value


def _describe(ch: str) -> str:
    return repr(ch) if ch.isascii() and ch.isprintable() else f"{ch!r} (U+{ord(ch):04X})"


def parse(text: str) -> Program:
    """Parse an expression into a postfix ``Program``; errors carry the character offset."""
    tokens = tokenize(text)
    steps: list = []
    # Operator stack entries: ("binary", op, offset), ("unary", op, offset),
    # ("paren", None, offset) or ("call", [name, nargs], offset).
    stack: list = []
    expect_operand = True
    signs_in_a_row = 0
    after_power = False
    i = 0
    while True:
        tok = tokens[i]
        i += 1
        if expect_operand:
            if tok.kind == "number":
                steps.append(Step("number", _number(tok), tok.offset))
                expect_operand = False
            elif tok.kind == "name":
                if tokens[i].text == "(" and tokens[i].kind == "op":
                    if tokens[i + 1].text == ")":
                        raise ExpressionError(f"{tok.text}() is called with no arguments", tokens[i + 1].offset,
                                              "an argument such as x")
                    stack.append(("call", [tok.text, 0], tok.offset))
                    _check_depth(stack, tok.offset)
                    i += 1
                else:
                    steps.append(Step("name", tok.text, tok.offset))
                    expect_operand = False
            elif tok.text == "(":
                stack.append(("paren", None, tok.offset))
                _check_depth(stack, tok.offset)
            elif tok.text in ("-", "+"):
                signs_in_a_row += 1
                if signs_in_a_row > MAX_DEPTH:
                    raise ExpressionError(f"more than {MAX_DEPTH} signs in a row", tok.offset,
                                          f"at most {MAX_DEPTH} unary signs before an operand")
                stack.append(("unary", tok.text, tok.offset))
            elif tok.kind == "end":
                raise ExpressionError("the expression ends too early" if text.strip() else "the expression is empty",
                                      tok.offset, _EXPECT_OPERAND)
            else:
                raise ExpressionError(f"unexpected {tok.text!r}", tok.offset, _EXPECT_OPERAND)
            if tok.kind != "op" or tok.text not in "+-":
                signs_in_a_row = 0
            continue
        # expecting an operator
        if tok.kind == "op" and tok.text in BINARY_PRECEDENCE:
            prec = BINARY_PRECEDENCE[tok.text]
            while stack and stack[-1][0] in ("binary", "unary") and _precedence(stack[-1]) >= prec:
                _emit(steps, stack.pop())
            stack.append(("binary", tok.text, tok.offset))
            expect_operand = True
            after_power = False
        elif tok.text == "**" and tok.kind == "op":
            if after_power:
                raise ExpressionError("chained ** is ambiguous", tok.offset,
                                      "parentheses, as in (x ** 2) ** 3")
            exponent, i = _exponent(tokens, i, tok)
            steps.append(Step("power", exponent, tok.offset))
            after_power = True
        elif tok.text == "," and tok.kind == "op":
            _pop_to_marker(steps, stack, tok, "','")
            if stack[-1][0] != "call":
                raise ExpressionError("a comma outside a function call", tok.offset, _EXPECT_OPERATOR)
            stack[-1][1][1] += 1
            expect_operand = True
            after_power = False
        elif tok.text == ")" and tok.kind == "op":
            _pop_to_marker(steps, stack, tok, "')'")
            kind, info, offset = stack.pop()
            if kind == "call":
                steps.append(Step("call", (info[0], info[1] + 1), offset))
            after_power = False
        elif tok.kind == "end":
            while stack:
                entry = stack.pop()
                if entry[0] in ("paren", "call"):
                    raise ExpressionError("this '(' is never closed", _open_offset(entry, text),
                                          "a matching ')'")
                _emit(steps, entry)
            return Program(text, tuple(steps))
        else:
            raise ExpressionError(f"unexpected {tok.text[:40]!r}", tok.offset, _EXPECT_OPERATOR)


def _precedence(entry) -> int:
    return UNARY_PRECEDENCE if entry[0] == "unary" else BINARY_PRECEDENCE[entry[1]]


def _emit(steps: list, entry) -> None:
    steps.append(Step(entry[0], entry[1], entry[2]))


def _check_depth(stack: list, offset: int) -> None:
    if sum(1 for e in stack if e[0] in ("paren", "call")) > MAX_DEPTH:
        raise ExpressionError(f"parentheses are nested more than {MAX_DEPTH} deep", offset,
                              f"at most {MAX_DEPTH} levels of nesting")


def _open_offset(entry, text: str) -> int:
    if entry[0] == "paren":
        return entry[2]
    return text.index("(", entry[2])  # the call's own '(' follows its name


def _pop_to_marker(steps: list, stack: list, tok: Token, what: str) -> None:
    while stack and stack[-1][0] in ("binary", "unary"):
        _emit(steps, stack.pop())
    if not stack:
        problem = "a comma outside a function call" if tok.text == "," else f"{what} without a matching '('"
        raise ExpressionError(problem, tok.offset, _EXPECT_OPERATOR)


def _exponent(tokens: list, i: int, power: Token):
    """The number after ``**`` (with an optional sign); returns it and the next index."""
    sign = 1.0
    tok = tokens[i]
    if tok.kind == "op" and tok.text in "+-" and tok.text:
        sign = -1.0 if tok.text == "-" else 1.0
        i += 1
        tok = tokens[i]
    if tok.kind != "number":
        raise ExpressionError("the exponent after ** is not a number", tok.offset,
                              "a number such as 2, -1 or 0.5 (x ** y with a variable y is not supported)")
    return sign * _number(tok), i + 1


class Semantics(Protocol):
    """What the evaluator does with each step (the engine build, or plain floats in tests)."""

    def number(self, value: float, offset: int): ...
    def name(self, name: str, offset: int): ...
    def unary(self, op: str, x, offset: int): ...
    def binary(self, op: str, a, b, offset: int): ...
    def power(self, x, exponent: float, offset: int): ...
    def call(self, name: str, args: list, offset: int): ...


def evaluate(program: Program, semantics: Semantics):
    """Run a postfix program on an explicit stack (no recursion, whatever the input)."""
    stack: list = []
    push, pop = stack.append, stack.pop
    for step in program.steps:
        kind = step.kind
        if kind == "number":
            push(semantics.number(step.arg, step.offset))
        elif kind == "name":
            push(semantics.name(step.arg, step.offset))
        elif kind == "binary":
            b = pop()
            a = pop()
            push(semantics.binary(step.arg, a, b, step.offset))
        elif kind == "unary":
            push(semantics.unary(step.arg, pop(), step.offset))
        elif kind == "power":
            push(semantics.power(pop(), step.arg, step.offset))
        else:  # call
            name, nargs = step.arg
            args = stack[len(stack) - nargs:]
            del stack[len(stack) - nargs:]
            push(semantics.call(name, args, step.offset))
    (result,) = stack  # the parser guarantees exactly one value is left
    return result


class FloatSemantics:
    """Evaluate with plain floats: for checking a program without building any nodes."""

    def __init__(self, names: dict, functions: dict):
        self.names = names
        self.functions = functions

    def number(self, value, offset):
        return value

    def name(self, name, offset):
        if name not in self.names:
            raise ExpressionError(f"unknown name {name!r}", offset, "one of " + ", ".join(self.names) if self.names else "a number")
        return self.names[name]

    def unary(self, op, x, offset):
        return -x if op == "-" else x

    def binary(self, op, a, b, offset):
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        return a / b if b else math.copysign(math.inf, a) if a else math.nan

    def power(self, x, exponent, offset):
        try:
            return math.pow(x, exponent)
        except OverflowError:
            return math.inf
        except ValueError:  # 0 to a negative power, or a negative base to a fraction
            return math.nan

    def call(self, name, args, offset):
        if name not in self.functions:
            raise ExpressionError(f"unknown function {name!r}", offset, "one of " + ", ".join(self.functions))
        return self.functions[name](*args)
