"""``classroom_session.BoundedSession`` on its own, with stand-in app processes: what the server
keeps of a session's stderr is capped, and a process that ignores the polite quit but obeys TERM
ends on TERM (no KILL, no warning). Every wait has a deadline."""
from __future__ import annotations

import asyncio
import logging
import shlex
import sys
import time

import pytest

pytest.importorskip("textual_serve")
from textual_serve.app_service import AppService  # noqa: E402
from textual_serve.download_manager import DownloadManager  # noqa: E402

from graphviz_nn.cli import classroom_limits as limits  # noqa: E402
from graphviz_nn.cli.classroom_session import CappedStderr, session_class  # noqa: E402

BoundedSession = session_class(AppService)


def session_running(script: str) -> BoundedSession:
    async def nothing(*_):
        return None
    return BoundedSession(f"{shlex.quote(sys.executable)} -c {shlex.quote(script)}", write_bytes=nothing,
                          write_str=nothing, close=nothing, download_manager=DownloadManager())


async def test_a_session_that_floods_stderr_costs_the_server_at_most_the_cap(capsys):
    # 8 MB of stderr and an exit: textual-serve's own reader would keep (and print) all of it
    session = session_running("import sys\nfor _ in range(128): sys.stderr.write('e' * 65536)\n")
    await session._open_app_process(80, 24)
    await asyncio.wait_for(session.run(), 60)  # returns: the pipe was drained, the app never blocked
    printed = capsys.readouterr().out
    assert 0 < len(printed) <= 2 * (limits.MAX_STDERR_BYTES + 100)  # textual-serve prints what it kept, twice
    assert printed.startswith("e" * 1000) and "the rest of this session's stderr was dropped" in printed
    assert session._process.stderr.dropped == 128 * 65536 - limits.MAX_STDERR_BYTES
    await session.end()


class Pipe:
    """A stream that hands out the given chunks, then end of file."""

    def __init__(self, chunks):
        self.chunks = list(chunks)

    async def read(self, n=-1):
        return self.chunks.pop(0) if self.chunks else b""


async def read_all(stream) -> bytes:
    out = b""
    while data := await stream.read(4096):
        out += data
    return out


@pytest.mark.parametrize("chunks", [[b"abc"], [b"ab", b"cd"], [b"abcd", b"ef"], [b"abcdefgh"], [b"a"] * 9])
async def test_the_cap_keeps_the_first_bytes_and_says_once_that_the_rest_was_dropped(chunks):
    stream = CappedStderr(Pipe(chunks), 4)
    whole = b"".join(chunks)
    kept = await read_all(stream)
    if len(whole) <= 4:
        assert kept == whole and stream.dropped == 0
    else:
        assert kept.startswith(whole[:4]) and kept.count(b"dropped") == 1 and stream.dropped == len(whole) - 4


async def test_a_process_that_ignores_quit_but_obeys_term_ends_on_term(caplog):
    # reads nothing from stdin (so the polite quit goes unanswered) and exits 0 on TERM
    session = session_running("import signal, sys, time\n"
                              "signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\n"
                              "print('__GANGLION__', flush=True)\n"
                              "time.sleep(60)\n")
    await session._open_app_process(80, 24)
    session._task = asyncio.ensure_future(session.run())
    await asyncio.sleep(0.5)  # it has installed its handler
    caplog.set_level(logging.WARNING, logger="graphviz-nn.serve")
    started = time.monotonic()
    await asyncio.wait_for(session.end(), 30)
    took = time.monotonic() - started
    assert session._process.returncode == 0  # its own exit, on TERM; KILL would read -9
    assert not [r for r in caplog.records if "killed" in r.getMessage()]
    assert limits.QUIT_GRACE <= took < limits.QUIT_GRACE + limits.TERM_GRACE  # quit waited for, TERM obeyed
