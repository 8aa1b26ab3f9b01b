"""`visitcoach serve --processes N`: the proxy in front of the app processes, over real loopback HTTP.

The proxy is tested against two small real HTTP servers that say which one answered (pinning, bodies,
streams, an unreachable process), then once end to end with two real app processes answering a
signed-in client's ask.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from visitcoach.ui.i18n import t
from visitcoach.ui.pool import COOKIE, free_port, proxy_app, start_processes, stop_processes

from .conftest import ROOT, SHIPPED, make_settings

pytestmark = pytest.mark.server


@contextlib.contextmanager
def serving(app: Any) -> Iterator[int]:
    """`app` (ASGI) served by uvicorn on a free loopback port, in a thread, for the `with` block."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def upstream(name: str, release: threading.Event) -> Any:
    """An app process stand-in: `/who` names it, `/echo` returns the body and query, `/stream` sends one
    chunk, waits for `release`, then sends the last."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, StreamingResponse
    from starlette.routing import Route

    async def who(_request: Request) -> PlainTextResponse:
        return PlainTextResponse(name, headers={"x-upstream": name})

    async def echo(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"{name}|{request.url.query}|{(await request.body()).decode()}")

    async def stream(_request: Request) -> StreamingResponse:
        async def chunks() -> Any:
            yield b"data: first\n\n"
            while not release.is_set():
                await asyncio.sleep(0.02)
            yield b"data: last\n\n"

        return StreamingResponse(chunks(), media_type="text/event-stream")

    return Starlette(routes=[Route("/who", who), Route("/echo", echo, methods=["POST"]), Route("/stream", stream)])


@pytest.fixture()
def pool() -> Iterator[tuple[str, threading.Event]]:
    release = threading.Event()
    with serving(upstream("A", release)) as a, serving(upstream("B", release)) as b, serving(proxy_app([a, b])) as front:
        yield f"http://127.0.0.1:{front}", release
    release.set()


def test_each_browser_is_pinned_to_one_process_and_new_ones_are_spread(pool):
    url, _ = pool
    browsers = [httpx.Client(base_url=url) for _ in range(4)]
    first = [b.get("/who") for b in browsers]
    assert all(r.status_code == 200 and r.cookies.get(COOKIE) in ("0", "1") for r in first)
    assert {r.text for r in first} == {"A", "B"}  # round robin over the processes
    for browser, reply in zip(browsers, first, strict=True):
        again = [browser.get("/who") for _ in range(3)]
        assert {r.text for r in again} == {reply.text}  # the cookie keeps each browser where its session lives
        assert all(COOKIE not in r.headers.get("set-cookie", "") for r in again)  # set once, not on every reply
        assert again[0].headers["x-upstream"] == reply.text  # the process's own headers come through


def test_a_request_body_and_query_reach_the_process(pool):
    url, _ = pool
    with httpx.Client(base_url=url) as browser:
        reply = browser.post("/echo?lang=zh&x=1", content="问题 body".encode())
        assert reply.text.endswith("|lang=zh&x=1|问题 body")


def test_an_event_stream_is_forwarded_chunk_by_chunk(pool):
    url, release = pool
    with httpx.Client(base_url=url, timeout=10) as browser, browser.stream("GET", "/stream") as reply:
        chunks = reply.iter_raw()
        assert next(chunks) == b"data: first\n\n"  # arrived while the process still holds the last chunk back
        release.set()
        assert b"".join(chunks) == b"data: last\n\n"


def test_an_unreachable_process_gives_one_busy_message_in_the_users_language():
    dead = free_port()  # nothing listens here
    with serving(proxy_app([dead])) as front, httpx.Client(base_url=f"http://127.0.0.1:{front}") as browser:
        zh = browser.get("/", headers={"accept-language": "zh-CN,zh;q=0.9"}, cookies={COOKIE: "0"})
        en = browser.get("/", headers={"accept-language": "en-GB"})
    assert zh.status_code == en.status_code == 503
    assert zh.text == t("err.busy", "zh") and en.text == t("err.busy", "en")
    assert f'{COOKIE}=""' in zh.headers["set-cookie"]  # dropped, so the next request may go elsewhere


def test_a_busy_process_that_is_still_running_keeps_its_browsers():
    """A process that cannot be reached for a moment but has not exited still holds its browsers'
    sign-ins: the user is told to try again and stays pinned there (moving would sign them out)."""
    dead = free_port()
    with serving(proxy_app([dead, dead], alive=lambda i: True)) as front, httpx.Client(base_url=f"http://127.0.0.1:{front}") as browser:
        reply = browser.get("/", cookies={COOKIE: "1"})
    assert reply.status_code == 503 and reply.text == t("err.busy", "en")
    assert COOKIE not in reply.headers.get("set-cookie", "")


def test_the_proxy_drops_idle_connections_before_the_processes_do():
    """uvicorn (under each app process) closes a connection idle for 5 s; a proxy that reused one that
    long would now and then send a request into a closing connection and lose it."""
    import uvicorn

    from visitcoach.ui.pool import KEEPALIVE_S

    assert KEEPALIVE_S < uvicorn.Config(app=None).timeout_keep_alive


def test_two_real_app_processes_answer_signed_in_asks(pack_index_dir, tmp_path):
    """The pool as `visitcoach serve --processes 2` runs it: each client signs in through the proxy and
    is answered by the process its cookie names."""
    from gradio_client import Client

    from visitcoach.ui.auth import DEMO_PASSWORD

    data = tmp_path / "data"
    shutil.copytree(pack_index_dir / "index", data / "index")
    settings = make_settings(data, SHIPPED)
    env = {"VISITCOACH_DATA_DIR": str(settings.data_dir), "VISITCOACH_KNOWLEDGE_DIR": str(settings.knowledge_dir),
           "VISITCOACH_LLM": "offline", "GRADIO_ANALYTICS_ENABLED": "False",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    started = start_processes(2, env=env)
    try:
        with serving(proxy_app([port for port, _ in started])) as front:
            url = f"http://127.0.0.1:{front}/"
            clients = [Client(url, auth=("demo-agent", DEMO_PASSWORD), verbose=False) for _ in range(2)]
            for c in clients:
                _chat, sources, _cleared, msg = c.predict("What does 1692c(a)(3) require?", "ALL", api_name="/ask")
                assert "15 U.S.C. 1692c(a)(3)" in sources and msg == ""
    finally:
        stop_processes(started)


_POOL = """
import logging, sys
logging.basicConfig(level=logging.WARNING, format="%(message)s")
from visitcoach.config import get_settings
from visitcoach.ui.pool import serve_pool
serve_pool(get_settings(), "127.0.0.1", int(sys.argv[1]), 2)
"""


@pytest.mark.parametrize("stop", ["SIGTERM", "SIGKILL"])
def test_stopping_the_pool_stops_its_app_processes(pack_index_dir, tmp_path, stop):
    """SIGTERM (what `kill` and service managers send) ends the app processes with the pool; after a
    SIGKILL, which the pool cannot see, each app process notices it is orphaned and exits."""
    import re
    import signal
    import subprocess
    import sys

    data = tmp_path / "data"
    shutil.copytree(pack_index_dir / "index", data / "index")
    env = {**os.environ, "VISITCOACH_DATA_DIR": str(data), "VISITCOACH_KNOWLEDGE_DIR": str(SHIPPED),
           "VISITCOACH_LLM": "offline", "GRADIO_ANALYTICS_ENABLED": "False",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    front = free_port()
    pool = subprocess.Popen([sys.executable, "-c", _POOL, str(front)], env=env, stderr=subprocess.PIPE, text=True)
    ports: list[int] = []
    for line in pool.stderr:  # "visitcoach on http://127.0.0.1:N: 2 app processes (ports A, B)"
        m = re.search(r"app processes \(ports ([\d, ]+)\)", line)
        if m:
            ports = [int(p) for p in m.group(1).split(",")]
            break
    assert len(ports) == 2 and all(httpx.get(f"http://127.0.0.1:{p}/", timeout=5).status_code < 500 for p in ports)
    pool.send_signal(getattr(signal, stop))
    pool.wait(timeout=30)

    def serving(port: int) -> bool:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
            return True
        except httpx.HTTPError:
            return False

    deadline = time.monotonic() + 30
    while any(serving(p) for p in ports):
        assert time.monotonic() < deadline, f"app processes still serving after the pool's {stop}"
        time.sleep(0.5)
