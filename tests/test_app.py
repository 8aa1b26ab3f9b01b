"""The app: built without I/O, answers through the index, and works in a real headless browser."""

import shutil
import socket
import threading
import time
from pathlib import Path

import gradio as gr
import pytest

from visitcoach.ui import answer_question, build_demo

from .conftest import make_settings

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def test_building_the_app_opens_nothing(tmp_path):
    settings = make_settings(tmp_path / "never-created")
    demo = build_demo(settings)
    assert isinstance(demo, gr.Blocks)
    assert not (tmp_path / "never-created").exists()


def test_handler_returns_answer_and_expandable_sources(fixture_index_dir):
    settings = make_settings(fixture_index_dir)
    answer, sources = answer_question("外访需要几个人？", "ALL", settings)
    assert "两名" in answer and "mode: offline" in answer
    assert "<details" in sources and "外访管理制度 §5.1" in sources


def test_handler_rejects_an_empty_question(fixture_index_dir):
    with pytest.raises(gr.Error):
        answer_question("   ", "ALL", make_settings(fixture_index_dir))


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed (make test installs it)")
def test_ask_in_a_real_browser(fixture_index_dir):
    from playwright.sync_api import sync_playwright

    settings = make_settings(fixture_index_dir)
    demo = build_demo(settings)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    thread = threading.Thread(
        target=lambda: demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True),
        daemon=True,
    )
    thread.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--disable-quic",
                ],
            )
            page = browser.new_page()
            deadline = time.monotonic() + 60
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{port}/", timeout=5000)
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
            page.locator("#vc-question textarea").fill("What does 1692c(a)(3) require?")
            page.locator("#vc-ask").click()
            page.locator("#vc-sources details").first.wait_for(timeout=60000)
            assert "15 U.S.C. 1692c(a)(3)" in page.locator("#vc-sources").inner_text()
            assert "[1]" in page.locator("#vc-answer").inner_text()
            page.locator("#vc-sources summary").first.click()
            assert "employer" in page.locator("#vc-sources blockquote").first.inner_text()
            browser.close()
    finally:
        demo.close()
