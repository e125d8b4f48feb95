"""Run a micrograd-style script and keep one backward pass it makes, as a trace.

``graphviz-nn debug script.py`` runs the script as ``python script.py`` would (its folder
first on ``sys.path``, ``sys.argv`` set, ``__name__ == "__main__"``), with ``micrograd``'s
modules answered by this package (``from micrograd.engine import Value`` gets
``graphviz_nn.Value``; ``micrograd.nn`` gets ``Neuron``/``Layer``/``MLP``), and watches every
``backward()`` call on a ``Value`` or ``Tensor``:

- ``backward=None`` (the default): the last pass the script ran. The script runs to its end;
  at each pass the leaves' numbers are noted (an optimiser moves them after ``backward``), and
  the chosen pass is traced at the end from the numbers it saw.
- ``backward=N``: the N-th pass (1 = the first ``loss.backward()``). The script stops right
  after it, as at a breakpoint, and that pass is traced at once.

Only the chosen graph is kept alive. Every way the script can fail is one sentence
(``ScriptError``); a script that never calls ``backward`` says so, and names the script's own
``class Value`` when it defines one (it must import graphviz_nn's instead).
"""
from __future__ import annotations

import ast
import os
import runpy
import sys
import traceback
import types
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import numpy as np

from .errors import UserError

MAX_SCRIPT_BYTES = 1_000_000  # a lesson's script is a few KB; anything near this is not one


class ScriptError(UserError):
    """The script could not be run or made no backward pass to show."""


@dataclass
class CapturedPass:
    """The backward pass chosen from a script run: its trace and where it came from."""

    trace: Any
    number: int          # which backward call it was (1 = the first)
    total: Optional[int]  # how many the script made (None when it was stopped at ``number``)
    script: Path

    @property
    def title(self) -> str:
        of = f" of {self.total}" if self.total is not None else ""
        return f"{self.script.name}: backward pass {self.number}{of}"


class _Stop(BaseException):
    """Raised inside the script right after the chosen pass; BaseException so its ``except
    Exception`` blocks do not swallow it."""


def read_script(path) -> tuple[Path, str, ast.Module]:
    """The script's path, text and syntax tree; a missing, huge, binary or broken file is one sentence."""
    p = Path(path)
    if not p.exists():
        raise ScriptError(f"{path}: no such file; give the path of a Python script")
    if not p.is_file():
        raise ScriptError(f"{path}: not a file; give the path of a Python script")
    size = p.stat().st_size
    if size > MAX_SCRIPT_BYTES:
        raise ScriptError(f"{path}: {size:,} bytes is too large for a lesson script (limit "
                          f"{MAX_SCRIPT_BYTES:,}); point at the script itself, not a data file")
    try:
        text = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ScriptError(f"{path}: not UTF-8 text; is it a Python script?") from None
    try:
        tree = ast.parse(text, filename=str(p))
    except SyntaxError as error:
        raise ScriptError(f"{p.name} line {error.lineno}: syntax error ({error.msg}); "
                          f"fix it and run again") from None
    except ValueError as error:  # a NUL byte in the source
        raise ScriptError(f"{p.name}: cannot be read as Python ({error}); is it a Python script?") from None
    return p, text, tree


def own_value_class(tree: ast.Module) -> Optional[int]:
    """The line of a top-level ``class Value`` the script defines itself, if any."""
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Value":
            return node.lineno
    return None


def capture(path, argv: tuple = (), backward: Optional[int] = None) -> CapturedPass:
    """Run the script at ``path`` (with arguments ``argv``) and trace its chosen backward pass."""
    if backward is not None and (type(backward) is not int or backward < 1):
        raise ScriptError(f"backward={backward!r}: choose a pass by its number, 1 for the first")
    script, _text, tree = read_script(path)
    watch = _Watch(backward)
    with _script_environment(script, argv), _watching(watch):
        try:
            runpy.run_path(str(script), run_name="__main__")
        except _Stop:
            pass
        except SystemExit as done:
            if done.code not in (None, 0) and watch.count == 0:
                raise ScriptError(f"{script.name} exited with status {done.code} before any backward pass") from None
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # the script's own failure, located in the script
            raise ScriptError(_where_it_failed(script, error)) from None
    return watch.result(script, own_value_class(tree))


