"""Overload is graceful: a request that finds no free worker, or an answer that takes too long, gets one
"busy, try again" message in the user's language, and nothing is stored for it."""

from __future__ import annotations

import shutil
import threading
import time
from types import SimpleNamespace

import pytest

from visitcoach.services import Services
from visitcoach.ui import ask_tab
from visitcoach.ui.common import Busy, admit, guarded, set_lang

from .conftest import make_settings


@pytest.fixture
def one_worker():
    admit(1, 0.2)
    yield
    admit(4, 20.0)


def test_a_request_that_finds_no_free_worker_is_told_the_app_is_busy_in_its_language(one_worker):
    release = threading.Event()
    started = threading.Event()

    def handler(text: str, request: object) -> str:
        started.set()
        release.wait(10)
        return text.upper()

    guard = guarded(handler, 1)
    first: list[tuple[str, ...]] = []
    worker = threading.Thread(target=lambda: first.append(guard("a", SimpleNamespace(session_hash="s1"))))
    worker.start()
    assert started.wait(10)
    zh = SimpleNamespace(session_hash="s-zh")
    set_lang(zh, "zh")
    _skipped, message = guard("b", zh)  # waits 0.2 s for the one worker, then gives up
    assert "系统繁忙" in message and "未保存" in message
    release.set()
    worker.join(10)
    assert first == [("A", "")]  # the request that had the worker finishes normally
    assert guard("c", SimpleNamespace(session_hash="s1")) == ("C", "")  # and the worker is free again


def test_a_streamed_answer_takes_a_worker_for_its_work_not_for_showing_it(one_worker):
    from visitcoach.ui.common import turn

    def stream(request: object):
        with turn("test-stream"):
            yield "computed"
        yield "shown"

    guard = guarded(stream, 1)
    running = guard(SimpleNamespace(session_hash="s1"))
    assert next(running) == ("computed", "")  # inside its turn
    *_, message = next(guard(SimpleNamespace(session_hash="s2")))
    assert "busy" in message
    assert next(running) == ("shown", "")  # the turn is over while it is shown
    assert next(guard(SimpleNamespace(session_hash="s2"))) == ("computed", "")


def test_an_answer_that_takes_too_long_raises_busy_and_is_cancelled():
    seen = {}

    def slow(on_token, cancel):
        time.sleep(0.5)
        seen["cancelled"] = cancel.is_set()
        return "late"

    with pytest.raises(Busy):
        list(ask_tab.in_background(slow, 0.1))
    time.sleep(0.6)
    assert seen["cancelled"] is True


def test_an_answer_the_asker_stopped_waiting_for_is_not_stored(fixture_index_dir, tmp_path):
    data = tmp_path / "d"
    shutil.copytree(fixture_index_dir / "index", data / "index")
    services = Services(make_settings(data))
    gave_up = threading.Event()
    gave_up.set()
    assert services.ask("What hours can we visit in the US?", cancel=gave_up).answer
    assert services.store().list(kind="answer") == []
    services.ask("What hours can we visit in the US?", cancel=threading.Event())
    assert len(services.store().list(kind="answer")) == 1
