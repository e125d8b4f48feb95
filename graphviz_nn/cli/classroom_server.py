"""textual-serve's ``Server`` made safe to run in a classroom.

- Only pages of this server may open a session: a websocket whose ``Origin`` is another site
  (any web page the teacher visits could otherwise drive a localhost server) is refused, and
  so is a ``Host`` that is not an address of this machine (DNS rebinding).
- At most ``max_sessions`` sessions run at once (each is an app process); when full, the page
  says so instead of starting another. A slot is freed only when its process has exited.
- Every session is bounded (``classroom_limits``): terminal size clamped on connect and on every
  resize, each websocket message checked (a malformed one is dropped with one log line), input
  queued per session capped, the process under an address-space limit and ended (quit, TERM,
  KILL) within seconds of its client leaving (``classroom_session``).

Everything else (what a session may open or write) is the app's business: ``serve`` starts
it with ``--served`` (see ``graphviz_nn.tui.served_policy``). textual-serve is the optional ``web``
extra and only ``serve`` imports it (in a function), so the class is made from the base it
hands over (``server_class(Server)``).
"""
from __future__ import annotations

import asyncio
import html
import ipaddress
import logging
import socket
import sys
from functools import lru_cache
from urllib.parse import urlsplit

from . import classroom_limits as limits
from .classroom_session import log, session_class

