"""textual-serve's ``Server`` made safe to run in a classroom.

- Only pages of this server may open a session: a websocket whose ``Origin`` is another site
  (any web page the teacher visits could otherwise drive a localhost server) is refused, and
  so is a ``Host`` that is not an address of this machine (DNS rebinding).
- At most ``max_sessions`` sessions run at once (each is an app process); when full, the page
  says so instead of starting another.

Everything else (what a session may open or write) is the app's business: ``serve`` starts
it with ``--served`` (see ``graphviz_nn.tui.served_policy``). textual-serve is the optional ``web``
extra and only ``serve`` imports it (in a function), so the class is made from the base it
hands over (``server_class(Server)``).
"""
from __future__ import annotations

import html
import ipaddress
import socket
from functools import lru_cache
from urllib.parse import urlsplit

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
    from aiohttp import web  # textual-serve's own web framework

    class ClassroomServer(Server):
        """A textual-serve ``Server`` with an Origin check and a cap on concurrent sessions."""

        def __init__(self, command: str, *, host: str, port: int, title: str, max_sessions: int = 30):
            super().__init__(command, host=host, port=port, title=title)
            self.max_sessions = max_sessions
            self.sessions = 0

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
            try:
                return await super().handle_websocket(request)
            finally:
                self.sessions -= 1

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
