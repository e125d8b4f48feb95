"""The one-line questions the app asks (go to step, add a watch) and how their answers are read.

The readers are plain functions: an answer that cannot be used raises ``AnswerError`` with
the one sentence the app shows, so they are tested without a screen.
"""
from __future__ import annotations

from typing import Optional

from graphviz_nn.debugger.breakpoints import WATCH_KINDS, watch_kind
from graphviz_nn.errors import UserError



class AnswerError(ValueError):
    """A typed answer the app cannot use; ``str()`` is the sentence to show."""


def read_step(text: str, n: int) -> int:
    """A step number from 0 to ``n``."""
    try:
        k = int(text)
    except ValueError:
        raise AnswerError(f"{text[:40]!r} is not a step number; type a whole number from 0 to {n}.") from None
    if not 0 <= k <= n:
        raise AnswerError(f"step {k} is out of range; this trace has steps 0 to {n}.")
    return k


def read_iterations(text: str, default: str) -> int:
    """How many training iterations: 1 to 1,000,000."""
    try:
        n = int(text)
    except ValueError:
        raise AnswerError(f"{text[:40]!r} is not a number of iterations; "
                          f"type a whole number such as {default}.") from None
    if not 1 <= n <= 1_000_000:
        raise AnswerError(f"{n} iterations is out of range; choose 1 to 1,000,000.")
    return n


def read_watch(text: str) -> tuple[str, Optional[float]]:
    """``(kind, threshold)``: the last word is the threshold when it is a number
    ("vanishing 1e-6"), else part of the kind ("dead relu")."""
    words = text.split()
    try:
        value = float(words[-1]) if len(words) > 1 else None
        kind = " ".join(words[:-1]) if value is not None else text
    except ValueError:
        value, kind = None, text
    if watch_kind(kind) not in WATCH_KINDS and len(words) > 1 and watch_kind(words[0]) in WATCH_KINDS:
        raise AnswerError(f"{' '.join(words[1:])[:30]!r} is not a number; write e.g. 'vanishing 1e-6'.")
    return kind, value


def ask_goto(app) -> None:
    """``g``: ask for a step number, then go there."""
    session = app.session
    if session is None:
        return
    n = len(session.trace.steps)
    ask(app, f"Go to step (0 to {n}):", str(session.k), "", lambda text: app.move("goto", read_step(text, n)))


def ask(app, question: str, default: str, hint: str, use, errors=(AnswerError,)) -> None:
    """Ask a one-line question; ``use(text)`` reads a non-empty answer and acts on it. An answer
    it cannot use (one of ``errors``) becomes the warning sentence it carries."""
    def answer(text: Optional[str]) -> None:
        if not text:
            return
        try:
            use(text)
        except errors as error:
            app.say(str(error), severity="warning")

    from .screens.prompt import PromptScreen  # a dialog: imported when opened, not before the first screen
    app.push_screen(PromptScreen(question, default, hint), answer)


def ask_watch(app) -> None:
    """``w``: ask for a watch kind and threshold, then add it to the session."""
    if app.session is None:
        return

    def use(text: str) -> None:
        kind, value = read_watch(text)
        app.session.add_watch(kind, value)
        app.say(f"Watching for {watch_kind(kind)}; c runs until it happens.")

    ask(app, "Add a watch (kind and optional threshold):", "", "kinds: " + ", ".join(WATCH_KINDS), use,
        (AnswerError, UserError))