FULL_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>graphviz-nn: the class is full</title>
<style>body{{font-family:sans-serif;max-width:40em;margin:4em auto;line-height:1.5}}</style></head>
<body><h1>The class is full</h1>
<p>This graphviz-nn server runs at most {limit} sessions at once, and all of them are in use.
Close a tab that is no longer needed, or try again in a minute.</p></body></html>
"""


@lru_cache(maxsize=2)
def server_class(Server):
    """``ClassroomServer``: textual-serve's ``Server`` (given by ``serve``, the one module that
    imports the web extra) with an Origin check and a session cap."""
    from aiohttp import WSMsgType, web  # textual-serve's own web framework
    from textual_serve.app_service import AppService

    Session = session_class(AppService)

    class ClassroomServer(Server):
        """A textual-serve ``Server`` with an Origin check, a cap on concurrent sessions and
        bounded sessions."""

        def __init__(self, command: str, *, host: str, port: int, title: str, max_sessions: int = 30):
            super().__init__(command, host=host, port=port, title=title)
            self.max_sessions = max_sessions
            self.sessions = 0  # slots taken: from the handshake until the process has exited
            self.live = {}  # pid -> the session running it

        def initialize_logging(self) -> None:
            """One plain line per event on standard error: no tracebacks, no local variables."""
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("graphviz-nn serve: %(message)s"))
            logging.basicConfig(level="INFO", handlers=[handler], force=True)

        async def on_shutdown(self, app) -> None:
            """The server stopping ends every session process before it returns."""
            await asyncio.gather(*(session.end() for session in list(self.live.values())),
                                 return_exceptions=True)

        def full_page(self) -> web.Response:
            return web.Response(status=503, content_type="text/html",
                                text=FULL_PAGE.format(limit=html.escape(str(self.max_sessions))))

        async def handle_index(self, request: web.Request):
            if not self.host_allowed(request.host):
                return web.Response(status=421, text="This server answers to its own addresses only.\n")
            if self.sessions >= self.max_sessions:
                return self.full_page()
            return await super().handle_index(request)

        async def handle_websocket(self, request: web.Request):
            if not self.origin_allowed(request):
                return web.Response(status=403, text="Sessions can only be opened from this server's own page.\n")
            if self.sessions >= self.max_sessions:
                return self.full_page()
            self.sessions += 1
            websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=limits.MAX_MESSAGE_BYTES)
            width, height = limits.size_from_query(request.query)
            session = None
            try:
                await websocket.prepare(request)
                session = Session(self.command, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                                  close=websocket.close, download_manager=self.download_manager)
                await session.start(width, height)
                self.live[session.pid] = session
                watcher = asyncio.ensure_future(_close_when_exited(session, websocket))
                try:
                    await self._process_messages(websocket, session)
                finally:
                    watcher.cancel()
            except asyncio.CancelledError:
                pass
            except Exception as error:  # one line for the teacher, never a traceback with locals
                log.warning("a session failed: %s", _one_line(error))
            finally:
                ending = asyncio.ensure_future(self._release(session))
                try:
                    await asyncio.shield(ending)  # cancelled or not, the slot waits for the process
                except asyncio.CancelledError:
                    pass
                await _close_quietly(websocket)
            return websocket

        async def _release(self, session) -> None:
            try:
                if session is not None:
                    await session.end()
            finally:
                if session is not None:
                    self.live.pop(session.pid, None)
                self.sessions -= 1

        async def _process_messages(self, websocket, session) -> None:
            """The browser's messages, each checked; a malformed one is dropped with one log line."""
            logged = 0
            full_logged = False
            async for message in websocket:
                if message.type == WSMsgType.ERROR:  # e.g. a message over MAX_MESSAGE_BYTES: aiohttp closes
                    log.warning("session %s: connection closed: %s", session.pid, _one_line(message.data))
                    continue
                if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    continue
                try:
                    kind, data = limits.read_message(message.data)
                except limits.MalformedMessage as error:
                    logged += 1
                    if logged <= limits.MAX_LOGGED_PER_SESSION:
                        more = (" (further ones from this session are dropped silently)"
                                if logged == limits.MAX_LOGGED_PER_SESSION else "")
                        log.warning("session %s: dropped %s%s", session.pid, error, more)
                    continue
                if kind == "stdin":
                    accepted = await session.send_bytes(data.encode("utf-8", "replace"))
                    if not accepted and not full_logged:
                        full_logged = True
                        log.warning("session %s: input arrives faster than the app reads it; "
                                    "dropping input over %d KB", session.pid, limits.MAX_QUEUED_BYTES // 1024)
                    elif accepted:
                        full_logged = False
                elif kind == "resize":
                    await session.set_terminal_size(*data)
                elif kind == "ping":
                    await websocket.send_json(["pong", data])
                elif kind == "blur":
                    await session.blur()
                elif kind == "focus":
                    await session.focus()

        def origin_allowed(self, request: web.Request) -> bool:
            """Same origin only: the Origin (when a browser sends one) names the Host asked for,
            and that Host is an address of this machine."""
            if not self.host_allowed(request.host):
                return False
            origin = request.headers.get("Origin")
            if origin is None:
                return True  # not a web page (a script on this machine can reach the server anyway)
            parts = urlsplit(origin)
            return parts.scheme in ("http", "https") and parts.netloc.lower() == request.host.lower()

        def host_allowed(self, host_header: str) -> bool:
            """An IP address, ``localhost``, this machine's name or the address served on; never
            another domain name (a page there could point it at this machine: DNS rebinding)."""
            host = urlsplit(f"//{host_header}").hostname or ""
            try:
                ipaddress.ip_address(host)
                return True
            except ValueError:
                pass
            names = {"localhost", self.host.lower(), socket.gethostname().lower()}
            try:
                names.add(socket.getfqdn().lower())
            except OSError:
                pass
            return host.lower() in names

    return ClassroomServer


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())[:200]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


async def _close_when_exited(session, websocket) -> None:
    """An app that ended by itself (``q``, or out of memory) closes its page's connection."""
    while session._process.returncode is None:
        await asyncio.sleep(0.2)
    await _close_quietly(websocket)


async def _close_quietly(websocket) -> None:
    try:
        await websocket.close()
    except Exception:  # the client is already gone
        pass


def exposed_addresses() -> list:
    """This machine's addresses other machines may reach it on (best effort, no network traffic)."""
    found = []
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None):
            address = info[4][0]
            if address not in found and not address.startswith("127.") and address != "::1":
                found.append(address)
    except OSError:
        pass
    return found
