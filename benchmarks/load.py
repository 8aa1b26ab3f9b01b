"""Load check: simulated users (gradio_client) doing ask + check against the served app.

Usage: python benchmarks/load.py [--users 20] [--seconds 60] [--think 1.0]
Needs an ingested index in the data dir (`visitcoach ingest`). The app is started in this process
on a free loopback port, offline, with the demo accounts. Each user signs in, then loops: ask a
question, check a script, pause `--think` seconds (a person reading the answer). Reports requests
per second, p50/p95 latency per endpoint and errors (target: no errors, p95 <= 2 s offline).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The 70 evaluation questions (zh and en), so users do not all ask the same few things.
QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "evals" / "datasets" / "retrieval.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
SCRIPTS = [
    "Good morning, my name is Sam Hale from Northstar Recovery, here about your account.",
    "If you don't pay today the police will arrest you.",
    "你不还钱我们就去你单位找你领导。",
    "We can agree a plan you can afford; nothing has to be decided today.",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="seconds a user pauses between rounds")
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    from gradio_client import Client

    from visitcoach.config import get_settings
    from visitcoach.retrieval.index import KnowledgeIndex
    from visitcoach.ui import CSS, build_demo
    from visitcoach.ui.auth import DEMO_PASSWORD

    settings = get_settings().model_copy(update={"llm": "offline", "users_file": None, "users": None})
    if len(KnowledgeIndex(settings)) == 0:
        print("the index is empty: run `visitcoach ingest` first", file=sys.stderr)
        return 2
    demo = build_demo(settings)
    port = _free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                auth=demo.vc_resources.auth, css=CSS)
    url = f"http://127.0.0.1:{port}/"
    latencies: dict[str, list[float]] = {"ask": [], "check": []}
    errors: list[str] = []
    lock = threading.Lock()
    stop = 0.0

    def user(n: int) -> None:
        rng = random.Random(n)
        try:
            client = Client(url, auth=("demo-agent", DEMO_PASSWORD), verbose=False)
        except Exception as exc:  # noqa: BLE001 - counted, not raised
            with lock:
                errors.append(f"login: {type(exc).__name__}: {exc}")
            return
        while time.monotonic() < stop:
            for name, call in (
                ("ask", lambda: client.predict(rng.choice(QUESTIONS), "ALL", api_name="/ask")),
                ("check", lambda: client.predict(rng.choice(SCRIPTS), None, "ALL", "", "", None, "debtor", False, [], api_name="/check")),
            ):
                t = time.perf_counter()
                try:
                    call()
                except Exception as exc:  # noqa: BLE001 - counted, not raised
                    with lock:
                        errors.append(f"{name}: {type(exc).__name__}: {str(exc)[:120]}")
                    continue
                with lock:
                    latencies[name].append(time.perf_counter() - t)
            time.sleep(args.think)

    # Warm the shared index and checker once, as the first real user would.
    Client(url, auth=("demo-agent", DEMO_PASSWORD), verbose=False).predict(QUESTIONS[0], "ALL", api_name="/ask")
    threads = [threading.Thread(target=user, args=(n,)) for n in range(args.users)]
    started = time.monotonic()
    stop = started + args.seconds
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.monotonic() - started
    demo.close()

    def pct(values: list[float], q: float) -> float:
        return round(sorted(values)[min(len(values) - 1, int(q * len(values)))], 3) if values else float("nan")

    result = {
        "users": args.users,
        "seconds": round(elapsed, 1),
        "think_s": args.think,
        "requests": sum(len(v) for v in latencies.values()),
        "requests_per_s": round(sum(len(v) for v in latencies.values()) / elapsed, 2),
        "errors": len(errors),
        "error_samples": errors[:5],
        **{f"{k}_p50_s": round(statistics.median(v), 3) if v else None for k, v in latencies.items()},
        **{f"{k}_p95_s": pct(v, 0.95) for k, v in latencies.items()},
    }
    print(json.dumps(result, indent=2))
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
