"""Exports: DOT, SVG, PNG, PDF and JSON, written atomically.

A file is written to a temporary file in the same directory and then renamed over the
target, so an interrupted or failed export never leaves a truncated file or replaces a
good one.

>>> from graphviz_nn import Value
>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "x.dot")
>>> _ = export(Value(2.0, label="x") * 3, path)
>>> open(path).read().startswith("digraph")
True
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ..errors import UserError
from .run_dot import run_dot

FORMATS = ("svg", "png", "pdf", "dot", "json")
LAYOUT_FORMATS = ("svg", "png", "pdf")  # the ones that need Graphviz installed


class ExportError(UserError):
    """An export cannot be written (unknown format, unwritable place)."""


def format_of(path, fmt: str | None = None) -> str:
    """The export format: ``fmt`` when given, else from the file's suffix (``.gv`` is DOT)."""
    if fmt is None:
        suffix = Path(str(path)).suffix.lower().lstrip(".")
        fmt = "dot" if suffix == "gv" else suffix
        if fmt not in FORMATS:
            raise ExportError(f"cannot tell the format of {str(path)!r} from its suffix; "
                              f"use a name ending in .{', .'.join(FORMATS)} or give --format")
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return fmt


def atomic_write(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same directory and a rename.

    Only a regular file is ever replaced: a symlink is written through (the file it points to
    is replaced, the link stays), an existing file keeps its permissions, and a folder, a
    device or any other kind of file is refused with one sentence. A full disk or an
    interruption leaves the old file as it was.
    """
    path = writable_target(path)
    directory = path.parent
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise ExportError(f"cannot write into {str(directory)!r} ({error.strerror}); "
                          f"choose a folder you can write to") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _copy_mode_and_owner(path, tmp)
        os.replace(tmp, path)
    except BaseException as error:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(error, OSError):  # a full disk, a quota: the old file is untouched
            raise ExportError(f"cannot write {str(path)!r} ({error.strerror or error}); the old file is "
                              f"unchanged; free some space or choose another place") from None
        raise
    return path


def writable_target(path) -> Path:
    """The regular file an export of ``path`` replaces (a symlink's target), or an ``ExportError``."""
    import stat
    given = Path(path)
    try:
        real = Path(os.path.realpath(given)) if given.is_symlink() else given
        info = os.stat(real)
    except FileNotFoundError:
        info = None
    except OSError as error:  # a name too long, a loop of links
        raise ExportError(f"cannot write {str(given)[:200]!r} ({error.strerror or error}); "
                          f"choose another file name") from None
    directory = real.parent if str(real.parent) else Path(".")
    if info is None:
        if not directory.is_dir():
            raise ExportError(f"cannot write {str(given)!r}: the folder {str(directory)!r} does not exist; "
                              f"create it first")
        return real
    if stat.S_ISDIR(info.st_mode):
        raise ExportError(f"cannot write {str(given)!r}: it is a folder; give a file name such as "
                          f"{str(given / 'graph.svg')!r}")
    if not stat.S_ISREG(info.st_mode):
        raise ExportError(f"cannot write {str(given)!r}: it is not a regular file (a device, a pipe or a "
                          f"socket); give the name of a file")
    return real


def _copy_mode_and_owner(existing: Path, tmp: str) -> None:
    """The new file gets the old file's permissions (and owner, when allowed); a new name gets
    the usual permissions (mkstemp makes 0600)."""
    try:
        info = os.stat(existing)
    except FileNotFoundError:
        os.chmod(tmp, 0o666 & ~_umask())
        return
    os.chmod(tmp, info.st_mode & 0o777)  # never carry a set-user-id bit over to new contents
    if hasattr(os, "chown"):
        try:
            os.chown(tmp, info.st_uid, info.st_gid)
        except OSError:
            pass  # only root may give a file away; the permissions are kept all the same


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def snapshot_json(trace) -> bytes:
    """The JSON snapshot of a trace at its end, built from the trace alone (``snapshot.trace_to_json``)."""
    from ..snapshot import trace_to_json
    snap = trace_to_json(trace)
    return (json.dumps(snap, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def render_bytes(output, fmt: str, *, timeout: float | None = None, **options) -> bytes:
    """The diagram of ``output`` in format ``fmt`` as bytes (``options`` go to ``to_dot``)."""
    from ..scenario_build.to_trace import to_trace
    from .dot import to_dot  # graphviz is imported only when a diagram is drawn
    fmt = format_of("", fmt)
    trace = to_trace(output, who="render_bytes").trace
    if fmt == "json":
        return snapshot_json(trace)
    if options.get("level") is None or "fit" in options:  # a tensor graph: the level that fits a page, folded
        from .fit import fitted_options
        trace, options = fitted_options(trace, options, timeout)
    diagram = to_dot(trace, **options)
    if fmt == "dot":
        return diagram.source.encode("utf-8")
    kwargs = {} if timeout is None else {"timeout": timeout}
    return run_dot(diagram.source, fmt, **kwargs)


def export(output, path, fmt: str | None = None, **options) -> Path:
    """Write the diagram of ``output`` (node, nodes, trace or scenario) to ``path`` atomically.

    ``fmt`` defaults to the file's suffix; ``options`` are those of ``to_dot`` (``step``,
    ``level``, ``decimals``, ...) plus ``timeout`` for ``dot`` and ``fit``: with no level given, a
    tensor graph is drawn at the level that fits a page and folded to 4:1 (``render.fit``);
    ``fit=True`` folds a level given too, ``fit=False`` never folds.
    """
    fmt = format_of(path, fmt)
    return atomic_write(path, render_bytes(output, fmt, **options))
