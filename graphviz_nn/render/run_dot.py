"""The one place that runs Graphviz's programs (``dot``, ``neato``).

Building a diagram never runs anything; only ``run_dot`` does, with a timeout, and a missing
program or a layout that takes too long becomes one clear ``UserError`` sentence.
"""
from __future__ import annotations

import os
import shutil
import subprocess

from ..errors import UserError

DEFAULT_TIMEOUT = 60.0  # seconds; a layout slower than this is a graph too big to read anyway
FORMATS = ("svg", "png", "pdf", "plain", "json", "dot", "xdot")


class GraphvizNotFoundError(UserError):
    """The Graphviz program is not installed (or not on PATH)."""


class GraphvizTimeoutError(UserError):
    """The layout took longer than the timeout."""


class GraphvizFailedError(UserError):
    """Graphviz rejected the input or crashed."""


def _install_hint(program: str) -> str:
    return (f"the Graphviz program '{program}' was not found on PATH; install Graphviz "
            f"(e.g. 'apt-get install graphviz' or 'brew install graphviz'), "
            f"or export --format dot or --format json, which need no Graphviz")


def run_dot(source: str, fmt: str = "svg", *, engine: str = "dot", args=(),
            timeout: float | None = DEFAULT_TIMEOUT) -> bytes:
    """Lay out DOT ``source`` with ``engine`` and return the ``fmt`` output as bytes.

    Raises ``GraphvizNotFoundError`` when the program is missing, ``GraphvizTimeoutError``
    after ``timeout`` seconds and ``GraphvizFailedError`` when it exits with an error.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unsupported Graphviz output format {fmt!r}")
    executable = shutil.which(engine)
    if executable is None:
        raise GraphvizNotFoundError(_install_hint(engine))
    command = [executable, f"-T{fmt}", *args]
    try:
        done = subprocess.run(command, input=source.encode("utf-8"), capture_output=True,
                              timeout=timeout, env=_environment())
    except FileNotFoundError:
        raise GraphvizNotFoundError(_install_hint(engine)) from None
    except subprocess.TimeoutExpired:
        head = f"'{engine}' did not finish the layout within {timeout:g} s; draw a smaller view with"
        raise GraphvizTimeoutError(
            f'{head} level="neuron" or level="layer", or allow more time with timeout=...'
        ).with_cli(f"{head} --level neuron or --level layer, or allow more time with --timeout") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        first = message[0] if message else f"exit status {done.returncode}"
        raise GraphvizFailedError(f"'{engine}' could not lay out the diagram ({first}); "
                                  f"please report this with the DOT file (--format dot)")
    return done.stdout


def _environment() -> dict:
    # Graphviz warns about fonts through fontconfig's cache; a missing HOME must not break it.
    env = dict(os.environ)
    env.setdefault("HOME", "/tmp")
    return env
