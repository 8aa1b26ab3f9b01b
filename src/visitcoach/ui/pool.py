"""Several app processes behind one port (`visitcoach serve --processes N`, `VISITCOACH_PROCESSES`).

One Gradio process answers on one core: its queue, event streams and post-processing hold the
GIL, so on a loaded machine asks wait for each other rather than for the answer engine. The pool
runs N copies of the app on loopback ports and a small proxy on the public port.

A browser's sign-in token, its session state (a rehearsal, a chat) and its queued events live in
the process that served it, so the proxy pins each browser to one process with a cookie
(`vc_process`), set on the first response it sends that browser; browsers without one are spread
round-robin. Everything else is forwarded as it is, event streams chunk by chunk, so a streamed
answer still grows in the page. A process that cannot be reached gets the user one "busy, try
again" message in their language; nothing is retried, so nothing is done twice. The cookie is
dropped only when that process has exited, so the next request tries another: a process that is
alive but slow keeps its browsers, whose sign-in and session live there (moving them would sign
them out).

The processes share what is on disk: the ingested index (read only while serving) and the
artifact store (SQLite in WAL mode, which takes writers from several processes).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from visitcoach.config import Settings
from visitcoach.errors import ConfigError
from visitcoach.ui.i18n import t

log = logging.getLogger(__name__)

COOKIE = "vc_process"
#: Seconds a process may take to start (load the index and the models) before the pool gives up.
START_TIMEOUT = 300.0
#: Headers that describe one hop, not the message (RFC 9110 §7.6.1), and are not forwarded.
_HOP = frozenset(
    b"connection keep-alive proxy-authenticate proxy-authorization te trailer transfer-encoding upgrade".split()
)

_WORKER = """
import os, sys, threading, time
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
parent = int(sys.argv[2])

def orphaned():  # the pool went away without stopping this process (killed): stop too
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)

threading.Thread(target=orphaned, daemon=True).start()
from visitcoach.config import get_settings
from visitcoach.ui import build_demo, launch
settings = get_settings()
launch(settings, host="127.0.0.1", port=int(sys.argv[1]), demo=build_demo(settings), quiet=True)
"""


def free_port() -> int:
    """A loopback TCP port nothing listens on now (the OS's pick)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_processes(count: int, env: dict[str, str] | None = None) -> list[tuple[int, subprocess.Popen[bytes]]]:
    """`count` app processes on free loopback ports, each answering (or an error naming the one that did not)."""
    import httpx

    started: list[tuple[int, subprocess.Popen[bytes]]] = []
    for _ in range(count):
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-c", _WORKER, str(port), str(os.getpid())], env={**os.environ, **(env or {})})
        started.append((port, proc))
    deadline = time.monotonic() + START_TIMEOUT
    waiting = list(started)
    while waiting:
        port, proc = waiting[0]
        if proc.poll() is not None:
            stop_processes(started)
            raise ConfigError(f"app process on port {port} exited with {proc.returncode} while starting")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code < 500:
                waiting.pop(0)
                continue
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            stop_processes(started)
            raise ConfigError(f"app process on port {port} did not answer within {START_TIMEOUT:g} s")
        time.sleep(0.3)
    return started


def stop_processes(started: list[tuple[int, subprocess.Popen[bytes]]]) -> None:
    for _, proc in started:
        if proc.poll() is None:
            proc.terminate()
    for _, proc in started:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _lang(headers: Any) -> str:
    return "zh" if "zh" in headers.get("accept-language", "").lower()[:8] else "en"


#: Seconds the proxy keeps an idle connection to a process for reuse: under the 5 s after which the
#: processes' uvicorn closes idle connections, so the proxy never sends a request down a connection
#: the process is closing (at equal timeouts a loaded run lost a request to that race now and then).
KEEPALIVE_S = 2.0


def proxy_app(ports: list[int], alive: Callable[[int], bool] | None = None) -> Any:
    """The ASGI app that pins each browser to one of `ports` and forwards its requests there.

    `alive(i)` says whether the i-th process is still running; without it an unreachable process
    is taken for gone."""
    import httpx
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response, StreamingResponse
    from starlette.routing import Route

    client = httpx.AsyncClient(timeout=httpx.Timeout(None, connect=5.0), limits=httpx.Limits(max_connections=None, keepalive_expiry=KEEPALIVE_S))
    turn = itertools.cycle(range(len(ports)))

    async def forward(request: Request) -> Response:
        pinned = request.cookies.get(COOKIE, "")
        chosen = int(pinned) if pinned.isdigit() and int(pinned) < len(ports) else next(turn)
        url = f"http://127.0.0.1:{ports[chosen]}{request.url.path}"
        if request.url.query:
            url += f"?{request.url.query}"
        headers = [(k, v) for k, v in request.headers.raw if k.lower() not in _HOP]
        has_body = "content-length" in request.headers or "transfer-encoding" in request.headers
        upstream = client.build_request(request.method, url, headers=headers, content=request.stream() if has_body else None)
        try:
            reply = await client.send(upstream, stream=True)
        except httpx.HTTPError as exc:
            log.warning("pool: app process %d (port %d) unreachable: %s", chosen, ports[chosen], exc)
            busy = PlainTextResponse(t("err.busy", _lang(request.headers)), status_code=503)
            if alive is None or not alive(chosen):  # gone: its sessions went with it, so try another next time
                busy.delete_cookie(COOKIE)
            return busy

        async def body() -> AsyncIterator[bytes]:
            try:
                async for chunk in reply.aiter_raw():
                    yield chunk
            except httpx.HTTPError as exc:  # the process went away mid-reply (stopped, restarted): end this reply
                log.warning("pool: app process %d (port %d) closed a reply early: %s", chosen, ports[chosen], exc)
            finally:
                await reply.aclose()

        response = StreamingResponse(body(), status_code=reply.status_code)
        response.raw_headers = [(k, v) for k, v in reply.headers.raw if k.lower() not in _HOP]
        if pinned != str(chosen):
            response.raw_headers.append((b"set-cookie", f"{COOKIE}={chosen}; Path=/; HttpOnly; SameSite=Lax".encode()))
        return response

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        yield
        await client.aclose()

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    return Starlette(routes=[Route("/{path:path}", forward, methods=methods)], lifespan=lifespan)


def serve_pool(settings: Settings, host: str, port: int, processes: int) -> None:
    """Serve the app from `processes` processes behind `host:port` until interrupted."""
    import uvicorn

    started = start_processes(processes)
    ports = [p for p, _ in started]
    log.warning("visitcoach on http://%s:%d: %d app processes (ports %s)", host, port, processes, ", ".join(map(str, ports)))
    # uvicorn re-raises SIGTERM after its shutdown, whose default action would end this process before
    # the `finally` stops the app processes: make it an exit that runs it
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        app = proxy_app(ports, alive=lambda i: started[i][1].poll() is None)
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)  # until SIGINT/SIGTERM
    finally:
        stop_processes(started)
