"""``graphviz-nn serve`` works fully offline (issue 21): the page asks nothing of another site
(textual-serve's page asked Google for a web font) and nothing it asks for is missing (a 404 on
/favicon.ico). Checked twice: every reference of the page fetched from the server, and the page
opened in headless Chromium with every other host blocked, its network log read afterwards."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("textual_serve")
aiohttp = pytest.importorskip("aiohttp")
from aiohttp import web  # noqa: E402

from test_serve_classroom import Running  # noqa: E402

REFERENCE = re.compile(r"""(?:href|src)\s*=\s*"([^"]+)"|url\(\s*["']?([^"')]+)""")


def references(page: str) -> list:
    return [a or b for a, b in REFERENCE.findall(page)]


async def test_every_reference_of_the_page_is_on_this_server_and_answers():
    async with Running() as running:
        async with running.client.get(running.base + "/") as response:
            assert response.status == 200
            page = await response.text()
        refs = [r for r in references(page) if not r.startswith(("data:", "#"))]
        assert refs, page[:500]
        for ref in refs:
            assert not re.match(r"(?i)(https?:)?//", ref) or ref.startswith(running.base), ref
            async with running.client.get(ref if ref.startswith("http") else running.base + ref) as got:
                assert got.status == 200, (ref, got.status)
        assert any(r.endswith(".ttf") for r in refs)  # the font comes from here
        async with running.client.get(running.base + "/favicon.ico") as icon:
            assert icon.status < 400


@pytest.mark.skipif(shutil.which("chromium") is None, reason="headless Chromium is not installed")
async def test_the_page_loads_in_a_browser_with_the_network_blocked(tmp_path):
    async with Running() as running:
        log = tmp_path / "net.json"
        profile = tempfile.mkdtemp(dir=tmp_path)
        # every host but this server resolves to nothing: a request to another site fails (and is logged)
        args = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", f"--log-net-log={log}",
                "--virtual-time-budget=6000", "--dump-dom", running.base + "/?delay=1"]
        import asyncio
        process = await asyncio.create_subprocess_exec(*args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        dom, _ = await asyncio.wait_for(process.communicate(), timeout=90)
        assert b"textual-terminal" in dom
        net = json.loads(log.read_text())
        start = net["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        # what the page asked for (initiated by its origin); Chromium's own calls home are not the page's
        page = [e["params"] for e in net["events"] if e["type"] == start
                and e.get("params", {}).get("initiator") == running.base]
        urls = {p["url"] for p in page}
        assert any(u.endswith(".ttf") for u in urls) and any(u.endswith("textual.js") for u in urls), urls
        outside = {u for u in urls if not u.startswith((running.base, "data:"))}
        assert not outside, outside
