"""A folder of files written as one set: staged beside the target, then swapped in.

``frames`` writes dozens of pictures and an index; an interrupted run must leave the previous
set whole (not half old, half new), and a run must never delete files it did not write. The
new set is written into a hidden folder next to the target; ``commit`` then

- renames it into place when the target does not exist yet;
- exchanges the two folders in one step (Linux ``renameat2(RENAME_EXCHANGE)``) when the target
  holds only an earlier set (the files its ``index.json`` lists), then removes that old set;
- otherwise (the folder also holds other files) moves the new files in one by one with
  Ctrl+C held back until the last one is in, ``index.json`` last, and removes only the files
  of the old set that the new set does not have.

A file counts as the old set's only when its name has the frames' own form (``frame-000.svg``
or the player the index names, ``*.html``) and its bytes still have the SHA-256 the old
``index.json`` recorded when it was written: a planted or hand-edited ``index.json`` deletes
nothing. Anything that goes wrong before ``commit`` (an error, a full disk, Ctrl+C, SIGTERM,
SIGHUP) removes the staging folder with any half-written file and leaves the target as it was.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import signal
import stat
import tempfile
import threading
from pathlib import Path

from ..errors import UserError

INDEX = "index.json"
FRAME_NAME = re.compile(r"frame-[0-9]{3,9}\.(svg|png|pdf)")
PLAYER_NAME = re.compile(r"[^/\\\x00]{1,200}\.html")
# Signals that end a run: each becomes ``Interrupted`` while a set is staged, so the staging goes too.
ENDING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived while frames were being staged (handled like Ctrl+C)."""

    def __init__(self, signal_number: int):
        super().__init__(signal.Signals(signal_number).name)
        self.signal_number = signal_number


class FolderError(UserError):
    """The frames folder cannot be written as asked."""


class StagedFolder:
    """``with StagedFolder(path) as staged: staged.write(name, data) ...`` then ``staged.commit()``
    (called on leaving the block when not called before)."""

    def __init__(self, target: Path):
        self.target = Path(target)
        self.stage: Path | None = None
        self.names: list = []
        self.digests: dict = {}  # name -> SHA-256 of what this run wrote (recorded in index.json)
        self.committed = False
        self._previous_handlers: dict = {}

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
        self._catch_ending_signals()
        return self

    def write(self, name: str, data: bytes) -> None:
        path = self.stage / name
        if name not in self.names:
            self.names.append(name)  # before writing: a half-written file is removed with the rest
        try:
            with open(path, "wb") as handle:
                handle.write(data)
        except OSError as error:
            raise FolderError(f"cannot write the frames beside {str(self.target)!r} ({error.strerror}); "
                              f"the previous frames are unchanged; free some space or choose another folder") from None
        os.chmod(path, 0o666 & ~_umask())
        self.digests[name] = hashlib.sha256(data).hexdigest()

    def read(self, name: str) -> bytes:
        return (self.stage / name).read_bytes()

    def __exit__(self, kind, error, tb) -> None:
        try:
            if kind is None and not self.committed:
                self.commit()
        finally:
            try:
                if self.stage is not None and self.stage.exists():
                    _remove_own(self.stage, self.names)
            finally:
                self._restore_signals()

    def _catch_ending_signals(self) -> None:
        """SIGTERM/SIGHUP raise ``Interrupted`` here (main thread only), so ``__exit__`` cleans up."""
        if threading.current_thread() is not threading.main_thread():
            return

        def interrupt(number, frame):
            raise Interrupted(number)
        for number in ENDING_SIGNALS:
            with contextlib.suppress(ValueError, OSError):
                self._previous_handlers[number] = signal.signal(number, interrupt)

    def _restore_signals(self) -> None:
        for number, handler in self._previous_handlers.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(number, handler)
        self._previous_handlers = {}

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
    """The files an earlier run wrote: named as frames name their files, listed in its index.json
    and still holding the bytes it recorded there (nothing else is ours)."""
    try:
        info = os.lstat(folder / INDEX)
        if not stat.S_ISREG(info.st_mode) or info.st_size > 64 * 1024 ** 2:
            return []
        index = json.loads((folder / INDEX).read_text("utf-8"))
        frames = [f["file"] for f in index.get("frames", [])]
        extra = list(index.get("extra", []))
        digests = index.get("sha256", {})
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return []
    if not isinstance(digests, dict):
        return []
    names = [n for n in frames if isinstance(n, str) and FRAME_NAME.fullmatch(n)]
    names += [n for n in extra if isinstance(n, str) and PLAYER_NAME.fullmatch(n) and n not in (".html",)]
    return [n for n in dict.fromkeys(names) if _holds(folder / n, digests.get(n))]


def _holds(path: Path, digest) -> bool:
    """Whether ``path`` is a regular file whose SHA-256 is ``digest``."""
    if not isinstance(digest, str):
        return False
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        sha = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                sha.update(block)
    except OSError:
        return False
    return sha.hexdigest() == digest


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
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, *ENDING_SIGNALS})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

