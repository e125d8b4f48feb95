"""A folder of files written as one set: staged beside the target, then swapped in.

``frames`` writes dozens of pictures and an index; an interrupted run must leave the previous
set whole (not half old, half new), and a run must never delete files it did not write. The
new set is written into a hidden folder next to the target; ``commit`` then

- renames it into place when the target does not exist yet;
- exchanges the two folders in one step (Linux ``renameat2(RENAME_EXCHANGE)``) when the target
  holds only an earlier set (the files its ``index.json`` lists), then removes that old set;
- otherwise (the folder also holds other files) moves the new files in one by one with
  Ctrl+C held back until the last one is in, ``index.json`` last, and removes only the files
  the old ``index.json`` listed that the new set does not have.

Anything that goes wrong before ``commit`` removes the staging folder and leaves the target as it was.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import tempfile
import threading
from pathlib import Path

from ..errors import UserError

INDEX = "index.json"


class FolderError(UserError):
    """The frames folder cannot be written as asked."""


class StagedFolder:
    """``with StagedFolder(path) as staged: staged.write(name, data) ...`` then ``staged.commit()``
    (called on leaving the block when not called before)."""

    def __init__(self, target: Path):
        self.target = Path(target)
        self.stage: Path | None = None
        self.names: list = []
        self.committed = False

    def __enter__(self) -> "StagedFolder":
        target = self.target
        try:
            info = os.lstat(target)
        except FileNotFoundError:
            info = None
        except OSError as error:
            raise FolderError(f"cannot use {str(target)[:200]!r} for the frames ({error.strerror})") from None
        if info is not None and not stat.S_ISDIR(info.st_mode):
            kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "a file"
            raise FolderError(f"cannot write the frames into {str(target)!r}: it is {kind}, not a folder; "
                              f"give a folder name")
        parent = target.parent if str(target.parent) else Path(".")
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self.stage = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.frames-"))
        except OSError as error:
            raise FolderError(f"cannot create the folder {str(target)!r} ({error.strerror}); "
                              f"choose a folder you can write to") from None
        mode = stat.S_IMODE(info.st_mode) if info is not None else 0o777 & ~_umask()
        os.chmod(self.stage, mode)
        return self

    def write(self, name: str, data: bytes) -> None:
        path = self.stage / name
        try:
            with open(path, "wb") as handle:
                handle.write(data)
        except OSError as error:
            raise FolderError(f"cannot write the frames beside {str(self.target)!r} ({error.strerror}); "
                              f"the previous frames are unchanged; free some space or choose another folder") from None
        os.chmod(path, 0o666 & ~_umask())
        if name not in self.names:
            self.names.append(name)

    def read(self, name: str) -> bytes:
        return (self.stage / name).read_bytes()

    def __exit__(self, kind, error, tb) -> None:
        try:
            if kind is None and not self.committed:
                self.commit()
        finally:
            if self.stage is not None and self.stage.exists():
                _remove_own(self.stage, self.names)

    def commit(self) -> None:
        """Put the staged set in place of the target's (see the module's docstring)."""
        if self.committed:
            return
        self.committed = True
        target, stage = self.target, self.stage
        if not target.exists():
            os.rename(stage, target)
            return
        old = _listed(target)
        if all(p.name in old or p.name == INDEX for p in target.iterdir()) and _exchange(stage, target):
            _remove_own(stage, old + [INDEX])  # the staging folder now holds the old set
            return
        with _interrupts_held():
            for name in self.names:
                if name != INDEX:
                    _replace_regular(stage / name, target / name)
            if INDEX in self.names:
                _replace_regular(stage / INDEX, target / INDEX)
            for name in old:
                if name not in self.names:
                    with contextlib.suppress(FileNotFoundError, IsADirectoryError, PermissionError):
                        if (target / name).is_file() and not (target / name).is_symlink():
                            (target / name).unlink()


def _listed(folder: Path) -> list:
    """The files an earlier run wrote: those its index.json lists (nothing else is ours)."""
    try:
        index = json.loads((folder / INDEX).read_text("utf-8"))
        names = [f["file"] for f in index.get("frames", [])] + list(index.get("extra", []))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return []
    return [n for n in names if isinstance(n, str) and n and "/" not in n and "\\" not in n and n not in (".", "..")]


def _remove_own(folder: Path, names: list) -> None:
    """Remove the named files, then the folder if it is empty (never anything else)."""
    for name in names:
        with contextlib.suppress(OSError):
            os.unlink(folder / name)
    with contextlib.suppress(OSError):
        folder.rmdir()


def _replace_regular(source: Path, destination: Path) -> None:
    try:
        info = os.lstat(destination)
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise FolderError(f"cannot replace {str(destination)!r}: it is not a regular file; move it away first")
    os.replace(source, destination)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE); False when unsupported."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(str(a)), at_fdcwd, os.fsencode(str(b)), rename_exchange) == 0


@contextlib.contextmanager
def _interrupts_held():
    """Hold Ctrl+C back while a set of renames runs (the main thread only; a no-op elsewhere)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

