"""``ScenarioError``: one sentence naming the file, line, column and what was expected."""
from __future__ import annotations

from ..errors import UserError


class ScenarioError(UserError):
    """A scenario file (or an expression in it) is not valid.

    ``file``, ``line`` and ``column`` (1-based, counted in characters) say where;
    ``problem`` says what is wrong and ``expected`` what would be accepted there.
    """

    def __init__(self, problem: str, *, file: str = "<scenario>", line: int = 1, column: int = 1,
                 expected: str | None = None):
        self.file = str(file)
        self.line = int(line)
        self.column = int(column)
        self.problem = problem
        self.expected = expected
        tail = f"; expected {expected}" if expected else ""
        super().__init__(f"{self.file}, line {self.line}, column {self.column}: {problem}{tail}.")


class ExpressionError(ScenarioError):
    """An error inside one expression; ``offset`` is the 0-based character index in it.

    The loader re-raises it with the line and column of that character in the file.
    """

    def __init__(self, problem: str, offset: int, expected: str | None = None):
        self.offset = offset
        super().__init__(problem, file="<expression>", line=1, column=offset + 1, expected=expected)


class OutputBuildError(Exception):
    """An expression error while building, with the key path of the expression at fault
    (the validator turns it into a ``ScenarioError`` at that key's line and column)."""

    def __init__(self, error: ExpressionError, path: tuple):
        super().__init__(str(error))
        self.error = error
        self.path = path
