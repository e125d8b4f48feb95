"""``graphviz-nn serve`` over a real websocket on 127.0.0.1 (issue 14): a foreign Origin is
refused, the session cap holds, ``e`` is a download that writes nothing on the server, and ``o``
outside ``--scenarios`` is refused without quoting. The server runs in this process and stops
at the end of each test; every wait has a deadline."""
from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import sys
import time

import pytest

pytest.importorskip("textual_serve")
aiohttp = pytest.importorskip("aiohttp")
from aiohttp import web  # noqa: E402

from textual_serve.server import Server  # noqa: E402

from graphviz_nn.cli.classroom_server import server_class  # noqa: E402

ClassroomServer = server_class(Server)
from graphviz_nn.cli.serve import app_command  # noqa: E402

SECRET = "SECRET-token-abc123XYZ"
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Running:
    """A ClassroomServer on 127.0.0.1 for the length of an ``async with``."""

    def __init__(self, scenarios_dir=None, max_sessions=30):
        self.port = free_port()
        self.server = ClassroomServer(app_command("sigmoid-neuron", scenarios_dir), host="127.0.0.1",
                                      port=self.port, title="test", max_sessions=max_sessions)
        self.base = f"http://127.0.0.1:{self.port}"

    async def __aenter__(self):
        self.runner = web.AppRunner(await self.server._make_app())
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        self.client = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc):
        await self.client.close()
        await self.runner.cleanup()  # the server stops by itself: sessions end, processes go

    async def connect(self, origin=None):
        origin = self.base if origin is None else origin
        return await self.client.ws_connect(f"{self.base.replace('http', 'ws')}/ws?width=100&height=30",
                                            headers={"Origin": origin} if origin else {})


class Screen:
    """What a session's app sent: terminal output, and the JSON messages (downloads)."""

    def __init__(self, ws):
        self.ws = ws
        self.output = bytearray()
        self.messages = []

    async def read_until(self, predicate, seconds=60.0) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            try:
                message = await self.ws.receive(timeout=max(0.05, min(1.0, deadline - time.monotonic())))
            except asyncio.TimeoutError:
                continue
            if message.type == aiohttp.WSMsgType.BINARY:
                self.output.extend(message.data)
            elif message.type == aiohttp.WSMsgType.TEXT:
                self.messages.append(json.loads(message.data))
            elif message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.ERROR):
                return predicate(self)
        return predicate(self)

    def plain(self) -> str:
        return " ".join(ANSI.sub(b" ", bytes(self.output)).decode("utf-8", "replace").split())

    def shows(self, text: str) -> bool:
        """``text`` on screen, ignoring the escape sequences and line jumps between its words."""
        plain = ANSI.sub(b" ", bytes(self.output)).decode("utf-8", "replace")
        return " ".join(text.split()) in " ".join(plain.split())

    async def type(self, text: str) -> None:
        """Key by key, as a browser sends them."""
        for char in text:
            await self.ws.send_str(json.dumps(["stdin", char]))
            await asyncio.sleep(0.03)  # about a fast typist


async def started(ws) -> Screen:
    screen = Screen(ws)
    assert await screen.read_until(lambda s: s.shows("sigmoid neuron")), bytes(screen.output[-300:])
    return screen


async def test_a_page_of_another_site_cannot_open_a_session():
    async with Running() as running:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await running.connect(origin="https://evil.example")
        assert refused.value.status == 403
        with pytest.raises(aiohttp.WSServerHandshakeError):  # DNS rebinding: a foreign Host name
            await running.client.ws_connect(f"ws://127.0.0.1:{running.port}/ws",
                                            headers={"Host": f"evil.example:{running.port}",
                                                     "Origin": f"http://evil.example:{running.port}"})
        assert running.server.sessions == 0


async def test_the_session_cap_holds_and_the_page_says_the_class_is_full():
    async with Running(max_sessions=1) as running:
        first = await running.connect()
        try:
            await started(first)
            with pytest.raises(aiohttp.WSServerHandshakeError) as full:
                await running.connect()
            assert full.value.status == 503
            async with running.client.get(running.base + "/") as page:
                assert page.status == 503 and "The class is full" in await page.text()
        finally:
            await first.close()
        deadline = time.monotonic() + 20
        while running.server.sessions and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        async with running.client.get(running.base + "/") as page:  # a place is free again
            assert page.status == 200