class _Watch:
    """Counts backward calls and keeps the chosen one (the graph, and its leaves' numbers)."""

    def __init__(self, wanted: Optional[int]):
        self.wanted = wanted
        self.count = 0
        self.kept = None  # (number, root, [(leaf, data at that pass)]) for the last pass
        self.trace = None  # the wanted pass, traced at once

    def after_backward(self, root) -> None:
        from .debugger import build_trace
        from .graph import reachable

        self.count += 1
        if self.wanted is None:
            leaves = [(n, _copy(n.data)) for n in reachable(root) if n._a is None]
            self.kept = (self.count, root, leaves)
        elif self.count == self.wanted:
            self.trace = build_trace(root, fill_grads=False)
            raise _Stop

    def result(self, script: Path, own_class_line: Optional[int]) -> CapturedPass:
        if self.trace is not None:
            return CapturedPass(self.trace, self.wanted, None, script)
        if self.count == 0:
            hint = (f"; it defines its own class Value (line {own_class_line}): replace it with "
                    f"`from graphviz_nn import Value`" if own_class_line else
                    "; call loss.backward() on a graphviz_nn Value (or a micrograd one: it is swapped in)")
            raise ScriptError(f"{script.name} ran to its end without a backward pass{hint}")
        if self.wanted is not None:
            raise ScriptError(f"{script.name} made {self.count} backward pass{'es' if self.count > 1 else ''}, "
                              f"so there is no pass {self.wanted}; choose --backward 1 to {self.count}")
        number, root, leaves = self.kept
        return CapturedPass(_trace_as_it_was(root, leaves), number, self.count, script)


def _copy(data):
    return data.copy() if isinstance(data, np.ndarray) else data


def _trace_as_it_was(root, leaves):
    """The pass traced with the leaves' numbers it saw (the script may have updated them since),
    then the leaves put back as the script left them."""
    from .debugger import build_trace

    now = [(leaf, leaf.data) for leaf, _ in leaves]
    try:
        for leaf, data in leaves:
            leaf.data = data
        return build_trace(root, fill_grads=False)
    finally:
        for leaf, data in now:
            leaf.data = data


@contextmanager
def _watching(watch: _Watch):
    """Value.backward and Tensor.backward report to ``watch`` after they ran, for the run only."""
    from .tensor import Tensor
    from .value import Value

    classes = (Value, Tensor)
    originals = {cls: cls.backward for cls in classes}
    own = {cls: "backward" in cls.__dict__ for cls in classes}  # or inherited from a base

    def patched(original):
        def backward(self, *args, **kwargs):
            out = original(self, *args, **kwargs)
            watch.after_backward(self)
            return out
        backward.__doc__ = original.__doc__
        return backward

    for cls, original in originals.items():
        cls.backward = patched(original)
    try:
        yield
    finally:
        for cls, original in originals.items():
            if own[cls]:
                cls.backward = original
            else:
                del cls.backward


@contextmanager
def _script_environment(script: Path, argv: tuple):
    """As ``python script.py`` sets things up, with micrograd's modules answered by this package;
    everything put back afterwards."""
    from . import nn
    from .value import Value

    engine = types.ModuleType("micrograd.engine")
    engine.Value = Value
    network = types.ModuleType("micrograd.nn")
    for name in ("Module", "Neuron", "Layer", "MLP"):
        setattr(network, name, getattr(nn, name))
    package = types.ModuleType("micrograd")
    package.__path__ = []  # a package, so `import micrograd.engine` resolves to the module above
    package.engine, package.nn = engine, network
    swapped = {"micrograd": package, "micrograd.engine": engine, "micrograd.nn": network}

    saved_modules = {name: sys.modules.get(name) for name in swapped}
    saved_argv, saved_path = sys.argv, list(sys.path)
    saved_backend = os.environ.get("MPLBACKEND")
    sys.modules.update(swapped)
    sys.argv = [str(script), *argv]
    sys.path.insert(0, str(script.resolve().parent))
    os.environ["MPLBACKEND"] = "Agg"  # a plt.show() in the lesson must not open a window over the app
    try:
        yield
    finally:
        for name, module in saved_modules.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
        sys.argv, sys.path[:] = saved_argv, saved_path
        if saved_backend is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = saved_backend


def _where_it_failed(script: Path, error: BaseException) -> str:
    """One sentence: the script's own line where the error surfaced, and the error."""
    line = None
    for frame in traceback.extract_tb(error.__traceback__):
        if Path(frame.filename).resolve() == script.resolve():
            line = frame.lineno
    where = f"{script.name} line {line}" if line else script.name
    message = str(error).splitlines()[0] if str(error) else ""
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return f"{where} stopped with {text[:300]}; fix the script, or run it with python first"
