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
