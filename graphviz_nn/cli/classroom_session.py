"""One browser session's app process under ``graphviz-nn serve``, bounded.

textual-serve's ``AppService`` starts the app through a shell, feeds it input with no limit and,
when the client leaves, asks it to quit and waits however long that takes. Here the process is
started directly in its own process group under an address-space limit, its input goes through
a bounded queue, and ``end()`` asks it to quit, then sends TERM, then KILL, and returns only when
the process has exited (so the server frees the session's slot only then). What textual-serve
keeps of the process's stderr is capped too (``CappedStderr``).
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import shlex
import signal
from functools import lru_cache

from . import classroom_limits as limits

log = logging.getLogger("graphviz-nn.serve")


def _limit_memory(address_space: int):
    """What the child runs before the app: an address-space cap (a runaway app gets MemoryError)."""
    def limit() -> None:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    return limit


@lru_cache(maxsize=2)
def session_class(AppService):
    """``BoundedSession``: textual-serve's ``AppService`` (handed over by ``serve``) with the bounds above."""

    class BoundedSession(AppService):
        """An app process with a memory cap, a bounded input queue and an ending that always ends."""

        address_space = limits.SESSION_ADDRESS_SPACE

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._queue: asyncio.Queue = asyncio.Queue()
            self._queued_bytes = 0
            self._feeder = None
            self._ending = None
            self.dropped_input = 0

        @property
        def pid(self):
            return self._process.pid if self._process is not None else None

        async def _open_app_process(self, width: int = 80, height: int = 24):
            environment = self._build_environment(width=width, height=height)
            environment.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
            self._process = process = await asyncio.create_subprocess_exec(
                *shlex.split(self.command), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, env=environment, start_new_session=True,
                preexec_fn=_limit_memory(self.address_space))
            self._stdin = process.stdin
            process.stderr = CappedStderr(process.stderr, limits.MAX_STDERR_BYTES)
            self._feeder = asyncio.create_task(self._feed())
            return process

        def offer(self, packet_type: bytes, payload: bytes) -> bool:
            """Queue a packet for the process; False (and nothing queued) when the queue is full."""
            packet = self.encode_packet(packet_type, payload)
            if self._queued_bytes + len(packet) > limits.MAX_QUEUED_BYTES:
                self.dropped_input += 1
                return False
            self._queued_bytes += len(packet)
            self._queue.put_nowait(packet)
            return True

        async def send_bytes(self, data: bytes) -> bool:
            return self.offer(b"D", data)

        async def send_meta(self, data: dict) -> bool:
            return self.offer(b"M", json.dumps(data).encode("utf-8"))

        async def _feed(self) -> None:
            """Write queued input to the process as fast as it reads it."""
            try:
                while True:
                    packet = await self._queue.get()
                    self._stdin.write(packet)
                    await self._stdin.drain()
                    self._queued_bytes -= len(packet)
            except (asyncio.CancelledError, ConnectionError, RuntimeError, OSError):
                pass

        async def stop(self) -> None:
            await self.end()

        def end(self) -> asyncio.Task:
            """Ends the process (once, however often asked); the task finishes when it has exited."""
            if self._ending is None:
                self._ending = asyncio.ensure_future(self._end())
            return self._ending

        async def _end(self) -> None:
            process = self._process
            try:
                await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
            except Exception as error:  # a download that cannot be cancelled must not keep the process
                log.warning("session %s: cancelling its downloads failed (%s)", self.pid, error)
            if process is not None and process.returncode is None:
                try:  # a polite quit first, past the queue (which may be full)
                    self._stdin.write(self.encode_packet(b"M", b'{"type": "quit"}'))
                except (RuntimeError, OSError, AttributeError):
                    pass
                if not await _exited(process, limits.QUIT_GRACE):
                    _signal_group(process, signal.SIGTERM)
                    if not await _exited(process, limits.TERM_GRACE):
                        log.warning("session %s did not stop on TERM; killed", process.pid)
                        _signal_group(process, signal.SIGKILL)
                        while process.returncode is None:
                            await asyncio.sleep(0.05)
            _signal_group(process, signal.SIGKILL)  # anything the app started (dot) goes with it
            if self._stdin is not None:
                self._stdin.close()  # input still queued for a dead process is dropped
            for task in (self._feeder, self._task):
                if task is not None and not task.done():
                    task.cancel()
            await asyncio.gather(*(t for t in (self._feeder, self._task) if t is not None), return_exceptions=True)
            self._task = None
            transport = getattr(process, "_transport", None)
            if transport is not None:
                transport.close()  # its pipes now, not when the garbage collector finds them

    return BoundedSession


class CappedStderr:
    """A process's stderr as textual-serve's reader sees it: the first ``cap`` bytes and a line
    saying the rest was dropped, then end of file when the pipe ends. textual-serve keeps every
    byte it reads in memory for the session's life; the rest is still read (and dropped), so the
    app never blocks on a full pipe."""

    def __init__(self, stream, cap: int):
        self._stream = stream
        self._left = cap
        self.dropped = 0

    async def read(self, n: int = -1) -> bytes:
        while True:
            data = await self._stream.read(n if n > 0 else 4096)
            if not data:
                return data
            kept = data[:self._left]
            self._left -= len(kept)
            told = self.dropped > 0
            self.dropped += len(data) - len(kept)
            if self.dropped and not told:
                return kept + _DROPPED_NOTE
            if kept:
                return kept


_DROPPED_NOTE = b"\n[graphviz-nn serve: the rest of this session's stderr was dropped]\n"


async def _exited(process, seconds: float) -> bool:
    """Whether the process has exited (and was reaped) within ``seconds``; ``returncode`` is set
    on reaping, while ``process.wait()`` also waits for every pipe to close."""
    deadline = asyncio.get_running_loop().time() + seconds
    while process.returncode is None and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    return process.returncode is not None


def _signal_group(process, signal_number) -> None:
    if process is None:
        return
    try:
        os.killpg(process.pid, signal_number)  # the process leads its own group (start_new_session)
    except (ProcessLookupError, PermissionError):
        pass