async def test_export_is_a_download_and_writes_nothing_on_the_server(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the sessions' working directory
    async with Running() as running:
        ws = await running.connect()
        try:
            screen = await started(ws)
            await screen.type("e")
            assert await screen.read_until(lambda s: s.shows("Download this frame"))
            await screen.type("\r")  # the suggested name
            assert await screen.read_until(lambda s: any(m[0] == "deliver_file_start" for m in s.messages))
            key = next(m[1] for m in screen.messages if m[0] == "deliver_file_start")
            async with running.client.get(f"{running.base}/download/{key}") as download:
                body = await download.read()
                assert download.status == 200
                assert "attachment" in download.headers["Content-Disposition"]
                assert "sigmoid-neuron-step0.svg" in download.headers["Content-Disposition"]
            assert b"<svg" in body and b"w0" in body
        finally:
            await ws.close()
    assert list(tmp_path.iterdir()) == []  # nothing written where the server runs


async def test_open_is_limited_to_the_class_folder_and_never_quotes_a_file(tmp_path):
    shared = tmp_path / "class"
    shared.mkdir()
    (shared / "broken.toml").write_text(f'id = "{SECRET}"\n')
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.toml").write_text(f'id = "{SECRET}"\n')
    async with Running(scenarios_dir=str(shared)) as running:
        ws = await running.connect()
        try:
            screen = await started(ws)
            for path in (str(outside / "secret.toml"), str(shared / ".." / "private" / "secret.toml"),
                         "/etc/passwd"):
                await screen.read_until(lambda s: False, seconds=0.5)  # the last answer settles
                screen.output.clear()
                await screen.type("o")
                assert await screen.read_until(lambda s: s.shows("Open a scenario"))
                screen.output.clear()
                await screen.type(path + "\r")  # typing on the list goes to the path field
                found = await screen.read_until(lambda s: s.shows("this server opens"), seconds=30)
                assert found, (path, screen.plain()[-600:])
                assert SECRET.encode() not in screen.output
                assert b"root:" not in screen.output  # nothing of /etc/passwd either
            # the class folder's broken file is listed last in the picker: its error quotes nothing
            await screen.read_until(lambda s: False, seconds=0.5)
            screen.output.clear()
            await screen.type("o")
            assert await screen.read_until(lambda s: s.shows("Open a scenario"))
            await screen.ws.send_str(json.dumps(["stdin", "\x1b[F"]))  # End: the last entry
            await screen.read_until(lambda s: False, seconds=0.5)
            screen.output.clear()
            await screen.type("\r")
            assert await screen.read_until(lambda s: s.shows("is not valid") or s.shows("'…'"), seconds=30), \
                screen.plain()[-600:]
            assert SECRET.encode() not in screen.output and b"SECRET" not in screen.output
        finally:
            await ws.close()


# --- every session bounded (issue 25): sizes, messages, input, memory, lifetime --------------------

from graphviz_nn.cli import classroom_limits as limits  # noqa: E402

SESSION_PEAK_MB = 300  # "a few hundred MB": an idle session peaks near 65 MB, at the clamped 500×200 near 110


def proc_field(pid: int, field: str) -> str:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return line.split(":", 1)[1].strip()
    raise KeyError(field)


def peak_mb(pid: int) -> float:
    """The session process's own peak resident memory (VmHWM), from the kernel."""
    return int(proc_field(pid, "VmHWM").split()[0]) / 1024


def alive(pid: int) -> bool:
    try:
        return proc_field(pid, "State")[0] not in "ZX"
    except (FileNotFoundError, ProcessLookupError, KeyError):
        return False


def session_processes() -> list:
    """Processes started by this test process that run the app (``graphviz_nn tui``), read from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmd:
                command = cmd.read()
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
        if parent == os.getpid() and b"graphviz_nn\x00tui" in command and alive(int(entry)):
            found.append(int(entry))
    return found


async def gone_within(pids, seconds=15.0) -> bool:
    deadline = time.monotonic() + seconds
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return not any(alive(pid) for pid in pids)


async def slots_freed(running, seconds=5.0) -> bool:
    """The server's count of taken slots reaches 0 (it follows the processes' exits)."""
    deadline = time.monotonic() + seconds
    while running.server.sessions and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return running.server.sessions == 0


async def huge_session(running, width=100000, height=100000):
    ws = await running.client.ws_connect(f"ws://127.0.0.1:{running.port}/ws?width={width}&height={height}",
                                         headers={"Origin": running.base})
    return await started(ws)


async def test_a_huge_terminal_is_clamped_and_the_process_ends_when_the_client_leaves(memory_capped):
    async with Running() as running:
        screen = await huge_session(running)
        (pid,) = running.server.live
        environ = dict(item.split(b"=", 1) for item in open(f"/proc/{pid}/environ", "rb").read().split(b"\0") if b"=" in item)
        assert (environ[b"COLUMNS"], environ[b"ROWS"]) == (str(limits.MAX_COLUMNS).encode(), str(limits.MAX_ROWS).encode())
        await screen.ws.send_str(json.dumps(["resize", {"width": 30000, "height": 30000}]))
        await screen.read_until(lambda s: False, seconds=4)  # the app redraws at the size it was given
        assert alive(pid) and peak_mb(pid) < SESSION_PEAK_MB, peak_mb(pid)
        # the app really drew at the clamped size: a full-width line is MAX_COLUMNS cells, not 30000
        await screen.ws.send_str(json.dumps(["ping", "still there"]))
        assert await screen.read_until(lambda s: s.ws.closed or True, seconds=1)
        await screen.ws.close()
        assert await gone_within([pid]), f"session process {pid} outlived its client"
        assert await slots_freed(running) and running.server.live == {}


async def test_a_stopped_or_busy_process_is_killed_and_its_slot_waits_for_it(memory_capped):
    import signal
    async with Running(max_sessions=1) as running:
        screen = await huge_session(running, 120, 40)
        (pid,) = running.server.live
        os.kill(pid, signal.SIGSTOP)  # the worst case: it reads nothing and ignores TERM
        for _ in range(40):  # far more input than the queue holds: the rest is dropped, not buffered
            await screen.ws.send_str(json.dumps(["stdin", "n" * 60000]))
        await screen.read_until(lambda s: False, seconds=0.5)
        session = running.server.live[pid]
        assert 0 < session._queued_bytes <= limits.MAX_QUEUED_BYTES and session.dropped_input > 0
        await screen.ws.close()
        await asyncio.sleep(0.3)
        assert alive(pid) and running.server.sessions == 1  # the slot is not free while the process lives
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await running.connect()
        assert await gone_within([pid], seconds=limits.QUIT_GRACE + limits.TERM_GRACE + 10)
        assert await slots_freed(running)


async def test_a_message_over_the_size_limit_closes_the_session_and_ends_its_process(memory_capped):
    async with Running(max_sessions=1) as running:
        screen = await huge_session(running, 120, 40)
        (pid,) = running.server.live
        await screen.ws.send_str(json.dumps(["stdin", "n" * 3_000_000]))  # the 3 MB message
        await screen.read_until(lambda s: False, seconds=2)
        assert screen.ws.closed
        assert await gone_within([pid]) and peak_mb_or_zero(pid) < SESSION_PEAK_MB


def peak_mb_or_zero(pid):
    try:
        return peak_mb(pid)
    except (FileNotFoundError, KeyError):
        return 0.0


async def test_max_sessions_never_has_more_processes_alive(memory_capped):
    async with Running(max_sessions=2) as running:
        most = 0
        for _round in range(2):
            screens = [await huge_session(running, 100000, 100000) for _ in range(2)]
            for screen in screens:  # keep them busy, then leave at once
                await screen.ws.send_str(json.dumps(["stdin", "n" * 60000]))
                await screen.ws.close()
            knocking = time.monotonic() + 3  # newcomers knock while the old processes are still ending
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if time.monotonic() < knocking:
                    try:
                        ws = await running.connect()
                        await ws.close()
                    except aiohttp.WSServerHandshakeError:
                        pass
                most = max(most, len(session_processes()))
                if time.monotonic() >= knocking and not session_processes() and not running.server.sessions:
                    break
                await asyncio.sleep(0.05)
        assert 0 < most <= 2, most
        assert await gone_within(session_processes()) and await slots_freed(running)


async def test_malformed_messages_are_dropped_with_one_log_line_each(memory_capped, caplog):
    import logging
    caplog.set_level(logging.INFO, logger="graphviz-nn.serve")
    bad = ["not json", json.dumps({"stdin": "x"}), json.dumps([]), json.dumps(["stdin", 5]),
           json.dumps(["resize", {"width": "wide", "height": 3}]), json.dumps(["resize", [1, 2]]),
           json.dumps(["explode", 1]), json.dumps(["ping", "x" * 1000]), "[" * 100000]
    async with Running() as running:
        screen = await huge_session(running, 120, 40)
        (pid,) = running.server.live
        for text in bad:
            await screen.ws.send_str(text)
        await screen.ws.send_bytes(b"\x00\x01binary")
        await screen.ws.send_str(json.dumps(["ping", "after"]))
        assert await screen.read_until(lambda s: ["pong", "after"] in s.messages, seconds=20)
        records = [r for r in caplog.records if r.name == "graphviz-nn.serve" and "dropped" in r.getMessage()]
        assert len(records) == limits.MAX_LOGGED_PER_SESSION  # 10 of the 10 malformed ones...
        for record in records:
            assert record.exc_info is None and "\n" not in record.getMessage()
        assert alive(pid)  # ...and the session goes on
        await screen.ws.close()
        assert await gone_within([pid])
