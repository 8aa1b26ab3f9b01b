"""Load check: simulated agents asking and checking against the served app, over plain HTTP.

Usage: python benchmarks/load.py [--users 20] [--seconds 60] [--think 1.0] [--processes 1] [--src PATH] [--label NAME]

The app runs in its own process (offline, demo accounts, the data dir's ingested index), started
from this checkout's `src/` or from `--src` (another checkout's `src/`, for a before figure in the
same run of the machine). Each simulated user signs in with the login form, then loops: ask a
question, check a script, pause `--think` seconds (a person reading the answer). Calls go through
Gradio's HTTP API (`POST /gradio_api/call/<name>`, then the event's stream) with one session per
user, as a browser tab keeps (without one, every call would build a new session's state);
the generator is a thread per user with one HTTP connection each, light enough that its own CPU use
(reported) stays well under the server's.

Reports requests/s, p50/p95 per endpoint, errors and both processes' CPU seconds, as JSON.
Targets (issue 16): 20 users: no errors, /ask p95 <= 1.0 s, /check p95 <= 0.5 s; 50 users: /ask p95 <= 2.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from visitcoach.ui.pool import free_port

ROOT = Path(__file__).resolve().parents[1]
#: The evaluation questions (zh and en), so users do not all ask the same few things.
QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "evals" / "datasets" / "retrieval.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
SCRIPTS = [
    "Good morning, my name is Sam Hale from Northstar Recovery, here about your account.",
    "If you don't pay today the police will arrest you.",
    "你不还钱我们就去你单位找你领导。",
    "We can agree a plan you can afford; nothing has to be decided today.",
]

#: The server process: the app as `visitcoach serve` builds it, offline, with the demo accounts.
SERVER = """
import logging, os, sys
logging.basicConfig(level=logging.WARNING)  # the pool's warnings (an unreachable process) reach stderr
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
from visitcoach.config import get_settings
settings = get_settings().model_copy(update={"llm": "offline", "users_file": None, "users": None})
port, processes = int(sys.argv[1]), int(sys.argv[2])
if processes > 1:  # several app processes behind one port (`visitcoach serve --processes N`)
    from visitcoach.ui.pool import serve_pool
    serve_pool(settings, "127.0.0.1", port, processes)
    sys.exit(0)
from visitcoach.ui import launch  # as `visitcoach serve` does: warm-up and all
print("ready", flush=True)
launch(settings, host="127.0.0.1", port=port, quiet=True)
"""


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` and its running children (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(_cpu_seconds(int(c)) for c in children)


class User:
    """One signed-in browser session: a cookie jar and a connection to the app."""

    def __init__(self, url: str, name: str = "demo-agent") -> None:
        import httpx

        from visitcoach.ui.auth import DEMO_PASSWORD

        self.url = url
        self.session = secrets.token_hex(8)  # one browser tab: its chat and state persist across calls
        self.http = httpx.Client(base_url=url, timeout=120)
        r = self.http.post("/login", data={"username": name, "password": DEMO_PASSWORD})
        r.raise_for_status()

    def call(self, api: str, *data: object) -> list[object]:
        """POST the call, then read its event stream to the end; the outputs, or RuntimeError."""
        r = self.http.post(f"/gradio_api/call/{api}", json={"data": list(data), "session_hash": self.session})
        r.raise_for_status()
        event_id = r.json()["event_id"]
        event = ""
        with self.http.stream("GET", f"/gradio_api/call/{api}/{event_id}") as stream:
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    payload = json.loads(line[5:])
                    if event == "error":
                        raise RuntimeError(str(payload)[:200])
                    return payload
        raise RuntimeError(f"{api}: stream ended without a result")


def start_server(port: int, src: Path, processes: int = 1) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(src), "VISITCOACH_LLM": "offline"}
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(processes)], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    import httpx

    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code in (200, 401):
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("the server did not answer within 300 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="seconds a user pauses between rounds")
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the checkout's src/ to serve (a before figure)")
    parser.add_argument("--label", default="", help="a name for this run in the output")
    parser.add_argument("--processes", type=int, default=1, help="app processes behind the port (visitcoach serve --processes)")
    args = parser.parse_args()

    port = free_port()
    server = start_server(port, args.src.resolve(), args.processes)
    url = f"http://127.0.0.1:{port}/"
    latencies: dict[str, list[float]] = {"ask": [], "check": []}
    errors: list[str] = []
    lock = threading.Lock()
    stop = 0.0

    def user(n: int) -> None:
        rng = random.Random(n)
        try:
            u = User(url)
        except Exception as exc:  # noqa: BLE001 - counted, not raised
            with lock:
                errors.append(f"login: {type(exc).__name__}: {exc}")
            return
        while time.monotonic() < stop:
            for name, data in (
                ("ask", (rng.choice(QUESTIONS), "ALL")),
                ("check", (rng.choice(SCRIPTS), None, "ALL", "", "", None, "debtor", False, [])),
            ):
                t = time.perf_counter()
                try:
                    u.call(name, *data)
                except Exception as exc:  # noqa: BLE001 - counted, not raised
                    with lock:
                        errors.append(f"{name}: {type(exc).__name__}: {str(exc)[:160]}")
                    continue
                with lock:
                    latencies[name].append(time.perf_counter() - t)
            time.sleep(args.think)

    try:
        for _ in range(args.processes):  # each process's index and checker loaded once, as its first user would
            warm = User(url)  # (the pool hands new sessions to its processes in turn)
            warm.call("ask", QUESTIONS[0], "ALL")
            warm.call("check", SCRIPTS[0], None, "ALL", "", "", None, "debtor", False, [])
        threads = [threading.Thread(target=user, args=(n,)) for n in range(args.users)]
        server_cpu, own_cpu = _cpu_seconds(server.pid), time.process_time()
        started = time.monotonic()
        stop = started + args.seconds
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        elapsed = time.monotonic() - started
        server_cpu, own_cpu = _cpu_seconds(server.pid) - server_cpu, time.process_time() - own_cpu
    finally:
        server.terminate()
        server.wait(timeout=30)

    def pct(values: list[float], q: float) -> float:
        return round(sorted(values)[min(len(values) - 1, int(q * len(values)))], 3) if values else float("nan")

    requests = sum(len(v) for v in latencies.values())
    result = {
        "label": args.label or str(args.src),
        "users": args.users,
        "processes": args.processes,
        "seconds": round(elapsed, 1),
        "think_s": args.think,
        "requests": requests,
        "requests_per_s": round(requests / elapsed, 2),
        "errors": len(errors),
        "error_samples": errors[:5],
        **{f"{k}_p50_s": round(statistics.median(v), 3) if v else None for k, v in latencies.items()},
        **{f"{k}_p95_s": pct(v, 0.95) for k, v in latencies.items()},
        "server_cpu_s": round(server_cpu, 1),
        "generator_cpu_s": round(own_cpu, 1),
    }
    print(json.dumps(result, indent=2))
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
