"""Hostile traffic against the served app over real HTTP (issue 16): an oversized body, a burst of
100 requests from one user, a client that walks away mid-answer. Each must leave the app answering
other users, with no error in their answers."""

from __future__ import annotations

import json
import secrets
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from visitcoach.ui import build_demo, launch_options
from visitcoach.ui.auth import DEMO_PASSWORD
from visitcoach.ui.pool import free_port

from .conftest import SHIPPED, make_settings

pytestmark = pytest.mark.server

QUESTION = "What does 1692c(a)(3) require?"


@pytest.fixture(scope="module")
def url(pack_index_dir, tmp_path_factory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("hostile")
    shutil.copytree(pack_index_dir / "index", data / "index")
    demo = build_demo(make_settings(data, SHIPPED))
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                auth=demo.vc_resources.auth, **launch_options(max_request_mb=1))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        demo.close()


class Browser:
    """One signed-in tab: its cookies and its Gradio session."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=120)
        self.http.post("/login", data={"username": "demo-agent", "password": DEMO_PASSWORD}).raise_for_status()
        self.session = secrets.token_hex(8)

    def start(self, question: str, session: str | None = None) -> str:
        r = self.http.post("/gradio_api/call/ask", json={"data": [question, "ALL"], "session_hash": session or self.session})
        r.raise_for_status()
        return r.json()["event_id"]

    def result(self, event_id: str) -> tuple[str, list]:
        """("complete" | "error", the payload) of an event."""
        event = ""
        with self.http.stream("GET", f"/gradio_api/call/ask/{event_id}") as stream:
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    return event, json.loads(line[5:])
        raise AssertionError("the event stream ended without a result")

    def ask(self, question: str = QUESTION) -> list:
        event, payload = self.result(self.start(question))
        assert event == "complete", payload
        return payload


def answered_well(outputs: list) -> bool:
    """The answer names the provision asked and its message box is empty."""
    *_shown, sources, _cleared, msg = outputs
    return "15 U.S.C. 1692c(a)(3)" in str(sources) and not msg


def test_an_oversized_body_is_refused_before_it_is_read_and_others_are_answered(url):
    browser = Browser(url)
    huge = json.dumps({"data": ["x" * (2 * 1024 * 1024), "ALL"], "session_hash": browser.session})
    r = browser.http.post("/gradio_api/call/ask", content=huge, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert answered_well(Browser(url).ask())


def test_a_burst_of_100_requests_from_one_user_leaves_others_answered(url):
    noisy = Browser(url)  # one account scripting the API: each call its own session (Gradio ends all of a
    # session's pending events when one of its streams closes, so one session cannot carry a burst)
    with ThreadPoolExecutor(max_workers=25) as pool:
        events = list(pool.map(lambda _: noisy.start(QUESTION, secrets.token_hex(8)), range(100)))  # within about a second
        other = Browser(url).ask()
        results = list(pool.map(noisy.result, events))
    assert answered_well(other)
    for event, payload in results:  # each of the burst is answered or told the app is busy, never a fault
        assert event == "complete", payload
        assert answered_well(payload) or "busy" in str(payload[-1])


def test_a_client_that_disconnects_mid_answer_leaves_others_answered(url):
    leaver = Browser(url)
    for _ in range(5):
        event_id = leaver.start(QUESTION)
        with leaver.http.stream("GET", f"/gradio_api/call/ask/{event_id}") as stream:
            next(stream.iter_lines())  # the first line, then the connection is closed
    results: list[list] = []
    threads = [threading.Thread(target=lambda: results.append(Browser(url).ask())) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(results) == 3 and all(answered_well(r) for r in results)
